"""One read of a case file: the case's visibility checked once, everything a case page shows read in
a bounded number of queries, and redacted for the reader by the one policy (services/redaction).

The desk's case page and the family's case page render from one `case_file(session, actor, case_id)`
call each, and `GET /api/v1/cases/{id}` from its head (`case_head`: the same check and loading).
Before, each part of a page asked for the case again (the desk's page checked the case's visibility
13 times, the portal's 10).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain.contradictions import Contradiction
from kintrace.domain.evidence import EvidenceFact
from kintrace.services.access import Actor, case_visibility_clause, visible_case, visible_item_ids
from kintrace.services.cases import merged_group
from kintrace.services.duplicates import links_of, merges_of_case
from kintrace.services.evidence import awaiting_publication, to_fact
from kintrace.services.photos import photos_of
from kintrace.services.redaction import RelativeCard, contradictions_for, relative_card, shown_ids
from kintrace.services.requests import RequestView, requests_of
from kintrace.services.status import StatusView, history_rows, status_view_of
from kintrace.store.models import (
    Case,
    CaseMember,
    DuplicateLink,
    EvidenceItem,
    Merge,
    PersonPhoto,
    Relative,
    Source,
    StatusChange,
)
from kintrace.store.models import MissingPerson as PersonRow


@dataclass(frozen=True)
class CaseFile:
    """A case as one actor may read it. Relatives carry contacts by the contact rule; items, the
    status's derivation and history, contradictions and requests' items are those the actor may read."""

    case: Case
    person: PersonRow
    photos: list[PersonPhoto]
    relatives: list[RelativeCard]
    items: list[EvidenceItem]  # the case's and its merged cases', oldest first, sources loaded
    contradictions: list[Contradiction]
    status: StatusView
    requests: list[RequestView]
    request_items: dict[int, list[int]]  # by request id: the items behind it the actor may read
    members: list[CaseMember]
    links: list[DuplicateLink]  # staff only: they name other families' cases
    linked_cases: dict[int, Case]
    merges: list[Merge]
    awaiting: set[int]  # staff: families' reports the case's other families do not see yet

    @property
    def sources(self) -> list[Source]:
        """The sources the readable items cite, once each."""
        return list({item.source_id: item.source for item in self.items}.values())

    @property
    def own_contacts(self) -> list[RelativeCard]:
        """The relatives whose contact details this actor reads (a family: its own records)."""
        return [card for card in self.relatives if card.contacts_shown]


@dataclass(frozen=True)
class _Read:
    """The case's parts as stored, before redaction."""

    case: Case
    items: list[EvidenceItem]
    facts: list[EvidenceFact]
    history: list[StatusChange]
    requests: list[RequestView]
    relatives: list[Relative]


def case_head(session: Session, actor: Actor, case_id: int, *, people: bool = True) -> Case:
    """The head of the case file: the case with its person and aliases (and, with `people`, its
    relatives, members and caseworker), after the read's one visibility check (NotFound, as for a
    missing id, if the actor may not see the case). `GET /cases/{id}` answers from the case and its
    person alone (`people=False`: three reads fewer); `case_file` reads the rest of the case after it."""
    person = selectinload(Case.person).selectinload(PersonRow.aliases)
    if not people:
        return visible_case(session, actor, case_id, person)
    return visible_case(
        session,
        actor,
        case_id,
        person,
        selectinload(Case.relatives),
        selectinload(Case.members),
        selectinload(Case.assigned_caseworker),
    )


def case_file(session: Session, actor: Actor, case_id: int, *, today: dt.date | None = None) -> CaseFile:
    """The case file as `actor` may read it; NotFound (as for a missing id) if it may not see the case."""
    case = case_head(session, actor, case_id)  # the one visibility check of the read
    today = today or dt.date.today()
    # Every item of the case and its merged cases, read once: the rules derive the status from all of
    # them, the reader is shown those it may read.
    items = list(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id.in_(merged_group(session, case_id)))
            .options(selectinload(EvidenceItem.source), selectinload(EvidenceItem.attachments))
            .order_by(EvidenceItem.id)
        )
    )
    read = _Read(
        case=case,
        items=items,
        facts=[to_fact(item) for item in items],
        history=history_rows(session, case_id),
        requests=requests_of(session, case_id, today=today),
        relatives=list(case.relatives),
    )
    readable = _readable(session, actor, read)
    redacted = as_read_by(actor, read, readable, today=today)
    staff = actor.is_staff
    links = links_of(session, actor, case_id) if staff else []
    others = {other for link in links for other in (link.case_id, link.other_case_id) if other != case_id}
    linked: list[Case] = (
        list(
            session.scalars(
                select(Case)
                .where(Case.id.in_(sorted(others)), case_visibility_clause(actor))
                .options(selectinload(Case.person))
            )
        )
        if others
        else []
    )
    return CaseFile(
        case=case,
        person=case.person,
        photos=photos_of(session, actor, case_id),
        members=list(case.members),
        links=links,
        linked_cases={other.id: other for other in linked},
        merges=merges_of_case(session, case_id),
        awaiting=awaiting_publication(session, actor, redacted.items),
        items=redacted.items,
        contradictions=redacted.contradictions,
        status=redacted.status,
        requests=redacted.requests,
        request_items=redacted.request_items,
        relatives=redacted.relatives,
    )


def _readable(session: Session, actor: Actor, read: _Read) -> set[int] | None:
    """The item ids the actor may read among all those the case's parts name, in one query (None:
    staff read every item)."""
    if actor.is_staff:
        return None
    named = [item.id for item in read.items]
    named += [i for row in read.history for i in row.fact_ids or []]
    named += [i for view in read.requests for i in view.request.evidence_ids or []]
    return visible_item_ids(session, actor, named)


@dataclass(frozen=True)
class _Redacted:
    items: list[EvidenceItem]
    contradictions: list[Contradiction]
    status: StatusView
    requests: list[RequestView]
    request_items: dict[int, list[int]]
    relatives: list[RelativeCard]


def as_read_by(
    actor: Actor, read: _Read, readable: Collection[int] | None, *, today: dt.date | None = None
) -> _Redacted:
    """The policy, applied once to the whole read: items the actor may read; the status derived from
    every item but explained by those; contradictions between readable items; a request's items that
    are readable; relatives' contacts by the one contact rule."""
    return _Redacted(
        items=[item for item in read.items if readable is None or item.id in readable],
        contradictions=contradictions_for(read.facts, readable),
        status=status_view_of(actor, read.case, read.facts, read.history, readable, today=today),
        requests=read.requests,
        request_items={
            view.request.id: shown_ids(readable, view.request.evidence_ids or []) for view in read.requests
        },
        relatives=[relative_card(actor, row) for row in read.relatives],
    )
