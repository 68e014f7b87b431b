"""Personal data in the audit log is sealed per record and erased by destroying its key.

After erasure nothing in the database reads as the erased details, not even the bytes of the SQLite
file, and the chain still verifies: erasure never rewrites a chained row.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.services.helpers import person
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.domain.vocabulary import PersonStatus
from kintrace.services import auditing, cases, status
from kintrace.services.access import SYSTEM
from kintrace.services.cases import RelativeInput
from kintrace.store import audit, audit_personal
from kintrace.store.audit_anchor import read_anchor, verify_with_anchor, write_checkpoint
from kintrace.store.db import make_engine, session_scope
from kintrace.store.models import AuditEntry, Base

ANCHOR_KEY = b"erasure-test-anchor-key-0123456789-abcdefgh"
# Synthetic, and distinctive enough that any copy of them anywhere would be found.
DETAILS = (
    "+380 67 555 01 99",
    "halyna.tkachuk.synthetic@example.org",
    "вул. Вигадана, 17, кв. 4",
    "Ткачук Галина",
)


def _relative(session: Session, case_id: int) -> int:
    data = RelativeInput(
        full_name=DETAILS[3], relationship="mother", phone=DETAILS[0], email=DETAILS[1], address=DETAILS[2]
    )
    relative = cases.add_relative(session, SYSTEM, case_id, data)
    cases.update_relative(session, SYSTEM, relative.id, dataclasses.replace(data, notes="звонить вечером"))
    session.flush()
    return relative.id


def _every_cell(session: Session) -> str:
    """Every value of every table, as text."""
    session.expire_all()
    cells = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            cells.extend(str(value) for value in row)
    return "\n".join(cells)


def test_the_audit_log_never_holds_details_in_plain_text(session):
    case = cases.create_case(session, SYSTEM, person())
    _relative(session, case.id)
    texts = " ".join((e.before or "") + (e.after or "") for e in session.scalars(select(AuditEntry)))
    assert not any(detail in texts for detail in DETAILS)
    last = session.scalars(select(AuditEntry).where(AuditEntry.action == "relative.update")).one()
    opened = audit_personal.open_entry(session, last)
    assert isinstance(opened.after, dict) and opened.after["phone"] == DETAILS[0]


def test_deleting_a_relative_erases_its_details_and_the_chain_holds(session, tmp_path):
    case = cases.create_case(session, SYSTEM, person())
    relative_id = _relative(session, case.id)
    head_before = audit.verify(session).head_hash
    anchor = tmp_path / "anchor.jsonl"
    write_checkpoint(session, anchor, ANCHOR_KEY)
    cases.delete_relative(session, SYSTEM, relative_id)
    session.flush()
    # Erasure rewrote no chained row: the signed checkpoint taken before it still matches.
    assert verify_with_anchor(session, read_anchor(anchor), ANCHOR_KEY).ok

    everything = _every_cell(session)
    assert not any(detail in everything for detail in DETAILS)
    check = audit.verify(session)
    assert check.ok and check.rows_checked > 0 and head_before != check.head_hash  # rows added, none changed
    written = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "relatives", AuditEntry.entity_id == str(relative_id))
    ).all()
    assert [e.action for e in written] == ["relative.create", "relative.update", "relative.delete"]
    for entry in written:
        opened = audit_personal.open_entry(session, entry)
        assert audit_personal.ERASED in (opened.before, opened.after)
        assert all(value in (None, audit_personal.ERASED) for value in (opened.before, opened.after))
    erasure = session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.erase")).one()
    assert erasure.entity_id == f"relatives/{relative_id}"


def test_a_record_written_again_after_erasure_gets_a_new_key(session):
    case = cases.create_case(session, SYSTEM, person())
    relative_id = _relative(session, case.id)
    erased = auditing.erase_subjects(session, SYSTEM, case_id=case.id)
    assert erased == 2  # the case (with its person) and the relative
    first = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.create")).one()
    assert audit_personal.open_entry(session, first).after == audit_personal.ERASED
    status.set_official_status(session, SYSTEM, case.id, PersonStatus.REPORTED_CAPTURED)
    newest = session.scalars(select(AuditEntry).where(AuditEntry.action == "status.official")).one()
    opened = audit_personal.open_entry(session, newest)
    assert isinstance(opened.after, dict) and opened.after["official_status"] == "reported_captured"
    assert audit_personal.open_entry(session, first).after == audit_personal.ERASED  # the old key stays gone
    gone = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "relatives", AuditEntry.entity_id == str(relative_id))
    ).all()
    assert all(audit_personal.open_entry(session, e).after == audit_personal.ERASED for e in gone)
    assert audit.verify(session).ok


def _file_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_after_erasure_the_sqlite_file_holds_no_byte_of_the_details(fresh_sqlite_url):
    engine = make_engine(fresh_sqlite_url)
    with session_scope(engine) as session:
        case = cases.create_case(session, SYSTEM, person())
        relative_id = _relative(session, case.id)
    # The relatives table holds them in the clear while the relative exists (that is its job).
    assert DETAILS[0].encode() in _file_bytes(fresh_sqlite_url)
    with session_scope(engine) as session:
        cases.delete_relative(session, SYSTEM, relative_id)
    engine.dispose()
    raw = _file_bytes(fresh_sqlite_url)
    assert not any(detail.encode("utf-8") in raw for detail in DETAILS)
    verified = CliRunner().invoke(app, ["audit", "verify", "--database-url", fresh_sqlite_url])
    assert verified.exit_code == 0 and "intact" in verified.output


def test_cli_erases_a_case(fresh_sqlite_url):
    engine = make_engine(fresh_sqlite_url)
    with session_scope(engine) as session:
        case = cases.create_case(session, SYSTEM, person(last="Вигаданенко"))
        case_id = case.id
    engine.dispose()
    runner = CliRunner()
    erased = runner.invoke(
        app, ["audit", "erase", "--case", str(case_id), "--database-url", fresh_sqlite_url]
    )
    assert erased.exit_code == 0 and "erased the audit values of" in erased.output, erased.output
    again = runner.invoke(app, ["audit", "erase", "--case", str(case_id), "--database-url", fresh_sqlite_url])
    assert again.exit_code == 1 and "no audit values" in again.output
    neither = runner.invoke(app, ["audit", "erase", "--database-url", fresh_sqlite_url])
    assert neither.exit_code == 1 and "exactly one" in neither.output
    assert runner.invoke(app, ["audit", "verify", "--database-url", fresh_sqlite_url]).exit_code == 0
