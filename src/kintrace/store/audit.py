"""The hash-chained audit log.

Each row holds `prev_hash` (the previous row's hash; 64 zeros for the first row) and
`hash = SHA-256(prev_hash + canonical content)`, where the content is the row's id, time,
actor, action, entity and before/after JSON. Editing a row breaks its own hash; deleting one
breaks the next row's link; inserting one breaks either its own hash or the next link.
What no chain without an outside anchor can see is the loss of the newest rows, so
`verify` reports the head hash, and kintrace.store.audit_anchor writes it down, signed, outside
the database. The before/after values are chained sealed (kintrace.store.audit_personal), so a
record's personal data can be erased by destroying its key without breaking the chain.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from kintrace.store import audit_personal as personal
from kintrace.store.models import AuditEntry, row_values

GENESIS = "0" * 64
_LOCK_KEY = 7_215_530_412  # advisory lock id that serialises appends on PostgreSQL


def _json_default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def snapshot(obj: Any, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """A JSON-ready copy of a row's column values (for the before/after of an audit row)."""
    skipped = set(exclude)
    values = row_values(obj)
    return json.loads(canonical_json({key: value for key, value in values.items() if key not in skipped}))


def snapshot_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-ready copy of plain values (enums as their values, dates as ISO text)."""
    return json.loads(canonical_json(dict(values)))


def content_of(entry: Any) -> str:
    """The hashed text of an audit row (an AuditEntry or a plain result row)."""
    return canonical_json(
        {
            "id": entry.id,
            "at": entry.at,
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "action": entry.action,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "before": entry.before,
            "after": entry.after,
        }
    )


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    """The newest row's id and hash. Read every time rather than cached: sessions sharing one
    connection (savepoints) may append between two of our writes."""
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the transaction: concurrent writers queue here instead of colliding.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last is not None else (0, GENESIS)


@dataclass(frozen=True)
class AuditRecord:
    """What one write did, before it is chained."""

    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: str | int | None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


def _utc_text(moment: dt.datetime | None = None) -> str:
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _batches(records: Iterable[AuditRecord], size: int = 1000) -> Iterator[list[AuditRecord]]:
    batch: list[AuditRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chained(session: Session, records: Iterable[AuditRecord]) -> Iterator[AuditEntry]:
    """The records as audit rows, each linked to the one before it, starting from the chain's head.

    Every writer of the log (services, import, demo) comes through here: the before/after values
    are sealed under their record's key (kintrace.store.audit_personal) before they are chained.
    """
    last_id, last_hash = _head(session)
    at = _utc_text()
    ring = personal.KeyRing(session)
    for batch in _batches(records):
        subjects = {}
        for record in batch:
            entity_id = None if record.entity_id is None else str(record.entity_id)
            subject = personal.subject_of(record.entity, entity_id)
            subjects[subject] = personal.case_hint(record.entity, entity_id, record.after, record.before)
        ring.load(subjects)
        for record in batch:
            entity_id = None if record.entity_id is None else str(record.entity_id)
            entry_id = last_id + 1
            before, after = ring.seal_values(
                entry_id,
                personal.subject_of(record.entity, entity_id),
                None if record.before is None else canonical_json(record.before),
                None if record.after is None else canonical_json(record.after),
            )
            entry = AuditEntry(
                id=entry_id,
                at=at,
                actor_id=record.actor_id,
                actor_name=record.actor_name,
                action=record.action,
                entity=record.entity,
                entity_id=entity_id,
                before=before,
                after=after,
                prev_hash=last_hash,
            )
            entry.hash = chain_hash(last_hash, content_of(entry))
            last_id, last_hash = entry.id, entry.hash
            yield entry


def append_many(session: Session, records: Iterable[AuditRecord]) -> list[AuditEntry]:
    """Chain and insert audit rows in order (one INSERT for the lot)."""
    entries = list(_chained(session, records))
    if entries:
        session.add_all(entries)
        session.flush()
    return entries


def append_bulk(session: Session, records: Iterable[AuditRecord], *, chunk: int = 5000) -> int:
    """Chain and insert many audit rows with Core INSERTs (bulk loading); returns how many."""
    columns = [column.key for column in AuditEntry.__table__.c]
    rows: list[dict[str, Any]] = []
    count = 0
    for entry in _chained(session, records):
        rows.append({key: getattr(entry, key) for key in columns})
        count += 1
        if len(rows) >= chunk:
            session.execute(insert(AuditEntry), rows)
            rows.clear()
    if rows:
        session.execute(insert(AuditEntry), rows)
    return count


def append(
    session: Session,
    *,
    actor_id: int | None,
    actor_name: str,
    action: str,
    entity: str,
    entity_id: str | int | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record one write in the chain."""
    record = AuditRecord(actor_id, actor_name, action, entity, entity_id, before, after)
    return append_many(session, [record])[0]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows_checked: int
    head_hash: str
    broken_id: int | None = None
    reason: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"audit log intact: {self.rows_checked} rows, head {self.head_hash}"
        return f"audit log broken at row {self.broken_id}: {self.reason}"


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain from the first row; stop at the first row that does not fit."""
    expected_prev = GENESIS
    expected_id = 1
    checked = 0
    # Plain rows, not ORM objects: the identity map could hold values from before a tampering.
    query = select(*AuditEntry.__table__.c).order_by(AuditEntry.id).execution_options(yield_per=batch)
    for entry in session.execute(query):
        if entry.id != expected_id:
            reason = (
                f"row {expected_id} is missing (next row is {entry.id})"
                if entry.id > expected_id
                else f"row id {entry.id} is out of sequence (expected {expected_id})"
            )
            return VerifyResult(False, checked, expected_prev, entry.id, reason)
        if entry.prev_hash != expected_prev:
            reason = (
                "its link to the previous row does not match (a row before it was changed, removed or added)"
            )
            return VerifyResult(False, checked, expected_prev, entry.id, reason)
        if chain_hash(entry.prev_hash, content_of(entry)) != entry.hash:
            return VerifyResult(
                False, checked, expected_prev, entry.id, "its content does not match its hash"
            )
        expected_prev = entry.hash
        expected_id += 1
        checked += 1
    return VerifyResult(True, checked, expected_prev)
