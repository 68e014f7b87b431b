"""DNA identification: samples with consent and custody, encrypted profiles, candidates, review.

Families see their own case's samples (who gave them, when, the consent), the search log and the
identifications they were told of; never sample codes, laboratories' data, LRs or genotypes.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, Response, UploadFile, status
from pydantic import Field

from kintrace.api.auth import CurrentActor
from kintrace.api.problems import Problem
from kintrace.api.schemas import In, Out
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.domain.dna_samples import (
    CandidateState,
    CustodyStep,
    DonorSex,
    Kinship,
    MatchBasis,
    SampleKind,
)
from kintrace.http.deps import MAX_ID, Db, PathId
from kintrace.services import (
    dna_arrival,
    dna_consent_forms,
    dna_direct,
    dna_frequencies,
    dna_matching,
    dna_profiles,
    dna_review,
    dna_samples,
    dna_strength,
)
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES, content_disposition
from kintrace.services.genetic_crypto import MasterKey

router = APIRouter(tags=["dna"])

MAX_EXPORT_BYTES = 50 * 1024 * 1024


class ReferenceIn(In):
    code: str = Field(min_length=1, max_length=64, description="The laboratory's sample id")
    relative_id: int
    kinship: Kinship | None = Field(
        None,
        description="The donor's kinship to the missing person, as the pedigree needs it; left out, it "
        "follows from the relative's relationship when only one fits (a mother: mother; a grandmother: "
        "paternal_grandmother or maternal_grandmother must be given). It must fit the relationship.",
    )
    donor_sex: DonorSex = DonorSex.UNKNOWN
    collected_on: dt.date
    collector: str = Field(min_length=1, max_length=200)
    laboratory: str = Field(min_length=1, max_length=200)
    consent_on: dt.date = Field(description="Date of the signed consent (identification of this person only)")
    kit: str | None = Field(None, max_length=100)


class RemainsIn(In):
    code: str = Field(min_length=1, max_length=64)
    incident: str = Field(min_length=1, max_length=300, description="Incident or site")
    recovered_on: dt.date
    body_number: str = Field(min_length=1, max_length=64, description="Body or bag number")
    laboratory: str = Field(min_length=1, max_length=200)


class PersonalEffectIn(In):
    """An object the missing person used, for his own DNA: no donor, so no consent; what and from whom."""

    code: str = Field(min_length=1, max_length=64, description="The laboratory's sample id")
    item: str = Field(min_length=1, max_length=200, description="What the object is (a toothbrush, a razor)")
    handed_over_by: str = Field(min_length=1, max_length=200, description="Who handed it over")
    handed_over_on: dt.date
    laboratory: str = Field(min_length=1, max_length=200)


class CustodyIn(In):
    step: CustodyStep
    on: dt.date
    by: str = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=2000)


class WithdrawIn(In):
    on: dt.date | None = None
    note: str | None = Field(None, max_length=2000)


class ReasonIn(In):
    reason: str = Field(min_length=1, max_length=2000)


class ToldIn(In):
    on: dt.date


class ConsentOut(Out):
    scope: str
    given_on: dt.date
    withdrawn_on: dt.date | None
    form_filename: str | None = Field(None, description="The signed consent form on file, if any")
    form_media_type: str | None = None
    form_size_bytes: int | None = None


class CustodyOut(Out):
    step: CustodyStep
    on: dt.date
    by: str
    note: str | None


class SampleOut(Out):
    id: int
    code: str
    kind: SampleKind
    case_id: int | None
    relative_id: int | None
    kinship: Kinship | None
    donor_sex: DonorSex
    collected_on: dt.date | None
    collector: str | None
    laboratory: str
    kit: str | None
    incident: str | None
    incident_id: int | None = Field(None, description="The remains' incident (/dna/incidents/{id})")
    recovered_on: dt.date | None
    body_number: str | None
    effect_item: str | None = Field(description="Personal effect: what the object is")
    handed_over_by: str | None = Field(description="Personal effect: who handed it over")
    consent: ConsentOut | None
    has_profile: bool = False


class SampleDetailOut(SampleOut):
    custody: list[CustodyOut]


class FamilySampleOut(Out):
    """What a family sees of a sample: who gave it, when, and the consent."""

    sample_id: int
    donor: str
    kinship: Kinship | None
    collected_on: dt.date | None
    consent_on: dt.date | None
    withdrawn_on: dt.date | None
    may_withdraw: bool
    form_on_file: bool = Field(False, description="A signed consent form is on file (staff download it)")


class ReferenceUsedOut(Out):
    sample: str
    kinship: Kinship


class SuggestionOut(Out):
    kinship: Kinship = Field(description="The relative to ask for a sample")
    p_true: float = Field(description="P(LR >= 10^4 | true) once that relative is typed (simulated)")


class StrengthOut(Out):
    """A family's reference strength as stored for its current references (issue 14)."""

    state: dna_strength.State = Field(
        description="current: computed for the references the family has now; not_computed: never, or "
        "the references (or the frequency table) changed since; no_references: no live reference"
    )
    computed_at: dt.datetime | None = None
    simulations: int | None = None
    seed: int | None = None
    threshold: float | None = None
    frequency_table: str | None = Field(None, description="SHA-256 of the allele frequency table used")
    references: list[ReferenceUsedOut] = Field(default_factory=list)
    markers: int | None = None
    exclusion_power: float | None = Field(None, description="Exact: an unrelated person is excluded")
    p_true: float | None = Field(None, description="P(LR >= threshold | the remains are the missing person)")
    p_unrelated: float | None = Field(None, description="P(LR >= threshold | an unrelated person)")
    weak: bool = Field(False, description=f"p_true below {dna_strength.WEAK_BELOW}")
    suggestions: list[SuggestionOut] = Field(
        default_factory=list, description="For a weak family: whom to ask for a sample next, best first"
    )
    not_computed_reason: str | None = None


