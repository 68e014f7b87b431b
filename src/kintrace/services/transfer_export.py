"""Writing the whole-case-file document ("kintrace-cases/2") for what the actor may see.

Cases are read in chunks with their rows loaded together, so 100,000 cases take a few hundred
queries, not a few per case. A family account gets only the cases it is linked to and, on them,
only family-visible evidence; references to anything else are dropped and rule texts that may name
internal items are replaced by the rule's own sentence (as the status page does for families).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import StatusTrack
from kintrace.services.access import Actor, case_visibility_clause, evidence_visibility_clause, rule_text_for
from kintrace.services.persons import record_of
from kintrace.services.redaction import contact_details
from kintrace.services.transfer_schema import CONTACT_FIELDS, FORMAT
from kintrace.store.models import Case, EvidenceItem, StatusChange, StatusRequest
from kintrace.store.models import MissingPerson as PersonRow

CHUNK = 500
EvidenceRefs = dict[int, tuple[str, int]]  # evidence id -> (case reference, index in that case's list)


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat()


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _partial(value: PartialDate | None) -> str | None:
    """A partial date as the file writes it: its ISO text, as the store keeps it."""
    return None if value is None else str(value)


def evidence_refs(session: Session, actor: Actor) -> EvidenceRefs:
    """Where each exported evidence item will sit, so references can cross cases (after merges)."""
    query = (
        select(EvidenceItem.id, Case.reference)
        .join(Case, Case.id == EvidenceItem.case_id)
        .where(case_visibility_clause(actor), evidence_visibility_clause(actor))
        .order_by(EvidenceItem.case_id, EvidenceItem.id)
    )
    refs: EvidenceRefs = {}
    counts: dict[str, int] = defaultdict(int)
    for evidence_id, reference in session.execute(query):
        refs[evidence_id] = (reference, counts[reference])
        counts[reference] += 1
    return refs


def _ref(refs: EvidenceRefs, reference: str, evidence_id: int) -> int | str | None:
    place = refs.get(evidence_id)
    if place is None:
        return None
    return place[1] if place[0] == reference else f"{place[0]}#{place[1]}"


def _refs(refs: EvidenceRefs, reference: str, ids: Sequence[int]) -> tuple[list[int | str], int]:
    """The portable references to the items, and how many were left out (not visible to the actor)."""
    kept = [ref for ref in (_ref(refs, reference, i) for i in ids) if ref is not None]
    return kept, len(ids) - len(kept)


def _person(person: PersonRow) -> dict[str, Any]:
    """The person's record as the file carries it: its dump, the aliases as "alternative_names"."""
    values: dict[str, Any] = record_of(person).model_dump(mode="json", exclude={"aliases"})
    values["alternative_names"] = [
        {"last": a.last_name, "first": a.first_name, "patronymic": a.patronymic, "script": a.script}
        for a in person.aliases
    ]
    return values


def _evidence(item: EvidenceItem) -> dict[str, Any]:
    source = item.source
    return {
        "claim": item.claim.value,
        "event_date": _partial(item.event_date),
        "reported_date": _partial(item.reported_date),
        "place": item.place,
        "text": item.text,
        "visibility": item.visibility.value,
        "official_status": None if item.official_status is None else item.official_status.value,
        "birth_date": _partial(item.birth_date),
        "source": {
            "kind": source.kind.value,
            "name": source.name,
            "reliability": source.reliability.value,
            "credibility": source.credibility.value,
            "notes": source.notes,
        },
        "attachments": [
            {
                "sha256": a.sha256,
                "filename": a.filename,
                "media_type": a.media_type,
                "size_bytes": a.size_bytes,
            }
            for a in item.attachments
        ],
    }


def _history_entry(row: StatusChange, refs: EvidenceRefs, reference: str, actor: Actor) -> dict[str, Any]:
    facts, hidden = _refs(refs, reference, row.fact_ids or [])
    rule_text = rule_text_for(actor, row.rule, row.rule_text, hidden)
    return {
        "status": row.status.value,
        "previous_status": None if row.previous_status is None else row.previous_status.value,
        "since": _partial(row.since),
        "rule": row.rule,
        "rule_text": rule_text,
        "facts": facts,
        "reason": row.reason,
        "changed_at": _iso(row.changed_at),
    }


