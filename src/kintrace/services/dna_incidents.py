"""Incidents (a grave, a crash): their remains identified jointly against the families considered.

An incident holds remains samples (registered by its name) and the cases staff consider for it
(missing from that place and time). Joint identification runs the DNA engine's joint DVI with dvir's
semantics (`kintrace.dna.dvi_joint`): every assignment of the incident's remains to the considered
families' missing persons (each remains one of them or nobody, no missing person twice), each with
its joint LR against the null "nobody identified" and its posterior under dvir's flat prior over the
assignments, and the marginal posterior of every remains-family pairing.

Computed on demand, never stored: the result depends on every live, consented profile of the
incident and its families, and a withdrawn consent must remove a profile from every later result
(crypto-shredding); a stored joint table would keep numbers derived from a destroyed profile. The
search is bounded by the engine's limit (`MAX_ASSIGNMENTS`, dvir's `maxAssign`); an incident too
large for it is answered pairwise (dvir's `pairwiseLR`), and the result says so.

Genotypes are read through `usable_profiles` (audited with the reason). A pairing proposed from the
incident goes into the same four-eyes review as every candidate (`dna_review`), never a path of its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kintrace.dna.dvi import pairwise_matrices
from kintrace.dna.dvi_data import NO_MATCH, DviData, Family, Victim
from kintrace.dna.dvi_joint import JointResult, dvi_joint
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.domain.dates import PartialDate
from kintrace.domain.dna_samples import IncidentKind, SampleKind
from kintrace.domain.vocabulary import CaseState, Role
from kintrace.services import auditing, dna_matching, dna_review
from kintrace.services.access import Actor, require_role, require_staff
from kintrace.services.dna_profiles import usable_profiles
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.services.genetic_crypto import Genotypes, MasterKey
from kintrace.store.models import Case, DnaComparison, DnaSample, Incident, IncidentCase

# The engine's bound on a joint search: dvi_joint's default max_assign (dvir's maxAssign).
MAX_ASSIGNMENTS = 100_000
SHOWN_ROWS = 20  # ranked assignments handed out (the rest are counted)
MAX_TEXT = 300
MAX_REASON = 1500
NO_PROFILE = "no live profile (not typed yet, or destroyed)"
NO_REFERENCES = "no reference profile with consent in force"


@dataclass(frozen=True)
class IncidentInput:
    name: str
    kind: IncidentKind = IncidentKind.OTHER
    place: str | None = None
    occurred_on: PartialDate | None = None  # read where it was typed (form, API body, command line)
    notes: str | None = None


@dataclass(frozen=True)
class IncidentSummary:
    incident: Incident
    remains: int
    cases: int


def _text(field_name: str, value: str | None, *, required: bool = False, most: int = MAX_TEXT) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationFailed(field_name, "must not be empty")
        return None
    if len(value) > most:
        raise ValidationFailed(field_name, f"is longer than {most} characters")
    return value


def create_incident(session: Session, actor: Actor, data: IncidentInput) -> Incident:
    require_staff(actor, "record incidents")
    name = _text("name", data.name, required=True)
    if session.scalar(select(Incident.id).where(Incident.name == name)) is not None:
        raise Conflict(f"an incident named {name!r} is already on record")
    incident = Incident(
        name=name,
        kind=IncidentKind(data.kind),
        place=_text("place", data.place),
        occurred_on=data.occurred_on,
        notes=_text("notes", data.notes, most=4000),
        created_by_id=actor.user_id,
    )
    session.add(incident)
    auditing.record(session, actor, "incident.create", incident)
    return incident


def list_incidents(session: Session, actor: Actor) -> list[IncidentSummary]:
    require_staff(actor, "read incidents")
    remains = dict(
        session.execute(
            select(DnaSample.incident_id, func.count(DnaSample.id))
            .where(DnaSample.incident_id.is_not(None))
            .group_by(DnaSample.incident_id)
        ).all()
    )
    cases = dict(
        session.execute(
            select(IncidentCase.incident_id, func.count(IncidentCase.id)).group_by(IncidentCase.incident_id)
        ).all()
    )
    rows = session.scalars(select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc()))
    return [IncidentSummary(row, int(remains.get(row.id, 0)), int(cases.get(row.id, 0))) for row in rows]


def get_incident(session: Session, actor: Actor, incident_id: int) -> Incident:
    """An incident with its remains and considered cases, for staff; families never."""
    require_staff(actor, "read incidents")
    incident = session.get(
        Incident,
        incident_id,
        options=[
            selectinload(Incident.remains),
            selectinload(Incident.cases).selectinload(IncidentCase.case).selectinload(Case.person),
        ],
    )
    if incident is None:
        raise NotFound("incident", incident_id)
    return incident


def add_case(session: Session, actor: Actor, incident_id: int, case_id: int) -> IncidentCase:
    """Consider a family (its case) for the incident."""
    require_staff(actor, "add families to incidents")
    incident = get_incident(session, actor, incident_id)
    case = session.get(Case, case_id)
    if case is None:
        raise ValidationFailed("case_id", f"case {case_id} does not exist")
    if case.state is CaseState.MERGED:
        raise Conflict(f"case {case.reference} was merged into another; add that one")
    if any(row.case_id == case_id for row in incident.cases):
        raise Conflict(f"case {case.reference} is already considered for incident {incident.name!r}")
    row = IncidentCase(incident=incident, case_id=case_id, added_by_id=actor.user_id)
    session.add(row)
    auditing.record(
        session, actor, "incident.add_case", row, after={"incident_id": incident.id, "case_id": case_id}
    )
    return row


def remove_case(session: Session, actor: Actor, incident_id: int, case_id: int) -> None:
    """No longer consider a family for the incident (added by mistake, or ruled out otherwise)."""
    require_staff(actor, "remove families from incidents")
    incident = get_incident(session, actor, incident_id)
    row = next((row for row in incident.cases if row.case_id == case_id), None)
    if row is None:
        raise NotFound("family considered for the incident: case", case_id)
    auditing.record(
        session,
        actor,
        "incident.remove_case",
        row,
        before={"incident_id": incident.id, "case_id": case_id},
        deleted=True,
    )
    incident.cases.remove(row)
    session.flush()


@dataclass(frozen=True)
class JointRow:
    """One assignment: each remains sample's case (None: none of these families)."""

    rank: int
    pairs: dict[int, int | None]
    log10_lr: float | None  # against "nobody identified"; None: impossible (LR 0)
    posterior: float


