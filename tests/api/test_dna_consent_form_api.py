"""The signed consent form through the API: a caseworker uploads it, staff download it (audited), the
family learns only that it is on file; a file that is not a PDF, JPEG or PNG is refused naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.api.test_dna_api import _reference

from kintrace.domain.vocabulary import Role
from kintrace.store.models import AuditEntry

PDF = b"%PDF-1.4\n% synthetic signed consent\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_consent_form_upload_download_and_what_the_family_sees(
    client: TestClient,
    session: Session,
    make_user: Any,
    token_for: Any,
    factories: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    worker, analyst = token_for(make_user(Role.CASEWORKER)), token_for(make_user(Role.ANALYST))
    donor_user = make_user(Role.FAMILY)
    donor = token_for(donor_user)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=donor_user, relation="reporter")
    mother = factories.RelativeFactory(case=case, relationship_="mother", user_id=donor_user.id)
    sample = _reference(client, worker, case.id, mother.id, "FORM-API-1", "mother", "female")
    url = f"/api/v1/dna/samples/{sample['id']}/consent-form"

    assert client.get(url, headers=worker).status_code == 404  # none on file yet
    refused = client.post(url, files={"file": ("note.txt", b"plain words", "text/plain")}, headers=worker)
    assert refused.status_code == 422 and "consent_form" in refused.text
    for not_a_writer in (analyst, donor):
        pdf = {"file": ("f.pdf", PDF, "application/pdf")}
        assert client.post(url, files=pdf, headers=not_a_writer).status_code == 403

    stored = client.post(url, files={"file": ("згода.pdf", PDF, "application/pdf")}, headers=worker)
    assert stored.status_code == 200, stored.text
    assert stored.json()["form_filename"] == "згода.pdf" and stored.json()["form_size_bytes"] == len(PDF)
    detail = client.get(f"/api/v1/dna/samples/{sample['id']}", headers=worker).json()
    assert detail["consent"]["form_media_type"] == "application/pdf"

    for staff in (worker, analyst):
        got = client.get(url, headers=staff)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
    # The donor's own family: the form is on file; its contents are not theirs to download.
    assert client.get(url, headers=donor).status_code == 403
    seen = client.get(f"/api/v1/cases/{case.id}/dna/samples", headers=donor).json()
    assert seen[0]["form_on_file"] is True and "consent-form" not in str(seen)

    forms = select(AuditEntry.action).where(AuditEntry.action.like("dna_consent.form%"))
    actions = list(session.scalars(forms))
    assert actions.count("dna_consent.form") == 1 and actions.count("dna_consent.form_read") == 2
