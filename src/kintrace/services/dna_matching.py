"""Matching: remains profiles scored against every family's references with the engine's pedigree LR.

Each case with live reference profiles is a family: its pedigree is laid out from the donors'
kinship (kintrace.domain.dna_samples) and scored with `kintrace.dna.lr.missing_person_lr` (H1: the
remains are the missing person; H2: unrelated). Every pair scored is kept (the families' DNA search
log); a pair whose LR reaches 10^4 becomes a candidate identification for the analysts. The prior
is named with the posterior: uniform over the families with references, plus "none of them", when
the pair was scored.
A family whose references contradict their pedigree is skipped and reported, never scored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from kintrace.dna.consistency import Consistency, references_consistency
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.domain.dna_samples import (
    CandidateState,
    Donor,
    DonorSex,
    MatchBasis,
    PedigreeError,
    Reason,
    SampleKind,
    pedigree_layout,
)
from kintrace.domain.errors import DomainError
from kintrace.services import auditing, dna_family_tables
from kintrace.services.access import Actor, require_staff, visible_case
from kintrace.services.dna_profiles import usable_profiles
from kintrace.services.dna_samples import missing_sexes
from kintrace.services.errors import Conflict, NotFound
from kintrace.services.genetic_crypto import Genotypes, MasterKey
from kintrace.store.models import DnaComparison, DnaConsent, DnaProfile, DnaSample, utcnow

CANDIDATE_LOG10_LR = 4.0
# Results nobody has decided on yet: dropped when the family's references change (a consent withdrawn),
# so a proposal built on a destroyed profile cannot be confirmed.
_OPEN_STATES = (CandidateState.CANDIDATE, CandidateState.PROPOSED)


@dataclass(frozen=True)
class Family:
    case_id: int
    pedigree: Pedigree
    missing_id: str
    references: dict[str, Genotypes]  # pedigree person id -> genotypes
    labels: dict[str, str] = field(default_factory=dict)  # pedigree person id -> sample code


@dataclass
class RunResult:
    pairs: int = 0
    candidates: int = 0
    skipped: dict[int, str] = field(default_factory=dict)  # case id -> why its family was not scored


def families(
    session: Session,
    actor: Actor,
    master: MasterKey,
    reason: str,
    case_ids: set[int] | None = None,
    markers: Mapping[str, Marker] | None = None,
) -> tuple[list[Family], dict[int, str]]:
    """The families with live references (and why any other with references could not be built).

    With `markers`, each family's references are first checked against the relationships stated
    between them (`kintrace.dna.consistency`): a family whose references contradict them (a swapped
    sample, a "brother" who is not one) is not used until it is resolved (the faulty sample withdrawn
    or shredded, which changes the family), and the reason says so to the analysts."""
    profiles = usable_profiles(session, actor, master, reason, kind=SampleKind.REFERENCE, case_ids=case_ids)
    by_case: dict[int, list[tuple[DnaSample, Genotypes]]] = {}
    for sample, genotypes in profiles.values():
        if sample.case_id is not None and sample.kinship is not None:
            by_case.setdefault(sample.case_id, []).append((sample, genotypes))
    out: list[Family] = []
    skipped: dict[int, str] = {}
    shapes: dict[tuple[object, str], list[int]] = {}  # families of one pedigree, checked together
    sexes = missing_sexes(session, set(by_case))
    for case_id, rows in sorted(by_case.items()):
        donors = [
            Donor(sample.code, sample.kinship, sample.donor_sex) for sample, _ in rows if sample.kinship
        ]
        try:
            layout = pedigree_layout(sexes.get(case_id, DonorSex.UNKNOWN), donors)
            pedigree = Pedigree(Person(r.id, r.father, r.mother, r.sex) for r in layout.rows)
        except PedigreeError as error:
            skipped[case_id] = Reason(str(error), error.code, error.params)
            continue
        except (DomainError, DnaInputError) as error:
            skipped[case_id] = Reason(str(error), "engine", {"detail": str(error)})
            continue
        by_code = {sample.code: typed for sample, typed in rows}
        references = {node: by_code[label] for node, label in layout.typed.items()}
        out.append(Family(case_id, pedigree, layout.missing_id, references, dict(layout.typed)))
        shapes.setdefault((layout.rows, layout.missing_id), []).append(len(out) - 1)
    if markers is None:
        return out, skipped
    flagged: set[int] = set()
    for (_, missing_id), members in shapes.items():
        found = references_consistency(
            out[members[0]].pedigree, missing_id, markers, [out[i].references for i in members]
        )
        for i, check in zip(members, found, strict=True):
            if check.flagged:
                flagged.add(i)
                skipped[out[i].case_id] = inconsistency_reason(check)
    return [family for i, family in enumerate(out) if i not in flagged], skipped


def inconsistency_reason(check: Consistency) -> Reason:
    """Why a family's references are not used, in the analysts' words."""
    if check.contradicting:
        where = ", ".join(check.contradicting)
        return Reason(
            f"the references contradict the relationships stated between them at {where} (a swapped "
            "sample or a wrong kinship?); the family is not scored until a sample is withdrawn or replaced",
            "contradicting",
            {"markers": where},
        )
    times = f"{-(check.log10_lr or 0.0):.1f}"
    return Reason(
        f"the references are 10^{times} times likelier unrelated than related as "
        "stated (a swapped sample or a wrong kinship?); the family is not scored until a sample is "
        "withdrawn or replaced",
        "unlikely",
        {"times": times},
    )


def score(
    family: Family, markers: Mapping[str, Marker], poi: Genotypes
) -> tuple[float | None, dict[str, float], int]:
    """(log10 LR or None when excluded, per-marker LRs, number of excluding markers)."""
    typed = set(poi) | {name for genotypes in family.references.values() for name in genotypes}
    used = {name: markers[name] for name in markers if name in typed}
    result = missing_person_lr(family.pedigree, used, family.references, poi, family.missing_id)
    per_marker = {name: float(value) for name, value in result.lr_per_marker.items()}
    exclusions = sum(1 for value in per_marker.values() if value == 0.0)
    if exclusions:
        return None, per_marker, exclusions
    return sum(math.log10(value) for value in per_marker.values()), per_marker, 0


def posterior(log10_lr: float | None, prior: float) -> float:
    if log10_lr is None:
        return 0.0
    log_odds = log10_lr + math.log10(prior) - math.log10(1.0 - prior) if prior < 1.0 else math.inf
    if log_odds > 300:
        return 1.0
    return 1.0 / (1.0 + 10.0 ** (-log_odds))


def families_with_references(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count(func.distinct(DnaSample.case_id)))
            .join(DnaProfile, DnaProfile.sample_id == DnaSample.id)
            .where(DnaSample.kind == SampleKind.REFERENCE, DnaProfile.wrapped_key.is_not(None))
        )
        or 0
    )


def _store(
    session: Session,
    remains_id: int,
    case_id: int,
    values: tuple[float | None, dict[str, float], int],
    refs: int,
    n: int,
) -> DnaComparison:
    log10_lr, per_marker, exclusions = values
    # Uniform over the families with references and "someone no family here is looking for":
    # with one family the prior is 1/2, never a certainty.
    prior = 1.0 / (n + 1)
    row = session.scalar(
        select(DnaComparison).where(
            DnaComparison.remains_sample_id == remains_id,
            DnaComparison.case_id == case_id,
            DnaComparison.basis == MatchBasis.KINSHIP,
        )
    )
    if row is None:
        row = DnaComparison(remains_sample_id=remains_id, case_id=case_id, basis=MatchBasis.KINSHIP)
        session.add(row)
    row.log10_lr, row.marker_lrs, row.exclusions, row.references = log10_lr, per_marker, exclusions, refs
    row.prior = prior
    row.prior_name = (
        f"uniform: 1 in {n + 1} ({n} famil{'y' if n == 1 else 'ies'} with references, or none of them)"
    )
    row.posterior = posterior(log10_lr, prior)
    row.compared_at = utcnow()
    strong = log10_lr is not None and log10_lr >= CANDIDATE_LOG10_LR
    if row.state is None and strong:
        row.state = CandidateState.CANDIDATE
    elif row.state is CandidateState.CANDIDATE and not strong:
        row.state = None
    return row


def compare(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    *,
    reason: str,
    remains_ids: set[int] | None = None,
    case_ids: set[int] | None = None,
    except_cases: set[int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunResult:
    """Score the chosen remains (all by default) against the chosen families (all by default, but
    for `except_cases`). `progress(step, done, total)` hears of each block of families scanned and
    each pair scored exactly (a full run's progress bar).

    Every pair is scored by the engine's lookup rows (`dna_family_tables`, kept between calls);
    the pairs that reach LR 10^4 and the pairs already on record (reviewed or open) are scored again
    exactly (`score`: per-marker LRs) and stored. Weak pairs are counted, not stored: a row per pair
    would be 100,000 rows per arriving profile (the search log counts profiles instead).
    """
    require_staff(actor, "run DNA matching")
    result = RunResult()
    report = progress or (lambda step, done, total: None)
    with dna_family_tables.locked():
        report("families' lookup rows", 0, 1)
        store = dna_family_tables.refresh(session, actor, master, markers, reason)
        report("families' lookup rows", 1, 1)
        chosen = [
            case_id
            for case_id in sorted(store.where)
            if (case_ids is None or case_id in case_ids) and not (except_cases and case_id in except_cases)
        ]
        result.skipped = {
            case_id: why for case_id, why in store.skipped.items() if case_ids is None or case_id in case_ids
        }
        if not chosen:
            return result
        remains = usable_profiles(
            session, actor, master, reason, kind=SampleKind.REMAINS, sample_ids=remains_ids
        )
        remains_order = sorted(remains)
        layout = store.layout
        local = layout.encode([remains[r][1] for r in remains_order]) - layout.offsets[:-1, None].astype(
            np.int32
        )
        wanted = set(chosen)
        # Families with live references (the prior's denominator), from the store: counting them
        # in the database reads every reference profile.
        n = len(store.versions)
        strong: set[tuple[int, int]] = set()  # (remains, case)
        for done, block in enumerate(store.blocks, start=1):
            report("scanning families", done - 1, len(store.blocks))
            take = block.live & np.isin(block.case_ids, list(wanted)) if case_ids else block.live.copy()
            if except_cases:
                take &= ~np.isin(block.case_ids, list(except_cases))
            if not take.any() or not remains_order:
                continue
            lr, _ = block.scan(local)
            result.pairs += int(take.sum()) * len(remains_order)
            # The fast path agrees with the exact one to ~1e-15: a hair below 10^4 is re-checked.
            f_idx, p_idx = np.nonzero((lr >= 10 ** (CANDIDATE_LOG10_LR - 1e-9)) & take[:, None])
            strong.update(
                (remains_order[p], int(block.case_ids[f])) for f, p in zip(f_idx, p_idx, strict=True)
            )
        report("scanning families", len(store.blocks), len(store.blocks))
    existing = _rows_in_scope(session, set(remains_order), wanted, case_ids)
    todo = strong | set(existing)
    if todo:
        families_of, _ = families(session, actor, master, reason, {case for _, case in todo}, markers)
        by_case = {family.case_id: family for family in families_of}
        for done, (remains_id, case_id) in enumerate(sorted(todo), start=1):
            if done % 50 == 1 or done == len(todo):
                report("exact scores of strong pairs", done, len(todo))
            family = by_case.get(case_id)
            row = existing.get((remains_id, case_id))
            if family is None or remains_id not in remains:
                continue
            try:
                values = score(family, markers, remains[remains_id][1])
            except DnaInputError as error:
                result.skipped[case_id] = str(error)
                continue
            weak = values[0] is None or values[0] < CANDIDATE_LOG10_LR
            if row is not None and weak and row.state in (None, CandidateState.CANDIDATE):
                session.delete(row)  # an unreviewed pair no longer worth an analyst's look
                continue
            if row is None and weak:
                continue
            stored = _store(session, remains_id, case_id, values, len(family.references), n)
            result.candidates += stored.state is CandidateState.CANDIDATE
    session.flush()
    auditing.record_event(
        session,
        actor,
        action="dna_match.run",
        entity="dna_comparisons",
        entity_id=f"{len(remains)}x{len(chosen)}",
        values={
            "reason": reason,
            "pairs": result.pairs,
            "candidates": result.candidates,
            "skipped": result.skipped,
        },
    )
    return result


def record_candidate(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    remains_id: int,
    case_id: int,
    reason: str,
) -> DnaComparison:
    """The pair's candidate identification, scored exactly and stored even below LR 10^4: an
    analyst asks for it from elsewhere (an incident's joint identification, whose posterior can be
    high for a pair weak alone). An excluded pair cannot become a candidate."""
    require_staff(actor, "record candidate identifications")
    remains = usable_profiles(
        session, actor, master, reason, kind=SampleKind.REMAINS, sample_ids={remains_id}
    )
    found, skipped = families(session, actor, master, reason, {case_id}, markers)
    if remains_id not in remains:
        raise Conflict(f"remains sample {remains_id} has no live profile")
    if not found:
        raise Conflict(skipped.get(case_id, f"case {case_id} has no reference profile with consent in force"))
    family = found[0]
    try:
        values = score(family, markers, remains[remains_id][1])
    except DnaInputError as error:
        raise Conflict(str(error)) from None
    if values[0] is None:
        raise Conflict(
            f"remains sample {remains_id} is excluded from case {case_id} by {values[2]} marker(s)"
        )
    row = _store(
        session, remains_id, case_id, values, len(family.references), families_with_references(session)
    )
    if row.state is None:
        row.state = CandidateState.CANDIDATE
    session.flush()
    auditing.record(
        session, actor, "dna_match.candidate", row, after={**auditing.snapshot(row), "reason": reason}
    )
    return row


def _rows_in_scope(
    session: Session, remains_ids: set[int], case_ids: set[int], by_case: set[int] | None
) -> dict[tuple[int, int], DnaComparison]:
    """Stored comparisons among the pairs being scored (few: candidates and reviewed pairs)."""
    if not remains_ids or not case_ids:
        return {}
    query = select(DnaComparison).where(DnaComparison.basis == MatchBasis.KINSHIP)
    if by_case is not None and len(case_ids) <= len(remains_ids):
        query = query.where(DnaComparison.case_id.in_(sorted(case_ids)))
    else:
        query = query.where(DnaComparison.remains_sample_id.in_(sorted(remains_ids)))
    return {
        (row.remains_sample_id, row.case_id): row
        for row in session.scalars(query)
        if row.remains_sample_id in remains_ids and row.case_id in case_ids
    }


UNSCORED_REASON = "the analysts' list of families whose references are not used"


def unscored_families(
    session: Session, actor: Actor, master: MasterKey, markers: Mapping[str, Marker]
) -> dict[int, str]:
    """Case id -> why its references are not used (contradicting each other, an impossible pedigree),
    for the analysts to resolve. From the arrival tables (built already in a running server)."""
    require_staff(actor, "read why families are not scored")
    with dna_family_tables.locked():
        store = dna_family_tables.refresh(session, actor, master, markers, UNSCORED_REASON)
        return dict(sorted(store.skipped.items()))


def compare_exact(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    *,
    reason: str,
    remains_ids: set[int] | None = None,
    case_ids: set[int] | None = None,
    except_cases: set[int] | None = None,
) -> RunResult:
    """``compare`` the old way: every pair by exact likelihoods, every pair stored (the baseline the
    benchmark measures, and the reference the fast path is tested against)."""
    require_staff(actor, "run DNA matching")
    result = RunResult()
    family_list, result.skipped = families(session, actor, master, reason, case_ids, markers)
    if except_cases:
        family_list = [family for family in family_list if family.case_id not in except_cases]
    if not family_list:
        return result
    remains = usable_profiles(session, actor, master, reason, kind=SampleKind.REMAINS, sample_ids=remains_ids)
    n = families_with_references(session)
    for remains_id, (_, poi) in remains.items():
        for family in family_list:
            try:
                values = score(family, markers, poi)
            except DnaInputError as error:
                result.skipped[family.case_id] = str(error)
                continue
            row = _store(session, remains_id, family.case_id, values, len(family.references), n)
            result.pairs += 1
            result.candidates += row.state is CandidateState.CANDIDATE
    session.flush()
    auditing.record_event(
        session,
        actor,
        action="dna_match.run",
        entity="dna_comparisons",
        entity_id=f"{len(remains)}x{len(family_list)}",
        values={
            "reason": reason,
            "pairs": result.pairs,
            "candidates": result.candidates,
            "skipped": result.skipped,
        },
    )
    return result


def forget_unreviewed(session: Session, case_id: int) -> int:
    """Drop a family's comparisons nobody has reviewed (its references changed); returns how many.
    Personal-effect results stay: they rest on the missing person's own DNA, not on the references."""
    gone = session.execute(
        delete(DnaComparison).where(
            DnaComparison.case_id == case_id,
            DnaComparison.basis == MatchBasis.KINSHIP,
            (DnaComparison.state.is_(None)) | (DnaComparison.state.in_(_OPEN_STATES)),
        )
    )
    return int(getattr(gone, "rowcount", 0) or 0)


def list_candidates(
    session: Session, actor: Actor, *, state: CandidateState | None = None
) -> list[DnaComparison]:
    """Candidate identifications for analysts, strongest first."""
    require_staff(actor, "read candidate identifications")
    query = (
        select(DnaComparison)
        .where(DnaComparison.state.is_not(None))
        .options(selectinload(DnaComparison.remains), selectinload(DnaComparison.case))
        .order_by(DnaComparison.log10_lr.desc(), DnaComparison.id)
    )
    if state is not None:
        query = query.where(DnaComparison.state == state)
    return list(session.scalars(query))


def get_comparison(session: Session, actor: Actor, comparison_id: int) -> DnaComparison:
    require_staff(actor, "read DNA comparisons")
    row = session.get(DnaComparison, comparison_id)
    if row is None:
        raise NotFound("comparison", comparison_id)
    return row


@dataclass(frozen=True)
class SearchLog:
    """What a family sees of the search: how many remains profiles its references were compared with."""

    compared: int
    latest: dt.date | None


def search_log(session: Session, actor: Actor, case_id: int) -> SearchLog:
    """Every live remains profile is scored against every family with references when either arrives
    (matching on arrival), so a family's references have been compared with every live remains
    profile; the latest comparison is the latest arrival on either side."""
    visible_case(session, actor, case_id)
    live = DnaProfile.wrapped_key.is_not(None)
    # The family's own profiles: references with consent in force, and personal effects of the missing
    # person (compared with every remains profile on arrival too; they need no consent).
    own = session.scalar(
        select(func.max(DnaProfile.imported_at))
        .join(DnaSample, DnaProfile.sample_id == DnaSample.id)
        .outerjoin(DnaConsent, DnaConsent.sample_id == DnaSample.id)
        .where(
            live,
            DnaSample.case_id == case_id,
            (
                (DnaSample.kind == SampleKind.REFERENCE)
                & DnaConsent.withdrawn_on.is_(None)
                & DnaConsent.id.is_not(None)
            )
            | (DnaSample.kind == SampleKind.PERSONAL_EFFECT),
        )
    )
    if own is None:
        return SearchLog(0, None)
    count, newest = session.execute(
        select(func.count(DnaProfile.id), func.max(DnaProfile.imported_at))
        .join(DnaSample, DnaProfile.sample_id == DnaSample.id)
        .where(live, DnaSample.kind == SampleKind.REMAINS)
    ).one()
    if not count:
        return SearchLog(0, None)
    return SearchLog(int(count), max(own, newest).date())
