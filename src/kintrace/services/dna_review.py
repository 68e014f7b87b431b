"""Four eyes on every DNA identification, and telling the family before the registry does.

- An analyst proposes a candidate identification with a reason; a different analyst confirms it
  with a reason (never the one who proposed). Either may reject it with a reason.
- A confirmed identification waits for a caseworker to tell the family in person (the caseworker's
  task list is `awaiting_family`). Recording that talk adds the evidence item "remains found",
  visible to the family, which feeds the evidence status. The item is added then, not at
  confirmation, because a new evidence status is e-mailed to the family at once: the news must come
  from a person first.
- The remains of one body are identified to one case only, and one person once: fragments confirmed
  to be one person (`dna_direct.fragment_group`) share one identification, which names them all, and a
  second identification of the same missing person from remains outside that group is refused (if it
  is another fragment of him, its association with the identified one is confirmed instead).
- A result from a personal effect (basis ``personal_effect``) follows the same path; its hypothesis is
  "the remains are the missing person himself (personal effect)".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain.dates import PartialDate
from kintrace.domain.dna_samples import CandidateState, MatchBasis, fragment_groups
from kintrace.domain.vocabulary import Claim, Credibility, Reliability, Role, SourceKind, Visibility
from kintrace.services import auditing, dna_direct
from kintrace.services import evidence as evidence_service
from kintrace.services.access import Actor, require_role, require_staff, require_writer, visible_case
from kintrace.services.dna_profiles import has_profile
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.store.models import DnaComparison, DnaSample, Source, utcnow

SOURCE_NAME = "DNA identification (kintrace, reviewed by two analysts)"
MAX_REASON = 2000


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("reason", "give the reason for this decision")
    if len(reason) > MAX_REASON:
        raise ValidationFailed("reason", f"is longer than {MAX_REASON} characters")
    return reason


def _comparison(session: Session, comparison_id: int) -> DnaComparison:
    row = session.get(
        DnaComparison,
        comparison_id,
        options=[selectinload(DnaComparison.remains), selectinload(DnaComparison.case)],
    )
    if row is None:
        raise NotFound("candidate identification", comparison_id)
    return row


def _audit(
    session: Session, actor: Actor, action: str, row: DnaComparison, before: dict[str, object]
) -> None:
    auditing.record(
        session,
        actor,
        action,
        row,
        before=before,
        after={**auditing.snapshot(row), "case_id": row.case_id},
    )


def propose(session: Session, actor: Actor, comparison_id: int, reason: str) -> DnaComparison:
    require_role(actor, Role.ANALYST, action="propose identifications")
    reason = _reason(reason)
    row = _comparison(session, comparison_id)
    if row.state is not CandidateState.CANDIDATE:
        raise Conflict(
            f"candidate {row.id} is {row.state.value if row.state else 'not a candidate'}; "
            "only a candidate can be proposed"
        )
    if row.log10_lr is None:
        raise Conflict(f"candidate {row.id} is excluded by {row.exclusions} marker(s)")
    before = auditing.snapshot(row)
    row.state = CandidateState.PROPOSED
    row.proposed_by_id, row.proposed_reason, row.proposed_at = actor.user_id, reason, utcnow()
    _audit(session, actor, "dna_identification.propose", row, before)
    return row


def confirm(session: Session, actor: Actor, comparison_id: int, reason: str) -> DnaComparison:
    require_role(actor, Role.ANALYST, action="confirm identifications")
    reason = _reason(reason)
    row = _comparison(session, comparison_id)
    if row.state is not CandidateState.PROPOSED:
        raise Conflict(
            f"candidate {row.id} is not proposed; an identification is proposed before it is confirmed"
        )
    if actor.user_id is None or actor.user_id == row.proposed_by_id:
        raise Forbidden(
            "the analyst who proposed an identification may not confirm it; a second analyst must"
        )
    if not has_profile(session, row.remains_sample_id):
        raise Conflict(f"the profile of remains sample {row.remains.code} no longer exists")
    _one_identification(session, row)
    before = auditing.snapshot(row)
    row.state = CandidateState.CONFIRMED
    row.confirmed_by_id, row.confirmed_reason, row.confirmed_at = actor.user_id, reason, utcnow()
    _audit(session, actor, "dna_identification.confirm", row, before)
    return row


def _one_identification(session: Session, row: DnaComparison) -> None:
    """Nobody is identified twice: not these remains (nor a fragment of the same person) to any case,
    nor this case's missing person from other remains."""
    group = dna_direct.fragment_group(session, row.remains_sample_id)
    taken = dna_direct.identification_of(session, group)
    if taken is not None:
        if taken.remains_sample_id == row.remains_sample_id:
            raise Conflict(
                f"remains sample {row.remains.code} is already identified (case {taken.case.reference})"
            )
        raise Conflict(
            f"remains sample {row.remains.code} is a fragment of the same person as {taken.remains.code}, "
            f"already identified (case {taken.case.reference}); that identification names every fragment"
        )
    other = session.scalar(
        select(DnaComparison)
        .where(
            DnaComparison.case_id == row.case_id,
            DnaComparison.state == CandidateState.CONFIRMED,
            DnaComparison.remains_sample_id.not_in(sorted(group)),
        )
        .options(selectinload(DnaComparison.remains))
    )
    if other is not None:
        raise Conflict(
            f"the missing person of case {row.case.reference} is already identified from remains "
            f"{other.remains.code}; nobody is identified twice. If {row.remains.code} is another fragment "
            f"of him, confirm the association of {row.remains.code} with {other.remains.code}: the "
            "identification then names both"
        )


