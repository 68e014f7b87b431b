"""The signed consent form: only a PDF, JPEG or PNG, kept with a reference's consent, replaced with an
audited before and after, read by staff only (every read audited), never by a family."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.services.dna_helpers import reference, remains
from tests.services.helpers import actor

from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_consent_forms
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES, blob_path
from kintrace.services.errors import Forbidden, NotFound, ValidationFailed
from kintrace.store.models import AuditEntry

PDF = b"%PDF-1.4\n% synthetic signed consent\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 16


def test_a_form_is_kept_replaced_and_read_by_staff_only(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    analyst = actor(factories.UserFactory(role=Role.ANALYST))
    family_user = factories.UserFactory(role=Role.FAMILY)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=family_user, relation="reporter")
    mother = factories.RelativeFactory(case=case, relationship_="mother", user_id=family_user.id)
    sample = reference(session, worker, case, mother, "CF-1", Kinship.MOTHER, DonorSex.FEMALE)

    with pytest.raises(NotFound):
        dna_consent_forms.read_form(session, worker, sample.id, root=tmp_path)  # none on file yet
    with pytest.raises(Forbidden):
        dna_consent_forms.attach_form(session, analyst, sample.id, filename="f.pdf", data=PDF, root=tmp_path)
    for data, words in ((GIF, "a form must be a PDF, JPEG or PNG"), (b"", "is empty")):
        with pytest.raises(ValidationFailed) as refused:
            dna_consent_forms.attach_form(session, worker, sample.id, filename="f", data=data, root=tmp_path)
        assert refused.value.field == "consent_form" and words in refused.value.message
    too_big = PDF + b"\x00" * MAX_ATTACHMENT_BYTES
    with pytest.raises(ValidationFailed) as refused:
        dna_consent_forms.attach_form(
            session, worker, sample.id, filename="f.pdf", data=too_big, root=tmp_path
        )
    assert refused.value.field == "consent_form"

    first = dna_consent_forms.attach_form(
        session, worker, sample.id, filename="../scans/згода.pdf", data=PDF, root=tmp_path
    )
    assert first.form_filename == "згода.pdf" and first.form_media_type == "application/pdf"
    assert blob_path(first.form_sha256 or "", tmp_path).read_bytes() == PDF
    again = dna_consent_forms.attach_form(
        session, worker, sample.id, filename="scan.jpg", data=JPEG, root=tmp_path
    )
    assert again.form_media_type == "image/jpeg" and again.form_size_bytes == len(JPEG)
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "dna_consent.form").order_by(AuditEntry.id)
    ).all()
    assert len(rows) == 2 and rows[1].before is not None

    assert dna_consent_forms.read_form(session, analyst, sample.id, root=tmp_path).data == JPEG
    with pytest.raises(Forbidden):
        dna_consent_forms.read_form(session, actor(family_user), sample.id, root=tmp_path)
    reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_consent.form_read")).all()
    assert len(reads) == 1


def test_remains_have_no_consent_form(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    body = remains(session, worker, "CF-B1")
    with pytest.raises(NotFound):
        dna_consent_forms.attach_form(session, worker, body.id, filename="f.pdf", data=PDF, root=tmp_path)
