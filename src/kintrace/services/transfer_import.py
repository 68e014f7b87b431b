"""Writing checked "kintrace-cases/2" case files into the registry, in the caller's transaction.

Everything is matched by natural keys, so the same file twice adds nothing: cases by reference,
sources by kind, name and grades, evidence by source, claim, dates, place and text, relatives by
name and relationship, requests by status asked, authority and day submitted, answers by day,
outcome and text; two rows alike in one case each need a row of their own. The file wins on what it
carries (a changed person, a relative's contacts, an item's visibility); it never removes anything.

A new case takes its status histories from the file as written; on a case that exists, the official
history is extended when the file carries later entries (a history that differs is refused), and a
pending request is settled when the file has its outcome. The evidence-based status is derived again
here, after every case is in, for each case whose evidence the import created or changed. Merges
travel as `merged_into` for new cases (with a Merge row, so they can be undone here); merging or
unmerging an existing case is left to a person. A clash with what the registry holds raises
ValidationFailed naming the case and the field; the caller rolls back, so nothing is written.

Three passes: cases, persons, relatives and evidence; then histories, requests and merges (every
evidence row has its id by then, so references across cases resolve); then the derivation. Audit
records are collected with each row's values and chained in bulk every CHUNK cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain.evidence import EvidenceFact
from kintrace.domain.records import PersonRecord
from kintrace.domain.status import derive_evidence_status
from kintrace.domain.vocabulary import CaseState, RequestOutcome, StatusTrack
from kintrace.services import auditing
from kintrace.services.access import Actor, require_writer
from kintrace.services.cases import case_snapshot, update_person
from kintrace.services.evidence import to_fact
from kintrace.services.persons import fill_row, record_of
from kintrace.services.status import recompute_evidence_status
from kintrace.services.transfer_schema import (
    CONTACT_FIELDS,
    CaseFile,
    EvidenceData,
    FactRef,
    HistoryData,
    RelativeData,
    RequestData,
    SourceData,
)
from kintrace.store import audit
from kintrace.store.models import (
    Attachment,
    Case,
    EvidenceItem,
    Merge,
    Relative,
    RequestAnswer,
    Source,
    StatusChange,
    StatusRequest,
)
from kintrace.store.models import MissingPerson as PersonRow

T = TypeVar("T")
CHUNK = 500  # cases between two bulk writes of the audit chain
STAGES = 3  # progress ticks per case: first pass, second pass, status derived again


class _Pool(Generic[T]):
    """Rows by natural key, each matched at most once: a file may hold two items alike (two identical
    reports from one source), and each must meet a row of its own, or be written."""

    def __init__(self, rows: Iterable[tuple[Hashable, T]] = ()) -> None:
        self._rows: dict[Hashable, deque[T]] = defaultdict(deque)
        for key, row in rows:
            self._rows[key].append(row)

    def take(self, key: Hashable) -> T | None:
        rows = self._rows.get(key)
        return rows.popleft() if rows else None


class _Window(Generic[T]):
    """Rows of the cases that exist already, loaded for CHUNK cases at a time in the file's order
    (one query per chunk instead of one per case; never all 100,000 cases' rows at once)."""

    def __init__(self, order: Sequence[int], load: Callable[[Sequence[int]], Iterable[T]]) -> None:
        self._order, self._load = order, load
        self._position = {case_id: n for n, case_id in enumerate(order)}
        self._rows: dict[int, list[T]] = {}
        self._loaded: set[int] = set()

    def rows(self, case_id: int) -> list[T]:
        if case_id not in self._loaded:
            start = self._position[case_id]
            ids = self._order[start : start + CHUNK]
            self._rows, self._loaded = defaultdict(list), set(ids)
            for row in self._load(ids):
                self._rows[row.case_id].append(row)  # type: ignore[attr-defined]
        return self._rows.get(case_id, [])


@dataclass(frozen=True)
class PlannedCase:
    """A checked case file with its person already built as the domain wants it."""

    file: CaseFile
    person: PersonRecord


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Run:
    session: Session
    actor: Actor
    sources: dict[tuple[str, str, str, str], Source] = field(default_factory=dict)
    # (case reference, index in the file's evidence list) -> the evidence row it became or matched
    evidence_ids: dict[tuple[str, int], int] = field(default_factory=dict)
    # Writes to audit once their rows have ids, then chained in bulk (one audit INSERT per chunk of
    # cases, not a flush, a head read and an INSERT per row: that is what makes 100,000 cases feasible).
    pending: list[tuple[str, Any, Mapping[str, Any] | None, Callable[[Any], dict[str, Any]]]] = field(
        default_factory=list
    )
    records: list[audit.AuditRecord] = field(default_factory=list)
    # Evidence rows waiting for their ids: (case reference, index in the file, row)
    placed: list[tuple[str, int, EvidenceItem]] = field(default_factory=list)
    held_evidence: _Window[EvidenceItem] = field(default_factory=lambda: _Window((), lambda _ids: ()))
    held_official: _Window[StatusChange] = field(default_factory=lambda: _Window((), lambda _ids: ()))
    held_requests: _Window[StatusRequest] = field(default_factory=lambda: _Window((), lambda _ids: ()))

    def hold(self, order: Sequence[int]) -> None:
        """Read what the registry holds on the existing cases, in the order the file names them."""
        session = self.session
        self.held_evidence = _Window(
            order,
            lambda ids: session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.case_id.in_(ids))
                .options(selectinload(EvidenceItem.source), selectinload(EvidenceItem.attachments))
                .order_by(EvidenceItem.id)
            ),
        )
        self.held_official = _Window(
            order,
            lambda ids: session.scalars(
                select(StatusChange)
                .where(StatusChange.case_id.in_(ids), StatusChange.track == StatusTrack.OFFICIAL)
                .order_by(StatusChange.id)
            ),
        )
        self.held_requests = _Window(
            order,
            lambda ids: session.scalars(
                select(StatusRequest)
                .where(StatusRequest.case_id.in_(ids))
                .options(selectinload(StatusRequest.answers))
                .order_by(StatusRequest.id)
            ),
        )

    def audit(
        self,
        action: str,
        obj: Any,
        *,
        before: Mapping[str, Any] | None = None,
        after: Callable[[Any], dict[str, Any]] = auditing.snapshot,
    ) -> None:
        self.pending.append((action, obj, before, after))

    def settle(self) -> None:
        """Flush, so every pending write has its id, and take the after-values of each."""
        if not self.pending and not self.placed:
            return
        self.session.flush()
        for reference, index, item in self.placed:
            self.evidence_ids[(reference, index)] = item.id
        self.placed.clear()
        for action, obj, before, after in self.pending:
            identity = obj.__mapper__.primary_key_from_instance(obj)
            self.records.append(
                audit.AuditRecord(
                    self.actor.user_id,
                    self.actor.name,
                    action,
                    obj.__tablename__,
                    "/".join(str(part) for part in identity),
                    before,
                    after(obj),
                )
            )
        self.pending.clear()

    def write_audit(self) -> None:
        """Chain the settled records now (before any service that audits on its own, and per chunk)."""
        self.settle()
        if self.records:
            audit.append_bulk(self.session, self.records)
            self.records.clear()

    def fact_ids(self, case: CaseFile, refs: Sequence[FactRef]) -> list[int]:
        return [self.evidence_ids[(case.reference, ref) if isinstance(ref, int) else ref] for ref in refs]


