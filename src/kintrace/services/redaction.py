"""What a case's parts show the actor reading them: every family redaction, in one place.

`access` holds the rules (who may see a case, an item, a source, a relative's contacts); this module
applies them to what a read returns. The case file (`services/case_file`) redacts a whole case with
`redact_case_file`; the single-part reads (status, history, requests, relatives in the API and the
export) call the same functions, so a family reads the same thing whichever door it comes through.

`readable` is the set of the case's evidence item ids the actor may read, or None for staff, who read
every item: it is computed once per read (`access.visible_item_ids`, or the visible items themselves).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from kintrace.domain.contradictions import Contradiction, find_contradictions
from kintrace.domain.dates import PartialDate
from kintrace.domain.evidence import EvidenceFact
from kintrace.domain.status import StatusDerivation
from kintrace.domain.vocabulary import PersonStatus, Role, StatusTrack
from kintrace.services.access import Actor, may_see_contacts, rule_text_for
from kintrace.store.models import PersonPhoto, Relative, StatusChange

CONTACT_FIELDS = ("phone", "email", "address", "notes")


@dataclass(frozen=True)
class StatusEntry:
    """One history entry as the actor may see it (a family never sees internal items or sources)."""

    id: int
    track: StatusTrack
    status: PersonStatus
    previous_status: PersonStatus | None
    since: PartialDate | None
    rule: str | None
    rule_text: str | None
    fact_ids: list[int]
    reason: str | None
    changed_by_id: int | None
    changed_at: dt.datetime


@dataclass(frozen=True)
class RelativeCard:
    """A relative as the actor may read them: the contact details only where the contact rule allows
    (`contacts_shown`); the same attribute names as the row, so pages show either."""

    id: int
    full_name: str
    relationship_: object
    relationship_note: str | None
    is_reporter: bool
    user_id: int | None
    contacts_shown: bool
    phone: str | None
    email: str | None
    address: str | None
    notes: str | None


def shown_ids(readable: Collection[int] | None, ids: Iterable[int]) -> list[int]:
    """Those of `ids` the actor may read, in their order."""
    return list(ids) if readable is None else [i for i in ids if i in readable]


def history_entry(actor: Actor, row: StatusChange, readable: Collection[int] | None) -> StatusEntry:
    """A status change: the items behind it the actor may read, and the rule's own sentence for a
    family (the stored text may name hidden items and sources)."""
    stored = list(row.fact_ids or [])
    fact_ids = shown_ids(readable, stored)
    return StatusEntry(
        id=row.id,
        track=row.track,
        status=row.status,
        previous_status=row.previous_status,
        since=row.since,
        rule=row.rule,
        rule_text=rule_text_for(actor, row.rule, row.rule_text, len(stored) - len(fact_ids)),
        fact_ids=fact_ids,
        reason=row.reason,
        changed_by_id=row.changed_by_id,
        changed_at=row.changed_at,
    )


def derivation_for(derived: StatusDerivation, readable: Collection[int] | None) -> StatusDerivation:
    """The evidence status's derivation: a family reads the rule and only the items it may read."""
    return derived if readable is None else derived.redacted(readable)


def facts_for(facts: Sequence[EvidenceFact], readable: Collection[int] | None) -> list[EvidenceFact]:
    return list(facts) if readable is None else [fact for fact in facts if fact.id in readable]


def contradictions_for(
    facts: Sequence[EvidenceFact], readable: Collection[int] | None
) -> list[Contradiction]:
    """Conflicts between the items the actor may read (a family learns nothing of the others)."""
    return find_contradictions(facts_for(facts, readable))


def contact_details(actor: Actor, row: Relative) -> dict[str, str | None]:
    """The relative's contact details as this actor may read them (the rule: access.may_see_contacts).

    Every output path (API, portal, desk, export) takes the contacts from here, never from the row."""
    shown = may_see_contacts(actor, row)
    return {key: getattr(row, key) if shown else None for key in CONTACT_FIELDS}


def relative_card(actor: Actor, row: Relative) -> RelativeCard:
    contacts = contact_details(actor, row)
    return RelativeCard(
        id=row.id,
        full_name=row.full_name,
        relationship_=row.relationship_,
        relationship_note=row.relationship_note,
        is_reporter=row.is_reporter,
        user_id=row.user_id,
        contacts_shown=may_see_contacts(actor, row),
        phone=contacts["phone"],
        email=contacts["email"],
        address=contacts["address"],
        notes=contacts["notes"],
    )


def photo_shown(actor: Actor, photo: PersonPhoto, creator_role: Role | None) -> bool:
    """A photo of a visible case: staff see all; a family the ones it gave and those staff added (as
    with reports, another family's photo stays with that family). `creator_role`: the role of the
    account that added it (None: the system or a removed account)."""
    if actor.is_staff:
        return True
    return photo.created_by_id == actor.user_id or creator_role is not Role.FAMILY
