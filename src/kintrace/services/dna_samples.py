"""DNA samples: references from a case's relatives (with consent), remains, and their chain of custody.

Access: caseworkers and admins record samples, consent and custody; analysts read them; a family
account sees only that samples of its own cases exist, who gave them and when, and the consent with
how to withdraw it (`family_view`), never sample codes, laboratories' data or genotypes. Any other
case answers "not found". A donor with an account of their own may withdraw their consent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain.dna_samples import (
    ConsentScope,
    CustodyStep,
    Donor,
    DonorSex,
    IncidentKind,
    Kinship,
    PedigreeLayout,
    SampleKind,
    pedigree_layout,
)
from kintrace.domain.errors import DomainError, InvalidValue
from kintrace.domain.relationships import Relationship, reference_kinship
from kintrace.domain.vocabulary import CaseState, Sex
from kintrace.services import auditing
from kintrace.services.access import Actor, require_staff, require_writer, visible_case
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.store.models import (
    DnaConsent,
    DnaCustodyEvent,
    DnaProfile,
    DnaSample,
    Incident,
    MissingPerson,
    Relative,
)

MAX_TEXT = 200


@dataclass(frozen=True)
class ReferenceInput:
    code: str  # the laboratory's sample id
    relative_id: int
    kinship: Kinship | None  # None: from the relative's relationship, when only one kinship fits
    donor_sex: DonorSex
    collected_on: dt.date
    collector: str
    laboratory: str
    consent_on: dt.date  # the signed consent, scope: this missing person only
    kit: str | None = None


@dataclass(frozen=True)
class RemainsInput:
    code: str
    incident: str
    recovered_on: dt.date
    body_number: str
    laboratory: str


@dataclass(frozen=True)
class PersonalEffectInput:
    """An object the missing person used (a toothbrush, a razor), handed over by someone for typing."""

    code: str
    item: str  # what the object is
    handed_over_by: str  # who handed it over (a relative, a flatmate)
    handed_over_on: dt.date
    laboratory: str


@dataclass(frozen=True)
class FamilySample:
    """What a family sees of one reference sample."""

    sample_id: int
    donor: str
    kinship: Kinship | None
    collected_on: dt.date | None
    consent_on: dt.date | None
    withdrawn_on: dt.date | None
    may_withdraw: bool  # the viewer is the donor
    form_on_file: bool = False  # a signed consent form is stored (its contents are staff-only)


def _text(field: str, value: str | None, *, required: bool = True, most: int = MAX_TEXT) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationFailed(field, "must not be empty")
        return None
    if len(value) > most:
        raise ValidationFailed(field, f"is longer than {most} characters")
    return value


def _not_future(field: str, value: dt.date, today: dt.date | None) -> None:
    if value > (today or dt.date.today()):
        raise ValidationFailed(field, f"{value.isoformat()} is in the future")


def _free_code(session: Session, code: str | None) -> str:
    code = _text("code", code, most=64)
    assert code is not None
    if session.scalar(select(DnaSample.id).where(DnaSample.code == code)) is not None:
        raise Conflict(f"sample code {code} is already registered")
    return code


def add_reference(
    session: Session, actor: Actor, case_id: int, data: ReferenceInput, *, today: dt.date | None = None
) -> DnaSample:
    require_writer(actor, "record DNA samples")
    case = visible_case(session, actor, case_id)
    if case.state is CaseState.MERGED:
        raise Conflict(f"case {case.reference} was merged into another; record the sample there")
    relative = session.get(Relative, data.relative_id)
    if relative is None or relative.case_id != case.id:
        raise ValidationFailed("relative_id", f"relative {data.relative_id} is not a relative in this case")
    for field, value in (("collected_on", data.collected_on), ("consent_on", data.consent_on)):
        _not_future(field, value, today)
    try:
        kinship = reference_kinship(
            Relationship(relative.relationship_), None if data.kinship is None else Kinship(data.kinship)
        )
    except InvalidValue as error:
        raise ValidationFailed(error.field, error.message) from None
    code = _free_code(session, data.code)
    _check_family(session, case.id, Donor(code, kinship, DonorSex(data.donor_sex)))
    sample = DnaSample(
        code=code,
        kind=SampleKind.REFERENCE,
        case_id=case.id,
        relative_id=relative.id,
        kinship=kinship,
        donor_sex=DonorSex(data.donor_sex),
        collected_on=data.collected_on,
        collector=_text("collector", data.collector),
        laboratory=_text("laboratory", data.laboratory),
        kit=_text("kit", data.kit, required=False, most=100),
        created_by_id=actor.user_id,
    )
    session.add(sample)
    auditing.record(session, actor, "dna_sample.create", sample)
    consent = DnaConsent(
        sample_id=sample.id,
        scope=ConsentScope.THIS_MISSING_PERSON,
        given_on=data.consent_on,
        recorded_by_id=actor.user_id,
    )
    session.add(consent)
    auditing.record(
        session,
        actor,
        "dna_consent.create",
        consent,
        after={**auditing.snapshot(consent), "case_id": case.id},
    )
    add_custody(
        session,
        actor,
        sample.id,
        CustodyStep.COLLECTED,
        data.collected_on,
        sample.collector or "",
        today=today,
    )
    return sample


_DONOR_SEX = {Sex.MALE: DonorSex.MALE, Sex.FEMALE: DonorSex.FEMALE}


def missing_sex(session: Session, case_id: int) -> DonorSex:
    sex = session.scalar(select(MissingPerson.sex).where(MissingPerson.case_id == case_id))
    return _DONOR_SEX.get(sex or Sex.UNKNOWN, DonorSex.UNKNOWN)


def missing_sexes(session: Session, case_ids: set[int]) -> dict[int, DonorSex]:
    """``missing_sex`` of many cases in one query each 5,000 (matching builds thousands of families)."""
    ids = sorted(case_ids)
    out: dict[int, DonorSex] = {}
    for start in range(0, len(ids), 5000):
        query = select(MissingPerson.case_id, MissingPerson.sex).where(
            MissingPerson.case_id.in_(ids[start : start + 5000])
        )
        for case_id, sex in session.execute(query):
            out.setdefault(case_id, _DONOR_SEX.get(sex or Sex.UNKNOWN, DonorSex.UNKNOWN))
    return out


def _check_family(session: Session, case_id: int, new: Donor) -> None:
    """The new donor must fit the family's pedigree with the others whose consent is in force."""
    others = session.scalars(
        select(DnaSample)
        .where(DnaSample.case_id == case_id, DnaSample.kind == SampleKind.REFERENCE)
        .options(selectinload(DnaSample.consent))
    )
    donors = [Donor(s.code, s.kinship, s.donor_sex) for s in others if s.kinship and consent_in_force(s)]
    try:
        pedigree_layout(missing_sex(session, case_id), [*donors, new])
    except DomainError as error:
        raise ValidationFailed.from_error(error, "kinship") from None