def strength_out(strength: dna_strength.Strength) -> StrengthOut:
    row = strength.row
    if row is None:
        return StrengthOut(state=strength.state)
    return StrengthOut(
        state=strength.state,
        computed_at=row.computed_at,
        simulations=row.simulations,
        seed=row.seed,
        threshold=row.threshold,
        frequency_table=row.frequency_table,
        references=[
            ReferenceUsedOut(sample=r["sample"], kinship=r["kinship"]) for r in row.reference_samples
        ],
        markers=row.markers,
        exclusion_power=row.exclusion_power,
        p_true=row.p_true,
        p_unrelated=row.p_unrelated,
        weak=strength.weak,
        suggestions=[SuggestionOut(kinship=s.kinship, p_true=s.p_true) for s in strength.suggestions],
        not_computed_reason=row.not_computed,
    )


class CandidateOut(Out):
    id: int
    case_id: int
    remains_sample_id: int
    basis: MatchBasis = Field(
        description="kinship: the family's references through the pedigree; personal_effect: the remains "
        "are the missing person himself (an identity match with his own DNA on a personal effect)"
    )
    effect_sample_id: int | None = Field(
        description="The personal effect that gave the LR (basis personal_effect)"
    )
    log10_lr: float | None
    exclusions: int
    marker_lrs: dict[str, float]
    references: int
    prior: float
    prior_name: str
    posterior: float
    state: CandidateState | None
    proposed_by_id: int | None
    proposed_reason: str | None
    confirmed_by_id: int | None
    confirmed_reason: str | None
    family_told_on: dt.date | None
    evidence_id: int | None
    reference_strength: StrengthOut | None = Field(
        None, description="The family's reference strength (exclusion power, P(LR >= 10^4 | true))"
    )


class AssociationOut(Out):
    """Two remains profiles scored as one person (fragments of one victim), and its review."""

    id: int
    first_sample_id: int
    second_sample_id: int
    log10_lr: float | None
    exclusions: int
    shared_markers: int = Field(description="Markers typed in both fragments (the LR is over these)")
    marker_lrs: dict[str, float]
    state: CandidateState | None
    proposed_by_id: int | None
    proposed_reason: str | None
    confirmed_by_id: int | None
    confirmed_reason: str | None


class FragmentOut(Out):
    id: int
    code: str
    incident: str | None
    body_number: str | None


class FragmentGroupOut(Out):
    """Fragments confirmed to be one person; the identification of any of them names them all."""

    samples: list[FragmentOut]
    identification_id: int | None = Field(description="The confirmed identification (a candidate's id)")
    case_id: int | None = Field(description="The case the group is identified to")


class SearchLogOut(Out):
    compared: int = Field(description="Remains profiles the family's references were compared with")
    latest: dt.date | None
    identified: bool


class ImportOut(Out):
    imported: int
    comparisons: int
    candidates: int
    not_scored: dict[int, str]
    ignored_columns: list[str]
    direct_pairs: int = Field(0, description="Remains scored against personal effects and other remains")
    direct_candidates: int = Field(0, description="Candidate identifications from personal effects")
    associations: int = Field(0, description="Remains proposed as fragments of one person, to review")


