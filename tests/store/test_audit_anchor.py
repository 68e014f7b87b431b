"""Signed checkpoints outside the database: the attacks the chain alone lets through are found.

Each attack below is done the way someone with write access to the database would: rows rewritten
and the whole chain recomputed. Every one passes the chain's own `verify` (asserted, so the test
shows why the anchor is needed) and fails against the anchor, which names the row and checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from tests.services.helpers import person

from kintrace.domain.vocabulary import PersonStatus
from kintrace.services import cases, status
from kintrace.services.access import SYSTEM
from kintrace.store import audit
from kintrace.store.audit_anchor import (
    AnchorError,
    check_anchor,
    read_anchor,
    verify_with_anchor,
    write_checkpoint,
)
from kintrace.store.models import AuditEntry

KEY = b"test-anchor-key-0123456789-abcdefghijklmnop"


def _write_some(session: Session, n: int = 3) -> None:
    for i in range(n):
        case = cases.create_case(session, SYSTEM, person(first=f"Андрій{'й' * i}"))
        status.set_official_status(session, SYSTEM, case.id, PersonStatus.REPORTED_CAPTURED)
    session.flush()


def _rows(session: Session) -> list[dict[str, Any]]:
    session.expire_all()
    return [
        dict(row._mapping) for row in session.execute(select(*AuditEntry.__table__.c).order_by(AuditEntry.id))
    ]


def _replace_log(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write `rows` as the whole log, numbered from 1 and correctly re-chained: what an attacker would do."""
    session.execute(delete(AuditEntry))
    prev = audit.GENESIS
    fixed = []
    for number, row in enumerate(rows, start=1):
        row = {**row, "id": number, "prev_hash": prev}
        row["hash"] = prev = audit.chain_hash(prev, audit.content_of(_Row(row)))
        fixed.append(row)
    if fixed:
        session.execute(insert(AuditEntry), fixed)
    session.expire_all()


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _rewrite_and_rechain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Row 3 said someone else did it, and something else: its hash and every later link recomputed.
    rows[2] = {**rows[2], "actor_name": "mallory", "after": '{"official_status":"confirmed_dead"}'}
    return rows


def _forge_a_chained_row(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    forged = {**rows[1], "action": "case.close", "actor_name": "mallory", "after": '{"state":"closed"}'}
    return [*rows[:2], forged, *rows[2:]]


def _truncate_newest(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return rows[:-2]


def _truncate_all(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return []


ATTACKS: dict[str, tuple[Callable[[list[dict[str, Any]]], list[dict[str, Any]]], str]] = {
    "rewrite and re-chain": (_rewrite_and_rechain, "rewritten"),
    "forged chained row": (_forge_a_chained_row, "rewritten"),
    "truncate the newest rows": (_truncate_newest, "truncated"),
    "truncate every row": (_truncate_all, "truncated"),
}


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_an_attack_the_chain_misses_is_found_by_the_anchor(session, tmp_path, attack):
    anchor = tmp_path / "anchor.jsonl"
    _write_some(session)
    write_checkpoint(session, anchor, KEY)
    _write_some(session, 1)
    point = write_checkpoint(session, anchor, KEY)
    assert point is not None and point.seq == 2
    assert verify_with_anchor(session, read_anchor(anchor), KEY).ok

    change, word = ATTACKS[attack]
    _replace_log(session, change(_rows(session)))

    assert audit.verify(session).ok  # the chain alone is fooled
    result = verify_with_anchor(session, read_anchor(anchor), KEY)
    assert not result.ok and word in result.message and result.checkpoint is not None
    assert f"checkpoint #{result.checkpoint.seq}" in result.message
    assert f"row {result.broken_id}" in result.message or f"rows {result.broken_id}" in result.message


def test_rows_after_the_last_checkpoint_are_reported_as_chain_only(session, tmp_path):
    anchor = tmp_path / "anchor.jsonl"
    _write_some(session, 1)
    point = write_checkpoint(session, anchor, KEY)
    _write_some(session, 1)
    result = verify_with_anchor(session, read_anchor(anchor), KEY)
    assert result.ok and result.rows_checked == point.rows + 2  # type: ignore[union-attr]
    assert "2 row(s) after it" in result.message


def test_no_checkpoint_is_written_over_a_log_changed_since_the_last_one(session, tmp_path):
    anchor = tmp_path / "anchor.jsonl"
    _write_some(session)
    write_checkpoint(session, anchor, KEY)
    _replace_log(session, _rewrite_and_rechain(_rows(session)))
    with pytest.raises(AnchorError, match="changed since checkpoint #1"):
        write_checkpoint(session, anchor, KEY)
    assert len(read_anchor(anchor)) == 1


def test_an_unchanged_head_is_not_checkpointed_twice_on_the_schedule(session, tmp_path):
    anchor = tmp_path / "anchor.jsonl"
    _write_some(session, 1)
    assert write_checkpoint(session, anchor, KEY, if_changed=True) is not None
    assert write_checkpoint(session, anchor, KEY, if_changed=True) is None
    assert len(read_anchor(anchor)) == 1


def _edit_lines(path: Path, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(line) + "\n" for line in change(lines)))


def test_an_edited_or_dropped_checkpoint_or_another_key_is_rejected(session, tmp_path):
    anchor = tmp_path / "anchor.jsonl"
    for _ in range(3):
        _write_some(session, 1)
        write_checkpoint(session, anchor, KEY)
    check_anchor(read_anchor(anchor), KEY)

    edited = tmp_path / "edited.jsonl"
    edited.write_text(anchor.read_text())
    _edit_lines(edited, lambda lines: [lines[0], {**lines[1], "rows": 1}, lines[2]])
    with pytest.raises(AnchorError, match=r"line 2.*signature"):
        check_anchor(read_anchor(edited), KEY)

    dropped = tmp_path / "dropped.jsonl"
    dropped.write_text(anchor.read_text())
    _edit_lines(dropped, lambda lines: [lines[0], lines[2]])
    with pytest.raises(AnchorError, match=r"line 2.*missing"):
        check_anchor(read_anchor(dropped), KEY)

    with pytest.raises(AnchorError, match="another key"):
        check_anchor(read_anchor(anchor), b"another-key-0123456789-abcdefghijklmnopq")
    result = verify_with_anchor(session, read_anchor(edited), KEY)
    assert not result.ok and "anchor file rejected" in result.message