def add_remains(
    session: Session, actor: Actor, data: RemainsInput, *, today: dt.date | None = None
) -> DnaSample:
    require_writer(actor, "record DNA samples")
    _not_future("recovered_on", data.recovered_on, today)
    name = _text("incident", data.incident, most=300)
    assert name is not None
    sample = DnaSample(
        code=_free_code(session, data.code),
        kind=SampleKind.REMAINS,
        incident_record=incident_named(session, actor, name),
        recovered_on=data.recovered_on,
        body_number=_text("body_number", data.body_number, most=64),
        laboratory=_text("laboratory", data.laboratory),
        created_by_id=actor.user_id,
    )
    session.add(sample)
    auditing.record(session, actor, "dna_sample.create", sample)
    return sample


def incident_named(session: Session, actor: Actor, name: str) -> Incident:
    """The incident of that name, made (kind "other") when the remains name one not yet on record:
    remains are registered by the site's name, and staff complete the incident's record later."""
    found = session.scalar(select(Incident).where(Incident.name == name))
    if found is None:
        found = Incident(name=name, kind=IncidentKind.OTHER, created_by_id=actor.user_id)
        session.add(found)
        session.flush()
        auditing.record(session, actor, "incident.create", found)
    return found


def add_personal_effect(
    session: Session, actor: Actor, case_id: int, data: PersonalEffectInput, *, today: dt.date | None = None
) -> DnaSample:
    """Record a personal effect of the case's missing person. No consent is recorded: the DNA is his
    own, and nobody living gave it; what the object is and who handed it over are."""
    require_writer(actor, "record DNA samples")
    case = visible_case(session, actor, case_id)
    if case.state is CaseState.MERGED:
        raise Conflict(f"case {case.reference} was merged into another; record the sample there")
    _not_future("handed_over_on", data.handed_over_on, today)
    item = _text("item", data.item)
    handed_over_by = _text("handed_over_by", data.handed_over_by)
    sample = DnaSample(
        code=_free_code(session, data.code),
        kind=SampleKind.PERSONAL_EFFECT,
        case_id=case.id,
        effect_item=item,
        handed_over_by=handed_over_by,
        collected_on=data.handed_over_on,
        laboratory=_text("laboratory", data.laboratory),
        created_by_id=actor.user_id,
    )
    session.add(sample)
    auditing.record(session, actor, "dna_sample.create", sample)
    add_custody(
        session,
        actor,
        sample.id,
        CustodyStep.COLLECTED,
        data.handed_over_on,
        handed_over_by or "",
        f"personal effect handed over: {item}",
        today=today,
    )
    return sample


