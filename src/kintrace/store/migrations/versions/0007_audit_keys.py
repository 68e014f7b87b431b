"""Audit values sealed per record (crypto-shredding): the audit_keys table, and the log re-sealed.

Existing rows held their before/after values in plain JSON inside the chained content, so they
could never be erased. The upgrade checks the chain as it is (and stops, naming the row, if it is
broken: a log that was tampered with must be looked at before it is re-chained), then seals each
row's values under its record's new key and recomputes the chain. Write a fresh anchor checkpoint
after upgrading (`kintrace audit checkpoint`): the head hash changes once, here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:00:00

"""

import json
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOG = sa.table(
    "audit_log",
    *(
        sa.column(name)
        for name in (
            "id",
            "at",
            "actor_id",
            "actor_name",
            "action",
            "entity",
            "entity_id",
            "before",
            "after",
            "prev_hash",
            "hash",
        )
    ),
)


def upgrade() -> None:
    op.create_table(
        "audit_keys",
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.LargeBinary(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("entity", "entity_id", name=op.f("pk_audit_keys")),
    )
    with op.batch_alter_table("audit_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_keys_case_id"), ["case_id"], unique=False)
    _rechain(_seal)


def downgrade() -> None:
    _rechain(_unseal)
    with op.batch_alter_table("audit_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_keys_case_id"))
    op.drop_table("audit_keys")


Transform = Callable[[Any, Any], tuple[str | None, str | None]]


def _seal(ring: Any, row: Any) -> tuple[str | None, str | None]:
    from kintrace.store import audit_personal as personal

    if personal.is_sealed(row.before) or personal.is_sealed(row.after):
        return row.before, row.after
    subject = personal.subject_of(row.entity, row.entity_id)
    return ring.seal_values(row.id, subject, row.before, row.after)


def _unseal(ring: Any, row: Any) -> tuple[str | None, str | None]:
    from kintrace.store import audit_personal as personal

    key = ring.keys.get(personal.subject_of(row.entity, row.entity_id))
    if key is None:  # erased: its values stay sealed, and unreadable
        return row.before, row.after

    def one(text: str | None, name: str) -> str | None:
        if text is None or not personal.is_sealed(text):
            return text
        return personal.unseal(key, text, row.id, name)

    return one(row.before, "before"), one(row.after, "after")


def _rechain(transform: Transform) -> None:
    """Walk the log in order, check each row against the old chain, rewrite its values, re-chain it."""
    # The chain's hashing is the application's own (it defines the chain, in every version).
    from kintrace.store import audit
    from kintrace.store import audit_personal as personal

    conn = op.get_bind()
    session = Session(bind=conn)
    ring = personal.KeyRing(session)
    old_prev = new_prev = audit.GENESIS
    last_id = 0
    statement = (
        sa.update(_LOG)
        .where(_LOG.c.id == sa.bindparam("b_id"))
        .values(
            before=sa.bindparam("b_before"),
            after=sa.bindparam("b_after"),
            prev_hash=sa.bindparam("b_prev"),
            hash=sa.bindparam("b_hash"),
        )
    )
    while True:
        rows = conn.execute(sa.select(_LOG).where(_LOG.c.id > last_id).order_by(_LOG.c.id).limit(2000)).all()
        if not rows:
            break
        wanted: dict[tuple[str, str], Any] = {}
        for row in rows:
            if row.id != last_id + 1 or row.prev_hash != old_prev:
                raise RuntimeError(
                    f"audit log broken at row {row.id}; see `kintrace audit verify` before upgrading"
                )
            if audit.chain_hash(old_prev, audit.content_of(row)) != row.hash:
                raise RuntimeError(f"audit log broken at row {row.id}: its content does not match its hash")
            old_prev, last_id = row.hash, row.id
            values = [
                json.loads(text) for text in (row.after, row.before) if text and not personal.is_sealed(text)
            ]
            wanted[personal.subject_of(row.entity, row.entity_id)] = personal.case_hint(
                row.entity, row.entity_id, *values
            )
        if transform is _seal:
            ring.load(wanted)
        else:
            _read_keys(session, ring, wanted)
        updates = []
        for row in rows:
            before, after = transform(ring, row)
            rewritten = SimpleNamespace(**{**row._mapping, "before": before, "after": after})
            new_hash = audit.chain_hash(new_prev, audit.content_of(rewritten))
            updates.append(
                {"b_id": row.id, "b_before": before, "b_after": after, "b_prev": new_prev, "b_hash": new_hash}
            )
            new_prev = new_hash
        conn.execute(statement, updates)


def _read_keys(session: Session, ring: Any, wanted: dict[tuple[str, str], Any]) -> None:
    from kintrace.store.models import AuditKey

    for entity, entity_id in wanted:
        key = session.scalar(
            sa.select(AuditKey.key).where(AuditKey.entity == entity, AuditKey.entity_id == entity_id)
        )
        if key is not None:
            ring.keys[(entity, entity_id)] = key
