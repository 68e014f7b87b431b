"""The two status tracks: official (set by caseworkers through the transition table) and
evidence-based (recomputed from the domain rules after every evidence change). Both keep history."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Date, String, and_, cast, func, or_, select, type_coerce
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.errors import DomainError, IllegalTransition
from kintrace.domain.evidence import EvidenceFact
from kintrace.domain.status import (
    StatusDerivation,
    check_transition,
    derive_evidence_status,
    divergence,
    transition_path,
)
from kintrace.domain.vocabulary import CaseState, PersonStatus, StatusTrack
from kintrace.services import auditing, notifications
from kintrace.services.access import (
    Actor,
    case_visibility_clause,
    require_writer,
    visible_case,
    visible_item_ids,
)
from kintrace.services.errors import ValidationFailed
from kintrace.services.redaction import StatusEntry, derivation_for, history_entry
from kintrace.store.models import Case, EvidenceItem, StatusChange
from kintrace.store.types import as_text


def set_official_status(
    session: Session,
    actor: Actor,
    case_id: int,
    status: PersonStatus,
    *,
    since: PartialDate | None = None,
    reason: str | None = None,
) -> StatusChange:
    """Record what the authority now declares; a move the transition table forbids is refused."""
    # Visibility before role: someone else's case is "not found" whatever the actor's role.
    case = visible_case(session, actor, case_id)
    require_writer(actor, "set the official status")
    try:
        status = PersonStatus(status)
        check_transition(case.official_status, status)
    except DomainError as error:
        raise ValidationFailed.from_error(error, "status") from None
    except ValueError as error:
        raise ValidationFailed("status", str(error)) from None
    before = auditing.snapshot(case)
    change = StatusChange(
        case_id=case.id,
        track=StatusTrack.OFFICIAL,
        status=status,
        previous_status=case.official_status,
        since=since,
        reason=reason,
        fact_ids=[],
        changed_by_id=actor.user_id,
    )
    case.official_status = status
    case.official_since = change.since
    session.add(change)
    auditing.record(session, actor, "status.official", case, before=before)
    notifications.status_changed(
        session, actor, case, StatusTrack.OFFICIAL, change.previous_status, change.id
    )
    return change


def recompute_evidence_status(
    session: Session, actor: Actor, case_id: int, *, today: dt.date | None = None
) -> StatusDerivation:
    """Derive the evidence-based status again; a change is written to the history and the audit log.

    The derivation starts from all the evidence each time (it is not a move along the table), so
    removing a wrongly entered item can take the status back where the evidence puts it.
    """
    # Imported here, not at the top: evidence (and sources) import this module to recompute on change.
    from kintrace.services.evidence import case_facts

    case = session.get(Case, case_id)
    assert case is not None
    derived = derive_evidence_status(case_facts(session, case_id), today or dt.date.today())
    since = derived.since
    if (case.evidence_status, case.evidence_since, case.evidence_rule) == (
        derived.status,
        since,
        derived.rule,
    ):
        return derived
    before = auditing.snapshot(case)
    # A jump (missing -> remains returned) is written as its legal steps, the last one carrying the rule.
    # Where no legal path exists (the evidence was corrected, not advanced) the new status is written as is.
    try:
        steps = transition_path(case.evidence_status, derived.status) or (derived.status,)
    except IllegalTransition:
        steps = (derived.status,)
    previous = case.evidence_status
    first_previous, last_change = previous, None
    for step in steps:
        final = step is steps[-1]
        last_change = StatusChange(
            case_id=case.id,
            track=StatusTrack.EVIDENCE,
            status=step,
            previous_status=previous,
            since=since,
            rule=derived.rule if final else None,
            rule_text=derived.rule_text if final else f"step on the way to {derived.status.value}",
            fact_ids=list(derived.fact_ids) if final else [],
            changed_by_id=actor.user_id,
        )
        session.add(last_change)
        previous = step
    case.evidence_status, case.evidence_since, case.evidence_rule = derived.status, since, derived.rule
    auditing.record(session, actor, "status.evidence", case, before=before)
    if last_change is not None and first_previous is not derived.status:
        notifications.status_changed(
            session, actor, case, StatusTrack.EVIDENCE, first_previous, last_change.id
        )
    return derived


def recompute_for_source(
    session: Session, actor: Actor, source_id: int, *, today: dt.date | None = None
) -> None:
    """After a source is regraded, every case citing it (or a case they were merged into) is re-derived."""
    case_ids = set(session.scalars(select(EvidenceItem.case_id).where(EvidenceItem.source_id == source_id)))
    targets = set()
    for case_id in case_ids:
        case = session.get(Case, case_id)
        while case is not None and case.merged_into_id is not None:
            case = session.get(Case, case.merged_into_id)
        if case is not None:
            targets.add(case.id)
    for case_id in sorted(targets):
        recompute_evidence_status(session, actor, case_id, today=today)


@dataclass(frozen=True)
class StatusView:
    """Both tracks side by side, with the rule behind the evidence status and any divergence."""

    official: PersonStatus
    official_since: PartialDate | None
    derivation: StatusDerivation
    divergence: str | None
    history: list[StatusEntry]


def status_view(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    today: dt.date | None = None,
    facts: Sequence[EvidenceFact] | None = None,
) -> StatusView:
    """The case's two tracks; `facts`, when the caller has read them (evidence.case_facts of this
    case), spare reading the case's evidence again."""
    from kintrace.services.evidence import case_facts

    case = visible_case(session, actor, case_id)
    facts = case_facts(session, case_id) if facts is None else facts
    rows = history_rows(session, case_id)
    ids = [*(fact.id for fact in facts), *(i for row in rows for i in row.fact_ids)]
    readable = None if actor.is_staff else visible_item_ids(session, actor, ids)
    return status_view_of(actor, case, facts, rows, readable, today=today)