@dataclass(frozen=True)
class Blocked:
    """Why an open candidate cannot be confirmed: who is already identified, and from which remains."""

    fragment: bool  # True: a fragment of the same person is identified; False: the case already is
    remains_code: str
    case_reference: str


def blocked_candidates(session: Session, actor: Actor, rows: list[DnaComparison]) -> dict[int, Blocked]:
    """The open candidates among `rows` that `confirm` would refuse (nobody is identified twice), so the
    desk flags them before anyone proposes; one query for the confirmed identifications."""
    require_staff(actor, "read candidate identifications")
    confirmed = list(
        session.scalars(
            select(DnaComparison)
            .where(DnaComparison.state == CandidateState.CONFIRMED)
            .options(selectinload(DnaComparison.remains), selectinload(DnaComparison.case))
        )
    )
    if not confirmed:
        return {}
    groups = fragment_groups(dna_direct.confirmed_links(session))
    group_of = {member: group for group in groups for member in group}
    by_remains = {row.remains_sample_id: row for row in confirmed}
    by_case: dict[int, list[DnaComparison]] = {}
    for row in confirmed:
        by_case.setdefault(row.case_id, []).append(row)
    out: dict[int, Blocked] = {}
    for row in rows:
        if row.state not in (CandidateState.CANDIDATE, CandidateState.PROPOSED):
            continue
        group = group_of.get(row.remains_sample_id, frozenset({row.remains_sample_id}))
        taken = next((by_remains[m] for m in sorted(group) if m in by_remains), None)
        if taken is not None:
            out[row.id] = Blocked(True, taken.remains.code, taken.case.reference)
            continue
        other = next((c for c in by_case.get(row.case_id, []) if c.remains_sample_id not in group), None)
        if other is not None:
            out[row.id] = Blocked(False, other.remains.code, other.case.reference)
    return out


def reject(session: Session, actor: Actor, comparison_id: int, reason: str) -> DnaComparison:
    require_role(actor, Role.ANALYST, action="reject identifications")
    reason = _reason(reason)
    row = _comparison(session, comparison_id)
    if row.state not in (CandidateState.CANDIDATE, CandidateState.PROPOSED):
        raise Conflict(f"candidate {row.id} cannot be rejected now")
    before = auditing.snapshot(row)
    row.state = CandidateState.REJECTED
    row.confirmed_by_id, row.confirmed_reason, row.confirmed_at = actor.user_id, reason, utcnow()
    _audit(session, actor, "dna_identification.reject", row, before)
    return row


