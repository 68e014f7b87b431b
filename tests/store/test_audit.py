"""The audit chain: every service write lands in it, and raw-SQL tampering is found and named."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select, text
from tests.services.helpers import person

from kintrace.domain.vocabulary import PersonStatus
from kintrace.services import cases, status
from kintrace.services.access import SYSTEM
from kintrace.store import audit, audit_personal
from kintrace.store.models import AuditEntry


def _write_some(session, n: int = 3) -> list[int]:
    before = session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    for i in range(n):
        case = cases.create_case(session, SYSTEM, person(first=f"Андрій{'й' * i}"))
        status.set_official_status(session, SYSTEM, case.id, PersonStatus.REPORTED_CAPTURED)
    ids = list(session.scalars(select(AuditEntry.id).where(AuditEntry.id > before).order_by(AuditEntry.id)))
    session.expire_all()
    return ids


def test_every_write_is_recorded_with_before_and_after(session):
    case = cases.create_case(session, SYSTEM, person())
    status.set_official_status(session, SYSTEM, case.id, PersonStatus.REPORTED_CAPTURED)
    row = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert row.action == "status.official" and row.entity == "cases" and row.entity_id == str(case.id)
    opened = audit_personal.open_entry(session, row)  # values are chained sealed, read back by their key
    assert isinstance(opened.before, dict) and isinstance(opened.after, dict)
    assert opened.before["official_status"] == "missing"
    assert opened.after["official_status"] == "reported_captured"
    assert row.actor_name == "system"
    assert audit.verify(session).ok


def test_chain_links_each_row_to_the_one_before(session):
    ids = _write_some(session)
    rows = {r.id: r for r in session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids)))}
    for previous, current in itertools.pairwise(ids):
        assert rows[current].prev_hash == rows[previous].hash
    result = audit.verify(session)
    assert result.ok and result.head_hash == rows[ids[-1]].hash and result.rows_checked >= len(ids)


def test_edit_behind_the_apps_back_is_named(session):
    ids = _write_some(session)
    target = ids[2]
    session.execute(
        text("UPDATE audit_log SET after = :v WHERE id = :id"), {"v": '{"forged":true}', "id": target}
    )
    result = audit.verify(session)
    assert not result.ok and result.broken_id == target and "content" in (result.reason or "")


def test_deletion_behind_the_apps_back_is_named(session):
    ids = _write_some(session)
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    result = audit.verify(session)
    assert not result.ok and result.broken_id == ids[2] and str(ids[1]) in (result.reason or "")


def test_deletion_with_renumbering_is_still_found(session):
    ids = _write_some(session)
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    session.execute(text("UPDATE audit_log SET id = id - 1 WHERE id > :id"), {"id": ids[1]})
    result = audit.verify(session)
    assert not result.ok and result.broken_id == ids[1]


def test_insertion_behind_the_apps_back_is_named(session):
    ids = _write_some(session)
    last = session.scalar(select(AuditEntry).where(AuditEntry.id == ids[-1]))
    session.execute(
        text(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, action, entity, entity_id, before, after,"
            " prev_hash, hash) VALUES (:id, '2024-01-01T00:00:00.000000Z', NULL, 'mallory', 'case.create',"
            " 'cases', '1', NULL, '{}', :prev, :hash)"
        ),
        {"id": last.id + 1, "prev": last.hash, "hash": "f" * 64},
    )
    result = audit.verify(session)
    assert not result.ok and result.broken_id == last.id + 1


def test_insertion_with_a_recomputed_hash_breaks_the_next_link(session):
    ids = _write_some(session)
    # Make room in the middle, then insert a row whose own hash is right: the next row's link is not.
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[3]})
    prev = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == ids[2]))
    forged = AuditEntry(
        id=ids[3],
        at="2024-01-01T00:00:00.000000Z",
        actor_id=None,
        actor_name="mallory",
        action="case.create",
        entity="cases",
        entity_id="1",
        before=None,
        after="{}",
        prev_hash=prev,
    )
    forged.hash = audit.chain_hash(prev, audit.content_of(forged))
    session.execute(
        text(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, action, entity, entity_id, before, after,"
            " prev_hash, hash) VALUES (:id, :at, NULL, :actor, :action, :entity, :eid, NULL, :after,"
            " :prev, :hash)"
        ),
        {
            "id": forged.id,
            "at": forged.at,
            "actor": forged.actor_name,
            "action": forged.action,
            "entity": forged.entity,
            "eid": forged.entity_id,
            "after": forged.after,
            "prev": prev,
            "hash": forged.hash,
        },
    )
    result = audit.verify(session)
    assert not result.ok and result.broken_id == ids[4] and "link" in (result.reason or "")