def server_key(request: Request) -> MasterKey:
    key: MasterKey = request.app.state.genetic_key
    return key


def server_markers() -> dict[str, Marker]:
    try:
        markers = dna_frequencies.configured_markers()
    except DnaInputError as error:
        raise Problem(503, "bad-frequency-table", str(error)) from None
    if markers is None:
        raise Problem(503, "no-frequency-table", dna_frequencies.NOT_CONFIGURED)
    return markers


def _sample_out(session: Db, sample: object) -> SampleDetailOut:
    out = SampleDetailOut.model_validate(sample)
    out.has_profile = dna_profiles.has_profile(session, out.id)
    return out


@router.post(
    "/cases/{case_id}/dna/samples", response_model=SampleDetailOut, status_code=status.HTTP_201_CREATED
)
def add_reference(case_id: PathId, body: ReferenceIn, actor: CurrentActor, session: Db) -> SampleDetailOut:
    """Record a reference sample from a relative of the case, with the consent it was given under."""
    sample = dna_samples.add_reference(
        session, actor, case_id, dna_samples.ReferenceInput(**body.model_dump())
    )
    session.flush()
    session.refresh(sample)
    return _sample_out(session, sample)


@router.get("/cases/{case_id}/dna/samples", response_model=list[FamilySampleOut])
def family_samples(case_id: PathId, actor: CurrentActor, session: Db) -> list[FamilySampleOut]:
    """The case's reference samples as its family sees them (staff see the same through this view)."""
    return [FamilySampleOut.model_validate(row) for row in dna_samples.family_view(session, actor, case_id)]


@router.get("/cases/{case_id}/dna/search-log", response_model=SearchLogOut)
def search_log(case_id: PathId, actor: CurrentActor, session: Db) -> SearchLogOut:
    log = dna_matching.search_log(session, actor, case_id)
    told = dna_review.family_identifications(session, actor, case_id)
    return SearchLogOut(compared=log.compared, latest=log.latest, identified=bool(told))


@router.post("/dna/remains", response_model=SampleDetailOut, status_code=status.HTTP_201_CREATED)
def add_remains(body: RemainsIn, actor: CurrentActor, session: Db) -> SampleDetailOut:
    sample = dna_samples.add_remains(session, actor, dna_samples.RemainsInput(**body.model_dump()))
    session.flush()
    session.refresh(sample)
    return _sample_out(session, sample)


@router.post(
    "/cases/{case_id}/dna/personal-effects",
    response_model=SampleDetailOut,
    status_code=status.HTTP_201_CREATED,
)
def add_personal_effect(
    case_id: PathId, body: PersonalEffectIn, actor: CurrentActor, session: Db
) -> SampleDetailOut:
    """Record a personal effect of the missing person (his own DNA); its profile is compared with every
    remains profile as an identity match when it arrives."""
    sample = dna_samples.add_personal_effect(
        session, actor, case_id, dna_samples.PersonalEffectInput(**body.model_dump())
    )
    session.flush()
    session.refresh(sample)
    return _sample_out(session, sample)


@router.get("/dna/samples", response_model=list[SampleOut])
def list_samples(
    actor: CurrentActor, session: Db, case_id: int | None = None, kind: SampleKind | None = None
) -> list[SampleOut]:
    rows = dna_samples.list_samples(session, actor, case_id=case_id, kind=kind)
    return [SampleOut.model_validate(row) for row in rows]


@router.get("/dna/samples/{sample_id}", response_model=SampleDetailOut)
def get_sample(sample_id: PathId, actor: CurrentActor, session: Db) -> SampleDetailOut:
    return _sample_out(session, dna_samples.get_sample(session, actor, sample_id))


@router.post(
    "/dna/samples/{sample_id}/custody", response_model=CustodyOut, status_code=status.HTTP_201_CREATED
)
def add_custody(sample_id: PathId, body: CustodyIn, actor: CurrentActor, session: Db) -> CustodyOut:
    event = dna_samples.add_custody(session, actor, sample_id, body.step, body.on, body.by, body.note)
    return CustodyOut.model_validate(event)


@router.post("/dna/samples/{sample_id}/withdraw-consent", response_model=FamilySampleOut)
def withdraw_consent(
    sample_id: PathId, body: WithdrawIn, request: Request, actor: CurrentActor, session: Db
) -> FamilySampleOut:
    """Withdraw consent (the donor, or a caseworker for them): the profile's key is destroyed."""
    markers = server_markers() if dna_frequencies.configured() else None
    dna_arrival.withdraw_consent(
        session, actor, server_key(request), markers, sample_id, on=body.on, note=body.note
    )
    return FamilySampleOut.model_validate(dna_samples.family_sample(session, actor, sample_id))