def get_sample(session: Session, actor: Actor, sample_id: int) -> DnaSample:
    """A sample for staff; families read samples only through `family_view`."""
    require_staff(actor, "read DNA samples")
    sample = session.get(
        DnaSample, sample_id, options=[selectinload(DnaSample.consent), selectinload(DnaSample.custody)]
    )
    if sample is None:
        raise NotFound("sample", sample_id)
    return sample


def sample_by_code(session: Session, code: str) -> DnaSample | None:
    return session.scalar(select(DnaSample).where(DnaSample.code == code))


def list_samples(
    session: Session, actor: Actor, *, case_id: int | None = None, kind: SampleKind | None = None
) -> list[DnaSample]:
    require_staff(actor, "read DNA samples")
    query = select(DnaSample).options(selectinload(DnaSample.consent)).order_by(DnaSample.id)
    if case_id is not None:
        query = query.where(DnaSample.case_id == case_id)
    if kind is not None:
        query = query.where(DnaSample.kind == kind)
    return list(session.scalars(query))


def add_custody(
    session: Session,
    actor: Actor,
    sample_id: int,
    step: CustodyStep,
    on: dt.date,
    by: str,
    note: str | None = None,
    *,
    today: dt.date | None = None,
) -> DnaCustodyEvent:
    require_writer(actor, "record the chain of custody")
    sample = session.get(DnaSample, sample_id)
    if sample is None:
        raise NotFound("sample", sample_id)
    _not_future("on", on, today)
    consumed = session.scalar(
        select(DnaCustodyEvent.id).where(
            DnaCustodyEvent.sample_id == sample_id, DnaCustodyEvent.step == CustodyStep.CONSUMED
        )
    )
    if consumed is not None:
        raise Conflict(f"sample {sample.code} was consumed; no later custody step is possible")
    event = DnaCustodyEvent(
        sample_id=sample.id,
        step=CustodyStep(step),
        on=on,
        by=_text("by", by),
        note=_text("note", note, required=False, most=2000),
        recorded_by_id=actor.user_id,
    )
    session.add(event)
    auditing.record(
        session,
        actor,
        "dna_custody.create",
        event,
        after={**auditing.snapshot(event), "case_id": sample.case_id},
    )
    return event


def family_view(session: Session, actor: Actor, case_id: int) -> list[FamilySample]:
    """The case's reference samples as its family may see them (any actor who may see the case)."""
    case = visible_case(session, actor, case_id)
    rows = session.scalars(
        select(DnaSample)
        .where(DnaSample.case_id == case.id, DnaSample.kind == SampleKind.REFERENCE)
        .options(selectinload(DnaSample.consent), selectinload(DnaSample.relative))
        .order_by(DnaSample.collected_on, DnaSample.id)
    )
    return [_family_row(actor, sample) for sample in rows]


@dataclass(frozen=True)
class FamilyEffect:
    """What a family sees of a personal effect it handed over: the object and the day, nothing else."""

    item: str
    handed_over_on: dt.date | None