def status_view_of(
    actor: Actor,
    case: Case,
    facts: Sequence[EvidenceFact],
    rows: Sequence[StatusChange],
    readable: Collection[int] | None,
    *,
    today: dt.date | None = None,
) -> StatusView:
    """The two tracks of a case the caller may see, from its facts and history rows as read, redacted
    by the one policy (`readable`: the item ids the actor may read, None for staff)."""
    today = today or dt.date.today()
    # The rule's explanation may name internal items and sources: a family gets the redacted one.
    derived = derivation_for(derive_evidence_status(facts, today), readable)
    official_since = case.official_since
    return StatusView(
        official=case.official_status,
        official_since=official_since,
        derivation=derived,
        divergence=divergence(case.official_status, official_since, derived, today),
        history=[history_entry(actor, row, readable) for row in rows],
    )


@dataclass(frozen=True)
class Change:
    """One change of a track, as the trend over all cases needs it."""

    case_id: int
    status: PersonStatus
    since: PartialDate | None
    recorded_on: dt.date  # the UTC day it was recorded


@functools.lru_cache(maxsize=8192)
def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


@functools.lru_cache(maxsize=64)
def _status(value: str) -> PersonStatus:
    return PersonStatus(value)


def all_changes(session: Session, actor: Actor, track: StatusTrack) -> Iterator[Change]:
    """Every change of `track` on the (unmerged) cases the actor may see, by case, oldest first.

    One query for the whole registry: reading each case's history on its own took a query per case
    (100,000 at a national service) and held the dashboard for seconds while its cache rebuilt. The
    day of recording is cut out by the database and the status read as its text: turning 150,000
    timestamps into aware datetimes and enums in Python took most of the time.
    """
    if session.get_bind().dialect.name == "postgresql":
        recorded: ColumnElement[Any] = cast(func.timezone("UTC", StatusChange.changed_at), Date)
    else:  # SQLite stores the UTC moment as ISO text
        recorded = func.substr(type_coerce(StatusChange.changed_at, String), 1, 10)
    query = (
        select(StatusChange.case_id, type_coerce(StatusChange.status, String), StatusChange.since, recorded)
        .join(Case, Case.id == StatusChange.case_id)
        .where(
            StatusChange.track == StatusTrack(track),
            Case.state != CaseState.MERGED,
            case_visibility_clause(actor),
        )
        .order_by(StatusChange.case_id, StatusChange.id)
    )
    for case_id, status, since, day in session.connection().execute(query):
        yield Change(case_id, _status(status), since, day if isinstance(day, dt.date) else _day(day))


