"""The review queue: people decide whether a man on a published list is a case's missing person.

- The queue holds the candidate pairs the matcher proposed, strongest first (match weight), for staff.
- Accepted: the entry becomes an evidence item on the case, in the list's words, citing the list's
  publisher (with its grade) and making the list's claim; the evidence status is recomputed as for any
  new item (contradictions are found from the evidence when read), the case's search log says "found",
  and the family is told which list it is on.
- Rejected: the pair stays, with its decision, so the matcher never proposes that man for the case
  again; the search log follows. Unsure: it stays in the queue, behind the pending pairs.
- A decided pair is decided again only by a caseworker (or an admin) with a reason; un-accepting one
  removes the evidence item it made. Every decision is audited.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from kintrace.domain.lists import ENTRY_FIELDS, PairBand, PairDecision, search_result
from kintrace.domain.vocabulary import Visibility
from kintrace.services import auditing, notifications
from kintrace.services import evidence as evidence_service
from kintrace.services.access import Actor, require_staff, require_writer
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.store.models import Case, ListCheck, ListEntry, ListPair, PublishedList, utcnow

MAX_REASON = 2000
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 200
DECISIONS = (PairDecision.ACCEPTED, PairDecision.REJECTED, PairDecision.UNSURE)
NAME_FIELDS = ("full_name", "last_name", "first_name", "patronymic")


SMALLEST_BF = 2.0**-60  # a factor of 0 ("impossible") counts as this, so its log2 is a number
PRIOR_KEY = "prior_weight"


@dataclass(frozen=True)
class Step:
    """One compared field: its agreement level, Bayes factor and log2 of it (the bar's length)."""

    field: str
    level: str
    bf: float
    weight: float


def steps_of(reasons: Mapping[str, Any]) -> list[Step]:
    """The fields of a pair's reasons, in the engine's order (the prior is not a field)."""
    out = []
    for field, value in reasons.items():
        if field == PRIOR_KEY or not isinstance(value, Mapping):
            continue
        try:
            bf = float(value.get("bf", 1.0))
        except (TypeError, ValueError):
            bf = 1.0  # a factor the engine did not give moves nothing
        usable = bf if math.isfinite(bf) and bf > 0 else SMALLEST_BF
        out.append(Step(field, str(value.get("level", "")), bf, math.log2(usable)))
    return out


@dataclass(frozen=True)
class QueuePage:
    items: Sequence[ListPair]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _with_parts() -> tuple[Any, ...]:
    return (
        joinedload(ListPair.list).joinedload(PublishedList.publisher),
        joinedload(ListPair.entry),
        joinedload(ListPair.case).joinedload(Case.person),
    )


def review_queue(
    session: Session,
    actor: Actor,
    *,
    list_id: int | None = None,
    band: PairBand | None = None,
    decision: PairDecision = PairDecision.PENDING,
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """Candidate pairs with this decision (pending by default), strongest first; staff only."""
    require_staff(actor, "review list matches")
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed("page", f"must be between 1 and {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationFailed("per_page", f"must be between 1 and {MAX_PAGE_SIZE}")
    where = [ListPair.decision == PairDecision(decision)]
    if list_id is not None:
        where.append(ListPair.list_id == list_id)
    if band is not None:
        where.append(ListPair.band == PairBand(band))
    total = session.scalar(select(func.count(ListPair.id)).where(*where)) or 0
    # The page's ids first, from the queue index alone (weight, then id, both descending, so the
    # index gives the order without a sort); then those rows with their list, entry and case.
    ids = list(
        session.scalars(
            select(ListPair.id)
            .where(*where)
            .order_by(ListPair.match_weight.desc(), ListPair.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    rows = {
        p.id: p for p in session.scalars(select(ListPair).where(ListPair.id.in_(ids)).options(*_with_parts()))
    }
    return QueuePage(items=[rows[i] for i in ids], total=total, page=page, per_page=per_page)


def queue_lists(session: Session, actor: Actor) -> list[PublishedList]:
    """The lists that have candidate pairs (the queue's filter), newest first."""
    require_staff(actor, "review list matches")
    having_pairs = select(ListPair.list_id).distinct()
    query = select(PublishedList).where(PublishedList.id.in_(having_pairs)).order_by(PublishedList.id.desc())
    return list(session.scalars(query))


def get_pair(session: Session, actor: Actor, pair_id: int) -> ListPair:
    require_staff(actor, "review list matches")
    pair = session.get(ListPair, pair_id, options=_with_parts())
    if pair is None:
        raise NotFound("list pair", pair_id)
    return pair


def name_as_written(entry: ListEntry, column_map: dict[str, Any]) -> str:
    """The entry's name exactly as the list wrote it: its name columns, in the order of the fields."""
    columns = sorted(
        (header for header, field in column_map.items() if field in NAME_FIELDS),
        key=lambda header: ENTRY_FIELDS.index(column_map[header]),
    )
    written = [str(entry.raw.get(header) or "").strip() for header in columns]
    name = " ".join(part for part in written if part)
    if name:
        return name
    # A list imported without a column map: its mapped fields are what it wrote.
    return " ".join(p for p in (entry.last_name, entry.first_name, entry.patronymic) if p)


# The accepted entry's evidence text, in the list's language (a stored record, read as the list reads).
FOUND_ON = {
    "uk": "Є у списку «{title}» ({publisher}, {published}), запис {row}: {name}",
    "ru": "Есть в списке «{title}» ({publisher}, {published}), запись {row}: {name}",
    "en": "Appears on list {title} ({publisher}, {published}), entry {row}: {name}",
}
UNDATED = {"uk": "без дати", "ru": "без даты", "en": "undated"}


def evidence_text(pair: ListPair) -> str:
    listed = pair.list
    language = listed.language if listed.language in FOUND_ON else "en"
    return FOUND_ON[language].format(
        title=listed.title,
        publisher=listed.publisher.name,
        published=listed.published_on or UNDATED[language],
        row=pair.entry.row_number,
        name=name_as_written(pair.entry, listed.column_map or {}),
    )


def _reason(reason: str | None, decision: PairDecision, redeciding: bool) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed("reason", f"is longer than {MAX_REASON} characters")
    if not reason and (redeciding or decision is not PairDecision.ACCEPTED):
        why = "changing a decision" if redeciding else f"marking a pair {decision.value}"
        raise ValidationFailed("reason", f"give the reason for {why}")
    return reason or None


def _accept(session: Session, actor: Actor, pair: ListPair) -> None:
    entry, listed = pair.entry, pair.list
    event_date = entry.event_date or listed.published_on
    item = evidence_service.add_evidence(
        session,
        actor,
        pair.case_id,
        evidence_service.EvidenceInput(
            claim=listed.claim,
            source_id=listed.publisher_id,
            event_date=event_date,
            place=entry.place,
            text=evidence_text(pair),
            visibility=Visibility.FAMILY,
        ),
        tell_family=False,  # told below, naming the list
    )
    pair.evidence_id = item.id
    notifications.list_found(
        session,
        actor,
        pair.case,
        item,
        {
            "title": listed.title,
            "publisher": listed.publisher.name,
            "published_on": None if listed.published_on is None else str(listed.published_on),
        },
    )


def _update_check(session: Session, actor: Actor, case_id: int, list_id: int) -> ListCheck:
    """The search log's line for this case and list, from the decisions on all their pairs."""
    session.flush()
    decisions = list(
        session.scalars(
            select(ListPair.decision).where(ListPair.case_id == case_id, ListPair.list_id == list_id)
        )
    )
    result = search_result([PairDecision(d) for d in decisions])
    check = session.get(ListCheck, (case_id, list_id))
    if check is None:
        check = ListCheck(case_id=case_id, list_id=list_id, checked_at=utcnow(), result=result)
        session.add(check)
        auditing.record(session, actor, "list_check.create", check)
    elif check.result is not result:
        before = auditing.snapshot(check)
        check.result = result
        auditing.record(session, actor, "list_check.update", check, before=before)
    return check


def decide(
    session: Session, actor: Actor, pair_id: int, decision: PairDecision | str, reason: str | None
) -> ListPair:
    """Accept, reject or mark unsure one pair (a reason is needed for all but a first acceptance)."""
    require_writer(actor, "decide list matches")
    try:
        wanted = PairDecision(decision)
    except ValueError:
        wanted = PairDecision.PENDING
    if wanted not in DECISIONS:
        choices = ", ".join(d.value for d in DECISIONS)
        raise ValidationFailed("decision", f"{decision!r} is not one of {choices}")
    # Locked (PostgreSQL; SQLite writes one at a time): two reviewers deciding at once must not
    # both see it pending and both add the evidence item.
    pair = session.get(ListPair, pair_id, with_for_update=True, populate_existing=True)
    if pair is None:
        raise NotFound("list pair", pair_id)
    redeciding = pair.decision is not PairDecision.PENDING
    reason = _reason(reason, wanted, redeciding)
    if pair.decision is wanted:
        raise Conflict(f"list pair {pair.id} is already {wanted.value}")
    before = auditing.snapshot(pair)
    if pair.decision is PairDecision.ACCEPTED and pair.evidence_id is not None:
        # Not him after all: the item that said he was on the list goes, and the status follows.
        evidence_service.delete_evidence(session, actor, pair.evidence_id)
        pair.evidence_id = None
    pair.decision, pair.decision_reason = wanted, reason
    pair.decided_by_id, pair.decided_at = actor.user_id, utcnow()
    if wanted is PairDecision.ACCEPTED:
        _accept(session, actor, pair)
    action = "list_pair.redecide" if redeciding else "list_pair.decide"
    auditing.record(session, actor, action, pair, before=before)
    _update_check(session, actor, pair.case_id, pair.list_id)
    return pair
