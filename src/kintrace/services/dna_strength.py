"""Each family's reference strength, stored, and which relative to ask next for a sample.

The strength is the engine's simulation (`kintrace.dna.power.reference_strength`) on the pedigree
the case's live references imply: the exact exclusion power and ``P(LR >= 10^4 | true)`` from
``SIMULATIONS`` draws, seeded with the case id so the same references always give the same figures.
It is stored per case (`DnaReferenceStrength`) with a signature of what it was computed for: the
family's version (its live reference profiles, their import times, kinships and sexes, the missing
person's sex: `dna_family_tables.family_versions`, read without decrypting), the frequency table and
the simulation's settings. A profile imported, shredded or a consent withdrawn changes the signature,
and the stored row then reads as "not computed yet" until it is computed again (on demand: the desk's
button, the API, `kintrace dna strength`; the demo computes all).

Which relative to ask next: for a family whose ``P(LR >= 10^4 | true)`` is below ``WEAK_BELOW``, one
more donor of every kinship that could still give a sample (`domain.dna_samples.kinships_to_ask`) is
added to the pedigree, untyped, and `kintrace.dna.power.strength_with_relative` simulates the family
with that relative typed at every marker of the table, ``SIMULATIONS`` draws each, with the same seed.
The kinships are ranked by the new figure (ties: the closer relative first).

The stored row holds numbers, sample codes and kinships: no genotype. Families read only the plain
words of `family_view` (whether the DNA is strong enough, and whom to ask), never a number.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.dna.families import Family as EngineFamily
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.dna.power import reference_strength, strength_with_relative
from kintrace.domain.dna_samples import (
    Donor,
    DonorSex,
    Kinship,
    Reason,
    SampleKind,
    candidate_donor,
    kinships_to_ask,
    pedigree_layout,
)
from kintrace.domain.errors import DomainError
from kintrace.domain.relationships import kinships_of
from kintrace.services import auditing, dna_family_tables, dna_matching
from kintrace.services.access import Actor, require_staff, visible_case
from kintrace.services.dna_samples import missing_sexes
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaReferenceStrength, DnaSample, Relative, utcnow

SIMULATIONS = 2000  # draws of the true missing person (and of an unrelated person) per figure
THRESHOLD = 1e4  # the LR a candidate identification needs (dna_matching.CANDIDATE_LOG10_LR)
# Below this share of simulations reaching LR 10^4, the family is weak and the next relative is sought.
WEAK_BELOW = 0.9
READ_REASON = "reference strength of the family and which relative to ask next"
_ASKED = "__asked__"
log = logging.getLogger(__name__)  # the label of the relative not sampled yet, in the simulated pedigree


class State(StrEnum):
    CURRENT = "current"  # computed for the references the family has now
    NOT_COMPUTED = "not_computed"  # never computed, or the references changed since
    NO_REFERENCES = "no_references"  # no live reference profile: nothing to compute


@dataclass(frozen=True)
class Suggestion:
    kinship: Kinship
    p_true: float


@dataclass(frozen=True)
class Strength:
    """What the desk and the API show of a family's strength."""

    case_id: int
    state: State
    row: DnaReferenceStrength | None = None  # set when CURRENT

    @property
    def weak(self) -> bool:
        return self.row is not None and self.row.p_true is not None and self.row.p_true < WEAK_BELOW

    @property
    def suggestions(self) -> list[Suggestion]:
        if self.row is None:
            return []
        return [Suggestion(Kinship(s["kinship"]), float(s["p_true"])) for s in self.row.suggestions]


def _signature(version: object, table: str) -> str:
    text = repr((version, table, SIMULATIONS, THRESHOLD, WEAK_BELOW))
    return hashlib.sha256(text.encode()).hexdigest()


def signatures(session: Session, case_ids: set[int], markers: Mapping[str, Marker]) -> dict[int, str]:
    """The signature each family's strength must carry to be current (families with live references)."""
    table = dna_family_tables.fingerprint(markers)
    versions = dna_family_tables.family_versions(session, case_ids)
    return {case_id: _signature(version, table) for case_id, version in versions.items()}


def strengths(
    session: Session, case_ids: Iterable[int], markers: Mapping[str, Marker]
) -> dict[int, Strength]:
    """Each case's strength as stored, current or not (two queries whatever the number of cases)."""
    wanted = set(case_ids)
    if not wanted:
        return {}
    current = signatures(session, wanted, markers)
    rows = {
        row.case_id: row
        for row in session.scalars(
            select(DnaReferenceStrength).where(DnaReferenceStrength.case_id.in_(sorted(wanted)))
        )
    }
    out: dict[int, Strength] = {}
    for case_id in wanted:
        row = rows.get(case_id)
        if case_id not in current:
            out[case_id] = Strength(case_id, State.NO_REFERENCES)
        elif row is not None and row.signature == current[case_id]:
            out[case_id] = Strength(case_id, State.CURRENT, row)
        else:
            out[case_id] = Strength(case_id, State.NOT_COMPUTED)
    return out