def _load_sources(session: Session) -> dict[tuple[str, str, str, str], Source]:
    found: dict[tuple[str, str, str, str], Source] = {}
    for source in session.scalars(select(Source).order_by(Source.id)):
        key = (source.kind.value, source.name, source.reliability.value, source.credibility.value)
        found.setdefault(key, source)
    return found


def _source(run: _Run, data: SourceData) -> Source:
    source = run.sources.get(data.key)
    if source is None:
        source = Source(
            kind=data.kind,
            name=data.name,
            reliability=data.reliability,
            credibility=data.credibility,
            notes=data.notes,
        )
        run.session.add(source)
        run.audit("source.create", source)
        run.sources[data.key] = source
    return source


def _existing_cases(session: Session, references: Sequence[str]) -> dict[str, Case]:
    existing: dict[str, Case] = {}
    for start in range(0, len(references), 500):
        query = (
            select(Case)
            .where(Case.reference.in_(references[start : start + 500]))
            .options(selectinload(Case.person).selectinload(PersonRow.aliases), selectinload(Case.relatives))
        )
        existing.update({case.reference: case for case in session.scalars(query)})
    return existing


# --- pass 1: cases, persons, relatives, evidence ----------------------------------------------------


def _new_case(run: _Run, plan: PlannedCase) -> Case:
    case_file = plan.file
    case = Case(reference=case_file.reference, state=case_file.state)
    row = PersonRow()
    fill_row(row, plan.person)
    case.person = row
    run.session.add(case)
    run.audit("case.import", case, after=case_snapshot)
    return case