def awaiting_family(session: Session, actor: Actor) -> list[DnaComparison]:
    """The caseworkers' task list: confirmed identifications the family has not been told of."""
    require_writer(actor, "see the families to be told")
    return list(
        session.scalars(
            select(DnaComparison)
            .where(DnaComparison.state == CandidateState.CONFIRMED, DnaComparison.family_told_on.is_(None))
            .options(selectinload(DnaComparison.case), selectinload(DnaComparison.remains))
            .order_by(DnaComparison.confirmed_at)
        )
    )


def _dna_source(session: Session) -> Source:
    source = session.scalar(select(Source).where(Source.name == SOURCE_NAME))
    if source is None:
        source = Source(
            kind=SourceKind.OTHER,
            name=SOURCE_NAME,
            reliability=Reliability.B,
            credibility=Credibility.CONFIRMED,
        )
        session.add(source)
        session.flush()
    return source


def record_family_told(
    session: Session, actor: Actor, comparison_id: int, on: dt.date, *, today: dt.date | None = None
) -> DnaComparison:
    """The caseworker told the family in person: the identification becomes evidence the family sees."""
    require_writer(actor, "record that the family was told")
    row = _comparison(session, comparison_id)
    if row.state is not CandidateState.CONFIRMED:
        raise Conflict(f"identification {row.id} is not confirmed by two analysts")
    if row.family_told_on is not None:
        raise Conflict(f"the family was already told on {row.family_told_on.isoformat()}")
    if on > (today or dt.date.today()):
        raise ValidationFailed("on", f"{on.isoformat()} is in the future")
    remains: DnaSample = row.remains
    lr = "" if row.log10_lr is None else f"LR 10^{math.floor(row.log10_lr * 10) / 10:g}, "
    basis = (
        f" from a personal effect ({row.effect.effect_item})"
        if row.basis is MatchBasis.PERSONAL_EFFECT and row.effect is not None
        else ""
    )
    group = dna_direct.fragment_group(session, row.remains_sample_id)
    others = [
        sample.body_number or sample.code
        for sample in session.scalars(
            select(DnaSample).where(DnaSample.id.in_(sorted(group - {remains.id}))).order_by(DnaSample.id)
        )
    ]
    fragments = (
        f" Other fragments of the same person, to be returned with it: bodies {', '.join(others)}."
        if others
        else ""
    )
    item = evidence_service.add_evidence(
        session,
        actor,
        row.case_id,
        evidence_service.EvidenceInput(
            claim=Claim.REMAINS_FOUND,
            source_id=_dna_source(session).id,
            event_date=PartialDate(on.year, on.month, on.day),
            place=remains.incident,
            text=(
                f"Remains identified by DNA{basis}: body {remains.body_number or remains.code} "
                f"({lr}posterior {row.posterior:.6f} with the prior {row.prior_name}); "
                f"proposed and confirmed by two analysts.{fragments}"
            ),
            visibility=Visibility.FAMILY,
        ),
        today=today,
    )
    before = auditing.snapshot(row)
    row.family_told_on, row.family_told_by_id, row.evidence_id = on, actor.user_id, item.id
    _audit(session, actor, "dna_identification.family_told", row, before)
    return row


def family_identifications(session: Session, actor: Actor, case_id: int) -> list[DnaComparison]:
    """The case's identifications its family may see: confirmed, and told in person."""
    visible_case(session, actor, case_id)
    return list(
        session.scalars(
            select(DnaComparison)
            .where(
                DnaComparison.case_id == case_id,
                DnaComparison.state == CandidateState.CONFIRMED,
                DnaComparison.family_told_on.is_not(None),
            )
            .order_by(DnaComparison.family_told_on)
        )
    )