def get_strength(session: Session, actor: Actor, case_id: int, markers: Mapping[str, Marker]) -> Strength:
    require_staff(actor, "read a family's reference strength")
    visible_case(session, actor, case_id)
    return strengths(session, {case_id}, markers)[case_id]


def _donors(session: Session, case_id: int, codes: Iterable[str]) -> list[Donor]:
    samples = session.scalars(
        select(DnaSample)
        .where(
            DnaSample.case_id == case_id,
            DnaSample.kind == SampleKind.REFERENCE,
            DnaSample.code.in_(sorted(codes)),
        )
        .order_by(DnaSample.id)
    )
    return [Donor(s.code, s.kinship, s.donor_sex) for s in samples if s.kinship is not None]


def suggestions(
    family: dna_matching.Family,
    donors: list[Donor],
    missing_sex: DonorSex,
    markers: Mapping[str, Marker],
    *,
    seed: int,
) -> list[Suggestion]:
    """Every kinship that could still give a sample, ranked by ``P(LR >= 10^4 | true)`` once typed."""
    by_code = {family.labels[node]: genotypes for node, genotypes in family.references.items()}
    out: list[Suggestion] = []
    for kinship in kinships_to_ask((donor.kinship for donor in donors), missing_sex):
        try:
            layout = pedigree_layout(missing_sex, [*donors, candidate_donor(kinship, _ASKED)])
        except DomainError:
            continue  # a relative this family cannot have
        asked = next(node for node, label in layout.typed.items() if label == _ASKED)
        references = {node: by_code[label] for node, label in layout.typed.items() if label != _ASKED}
        pedigree = Pedigree(Person(r.id, r.father, r.mother, r.sex) for r in layout.rows)
        engine = EngineFamily(str(family.case_id), pedigree, layout.missing_id, {})
        figure = strength_with_relative(
            engine, references, markers, asked, n=SIMULATIONS, seed=seed, threshold=THRESHOLD
        )
        out.append(Suggestion(kinship, figure.p_true))
    # Stable: among equal figures the closer relative (kinships_to_ask's order) stays first.
    return sorted(out, key=lambda s: -s.p_true)


def compute(
    session: Session, actor: Actor, master: MasterKey, markers: Mapping[str, Marker], case_id: int
) -> Strength:
    """Compute and store one family's strength (and, when weak, whom to ask next). Audited."""
    require_staff(actor, "compute a family's reference strength")
    visible_case(session, actor, case_id)
    wanted = signatures(session, {case_id}, markers).get(case_id)
    row = session.get(DnaReferenceStrength, case_id)
    if wanted is None:
        if row is not None:
            session.delete(row)  # no live reference left: nothing of the old figures is true
            session.flush()
        return Strength(case_id, State.NO_REFERENCES)
    built, skipped = dna_matching.families(session, actor, master, READ_REASON, {case_id}, markers)
    if row is None:
        row = DnaReferenceStrength(case_id=case_id)
        session.add(row)
    row.signature = wanted
    row.frequency_table = dna_family_tables.fingerprint(markers)
    row.computed_at = utcnow()
    row.simulations, row.seed, row.threshold = SIMULATIONS, case_id, THRESHOLD
    row.exclusion_power = row.p_true = row.p_unrelated = None
    row.markers, row.suggestions, row.not_computed, row.reference_samples = 0, [], None, []
    row.not_computed_code = None
    if not built:
        why = skipped.get(case_id, "no usable reference")
        row.not_computed = str(why)
        if isinstance(why, Reason):
            row.not_computed_code = {"code": why.code, "params": why.params}
    else:
        family = built[0]
        donors = _donors(session, case_id, family.labels.values())
        row.reference_samples = [{"sample": d.label, "kinship": d.kinship.value} for d in donors]
        try:
            result = reference_strength(
                EngineFamily(str(case_id), family.pedigree, family.missing_id, {}),
                family.references,
                markers,
                n=SIMULATIONS,
                seed=case_id,
                threshold=THRESHOLD,
            )
            row.markers = len(result.markers)
            row.exclusion_power = result.exclusion_power_exact
            row.p_true = float((result.true_lr >= THRESHOLD).mean())
            row.p_unrelated = float((result.unrelated_lr >= THRESHOLD).mean())
            if row.p_true < WEAK_BELOW:
                sex = missing_sexes(session, {case_id}).get(case_id, DonorSex.UNKNOWN)
                ranked = suggestions(family, donors, sex, markers, seed=case_id)
                row.suggestions = [{"kinship": s.kinship.value, "p_true": s.p_true} for s in ranked]
        except DnaInputError as error:
            row.not_computed = str(error)
            row.not_computed_code = {"code": "engine", "params": {"detail": str(error)}}
    session.flush()
    auditing.record_event(
        session,
        actor,
        action="dna_strength.compute",
        entity="dna_reference_strengths",
        entity_id=str(case_id),
        values={
            "p_true": row.p_true,
            "exclusion_power": row.exclusion_power,
            "suggestions": row.suggestions[:3],
            "not_computed": row.not_computed,
        },
    )
    return Strength(case_id, State.CURRENT, row)


