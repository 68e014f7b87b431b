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
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from kintrace.dna.lr import missing_person_lr
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.domain.dna_samples import CandidateState, Donor, SampleKind, pedigree_layout
from kintrace.domain.errors import DomainError
from kintrace.services import auditing
from kintrace.services.access import Actor, require_staff, visible_case
from kintrace.services.dna_profiles import usable_profiles
from kintrace.services.dna_samples import missing_sex
from kintrace.services.errors import NotFound
from kintrace.services.genetic_crypto import Genotypes, MasterKey
from kintrace.store.models import DnaComparison, DnaProfile, DnaSample, utcnow

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


@dataclass
class RunResult:
    pairs: int = 0
    candidates: int = 0
    skipped: dict[int, str] = field(default_factory=dict)  # case id -> why its family was not scored


def families(
    session: Session, actor: Actor, master: MasterKey, reason: str, case_ids: set[int] | None = None
) -> tuple[list[Family], dict[int, str]]:
    """The families with live references (and why any other with references could not be built)."""
    profiles = usable_profiles(session, actor, master, reason, kind=SampleKind.REFERENCE, case_ids=case_ids)
    by_case: dict[int, list[tuple[DnaSample, Genotypes]]] = {}
    for sample, genotypes in profiles.values():
        if sample.case_id is not None and sample.kinship is not None:
            by_case.setdefault(sample.case_id, []).append((sample, genotypes))
    out: list[Family] = []
    skipped: dict[int, str] = {}
    for case_id, rows in sorted(by_case.items()):
        donors = [
            Donor(sample.code, sample.kinship, sample.donor_sex) for sample, _ in rows if sample.kinship
        ]
        try:
            layout = pedigree_layout(missing_sex(session, case_id), donors)
            pedigree = Pedigree(Person(r.id, r.father, r.mother, r.sex) for r in layout.rows)
        except (DomainError, DnaInputError) as error:
            skipped[case_id] = str(error)
            continue
        by_code = {sample.code: typed for sample, typed in rows}
        references = {node: by_code[label] for node, label in layout.typed.items()}
        out.append(Family(case_id, pedigree, layout.missing_id, references))
    return out, skipped


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
            DnaComparison.remains_sample_id == remains_id, DnaComparison.case_id == case_id
        )
    )
    if row is None:
        row = DnaComparison(remains_sample_id=remains_id, case_id=case_id)
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
) -> RunResult:
    """Score the chosen remains (all by default) against the chosen families (all by default, but
    for `except_cases`)."""
    require_staff(actor, "run DNA matching")
    result = RunResult()
    family_list, result.skipped = families(session, actor, master, reason, case_ids)
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
    """Drop a family's comparisons nobody has reviewed (its references changed); returns how many."""
    gone = session.execute(
        delete(DnaComparison).where(
            DnaComparison.case_id == case_id,
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
    visible_case(session, actor, case_id)
    count, latest = session.execute(
        select(func.count(DnaComparison.id), func.max(DnaComparison.compared_at))
        .join(DnaProfile, DnaProfile.sample_id == DnaComparison.remains_sample_id)
        .where(DnaComparison.case_id == case_id, DnaProfile.wrapped_key.is_not(None))
    ).one()
    return SearchLog(int(count or 0), latest.date() if latest is not None else None)
