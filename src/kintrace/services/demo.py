"""Writing the synthetic demo dataset (services/demo_data.py) into an empty registry, fast.

Rows go in with bulk Core INSERTs rather than one service call each (2,000+ cases in seconds), but
the result is what the services would have written: the same columns, both status tracks with their
history (the evidence track derived by the domain rules), and one audit row per row written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kintrace.domain.lists import PairBand, PairDecision
from kintrace.domain.status import transition_path
from kintrace.domain.vocabulary import PersonStatus, RequestOutcome, Role, StatusTrack
from kintrace.services import duplicate_candidates, list_matching, list_review
from kintrace.services.access import Actor, require_role
from kintrace.services.demo_appeals import seed_demo_appeals
from kintrace.services.demo_data import DemoDataset
from kintrace.services.demo_lists import add_demo_lists
from kintrace.services.errors import Conflict
from kintrace.services.list_consent import AGREED_WHEN_FILING
from kintrace.services.persons import alias_columns, person_columns, person_keys
from kintrace.services.users import hash_password
from kintrace.store import audit
from kintrace.store.models import (
    AuditEntry,
    Case,
    CaseMember,
    DuplicateLink,
    EvidenceItem,
    ListPair,
    PersonAlias,
    PersonNameKey,
    Relative,
    RequestAnswer,
    Source,
    StatusChange,
    StatusRequest,
    User,
)
from kintrace.store.models import MissingPerson as PersonRow

M = TypeVar("M")


@dataclass(frozen=True)
class SeedResult:
    users: int
    cases: int
    evidence: int
    requests: int
    audit_rows: int


def _insert(session: Session, model: type, rows: Sequence[dict[str, Any]], chunk: int = 2000) -> list[int]:
    """Insert rows in order and return their new ids in the same order."""
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        batch = rows[start : start + chunk]
        if batch:
            # render_nulls: one statement per batch, not one per pattern of missing values.
            statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
            result = session.execute(statement.execution_options(render_nulls=True), batch)
            ids.extend(result.scalars().all())
    return ids


def _insert_plain(session: Session, model: type, rows: Sequence[dict[str, Any]], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        if rows[start : start + chunk]:
            session.execute(insert(model).execution_options(render_nulls=True), rows[start : start + chunk])


def seed_demo(
    session: Session,
    actor: Actor,
    dataset: DemoDataset,
    *,
    progress: Callable[[str], None] | None = None,
    password_hasher: Callable[[str], str] = hash_password,
    duplicates: bool = True,
) -> SeedResult:
    """Write the dataset into a registry that holds no cases yet (refuses otherwise).

    `duplicates` runs the duplicate engine over the registry once at the end, so the desk's list of
    possible duplicates is there at once (seconds at 2,000 cases; benchmarks of other things skip it)."""
    require_role(actor, Role.ADMIN, action="seed demo data")
    if session.scalar(select(func.count()).select_from(Case)):
        raise Conflict("the registry already holds cases; the demo seeds only an empty one")
    say = progress or (lambda _message: None)
    today = dataset.today
    audit_records: list[audit.AuditRecord] = []

    def audited(action: str, entity: str, ids: Iterable[int], rows: Iterable[dict[str, Any]]) -> None:
        for row_id, row in zip(ids, rows, strict=True):
            after = {key: value for key, value in row.items() if key != "password_hash"}
            after["id"] = row_id
            audit_records.append(
                audit.AuditRecord(
                    actor.user_id, actor.name, action, entity, row_id, None, audit.snapshot_of(after)
                )
            )

    say("users")
    user_rows = [
        {
            "username": u.username,
            "display_name": u.display_name,
            "email": u.email,
            "role": u.role,
            "password_hash": password_hasher(u.password),
            "active": True,
        }
        for u in dataset.users
    ]
    user_ids = dict(zip((u.username for u in dataset.users), _insert(session, User, user_rows), strict=True))
    audited("user.create", "users", user_ids.values(), user_rows)

    say("sources")
    source_rows = [
        {"kind": s.kind, "name": s.name, "reliability": s.reliability, "credibility": s.credibility}
        for s in dataset.sources
    ]
    source_ids = dict(
        zip((s.id for s in dataset.sources), _insert(session, Source, source_rows), strict=True)
    )
    audited("source.create", "sources", source_ids.values(), source_rows)

    say("cases")
    derivations = [case.derive(today) for case in dataset.cases]
    case_rows = []
    for case, derived in zip(dataset.cases, derivations, strict=True):
        reported = dt.datetime.combine(case.reported_on, dt.time(9, 0), tzinfo=dt.UTC)
        case_rows.append(
            {
                "reference": case.reference,
                "state": case.state,
                "assigned_caseworker_id": None if case.caseworker is None else user_ids[case.caseworker],
                "official_status": case.official_status,
                "official_since": case.official_since,
                "evidence_status": derived.status,
                "evidence_since": derived.since,
                "evidence_rule": derived.rule,
                "created_at": reported,
                "updated_at": reported,
                "list_matching_consent": case.list_matching_consent,
                "list_matching_basis": AGREED_WHEN_FILING if case.list_matching_consent else None,
                "list_matching_consent_at": reported if case.list_matching_consent else None,
            }
        )
    case_ids = _insert(session, Case, case_rows)
    by_reference = dict(zip((c.reference for c in dataset.cases), case_ids, strict=True))
    audited("case.create", "cases", case_ids, case_rows)

    person_rows = [
        {"case_id": cid, **person_columns(c.filed)} for cid, c in zip(case_ids, dataset.cases, strict=True)
    ]
    person_ids = _insert(session, PersonRow, person_rows)
    audited("person.create", "persons", person_ids, person_rows)
    alias_rows = [
        {"person_id": pid, **alias}
        for pid, case in zip(person_ids, dataset.cases, strict=True)
        for alias in alias_columns(case.filed)
    ]
    _insert_plain(session, PersonAlias, alias_rows)
    key_rows = [
        {"person_id": pid, "key": key}
        for pid, case in zip(person_ids, dataset.cases, strict=True)
        for key in person_keys(case.filed)
    ]
    _insert_plain(session, PersonNameKey, key_rows)

    say("relatives")
    relative_rows: list[dict[str, Any]] = []
    members: dict[tuple[int, int], str] = {}
    for cid, case in zip(case_ids, dataset.cases, strict=True):
        for rel in case.relatives:
            uid = None if rel.username is None else user_ids[rel.username]
            relative_rows.append(
                {
                    "case_id": cid,
                    "user_id": uid,
                    "full_name": rel.full_name,
                    "relationship_": rel.relationship,
                    "is_reporter": rel.is_reporter,
                    "phone": rel.phone,
                    "email": rel.email,
                    "address": rel.address,
                }
            )
            if uid is not None:
                relation = "reporter" if rel.is_reporter else "linked"
                if members.get((cid, uid)) != "reporter":
                    members[(cid, uid)] = relation
    relative_ids = _insert(session, Relative, relative_rows)
    audited("relative.create", "relatives", relative_ids, relative_rows)
    member_rows = [{"case_id": cid, "user_id": uid, "relation": rel} for (cid, uid), rel in members.items()]
    _insert_plain(session, CaseMember, member_rows)
    for row in member_rows:
        audit_records.append(
            audit.AuditRecord(
                actor.user_id,
                actor.name,
                "case.link_family",
                "case_members",
                f"{row['case_id']}/{row['user_id']}",
                None,
                audit.snapshot_of(row),
            )
        )

    say("evidence")
    evidence_rows: list[dict[str, Any]] = []
    fact_keys: list[tuple[int, int]] = []
    for cid, case in zip(case_ids, dataset.cases, strict=True):
        for fact in case.evidence:
            fact_keys.append((cid, fact.id))
            evidence_rows.append(
                {
                    "case_id": cid,
                    "source_id": source_ids[fact.source.id],
                    "claim": fact.claim,
                    "event_date": fact.event_date,
                    "reported_date": fact.reported_date,
                    "place": fact.place,
                    "text": fact.text,
                    "visibility": fact.visibility,
                    "official_status": fact.official_status,
                    "birth_date": fact.birth_date,
                }
            )
    evidence_ids = _insert(session, EvidenceItem, evidence_rows)
    fact_to_row = dict(zip(fact_keys, evidence_ids, strict=True))
    audited("evidence.create", "evidence", evidence_ids, evidence_rows)

    say("status history")
    history_rows: list[dict[str, Any]] = []
    for cid, case, derived in zip(case_ids, dataset.cases, derivations, strict=True):
        filed = case.person.last_seen.date
        previous: PersonStatus | None = None
        for track in StatusTrack:
            history_rows.append(
                {
                    "case_id": cid,
                    "track": track,
                    "status": PersonStatus.MISSING,
                    "previous_status": None,
                    "since": filed,
                    "reason": "case filed",
                    "fact_ids": [],
                }
            )
        previous = PersonStatus.MISSING
        for status, since in case.official_history:
            if status is previous:
                continue
            history_rows.append(
                {
                    "case_id": cid,
                    "track": StatusTrack.OFFICIAL,
                    "status": status,
                    "previous_status": previous,
                    "since": since,
                    "reason": "declared by the authority",
                    "fact_ids": [],
                }
            )
            previous = status
        if derived.status is not PersonStatus.MISSING:
            steps = transition_path(PersonStatus.MISSING, derived.status)
            before = PersonStatus.MISSING
            for step in steps:
                final = step is steps[-1]
                history_rows.append(
                    {
                        "case_id": cid,
                        "track": StatusTrack.EVIDENCE,
                        "status": step,
                        "previous_status": before,
                        "since": derived.since,
                        "rule": derived.rule if final else None,
                        "rule_text": derived.rule_text
                        if final
                        else f"step on the way to {derived.status.value}",
                        "fact_ids": [fact_to_row[(cid, i)] for i in derived.fact_ids] if final else [],
                    }
                )
                before = step
    _insert_plain(session, StatusChange, history_rows)

    say("requests")
    request_rows: list[dict[str, Any]] = []
    for cid, case in zip(case_ids, dataset.cases, strict=True):
        for req in case.requests:
            request_rows.append(
                {
                    "case_id": cid,
                    "requested_status": req.requested_status,
                    "authority": req.authority,
                    "evidence_ids": [fact_to_row[(cid, i)] for i in req.evidence_ids],
                    "submitted_on": req.submitted_on,
                    "deadline": req.deadline,
                    "outcome": req.outcome,
                    "outcome_on": req.outcome_on,
                    "note": req.note,
                }
            )
    request_ids = _insert(session, StatusRequest, request_rows)
    audited("request.submit", "status_requests", request_ids, request_rows)
    answer_rows = [
        {"request_id": rid, "received_on": row["outcome_on"], "outcome": row["outcome"], "text": ""}
        for rid, row in zip(request_ids, request_rows, strict=True)
        if row["outcome"] not in (RequestOutcome.PENDING, RequestOutcome.WITHDRAWN) and row["outcome_on"]
    ]
    _insert_plain(session, RequestAnswer, answer_rows)

    link_rows = []
    for cid, case in zip(case_ids, dataset.cases, strict=True):
        if case.duplicate_of is not None and case.duplicate_of in by_reference:
            first, second = sorted((cid, by_reference[case.duplicate_of]))
            link_rows.append({"case_id": first, "other_case_id": second, "note": "reported twice"})
    link_ids = _insert(session, DuplicateLink, link_rows)
    audited("duplicate.link", "duplicate_links", link_ids, link_rows)

    say("audit log")
    written = audit.append_bulk(session, audit_records)
    session.flush()
    say("appeals")
    audited_before = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    seed_demo_appeals(session, actor, today)
    say("lists")
    # After the cases: the lists name some of them; both are matched as an import would be, and the
    # three strongest links of the prisoner list are accepted, so families read "found on a list";
    # the rest wait in the review queue.
    list_ids = add_demo_lists(session, actor, today)
    say("list matching")
    for list_id in list_ids:
        list_matching.match_list(session, actor, list_id)
    strongest = session.scalars(
        select(ListPair.id)
        .where(ListPair.list_id == list_ids[0], ListPair.band == PairBand.LINK, ListPair.name_only.is_(False))
        .order_by(ListPair.match_weight.desc())
        .limit(3)
    ).all()
    for pair_id in strongest:
        list_review.decide(session, actor, pair_id, PairDecision.ACCEPTED, "name, birth date and unit agree")
    if duplicates:
        say("duplicate candidates")
        duplicate_candidates.refresh(session, actor)
    written += (session.scalar(select(func.count()).select_from(AuditEntry)) or 0) - audited_before
    return SeedResult(len(user_rows), len(case_ids), len(evidence_ids), len(request_ids), written)
