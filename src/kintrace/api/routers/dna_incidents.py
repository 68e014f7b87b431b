"""Incidents (a grave, a crash) and the joint identification of their remains: staff only.

A family never reaches these: incidents name remains, bodies and other families' cases. The joint
result is computed on demand (never stored: a withdrawn consent must leave every later result), its
genotype reads audited with the incident named as the reason.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, status
from pydantic import Field

from kintrace.api.auth import CurrentActor
from kintrace.api.routers.dna import CandidateOut, server_key, server_markers
from kintrace.api.schemas import In, Out
from kintrace.domain.dna_samples import IncidentKind
from kintrace.domain.records import PartialDate
from kintrace.domain.vocabulary import Role
from kintrace.http.deps import Db, PathId
from kintrace.services import dna_incidents, dna_profiles
from kintrace.services.access import require_role
from kintrace.store.models import Incident

router = APIRouter(tags=["dna"])


class IncidentIn(In):
    name: str = Field(min_length=1, max_length=300, description="The incident's name (unique)")
    kind: IncidentKind = IncidentKind.OTHER
    place: str | None = Field(None, max_length=300)
    occurred_on: PartialDate | None = None
    notes: str | None = Field(None, max_length=4000)


class IncidentCaseIn(In):
    case_id: int = Field(ge=1, le=2**31 - 1)


class ProposalIn(In):
    remains_sample_id: int = Field(ge=1, le=2**31 - 1)
    case_id: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=1500)


class IncidentSummaryOut(Out):
    id: int
    name: str
    kind: IncidentKind
    place: str | None
    occurred_on: PartialDate | None
    remains: int = Field(description="Remains samples of the incident")
    cases: int = Field(description="Families (cases) considered for it")


class IncidentRemainsOut(Out):
    id: int
    code: str
    body_number: str | None
    recovered_on: dt.date | None
    has_profile: bool


class IncidentCaseOut(Out):
    case_id: int
    reference: str
    added_at: dt.datetime


class IncidentOut(Out):
    id: int
    name: str
    kind: IncidentKind
    place: str | None
    occurred_on: PartialDate | None
    notes: str | None
    remains: list[IncidentRemainsOut]
    cases: list[IncidentCaseOut]


class PairOut(Out):
    remains_sample_id: int
    case_id: int | None = Field(description="null: none of the considered families")


class JointRowOut(Out):
    rank: int
    pairs: list[PairOut]
    log10_lr: float | None = Field(description="Against 'nobody identified'; null: impossible")
    posterior: float


class MarginalOut(PairOut):
    posterior: float


class PairwiseOut(Out):
    remains_sample_id: int
    case_id: int
    log10_lr: float | None = Field(description="null: excluded")


class JointOut(Out):
    incident_id: int
    method: str = Field(
        description="joint (the engine's joint DVI), pairwise (too large for the joint search), or none "
        "(no remains or no family with usable profiles)"
    )
    why_pairwise: str | None
    assignments: int = Field(description="Joint assignments considered")
    prior: str
    remains: dict[str, str] = Field(description="Remains sample id -> code, those compared")
    cases: list[int]
    not_used: dict[str, str] = Field(description="Remains or cases left out, and why")
    rows: list[JointRowOut]
    marginals: list[MarginalOut]
    pairwise: list[PairwiseOut]


def _incident_out(session: Db, incident: Incident) -> IncidentOut:
    return IncidentOut(
        id=incident.id,
        name=incident.name,
        kind=incident.kind,
        place=incident.place,
        occurred_on=incident.occurred_on,
        notes=incident.notes,
        remains=[
            IncidentRemainsOut(
                id=sample.id,
                code=sample.code,
                body_number=sample.body_number,
                recovered_on=sample.recovered_on,
                has_profile=dna_profiles.has_profile(session, sample.id),
            )
            for sample in incident.remains
        ],
        cases=[
            IncidentCaseOut(case_id=row.case_id, reference=row.case.reference, added_at=row.added_at)
            for row in incident.cases
        ],
    )


@router.get("/dna/incidents", response_model=list[IncidentSummaryOut])
def list_incidents(actor: CurrentActor, session: Db) -> list[IncidentSummaryOut]:
    return [
        IncidentSummaryOut(
            id=row.incident.id,
            name=row.incident.name,
            kind=row.incident.kind,
            place=row.incident.place,
            occurred_on=row.incident.occurred_on,
            remains=row.remains,
            cases=row.cases,
        )
        for row in dna_incidents.list_incidents(session, actor)
    ]


@router.post("/dna/incidents", response_model=IncidentOut, status_code=status.HTTP_201_CREATED)
def create_incident(body: IncidentIn, actor: CurrentActor, session: Db) -> IncidentOut:
    made = dna_incidents.create_incident(session, actor, dna_incidents.IncidentInput(**dict(body)))
    return _incident_out(session, dna_incidents.get_incident(session, actor, made.id))


@router.get("/dna/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: PathId, actor: CurrentActor, session: Db) -> IncidentOut:
    return _incident_out(session, dna_incidents.get_incident(session, actor, incident_id))


@router.post(
    "/dna/incidents/{incident_id}/cases", response_model=IncidentOut, status_code=status.HTTP_201_CREATED
)
def add_case(incident_id: PathId, body: IncidentCaseIn, actor: CurrentActor, session: Db) -> IncidentOut:
    """Consider a family (its case) for the incident's joint identification."""
    dna_incidents.add_case(session, actor, incident_id, body.case_id)
    session.expire_all()
    return _incident_out(session, dna_incidents.get_incident(session, actor, incident_id))