def family_effects(session: Session, actor: Actor, case_id: int) -> list[FamilyEffect]:
    """The missing person's personal effects handed over for his DNA (any actor who may see the case)."""
    case = visible_case(session, actor, case_id)
    rows = session.scalars(
        select(DnaSample)
        .where(DnaSample.case_id == case.id, DnaSample.kind == SampleKind.PERSONAL_EFFECT)
        .order_by(DnaSample.collected_on, DnaSample.id)
    )
    return [FamilyEffect(sample.effect_item or "", sample.collected_on) for sample in rows]


@dataclass(frozen=True)
class FamilyPedigree:
    """The pedigree a case's donors imply, for drawing: who is who, and whose profile is stored."""

    layout: PedigreeLayout
    kinship: dict[str, Kinship]  # pedigree person id -> the donor's kinship (typed members only)
    typed: frozenset[str]  # pedigree person ids with a live profile


def family_pedigree(session: Session, actor: Actor, case_id: int) -> FamilyPedigree | None:
    """The case's pedigree (donors with consent in force), or None when it has no donor. Needs no
    genotype: only kinships, sexes and whether a live profile exists."""
    case = visible_case(session, actor, case_id)
    samples = [
        sample
        for sample in session.scalars(
            select(DnaSample)
            .where(DnaSample.case_id == case.id, DnaSample.kind == SampleKind.REFERENCE)
            .options(selectinload(DnaSample.consent))
            .order_by(DnaSample.id)
        )
        if sample.kinship is not None and consent_in_force(sample)
    ]
    if not samples:
        return None
    donors = [Donor(str(sample.id), sample.kinship, sample.donor_sex) for sample in samples if sample.kinship]
    try:
        layout = pedigree_layout(missing_sex(session, case.id), donors)
    except DomainError:
        return None  # refused when the samples were recorded; nothing sensible to draw
    live = set(
        session.scalars(
            select(DnaProfile.sample_id).where(
                DnaProfile.sample_id.in_([sample.id for sample in samples]),
                DnaProfile.wrapped_key.is_not(None),
            )
        )
    )
    by_id = {str(sample.id): sample for sample in samples}
    return FamilyPedigree(
        layout,
        {node: kin for node, label in layout.typed.items() if (kin := by_id[label].kinship) is not None},
        frozenset(node for node, label in layout.typed.items() if int(label) in live),
    )


def _is_donor(actor: Actor, sample: DnaSample) -> bool:
    return bool(actor.user_id is not None and sample.relative and sample.relative.user_id == actor.user_id)


def _family_row(actor: Actor, sample: DnaSample) -> FamilySample:
    consent = sample.consent
    return FamilySample(
        sample_id=sample.id,
        donor=sample.relative.full_name if sample.relative else "",
        kinship=sample.kinship,
        collected_on=sample.collected_on,
        consent_on=consent.given_on if consent else None,
        withdrawn_on=consent.withdrawn_on if consent else None,
        may_withdraw=_is_donor(actor, sample),
        form_on_file=bool(consent and consent.form_sha256),
    )


def family_sample(session: Session, actor: Actor, sample_id: int) -> FamilySample:
    """One reference sample as `family_view` shows it, also to its donor when the donor's account no
    longer follows the case (a donor keeps the right to withdraw, and to see that it was withdrawn)."""
    sample = session.get(
        DnaSample, sample_id, options=[selectinload(DnaSample.consent), selectinload(DnaSample.relative)]
    )
    if sample is None or sample.kind is not SampleKind.REFERENCE or sample.case_id is None:
        raise NotFound("reference sample", sample_id)
    if not _is_donor(actor, sample):
        visible_case(session, actor, sample.case_id)
    return _family_row(actor, sample)


def consent_in_force(sample: DnaSample) -> bool:
    """A reference needs a consent given and not withdrawn; remains and a personal effect (the missing
    person's own DNA, handed over by the family) need none."""
    if sample.kind is not SampleKind.REFERENCE:
        return True
    return sample.consent is not None and sample.consent.withdrawn_on is None


def case_of_sample(session: Session, sample_id: int) -> int:
    case_id = session.scalar(select(DnaSample.case_id).where(DnaSample.id == sample_id))
    if case_id is None:
        raise NotFound("reference sample", sample_id)
    return case_id