def _apply_relative(row: Relative, data: RelativeData) -> None:
    row.full_name, row.is_reporter = data.full_name, data.is_reporter
    row.relationship_, row.relationship_note = data.relationship, data.relationship_note
    if data.contacts is not None:
        for key in CONTACT_FIELDS:
            setattr(row, key, data.contacts.get(key))


def _relative_differs(row: Relative, data: RelativeData) -> bool:
    if row.is_reporter != data.is_reporter or row.relationship_note != data.relationship_note:
        return True
    return data.contacts is not None and any(getattr(row, k) != data.contacts.get(k) for k in CONTACT_FIELDS)


def _relatives(run: _Run, case: Case, case_file: CaseFile) -> bool:
    changed = False
    rows = _Pool(((row.full_name, row.relationship_.value), row) for row in list(case.relatives))
    for data in case_file.relatives:
        row = rows.take(data.key)
        if row is None:
            row = Relative()
            _apply_relative(row, data)
            case.relatives.append(row)
            run.audit("relative.create", row)
            changed = True
        elif _relative_differs(row, data):
            before = auditing.snapshot(row)
            _apply_relative(row, data)
            run.audit("relative.update", row, before=before)
            changed = True
    return changed


def _evidence_key(item: EvidenceItem) -> tuple[object, ...]:
    source = item.source
    source_key = (source.kind.value, source.name, source.reliability.value, source.credibility.value)
    return (source_key, item.claim.value, item.event_date, item.reported_date, item.place, item.text)


def _apply_evidence(item: EvidenceItem, data: EvidenceData, source: Source) -> None:
    item.source = source
    item.claim, item.event_date, item.reported_date = data.claim, data.event_date, data.reported_date
    item.place, item.text, item.visibility = data.place, data.text, data.visibility
    item.official_status, item.birth_date = data.official_status, data.birth_date


def _evidence(run: _Run, case: Case, case_file: CaseFile, fresh: bool) -> bool:
    changed = False
    items: _Pool[EvidenceItem] = _Pool()
    if not fresh:
        items = _Pool((_evidence_key(existing), existing) for existing in run.held_evidence.rows(case.id))
    for index, data in enumerate(case_file.evidence):
        item = items.take(data.key)
        if item is None:
            item = EvidenceItem(case=case, created_by_id=run.actor.user_id)
            _apply_evidence(item, data, _source(run, data.source))
            run.session.add(item)
            run.audit("evidence.import", item)
            changed = True
        elif (item.visibility, item.official_status, item.birth_date) != (
            data.visibility,
            data.official_status,
            data.birth_date,
        ):
            before = auditing.snapshot(item)
            _apply_evidence(item, data, item.source)
            run.audit("evidence.update", item, before=before)
            changed = True
        have = {attachment.sha256 for attachment in item.attachments}
        for attachment in data.attachments:
            if attachment.sha256 in have:
                continue
            row = Attachment(
                evidence=item,
                sha256=attachment.sha256,
                filename=attachment.filename,
                media_type=attachment.media_type,
                size_bytes=attachment.size_bytes,
            )
            run.session.add(row)
            run.audit("attachment.import", row)
            have.add(attachment.sha256)
            changed = True
        run.placed.append((case_file.reference, index, item))
    return changed


def _first_pass(run: _Run, plan: PlannedCase, case: Case | None) -> tuple[Case, bool, bool]:
    """The case with its person, relatives and evidence; (case, created, changed)."""
    case_file = plan.file
    created = case is None
    changed = False
    if case is None:
        case = _new_case(run, plan)
    else:
        if case.state is not case_file.state:
            if CaseState.MERGED in (case.state, case_file.state):
                case_file.fail(
                    f"{case_file.path}.state",
                    f"is {case.state.value} here; merge or undo a merge here, by hand",
                )
            before = auditing.snapshot(case)
            case.state = case_file.state
            run.audit("case.state", case, before=before)
            changed = True
        if record_of(case.person) != plan.person:
            run.write_audit()  # the service audits on its own; the chain keeps the order of writes
            update_person(run.session, run.actor, case.id, plan.person)
            changed = True
    changed |= _relatives(run, case, case_file)
    changed |= _evidence(run, case, case_file, created)
    return case, created, changed


# --- pass 2: histories, requests, merges -------------------------------------------------------------