def _request(request: StatusRequest, refs: EvidenceRefs, reference: str) -> dict[str, Any]:
    return {
        "requested_status": request.requested_status.value,
        "authority": request.authority,
        "evidence": _refs(refs, reference, request.evidence_ids or [])[0],
        "submitted_on": _day(request.submitted_on),
        "deadline": _day(request.deadline),
        "outcome": request.outcome.value,
        "outcome_on": _day(request.outcome_on),
        "note": request.note,
        "answers": [
            {"received_on": _day(a.received_on), "outcome": a.outcome.value, "text": a.text}
            for a in request.answers
        ],
    }


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.case_id].append(row)
    return groups


def _chunk_records(
    session: Session, actor: Actor, cases: Sequence[Case], refs: EvidenceRefs, include_contacts: bool
) -> Iterator[dict[str, Any]]:
    ids = [case.id for case in cases]
    evidence = _grouped(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id.in_(ids), evidence_visibility_clause(actor))
            .options(selectinload(EvidenceItem.source), selectinload(EvidenceItem.attachments))
            .order_by(EvidenceItem.id)
        )
    )
    history = _grouped(
        session.scalars(select(StatusChange).where(StatusChange.case_id.in_(ids)).order_by(StatusChange.id))
    )
    requests = _grouped(
        session.scalars(
            select(StatusRequest)
            .where(StatusRequest.case_id.in_(ids))
            .options(selectinload(StatusRequest.answers))
            .order_by(StatusRequest.id)
        )
    )
    merged_into = {
        case_id: reference
        for case_id, reference in session.execute(
            select(Case.id, Case.reference).where(
                Case.id.in_([c.merged_into_id for c in cases if c.merged_into_id is not None])
            )
        )
    }
    for case in cases:
        reference, rows = case.reference, history.get(case.id, [])
        relatives = []
        for relative in case.relatives:
            values: dict[str, Any] = {
                "full_name": relative.full_name,
                "relationship": relative.relationship_.value,
                "is_reporter": relative.is_reporter,
            }
            if relative.relationship_note:
                values["relationship_note"] = relative.relationship_note
            if include_contacts:
                # Only what the contact rule lets this actor read (a family: the records it owns).
                shown = contact_details(actor, relative)
                values.update({key: shown.get(key) for key in CONTACT_FIELDS})
            relatives.append(values)
        yield {
            "reference": reference,
            "state": case.state.value,
            "merged_into": None if case.merged_into_id is None else merged_into.get(case.merged_into_id),
            "person": _person(case.person),
            "official_status": case.official_status.value,
            "official_since": _partial(case.official_since),
            "evidence_status": case.evidence_status.value,
            "evidence_since": _partial(case.evidence_since),
            "evidence_rule": case.evidence_rule,
            "relatives": relatives,
            "evidence": [_evidence(item) for item in evidence.get(case.id, [])],
            "status_history": {
                track.value: [
                    _history_entry(row, refs, reference, actor) for row in rows if row.track is track
                ]
                for track in StatusTrack
            },
            "requests": [_request(request, refs, reference) for request in requests.get(case.id, [])],
        }


def case_records(
    session: Session, actor: Actor, *, include_contacts: bool = False
) -> Iterator[dict[str, Any]]:
    """One "kintrace-cases/2" case record per case the actor may see, in the order they were filed."""
    refs = evidence_refs(session, actor)
    case_ids = list(session.scalars(select(Case.id).where(case_visibility_clause(actor)).order_by(Case.id)))
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        cases = list(
            session.scalars(
                select(Case)
                .where(Case.id.in_(chunk))
                .options(
                    selectinload(Case.person).selectinload(PersonRow.aliases),
                    selectinload(Case.relatives),
                )
                .order_by(Case.id)
            )
        )
        yield from _chunk_records(session, actor, cases, refs, include_contacts)


def write_document(session: Session, actor: Actor, out: TextIO, *, include_contacts: bool = False) -> int:
    """Stream the document to `out` one case at a time (100,000 cases never sit in memory as one
    string); returns how many cases were written. The text is what `export_document` gives, dumped."""
    out.write(
        f'{{\n "format": {json.dumps(FORMAT)},\n "contacts": {json.dumps(include_contacts)},\n "cases": ['
    )
    count = 0
    for record in case_records(session, actor, include_contacts=include_contacts):
        out.write(",\n" if count else "\n")
        # One case per line: greppable, diff-friendly, and dumped by json's C encoder (indenting is not).
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        count += 1
    out.write("\n]}\n" if count else "]}\n")
    return count


def export_document(session: Session, actor: Actor, *, include_contacts: bool = False) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "contacts": include_contacts,
        "cases": list(case_records(session, actor, include_contacts=include_contacts)),
    }