def counts_at_ends(
    session: Session, actor: Actor, track: StatusTrack, ends: Sequence[dt.date]
) -> dict[PersonStatus, list[int]]:
    """How many visible (unmerged) cases were in each status at each of `ends`: the status of a case's
    newest change (by recording) that had taken effect by then (its 'since', the earliest day it can
    mean, else the day it was recorded). One aggregate query, whatever the number of cases.

    A change counts at an end when it took effect by then and no later-recorded change had: that is,
    before the earliest effect of the changes recorded after it (a window over the case's history).
    """
    if session.get_bind().dialect.name == "postgresql":
        utc = func.timezone("UTC", StatusChange.changed_at)
        recorded: ColumnElement[Any] = func.to_char(utc, "YYYY-MM-DD")
    else:  # SQLite stores the UTC moment as ISO text
        recorded = func.substr(type_coerce(StatusChange.changed_at, String), 1, 10)
    # The stored text of the partial date (YYYY, YYYY-MM or YYYY-MM-DD), completed to its earliest day.
    since = as_text(StatusChange.since)
    earliest = sql_case(
        (func.length(since) == 4, since + "-01-01"),
        (func.length(since) == 7, since + "-01"),
        else_=since,
    )
    # The earliest effect among the changes recorded after each one, in a second pass over the rows.
    with_next = (
        select(
            StatusChange.status.label("status"),
            func.coalesce(earliest, recorded).label("effect"),
            func.min(func.coalesce(earliest, recorded))
            .over(
                partition_by=StatusChange.case_id,
                order_by=StatusChange.id,
                rows=(1, None),
            )
            .label("superseded"),
        )
        .join(Case, Case.id == StatusChange.case_id)
        .where(StatusChange.track == StatusTrack(track), Case.state != CaseState.MERGED)
        .where(case_visibility_clause(actor))
        .subquery()
    )
    columns = [
        func.sum(
            sql_case(
                (
                    and_(
                        with_next.c.effect <= end.isoformat(),
                        or_(with_next.c.superseded.is_(None), with_next.c.superseded > end.isoformat()),
                    ),
                    1,
                ),
                else_=0,
            )
        )
        for end in ends
    ]
    counts = {status: [0] * len(ends) for status in PersonStatus}
    query = select(with_next.c.status, *columns).group_by(with_next.c.status)
    for status, *numbers in session.execute(query):
        counts[PersonStatus(status)] = [int(number or 0) for number in numbers]
    return counts


def history_rows(session: Session, case_id: int, track: StatusTrack | None = None) -> list[StatusChange]:
    """The case's status changes as stored, oldest first (callers checked the case and redact)."""
    query = select(StatusChange).where(StatusChange.case_id == case_id)
    if track is not None:
        query = query.where(StatusChange.track == StatusTrack(track))
    return list(session.scalars(query.order_by(StatusChange.id)))


def status_history(
    session: Session, actor: Actor, case_id: int, track: StatusTrack | None = None
) -> list[StatusEntry]:
    visible_case(session, actor, case_id)
    rows = history_rows(session, case_id, track)
    readable = (
        None if actor.is_staff else visible_item_ids(session, actor, (i for r in rows for i in r.fact_ids))
    )
    return [history_entry(actor, row, readable) for row in rows]