@dataclass
class IncidentResult:
    incident_id: int
    method: str  # "joint" or "pairwise"
    why_pairwise: str | None
    remains: dict[int, str]  # sample id -> code, those compared
    cases: list[int]  # the families compared
    not_used: dict[str, str] = field(default_factory=dict)  # "remains B-12" / "case KT-4" -> why
    unused_remains: list[int] = field(default_factory=list)  # sample ids without a live profile
    unused_cases: dict[int, str] = field(default_factory=dict)  # case id -> why (the engine's words)
    bound: int = MAX_ASSIGNMENTS
    assignments: int = 0
    prior: str = ""
    rows: list[JointRow] = field(default_factory=list)
    # (remains sample id, case id or None for "none of these families") -> posterior (joint only)
    marginals: dict[tuple[int, int | None], float] = field(default_factory=dict)
    # (remains sample id, case id) -> log10 pairwise LR (None: excluded)
    pairwise: dict[tuple[int, int], float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """The incident as the engine's DVI input, with the registry's ids beside the engine's names."""

    data: DviData
    remains_of: dict[str, int]  # victim id -> remains sample id
    case_of: dict[str, int]  # missing person id -> case id


def _prefixed(pedigree: Pedigree, prefix: str) -> Pedigree:
    """A family's pedigree with its nodes renamed: every family's layout names its nodes alike."""

    def name(node: str | None) -> str | None:
        return None if node is None else f"{prefix}{node}"

    return Pedigree(
        Person(f"{prefix}{p.id}", name(p.father), name(p.mother), p.sex) for p in pedigree.persons
    )


def build_problem(
    markers: Mapping[str, Marker],
    remains: Mapping[int, tuple[str, Genotypes]],
    families: list[dna_matching.Family],
    case_names: Mapping[int, str],
    name: str,
) -> Problem:
    """The DVI input: each remains a victim of unknown sex that may be any family's missing person
    or nobody (the registry records no sex of remains); each family its pedigree and references.
    Markers: those of the table typed in any profile here (as the registry's pairwise score)."""
    typed = {m for _, genotypes in remains.values() for m in genotypes}
    typed |= {m for family in families for refs in family.references.values() for m in refs}
    used = tuple(markers[m] for m in markers if m in typed)
    victims = tuple(Victim(code, 0, dict(genotypes)) for code, genotypes in remains.values())
    fams = []
    case_of: dict[str, int] = {}
    for family in families:
        prefix = f"{case_names[family.case_id]}:"
        missing = f"{prefix}{family.missing_id}"
        case_of[missing] = family.case_id
        genotypes = {f"{prefix}{node}": dict(refs) for node, refs in family.references.items()}
        fams.append(
            Family(case_names[family.case_id], _prefixed(family.pedigree, prefix), (missing,), genotypes)
        )
    missing_ids = tuple(case_of)
    return Problem(
        DviData(
            name=name,
            markers=used,
            mutation_params=None,
            victims=victims,
            families=tuple(fams),
            missing=missing_ids,
            pairings={v.id: (NO_MATCH, *missing_ids) for v in victims},
            pairings_given=True,
        ),
        {code: sample_id for sample_id, (code, _) in remains.items()},
        case_of,
    )


def assignment_count(remains: int, families: int) -> int:
    """Joint assignments when every remains may be any family's missing person or nobody, no missing
    person twice: the sum over k identified of C(remains, k) x families! / (families - k)!."""
    return sum(math.comb(remains, k) * math.perm(families, k) for k in range(min(remains, families) + 1))


def _log10(ln_value: float) -> float | None:
    return ln_value / math.log(10) if np.isfinite(ln_value) else None


def joint_identification(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    incident_id: int,
    *,
    max_assignments: int = MAX_ASSIGNMENTS,
) -> IncidentResult:
    """All the incident's remains with live profiles against the considered families with usable
    references, jointly (or pairwise when the joint search is beyond the engine's bounds)."""
    require_staff(actor, "run joint identification")
    incident = get_incident(session, actor, incident_id)
    reason = f"joint identification of incident {incident.id} ({incident.name})"
    sample_ids = {sample.id for sample in incident.remains if sample.kind is SampleKind.REMAINS}
    case_ids = {row.case_id for row in incident.cases}
    case_names = {row.case_id: row.case.reference for row in incident.cases}
    read = usable_profiles(session, actor, master, reason, kind=SampleKind.REMAINS, sample_ids=sample_ids)
    remains = {sample_id: (sample.code, genotypes) for sample_id, (sample, genotypes) in sorted(read.items())}
    families: list[dna_matching.Family] = []
    skipped: dict[int, str] = {}
    if case_ids:
        families, skipped = dna_matching.families(session, actor, master, reason, case_ids, markers)
    result = IncidentResult(incident.id, "joint", None, {k: v[0] for k, v in remains.items()}, [])
    result.bound = max_assignments
    for sample in incident.remains:
        if sample.id not in remains:
            result.not_used[f"remains {sample.code}"] = NO_PROFILE
            result.unused_remains.append(sample.id)
    with_family = {family.case_id for family in families}
    for case_id in sorted(case_ids - with_family):
        why = skipped.get(case_id, NO_REFERENCES)
        result.not_used[f"case {case_names[case_id]}"] = why
        result.unused_cases[case_id] = why
    result.cases = [family.case_id for family in families]
    if not remains or not families:
        result.method = "none"
        return result
    try:
        problem = build_problem(markers, remains, families, case_names, incident.name)
        _pairwise(problem, result)
        total = assignment_count(len(problem.data.victims), len(problem.data.missing))
        if total > max_assignments:
            result.method = "pairwise"
            result.why_pairwise = (
                f"{len(problem.data.victims)} remains x {len(problem.data.missing)} families give "
                + f"{total:,} joint assignments, beyond the engine's bound of {max_assignments:,}; "
                "each pairing is scored alone (dvir's pairwise LR)"
            )
            result.assignments = total
        else:
            # Counted above (the engine's own count stops at 24 missing persons; every remains here
            # may be anyone, so the count has a closed form): the engine enumerates without recounting.
            joint = dvi_joint(problem.data, max_assign=None)
            _fill_joint(problem, joint, result)
    except DnaInputError as error:
        raise Conflict(f"incident {incident.name!r}: {error}") from None
    auditing.record_event(
        session,
        actor,
        action="incident.joint",
        entity="incidents",
        entity_id=str(incident.id),
        values={
            "reason": reason,
            "method": result.method,
            "remains": sorted(remains),
            "cases": result.cases,
            "assignments": result.assignments,
        },
    )
    return result


def _pairwise(problem: Problem, result: IncidentResult) -> None:
    pair = pairwise_matrices(problem.data, exclusions=False)
    for i, victim in enumerate(pair.victims):
        for j, missing in enumerate(pair.missing):
            lr = float(pair.lr[i, j])
            key = (problem.remains_of[victim], problem.case_of[missing])
            result.pairwise[key] = math.log10(lr) if lr > 0 and math.isfinite(lr) else None


def _fill_joint(problem: Problem, joint: JointResult, result: IncidentResult) -> None:
    result.assignments = joint.n_assignments
    result.prior = f"flat: each of the {joint.n_assignments:,} possible assignments equally likely (dvir)"
    posterior = joint.posterior()
    for r in range(min(SHOWN_ROWS, joint.n_assignments)):
        labels = joint.row_labels(r)
        pairs = {
            problem.remains_of[v]: (None if label == NO_MATCH else problem.case_of[label])
            for v, label in labels.items()
        }
        log10_lr = _log10(float(joint.loglik[r]) - joint.loglik_null)
        result.rows.append(JointRow(r + 1, pairs, log10_lr, float(posterior[r])))
    marginals = joint.marginals()
    for i, victim in enumerate(joint.victims):
        sample_id = problem.remains_of[victim]
        for j, missing in enumerate(joint.missing):
            result.marginals[(sample_id, problem.case_of[missing])] = float(marginals[i, j])
        result.marginals[(sample_id, None)] = float(marginals[i, -1])


def propose(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    incident_id: int,
    remains_sample_id: int,
    case_id: int,
    reason: str,
) -> DnaComparison:
    """Propose the pairing as an identification: it becomes (or is) the pair's candidate, scored
    pairwise as every candidate is, and enters the four-eyes review with the incident's joint
    posterior named in the reason. A second analyst confirms it as any other."""
    require_role(actor, Role.ANALYST, action="propose identifications")
    incident = get_incident(session, actor, incident_id)
    if remains_sample_id not in {sample.id for sample in incident.remains}:
        raise ValidationFailed(
            "remains_sample_id", f"sample {remains_sample_id} is not of incident {incident.name!r}"
        )
    if case_id not in {row.case_id for row in incident.cases}:
        raise ValidationFailed("case_id", f"case {case_id} is not considered for incident {incident.name!r}")
    if not reason.strip():
        raise ValidationFailed("reason", "give the reason for this decision")
    if len(reason.strip()) > MAX_REASON:  # the incident's basis is added to it for the review
        raise ValidationFailed("reason", f"is longer than {MAX_REASON} characters")
    result = joint_identification(session, actor, master, markers, incident_id)
    if remains_sample_id not in result.remains or case_id not in result.cases:
        raise Conflict("the pairing has no usable profiles now; see why on the incident page")
    if result.method == "joint":
        basis = (
            f"incident {incident.name}: joint posterior {result.marginals[(remains_sample_id, case_id)]:.4f} "
            f"with the prior {result.prior}"
        )
    else:
        basis = f"incident {incident.name}: pairwise ({result.why_pairwise})"
    row = dna_matching.record_candidate(session, actor, master, markers, remains_sample_id, case_id, basis)
    return dna_review.propose(session, actor, row.id, f"{reason.strip()} [{basis}]")