def _history_row(run: _Run, case: Case, case_file: CaseFile, track: StatusTrack, entry: HistoryData) -> None:
    row = StatusChange(
        case_id=case.id,
        track=track,
        status=entry.status,
        previous_status=entry.previous_status,
        since=entry.since,
        rule=entry.rule,
        rule_text=entry.rule_text,
        fact_ids=run.fact_ids(case_file, entry.facts),
        reason=entry.reason,
        changed_by_id=run.actor.user_id,
    )
    if entry.changed_at is not None:
        row.changed_at = entry.changed_at
    run.session.add(row)


def _histories(run: _Run, case: Case, case_file: CaseFile, created: bool) -> bool:
    """A new case takes both tracks as written; an existing one takes later official entries only."""
    before = auditing.snapshot(case)
    if created:
        for track, entries in (
            (StatusTrack.OFFICIAL, case_file.official_history),
            (StatusTrack.EVIDENCE, case_file.evidence_history),
        ):
            for entry in entries:
                _history_row(run, case, case_file, track, entry)
        # As last derived where the file was written; the derivation here runs after every case is in.
        case.evidence_status, case.evidence_since = case_file.evidence_status, case_file.evidence_since
        case.evidence_rule = case_file.evidence_rule
    else:
        held = run.held_official.rows(case.id)
        common = min(len(held), len(case_file.official_history))
        for n in range(common):
            row, entry = held[n], case_file.official_history[n]
            if (
                row.status.value,
                None if row.previous_status is None else row.previous_status.value,
                row.since,
            ) != (entry.key):
                case_file.fail(
                    f"{case_file.path}.status_history.official[{n}]",
                    f"differs from this registry's official history ({row.status.value} since {row.since}); "
                    "the two have diverged, so reconcile the case by hand",
                )
        later = case_file.official_history[common:]
        if not later:
            return False
        for entry in later:
            _history_row(run, case, case_file, StatusTrack.OFFICIAL, entry)
    last_official = case_file.official_history[-1]
    case.official_status, case.official_since = last_official.status, last_official.since
    run.audit("status.import", case, before=before)
    return True


def _requests(run: _Run, case: Case, case_file: CaseFile, created: bool) -> bool:
    changed = False
    if created:
        for data in case_file.requests:
            _fill_request(run, _new_request(run, case, case_file, data), case_file, data)
        return bool(case_file.requests)
    held = _Pool(
        ((r.requested_status.value, r.authority, r.submitted_on), r) for r in run.held_requests.rows(case.id)
    )
    for data in case_file.requests:
        request = held.take(data.key)
        if request is None:
            request = _new_request(run, case, case_file, data)
            changed = True
        changed |= _fill_request(run, request, case_file, data)
    return changed


def _fill_request(run: _Run, request: StatusRequest, case_file: CaseFile, data: RequestData) -> bool:
    """Answers the registry lacks, and the outcome once the file has it settled; True if anything changed."""
    new = request.id is None
    have = _Pool(((a.received_on, a.outcome.value, a.text), a) for a in list(request.answers))
    missing = [answer for answer in data.answers if have.take(answer.key) is None]
    settles = request.outcome is RequestOutcome.PENDING and data.outcome is not RequestOutcome.PENDING
    if (
        request.outcome is not RequestOutcome.PENDING
        and data.outcome is not RequestOutcome.PENDING
        and (request.outcome, request.outcome_on) != (data.outcome, data.outcome_on)
    ):
        case_file.fail(
            f"{data.path}.outcome",
            f"the request was settled here as {request.outcome.value} on {request.outcome_on}",
        )
    if not missing and not settles:
        return False
    before = None if new else auditing.snapshot(request)
    for answer in missing:
        row = RequestAnswer(
            received_on=answer.received_on,
            outcome=answer.outcome,
            text=answer.text,
            recorded_by_id=run.actor.user_id,
        )
        request.answers.append(row)
        run.audit("request.answer", row)
    if settles:
        request.outcome, request.outcome_on = data.outcome, data.outcome_on
    if not new:
        run.audit("request.update", request, before=before)
    return True


def _new_request(run: _Run, case: Case, case_file: CaseFile, data: RequestData) -> StatusRequest:
    request = StatusRequest(
        case_id=case.id,
        requested_status=data.requested_status,
        authority=data.authority,
        evidence_ids=sorted(set(run.fact_ids(case_file, data.evidence))),
        submitted_on=data.submitted_on,
        deadline=data.deadline,
        outcome=data.outcome,
        outcome_on=data.outcome_on,
        note=data.note,
        created_by_id=run.actor.user_id,
    )
    run.session.add(request)
    run.audit("request.import", request)
    return request