@router.delete("/dna/incidents/{incident_id}/cases/{case_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_case(incident_id: PathId, case_id: PathId, actor: CurrentActor, session: Db) -> None:
    """No longer consider a family for the incident."""
    dna_incidents.remove_case(session, actor, incident_id, case_id)


@router.get("/dna/incidents/{incident_id}/joint", response_model=JointOut)
def joint(incident_id: PathId, request: Request, actor: CurrentActor, session: Db) -> JointOut:
    """The incident's remains against its families, jointly (dvir's jointDVI: ranked assignments with
    the LR against 'nobody identified' and the posterior under a flat prior, and each pairing's
    marginal posterior), or pairwise when beyond the engine's bound. Computed now; reads audited."""
    dna_incidents.get_incident(session, actor, incident_id)  # who may, and which, before the table
    result = dna_incidents.joint_identification(
        session, actor, server_key(request), server_markers(), incident_id
    )
    return JointOut(
        incident_id=result.incident_id,
        method=result.method,
        why_pairwise=result.why_pairwise,
        assignments=result.assignments,
        prior=result.prior,
        remains={str(k): v for k, v in result.remains.items()},
        cases=result.cases,
        not_used=result.not_used,
        rows=[
            JointRowOut(
                rank=row.rank,
                pairs=[PairOut(remains_sample_id=r, case_id=c) for r, c in row.pairs.items()],
                log10_lr=row.log10_lr,
                posterior=row.posterior,
            )
            for row in result.rows
        ],
        marginals=[
            MarginalOut(remains_sample_id=r, case_id=c, posterior=p) for (r, c), p in result.marginals.items()
        ],
        pairwise=[
            PairwiseOut(remains_sample_id=r, case_id=c, log10_lr=lr) for (r, c), lr in result.pairwise.items()
        ],
    )


@router.post("/dna/incidents/{incident_id}/proposals", response_model=CandidateOut)
def propose(
    incident_id: PathId, body: ProposalIn, request: Request, actor: CurrentActor, session: Db
) -> CandidateOut:
    """Propose a remains-family pairing of the incident as an identification: it joins the four-eyes
    review as a candidate (a second analyst confirms it), with the joint posterior in the reason."""
    require_role(actor, Role.ANALYST, action="propose identifications")  # before the table is asked for
    row = dna_incidents.propose(
        session,
        actor,
        server_key(request),
        server_markers(),
        incident_id,
        body.remains_sample_id,
        body.case_id,
        body.reason,
    )
    return CandidateOut.model_validate(row)
