"""Direct DNA matches: remains against a personal effect of the missing person, remains against remains.

Both are scored with the engine's identity LR (`kintrace.dna.identity`: one person vs two unrelated,
theta 0 like the kinship matching; markers typed on one side only are skipped, so partial remains are
compared on what they share).

- Personal effect (a toothbrush, a razor the family handed over: the missing person's own DNA). Scored
  against every remains profile when either arrives. A pair at LR >= 10^4 is stored as a candidate
  identification (`DnaComparison`, basis ``personal_effect``), which goes through the same four-eyes
  review, report and evidence path as a kinship one. H1: "the remains are the missing person himself
  (personal effect)"; H2: the remains are an unrelated person's. A case with several effects keeps the
  strongest effect's result, naming that effect.
- Remains against remains. A new remains profile is scored against every other remains profile; a pair
  at LR >= 10^4 is proposed as "same person" (`DnaAssociation`), reviewed like an identification: one
  analyst proposes, a different one confirms. Confirmed associations join fragments into groups
  (`fragment_group`): an identification of one fragment names the whole group, and a second
  identification of the same person is refused (`dna_review.confirm`).

Weak pairs are counted, not stored, as for kinship matching.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from kintrace.dna.identity import IdentityResult, identity_lr
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.domain.dna_samples import CandidateState, MatchBasis, SampleKind, fragment_groups
from kintrace.domain.vocabulary import Role
from kintrace.services import auditing
from kintrace.services.access import Actor, require_role, require_staff
from kintrace.services.dna_matching import posterior
from kintrace.services.dna_profiles import has_profile, usable_profiles
from kintrace.services.dna_remains_cache import live_remains, not_excluded
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.services.genetic_crypto import Genotypes, MasterKey
from kintrace.store.models import DnaAssociation, DnaComparison, DnaProfile, DnaSample, utcnow

IDENTITY_LOG10_LR = 4.0  # the bar of a candidate, as for kinship: LR >= 10^4
ASSOCIATION_LOG10_LR = 4.0
EFFECT_HYPOTHESIS = "the remains are the missing person himself (personal effect)"
MAX_REASON = 2000
_OPEN = (CandidateState.CANDIDATE, CandidateState.PROPOSED)


@dataclass
class DirectResult:
    pairs: int = 0  # pairs scored
    # Among the pairs scored: candidate identifications from personal effects, and "same person"
    # associations of remains, waiting for an analyst after this run (ids, so runs can be merged).
    candidate_ids: set[int] = field(default_factory=set)
    association_ids: set[int] = field(default_factory=set)

    @property
    def candidates(self) -> int:
        return len(self.candidate_ids)

    @property
    def associations(self) -> int:
        return len(self.association_ids)

    def add(self, other: DirectResult) -> None:
        self.pairs += other.pairs
        self.candidate_ids |= other.candidate_ids
        self.association_ids |= other.association_ids


def _strong(log10_lr: float | None, bar: float) -> bool:
    return log10_lr is not None and log10_lr >= bar


def _rank(log10_lr: float | None) -> float:
    return -math.inf if log10_lr is None else log10_lr


def cases_with_dna(session: Session) -> int:
    """Cases the remains could be matched to: with a live reference or personal-effect profile."""
    return int(
        session.scalar(
            select(func.count(func.distinct(DnaSample.case_id)))
            .join(DnaProfile, DnaProfile.sample_id == DnaSample.id)
            .where(
                DnaSample.kind.in_([SampleKind.REFERENCE, SampleKind.PERSONAL_EFFECT]),
                DnaProfile.wrapped_key.is_not(None),
            )
        )
        or 0
    )


def _sample(session: Session, sample_id: int) -> DnaSample:
    sample = session.get(DnaSample, sample_id)
    assert sample is not None  # a live profile's sample
    return sample


def _score(
    markers: Mapping[str, Marker], first: tuple[DnaSample, Genotypes], second: tuple[DnaSample, Genotypes]
) -> IdentityResult:
    try:
        return identity_lr(markers, first[1], second[1])
    except DnaInputError as error:
        raise ValidationFailed(f"samples {first[0].code} and {second[0].code}", str(error)) from None


def compare_effects(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    *,
    reason: str,
    remains_ids: set[int] | None = None,
    effect_ids: set[int] | None = None,
    except_remains: set[int] | None = None,
) -> DirectResult:
    """Score the chosen remains (all by default, but for `except_remains`: already scored with these
    effects) against the chosen personal effects (all by default)."""
    require_staff(actor, "run DNA matching")
    result = DirectResult()
    effects = usable_profiles(
        session, actor, master, reason, kind=SampleKind.PERSONAL_EFFECT, sample_ids=effect_ids
    )
    if not effects or (remains_ids is not None and not remains_ids):
        return result
    everyone = live_remains(session, actor, master, reason)
    remains = {
        remains_id: genotypes
        for remains_id, genotypes in everyone.items()
        if (remains_ids is None or remains_id in remains_ids) and remains_id not in (except_remains or ())
    }
    if not remains:
        return result
    existing = {
        (row.remains_sample_id, row.case_id): row
        for row in session.scalars(
            select(DnaComparison).where(
                DnaComparison.basis == MatchBasis.PERSONAL_EFFECT,
                DnaComparison.remains_sample_id.in_(sorted(remains)),
            )
        )
    }
    n = cases_with_dna(session)
    prior = 1.0 / (n + 1)
    prior_name = (
        f"uniform: 1 in {n + 1} ({n} case{'' if n == 1 else 's'} with references or personal effects, "
        "or none of them)"
    )
    # Only the pairs a fully typed marker does not exclude are scored, and those already on record.
    to_score = {
        (remains_id, effect_id)
        for effect_id, (_, genotypes) in effects.items()
        for remains_id in not_excluded(session, genotypes, remains)
    }
    on_record = {(remains_id, row.effect_sample_id) for (remains_id, _), row in existing.items()}
    to_score |= {(r, e) for r, e in on_record if e in effects}
    result.pairs += len(remains) * len(effects)
    for remains_id, effect_id in sorted(to_score):
        effect_row = effects[effect_id]
        remains_row = (_sample(session, remains_id), remains[remains_id])
        effect = effect_row[0]
        assert effect.case_id is not None
        row = existing.get((remains_id, effect.case_id))
        scored = _score(markers, remains_row, effect_row)
        log10_lr = scored.log10_lr
        if row is None:
            if not _strong(log10_lr, IDENTITY_LOG10_LR):
                continue
            row = DnaComparison(
                remains_sample_id=remains_id, case_id=effect.case_id, basis=MatchBasis.PERSONAL_EFFECT
            )
            session.add(row)
            existing[(remains_id, effect.case_id)] = row
        elif row.effect_sample_id != effect_id and (
            _rank(log10_lr) <= _rank(row.log10_lr) or row.state not in (None, CandidateState.CANDIDATE)
        ):
            # The case's stronger effect already speaks for it, or analysts are reviewing that
            # result: another effect does not change it under them.
            continue
        row.effect_sample_id = effect_id
        row.log10_lr, row.exclusions = log10_lr, len(scored.exclusions)
        row.marker_lrs = dict(scored.lr_per_marker)
        row.references = 1
        row.prior, row.prior_name = prior, prior_name
        row.posterior = posterior(log10_lr, prior)
        row.compared_at = utcnow()
        strong = _strong(log10_lr, IDENTITY_LOG10_LR)
        if row.state is None and strong:
            row.state = CandidateState.CANDIDATE
        elif row.state is CandidateState.CANDIDATE and not strong:
            row.state = None
    session.flush()
    scored_cases = {effect.case_id for effect, _ in effects.values()}
    result.candidate_ids = {
        row.id
        for (_, case_id), row in existing.items()
        if case_id in scored_cases and row.state is CandidateState.CANDIDATE
    }
    auditing.record_event(
        session,
        actor,
        action="dna_match.personal_effects",
        entity="dna_comparisons",
        entity_id=f"{len(remains)}x{len(effects)}",
        values={"reason": reason, "pairs": result.pairs, "candidates": result.candidates},
    )
    return result


def compare_fragments(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    *,
    reason: str,
    remains_ids: set[int] | None = None,
) -> DirectResult:
    """Score the chosen remains (all by default) against every other remains profile."""
    require_staff(actor, "run DNA matching")
    result = DirectResult()
    everyone = live_remains(session, actor, master, reason)
    chosen = sorted(everyone if remains_ids is None else set(everyone) & remains_ids)
    if not chosen or len(everyone) < 2:
        return result
    existing = {
        (row.first_sample_id, row.second_sample_id): row
        for row in session.scalars(
            select(DnaAssociation).where(
                or_(
                    DnaAssociation.first_sample_id.in_(chosen),
                    DnaAssociation.second_sample_id.in_(chosen),
                )
            )
        )
    }
    # Every unordered pair with a chosen profile is compared; only those a fully typed marker does not
    # exclude are scored exactly, beside the pairs already on record (their score may fall).
    picked = set(chosen)
    result.pairs += len(chosen) * (len(chosen) - 1) // 2 + len(chosen) * (len(everyone) - len(chosen))
    to_score = {
        (min(sample_id, other_id), max(sample_id, other_id))
        for sample_id in chosen
        for other_id in not_excluded(session, everyone[sample_id], everyone)
        if other_id != sample_id
    }
    to_score |= {pair for pair in existing if pair[0] in everyone and pair[1] in everyone}
    for pair in sorted(to_score):
        if pair[0] not in picked and pair[1] not in picked:
            continue
        row = existing.get(pair)
        first = (_sample(session, pair[0]), everyone[pair[0]])
        second = (_sample(session, pair[1]), everyone[pair[1]])
        scored = _score(markers, first, second)
        log10_lr = scored.log10_lr
        strong = _strong(log10_lr, ASSOCIATION_LOG10_LR)
        if row is None:
            if not strong:
                continue
            row = DnaAssociation(first_sample_id=pair[0], second_sample_id=pair[1])
            session.add(row)
            existing[pair] = row
        row.log10_lr, row.exclusions = log10_lr, len(scored.exclusions)
        row.shared_markers = scored.shared
        row.marker_lrs = dict(scored.lr_per_marker)
        row.compared_at = utcnow()
        if row.state is None and strong:
            row.state = CandidateState.CANDIDATE
        elif row.state is CandidateState.CANDIDATE and not strong:
            row.state = None
    session.flush()
    result.association_ids = {row.id for row in existing.values() if row.state in _OPEN}
    auditing.record_event(
        session,
        actor,
        action="dna_match.fragments",
        entity="dna_associations",
        entity_id=f"{len(chosen)}x{len(everyone)}",
        values={"reason": reason, "pairs": result.pairs, "associations": result.associations},
    )
    return result


# Fragment groups ---------------------------------------------------------------------------------


def confirmed_links(session: Session) -> list[tuple[int, int]]:
    rows = session.execute(
        select(DnaAssociation.first_sample_id, DnaAssociation.second_sample_id).where(
            DnaAssociation.state == CandidateState.CONFIRMED
        )
    )
    return [(int(a), int(b)) for a, b in rows]


def fragment_group(session: Session, sample_id: int) -> frozenset[int]:
    """The remains samples confirmed to be one person with this one (itself included)."""
    for group in fragment_groups(confirmed_links(session)):
        if sample_id in group:
            return group
    return frozenset({sample_id})


def identification_of(session: Session, samples: frozenset[int]) -> DnaComparison | None:
    """The confirmed identification of any of these fragments (one at most: `dna_review.confirm`)."""
    return session.scalar(
        select(DnaComparison)
        .where(
            DnaComparison.remains_sample_id.in_(sorted(samples)),
            DnaComparison.state == CandidateState.CONFIRMED,
        )
        .options(selectinload(DnaComparison.case), selectinload(DnaComparison.remains))
        .order_by(DnaComparison.confirmed_at, DnaComparison.id)
    )


@dataclass(frozen=True)
class FragmentGroup:
    """Fragments confirmed to be one person, and the identification that names them all (if any)."""

    samples: list[DnaSample]
    identification: DnaComparison | None


def list_fragment_groups(session: Session, actor: Actor) -> list[FragmentGroup]:
    require_staff(actor, "read fragment groups")
    groups = fragment_groups(confirmed_links(session))
    if not groups:
        return []
    ids = sorted(set().union(*groups))
    samples = {s.id: s for s in session.scalars(select(DnaSample).where(DnaSample.id.in_(ids)))}
    return [
        FragmentGroup([samples[i] for i in sorted(group)], identification_of(session, group))
        for group in groups
    ]


def list_associations(
    session: Session, actor: Actor, *, state: CandidateState | None = None
) -> list[DnaAssociation]:
    """Proposed and reviewed "same person" associations, strongest first (open ones when state None)."""
    require_staff(actor, "read associations of remains")
    query = (
        select(DnaAssociation)
        .options(selectinload(DnaAssociation.first), selectinload(DnaAssociation.second))
        .order_by(DnaAssociation.log10_lr.desc(), DnaAssociation.id)
    )
    query = query.where(
        DnaAssociation.state == state if state is not None else DnaAssociation.state.in_(_OPEN)
    )
    return list(session.scalars(query))


# Review: four eyes, as for identifications --------------------------------------------------------


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("reason", "give the reason for this decision")
    if len(reason) > MAX_REASON:
        raise ValidationFailed("reason", f"is longer than {MAX_REASON} characters")
    return reason


def get_association(session: Session, actor: Actor, association_id: int) -> DnaAssociation:
    require_staff(actor, "read associations of remains")
    row = session.get(
        DnaAssociation,
        association_id,
        options=[selectinload(DnaAssociation.first), selectinload(DnaAssociation.second)],
    )
    if row is None:
        raise NotFound("association", association_id)
    return row


def _audit(
    session: Session, actor: Actor, action: str, row: DnaAssociation, before: dict[str, object]
) -> None:
    auditing.record(session, actor, action, row, before=before, after=auditing.snapshot(row))


def propose_association(session: Session, actor: Actor, association_id: int, reason: str) -> DnaAssociation:
    require_role(actor, Role.ANALYST, action="propose that two remains are one person")
    reason = _reason(reason)
    row = get_association(session, actor, association_id)
    if row.state is not CandidateState.CANDIDATE:
        state = row.state.value if row.state else "not a candidate"
        raise Conflict(f"association {row.id} is {state}; only a candidate can be proposed")
    before = auditing.snapshot(row)
    row.state = CandidateState.PROPOSED
    row.proposed_by_id, row.proposed_reason, row.proposed_at = actor.user_id, reason, utcnow()
    _audit(session, actor, "dna_association.propose", row, before)
    return row


def confirm_association(session: Session, actor: Actor, association_id: int, reason: str) -> DnaAssociation:
    """A second analyst confirms; refused when the two fragments' groups are identified as two people."""
    require_role(actor, Role.ANALYST, action="confirm that two remains are one person")
    reason = _reason(reason)
    row = get_association(session, actor, association_id)
    if row.state is not CandidateState.PROPOSED:
        raise Conflict(f"association {row.id} is not proposed; it is proposed before it is confirmed")
    if actor.user_id is None or actor.user_id == row.proposed_by_id:
        raise Forbidden("the analyst who proposed an association may not confirm it; a second analyst must")
    for sample in (row.first, row.second):
        if not has_profile(session, sample.id):
            raise Conflict(f"the profile of remains sample {sample.code} no longer exists")
    first = identification_of(session, fragment_group(session, row.first_sample_id))
    second = identification_of(session, fragment_group(session, row.second_sample_id))
    if first is not None and second is not None and first.case_id != second.case_id:
        raise Conflict(
            f"remains {row.first.code} are identified as case {first.case.reference} and remains "
            f"{row.second.code} as case {second.case.reference}: one person cannot be two missing "
            "persons; review those identifications first"
        )
    before = auditing.snapshot(row)
    row.state = CandidateState.CONFIRMED
    row.confirmed_by_id, row.confirmed_reason, row.confirmed_at = actor.user_id, reason, utcnow()
    _audit(session, actor, "dna_association.confirm", row, before)
    return row


def reject_association(session: Session, actor: Actor, association_id: int, reason: str) -> DnaAssociation:
    require_role(actor, Role.ANALYST, action="reject an association of remains")
    reason = _reason(reason)
    row = get_association(session, actor, association_id)
    if row.state not in _OPEN:
        raise Conflict(f"association {row.id} cannot be rejected now")
    before = auditing.snapshot(row)
    row.state = CandidateState.REJECTED
    row.confirmed_by_id, row.confirmed_reason, row.confirmed_at = actor.user_id, reason, utcnow()
    _audit(session, actor, "dna_association.reject", row, before)
    return row