def compute_stale(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    *,
    limit: int | None = None,
) -> int:
    """Compute every family's strength that is not current (at most ``limit``); returns how many."""
    require_staff(actor, "compute reference strengths")
    versions = dna_family_tables.family_versions(session)
    stale = sorted(strengths(session, versions, markers).items())
    done = 0
    for case_id, strength in stale:
        if strength.state is State.CURRENT:
            continue
        if limit is not None and done >= limit:
            break
        compute(session, actor, master, markers, case_id)
        done += 1
    return done


def relatives_to_ask(session: Session, actor: Actor, case_id: int) -> dict[Kinship, list[str]]:
    """The relatives recorded in the case who gave no reference sample yet, by the kinships they fit
    (staff: the desk names them beside each suggestion)."""
    require_staff(actor, "read whom to ask for a DNA sample")
    case = visible_case(session, actor, case_id)
    return relatives_to_ask_of(session, actor, case_id, case.relatives)


def relatives_to_ask_of(
    session: Session, actor: Actor, case_id: int, relatives: Sequence[Relative]
) -> dict[Kinship, list[str]]:
    """`relatives_to_ask` of a case the caller may see, from its relatives as read."""
    require_staff(actor, "read whom to ask for a DNA sample")
    sampled = set(
        session.scalars(
            select(DnaSample.relative_id).where(
                DnaSample.case_id == case_id, DnaSample.kind == SampleKind.REFERENCE
            )
        )
    )
    out: dict[Kinship, list[str]] = {}
    for relative in relatives:
        if relative.id in sampled:
            continue
        for kinship in kinships_of(relative.relationship_):
            out.setdefault(kinship, []).append(relative.full_name)
    return out


def compute_in_background(
    factory: Callable[[], Session], master: MasterKey, markers: Mapping[str, Marker], *, limit: int
) -> int:
    """What a server does at start, in the background after the arrival tables: the strength of
    every family not current (at most ``limit``), each committed on its own so that a stop midway
    keeps what was done. Returns how many were computed."""
    from kintrace.services.access import SYSTEM

    done = 0
    with factory() as session:
        versions = dna_family_tables.family_versions(session)
        stale = [
            c
            for c, s in sorted(strengths(session, versions, markers).items())
            if s.state is not State.CURRENT
        ]
        for case_id in stale[:limit]:
            compute(session, SYSTEM, master, markers, case_id)
            session.commit()
            done += 1
    return done


def compute_in_background_quietly(
    factory: Callable[[], Session], master: MasterKey, markers: Mapping[str, Marker], *, limit: int
) -> None:
    """`compute_in_background`, logged; a failure is logged, never raised (the desk computes on demand)."""
    started = time.perf_counter()
    try:
        done = compute_in_background(factory, master, markers, limit=limit)
    except Exception:
        log.exception("computing the families' reference strength in the background failed")
        return
    log.info("reference strength of %d families computed in %.1f s", done, time.perf_counter() - started)


@dataclass(frozen=True)
class FamilyStrength:
    """What a family reads: plain words, no number, no genotype, nothing of another family."""

    computed: bool
    strong: bool
    ask: Kinship | None  # the relative whose sample would help the most (weak families)


def family_view(
    session: Session, actor: Actor, case_id: int, markers: Mapping[str, Marker]
) -> FamilyStrength:
    visible_case(session, actor, case_id)  # a family sees its own case only; any other is "not found"
    strength = strengths(session, {case_id}, markers)[case_id]
    row = strength.row
    if row is None or row.p_true is None:
        return FamilyStrength(False, False, None)
    ask = strength.suggestions[0].kinship if strength.weak and strength.suggestions else None
    return FamilyStrength(True, not strength.weak, ask)
