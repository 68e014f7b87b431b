"""The signed consent form of a reference sample: uploaded and downloaded by staff only.

The bytes go to the attachment store (by SHA-256, size-limited, type read from the content); the
consent row names the file. A form is a PDF or a scan (JPEG, PNG). Caseworkers and admins upload it;
staff download it. A family learns only that a form is on file (`FamilySample.form_on_file`), never
its contents: the form carries the donor's signature and identity document numbers. Uploads and
downloads are both audited, with the case, as evidence attachments are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from kintrace.domain.dna_samples import SampleKind
from kintrace.services import attachments as blobs
from kintrace.services import auditing
from kintrace.services.access import Actor, require_staff, require_writer
from kintrace.services.errors import NotFound, ValidationFailed
from kintrace.store.models import DnaConsent, DnaSample

FORM_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@dataclass(frozen=True)
class ConsentForm:
    filename: str
    media_type: str
    data: bytes


def _consent(session: Session, sample_id: int) -> tuple[DnaSample, DnaConsent]:
    sample = session.get(DnaSample, sample_id)
    if sample is None or sample.kind is not SampleKind.REFERENCE:
        raise NotFound("reference sample", sample_id)
    if sample.consent is None:
        raise ValidationFailed("consent", f"sample {sample.code} has no consent recorded")
    return sample, sample.consent


def check_form(data: bytes, declared_type: str | None = None) -> str:
    """The media type of an acceptable form; ValidationFailed naming the field "consent_form"."""
    try:
        media_type = blobs.check_upload(data)
    except ValidationFailed as error:
        raise ValidationFailed("consent_form", error.message) from None
    if media_type not in FORM_TYPES:
        raise ValidationFailed("consent_form", f"is {media_type}; a form must be a PDF, JPEG or PNG")
    return media_type


def attach_form(
    session: Session,
    actor: Actor,
    sample_id: int,
    *,
    filename: str,
    data: bytes,
    root: Path | None = None,
) -> DnaConsent:
    """Store the signed form with the sample's consent (a new upload replaces the one on file)."""
    require_writer(actor, "upload consent forms")
    sample, consent = _consent(session, sample_id)
    media_type = check_form(data)
    name = blobs.clean_filename(filename or "") or f"consent-{sample.code}"
    before = auditing.snapshot(consent)
    consent.form_sha256 = blobs.store_blob(data, root)
    consent.form_filename = name
    consent.form_media_type = media_type
    consent.form_size_bytes = len(data)
    consent.form_uploaded_at = dt.datetime.now(dt.UTC)
    auditing.record(
        session,
        actor,
        "dna_consent.form",
        consent,
        before=before,
        after={**auditing.snapshot(consent), "case_id": sample.case_id},
    )
    return consent


def read_form(session: Session, actor: Actor, sample_id: int, root: Path | None = None) -> ConsentForm:
    """The signed form, for staff (a family is refused, whoever's the sample); the read is audited."""
    require_staff(actor, "read consent forms")
    sample, consent = _consent(session, sample_id)
    if consent.form_sha256 is None:
        raise NotFound("consent form", sample_id)
    data = blobs.read_blob(consent.form_sha256, root)
    auditing.record_event(
        session,
        actor,
        action="dna_consent.form_read",
        entity="dna_consents",
        entity_id=str(consent.id),
        values={"sample_id": sample.id, "sha256": consent.form_sha256, "case_id": sample.case_id},
    )
    return ConsentForm(
        consent.form_filename or f"consent-{sample.code}",
        consent.form_media_type or "application/octet-stream",
        data,
    )