@router.post("/dna/samples/{sample_id}/consent-form", response_model=ConsentOut)
def upload_consent_form(
    sample_id: PathId,
    actor: CurrentActor,
    session: Db,
    file: UploadFile = File(..., description="The signed consent form: PDF, JPEG or PNG"),
) -> ConsentOut:
    """Store the signed consent form with the sample's consent (caseworkers and admins)."""
    data = file.file.read(MAX_ATTACHMENT_BYTES + 1)
    consent = dna_consent_forms.attach_form(
        session, actor, sample_id, filename=file.filename or "consent", data=data
    )
    return ConsentOut.model_validate(consent)


@router.get("/dna/samples/{sample_id}/consent-form", response_class=Response)
def download_consent_form(sample_id: PathId, actor: CurrentActor, session: Db) -> Response:
    """The signed consent form, for staff only; every download is audited."""
    form = dna_consent_forms.read_form(session, actor, sample_id)
    return Response(
        form.data,
        media_type=form.media_type,
        headers={"Content-Disposition": content_disposition(form.filename)},
    )


@router.post("/dna/profiles/import", response_model=ImportOut, status_code=status.HTTP_201_CREATED)
def import_profiles(
    request: Request,
    actor: CurrentActor,
    session: Db,
    file: UploadFile = File(..., description="A lab export in the long or the wide CSV layout"),
) -> ImportOut:
    """Import a lab export (all or nothing) and score the new profiles at once."""
    # Who may import is settled first: a family is refused whatever the file or the configuration.
    dna_profiles.require_importer(actor)
    data = file.file.read(MAX_EXPORT_BYTES + 1)
    if len(data) > MAX_EXPORT_BYTES:
        raise Problem(413, "export-too-large", f"The file is larger than {MAX_EXPORT_BYTES} bytes.")
    markers = server_markers()
    name = Path(file.filename or "export.csv").name
    with tempfile.TemporaryDirectory(prefix="kintrace-export-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        result = dna_arrival.import_and_match(session, actor, server_key(request), markers, path)
    return ImportOut(
        imported=len(result.imported.profiles),
        comparisons=result.matching.pairs,
        candidates=result.matching.candidates,
        not_scored=result.matching.skipped,
        ignored_columns=list(result.imported.ignored_columns),
        direct_pairs=result.direct.pairs,
        direct_candidates=result.direct.candidates,
        associations=result.direct.associations,
    )


@router.post("/dna/samples/{sample_id}/genotypes", response_model=dict[str, list[str | None]])
def read_genotypes(
    sample_id: PathId, body: ReasonIn, request: Request, actor: CurrentActor, session: Db
) -> dict[str, list[str | None]]:
    """An analyst's read of one profile's genotypes; the reason is written to the audit log."""
    genotypes = dna_profiles.read_genotypes(session, actor, server_key(request), sample_id, body.reason)
    return {marker: list(pair) for marker, pair in genotypes.items()}


@router.get("/dna/candidates", response_model=list[CandidateOut])
def candidates(actor: CurrentActor, session: Db, state: CandidateState | None = None) -> list[CandidateOut]:
    rows = dna_matching.list_candidates(session, actor, state=state)
    try:
        markers = dna_frequencies.configured_markers()
    except DnaInputError:
        markers = None  # a bad table: the candidates still list, their strength reads as not computed
    found = {} if markers is None else dna_strength.strengths(session, {row.case_id for row in rows}, markers)
    out = []
    for row in rows:
        candidate = CandidateOut.model_validate(row)
        strength = found.get(row.case_id, dna_strength.Strength(row.case_id, dna_strength.State.NOT_COMPUTED))
        candidate.reference_strength = strength_out(strength)
        out.append(candidate)
    return out


@router.get("/cases/{case_id}/dna/strength", response_model=StrengthOut)
def get_strength(case_id: PathId, actor: CurrentActor, session: Db) -> StrengthOut:
    """The family's reference strength as stored, and whom to ask next when weak; `not_computed` when
    it was never computed or the references changed since (staff only)."""
    return strength_out(dna_strength.get_strength(session, actor, case_id, server_markers()))


@router.post("/cases/{case_id}/dna/strength", response_model=StrengthOut)
def compute_strength(case_id: PathId, request: Request, actor: CurrentActor, session: Db) -> StrengthOut:
    """Compute the family's reference strength now (the references decrypted in memory, audited) and,
    for a weak family, rank the relatives who could still give a sample (staff only)."""
    return strength_out(dna_strength.compute(session, actor, server_key(request), server_markers(), case_id))


@router.post("/dna/candidates/{comparison_id}/propose", response_model=CandidateOut)
def propose(comparison_id: PathId, body: ReasonIn, actor: CurrentActor, session: Db) -> CandidateOut:
    return CandidateOut.model_validate(dna_review.propose(session, actor, comparison_id, body.reason))


@router.post("/dna/candidates/{comparison_id}/confirm", response_model=CandidateOut)
def confirm(comparison_id: PathId, body: ReasonIn, actor: CurrentActor, session: Db) -> CandidateOut:
    return CandidateOut.model_validate(dna_review.confirm(session, actor, comparison_id, body.reason))


@router.post("/dna/candidates/{comparison_id}/reject", response_model=CandidateOut)
def reject(comparison_id: PathId, body: ReasonIn, actor: CurrentActor, session: Db) -> CandidateOut:
    return CandidateOut.model_validate(dna_review.reject(session, actor, comparison_id, body.reason))


@router.post("/dna/candidates/{comparison_id}/family-told", response_model=CandidateOut)
def family_told(comparison_id: PathId, body: ToldIn, actor: CurrentActor, session: Db) -> CandidateOut:
    return CandidateOut.model_validate(dna_review.record_family_told(session, actor, comparison_id, body.on))


class ExportIn(In):
    reason: str = Field(min_length=1, max_length=2000, description="Why the genotypes leave (audited)")
    case_id: int | None = Field(None, ge=1, le=MAX_ID, description="Every live profile of this case")
    sample_codes: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=1000, description="Or these samples (the laboratory's codes)"
    )