def _merge(run: _Run, case: Case, case_file: CaseFile, cases: Mapping[str, Case]) -> None:
    assert case_file.merged_into is not None
    target = cases.get(case_file.merged_into) or run.session.scalar(
        select(Case).where(Case.reference == case_file.merged_into)
    )
    if target is None:
        case_file.fail(
            f"{case_file.path}.merged_into", f"no case {case_file.merged_into!r} here or in the file"
        )
    before = auditing.snapshot(case)
    case.merged_into_id = target.id
    # A Merge row, so the merge can be undone here as any other.
    merge = Merge(
        target_case_id=target.id,
        merged_case_id=case.id,
        previous_state=CaseState.OPEN,
        note="imported",
        merged_by_id=run.actor.user_id,
    )
    run.session.add(merge)
    run.audit("case.import_merge", case, before=before)


def import_case_files(
    session: Session,
    actor: Actor,
    plans: Sequence[PlannedCase],
    *,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> Counts:
    """Write checked case files in the caller's transaction (the caller commits, or rolls back on error)."""
    require_writer(actor, "import cases")
    run = _Run(session, actor, _load_sources(session))
    existing = _existing_cases(session, [plan.file.reference for plan in plans])
    run.hold([existing[plan.file.reference].id for plan in plans if plan.file.reference in existing])
    counts = Counts()
    tick = progress or (lambda _n: None)
    done: list[tuple[PlannedCase, Case, bool, bool]] = []
    for n, plan in enumerate(plans, start=1):
        case, created, changed = _first_pass(run, plan, existing.get(plan.file.reference))
        existing[plan.file.reference] = case
        done.append((plan, case, created, changed))
        if n % CHUNK == 0:
            run.write_audit()
        tick(1)
    run.write_audit()  # every row has its id now, so references between cases resolve
    for n, (plan, case, created, changed) in enumerate(done, start=1):
        case_file = plan.file
        changed |= _histories(run, case, case_file, created)
        changed |= _requests(run, case, case_file, created)
        if created and case_file.merged_into is not None:
            _merge(run, case, case_file, existing)
        if n % CHUNK == 0:
            run.write_audit()
        if created:
            counts.created += 1
        elif changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
        tick(1)
    run.write_audit()
    # Only after every case is in: a target's derivation reads the evidence of cases merged into it.
    # A case the file leaves as it was keeps its derivation, unless a case merged into it changed.
    touched = {case.id for _, case, created, changed in done if created or changed}
    touched |= {case.merged_into_id for _, case, _, _ in done if case.id in touched and case.merged_into_id}
    order = [case for _, case, _, _ in done]
    for start in range(0, len(order), CHUNK):
        chunk = order[start : start + CHUNK]
        settled = _derivation_holds(session, [case for case in chunk if case.id in touched], today)
        for case in chunk:
            if case.id in touched and case.id not in settled:
                recompute_evidence_status(session, actor, case.id, today=today)
            tick(1)
    return counts


def _derivation_holds(session: Session, cases: Sequence[Case], today: dt.date | None) -> set[int]:
    """The cases whose stored evidence status is what their evidence gives today, read in one query.

    Only a shortcut: a case left out (or one with cases merged into it, whose evidence the rules read
    together) goes through `recompute_evidence_status`, which writes history and audit when it differs.
    """
    if not cases:
        return set()
    ids = [case.id for case in cases]
    with_merged = set(session.scalars(select(Case.merged_into_id).where(Case.merged_into_id.in_(ids))))
    facts: dict[int, list[EvidenceFact]] = defaultdict(list)
    query = (
        select(EvidenceItem)
        .where(EvidenceItem.case_id.in_(ids))
        .options(selectinload(EvidenceItem.source))
        .order_by(EvidenceItem.id)
    )
    for item in session.scalars(query):
        facts[item.case_id].append(to_fact(item))
    day = today or dt.date.today()
    holds = set()
    for case in cases:
        if case.id in with_merged:
            continue
        derived = derive_evidence_status(facts.get(case.id, []), day)
        since = derived.since
        if (case.evidence_status, case.evidence_since, case.evidence_rule) == (
            derived.status,
            since,
            derived.rule,
        ):
            holds.add(case.id)
    return holds