@router.post(
    "/dna/profiles/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "Genotypes in the long CSV layout."}},
)
def export_profiles(body: ExportIn, request: Request, actor: CurrentActor, session: Db) -> Response:
    """An analyst's export of one case's (or named samples') genotypes for another laboratory or a DVI
    tool, in the long layout the importer reads; each profile's read is audited with the reason."""
    made = dna_profiles.export_profiles(
        session,
        actor,
        server_key(request),
        body.reason,
        case_id=body.case_id,
        sample_codes=tuple(body.sample_codes),
    )
    return Response(
        made.csv_text,
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="dna-profiles.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/dna/associations", response_model=list[AssociationOut])
def associations(
    actor: CurrentActor, session: Db, state: CandidateState | None = None
) -> list[AssociationOut]:
    """Remains proposed as one person, strongest first: those waiting for review unless a state is asked."""
    rows = dna_direct.list_associations(session, actor, state=state)
    return [AssociationOut.model_validate(row) for row in rows]


@router.post("/dna/associations/{association_id}/propose", response_model=AssociationOut)
def propose_association(
    association_id: PathId, body: ReasonIn, actor: CurrentActor, session: Db
) -> AssociationOut:
    return AssociationOut.model_validate(
        dna_direct.propose_association(session, actor, association_id, body.reason)
    )


@router.post("/dna/associations/{association_id}/confirm", response_model=AssociationOut)
def confirm_association(
    association_id: PathId, body: ReasonIn, actor: CurrentActor, session: Db
) -> AssociationOut:
    """A second analyst confirms: the fragments join one group, identified once for all of them."""
    return AssociationOut.model_validate(
        dna_direct.confirm_association(session, actor, association_id, body.reason)
    )


@router.post("/dna/associations/{association_id}/reject", response_model=AssociationOut)
def reject_association(
    association_id: PathId, body: ReasonIn, actor: CurrentActor, session: Db
) -> AssociationOut:
    return AssociationOut.model_validate(
        dna_direct.reject_association(session, actor, association_id, body.reason)
    )


@router.get("/dna/fragment-groups", response_model=list[FragmentGroupOut])
def fragment_groups(actor: CurrentActor, session: Db) -> list[FragmentGroupOut]:
    """Fragments of remains confirmed to be one person, with the case they are identified to."""
    return [
        FragmentGroupOut(
            samples=[FragmentOut.model_validate(sample) for sample in group.samples],
            identification_id=group.identification.id if group.identification else None,
            case_id=group.identification.case_id if group.identification else None,
        )
        for group in dna_direct.list_fragment_groups(session, actor)
    ]
