"""The desk's DNA forms: a caseworker records a reference with its signed consent form and a personal
effect on the case page, registers remains and imports a lab export on /desk/dna, adds custody steps
and withdraws a consent on a sample's page. Errors name the field in the reader's language; families
and other cases are kept out; the signed form is for staff only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.services.dna_helpers import frequency_file, long_csv, trio
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.store.models import AuditEntry, DnaConsent, DnaSample, Relative

UK = {"accept-language": "uk"}
PDF = b"%PDF-1.4\n% synthetic consent form\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _case_with_relatives(app: FastAPI, name: str) -> tuple[TestClient, TestClient, int]:
    family = sign_up(app, name)
    case_id = file_case(family)
    worker = sign_in(app, *CASEWORKER)
    assert worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)}).status_code == 303
    for full_name, relation in (("Микола Коваленко", "father"), ("Олена Коваленко", "mother")):
        added = worker.post(
            f"/desk/cases/{case_id}/relatives",
            data={"csrf_token": csrf(worker), "full_name": full_name, "relationship": relation},
        )
        assert added.status_code == 303
    return family, worker, case_id


def _relative(app: FastAPI, case_id: int, relation: str) -> int:
    with app.state.sessionmaker() as session:
        found = session.scalar(
            select(Relative.id).where(Relative.case_id == case_id, Relative.relationship_ == relation)
        )
        assert found is not None
        return found


def _reference(worker: TestClient, case_id: int, relative_id: int, code: str, **extra: object):
    data = {
        "csrf_token": csrf(worker),
        "dna_form": "reference",
        "relative_id": str(relative_id),
        "kinship": "",
        "donor_sex": "male",
        "code": code,
        "collected_on": "2026-03-02",
        "collector": "Nurse Synthetic",
        "laboratory": "Synthetic Lab",
        "kit": "Kit-24",
        "consent_on": "2026-03-02",
        **{k: v for k, v in extra.items() if k != "files"},
    }
    return worker.post(
        f"/desk/cases/{case_id}/dna/references",
        data=data,
        files=extra.get("files"),
        headers=UK,  # type: ignore[arg-type]
    )


def _sample_id(app: FastAPI, code: str) -> int:
    with app.state.sessionmaker() as session:
        found = session.scalar(select(DnaSample.id).where(DnaSample.code == code))
        assert found is not None
        return found


def test_a_reference_with_its_signed_form_and_a_personal_effect(web_app: FastAPI) -> None:
    family, worker, case_id = _case_with_relatives(web_app, "forms-a")
    father = _relative(web_app, case_id, "father")
    made = _reference(
        worker, case_id, father, "FORM-F1", files={"consent_form": ("згода.pdf", PDF, "application/pdf")}
    )
    assert made.status_code == 303 and made.headers["location"].endswith("#dna-samples")
    page = worker.get(f"/desk/cases/{case_id}", headers=UK).text
    assert "FORM-F1" in page and "Микола Коваленко" in page and "батько" in page
    sample_id = _sample_id(web_app, "FORM-F1")
    assert f'href="/desk/dna/samples/{sample_id}"' in page

    # The form is on file; staff download it, and the download is audited.
    download = worker.get(f"/desk/dna/samples/{sample_id}/consent-form")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%D0%B7%D0%B3%D0%BE%D0%B4%D0%B0.pdf" in download.headers["content-disposition"]
    analyst = sign_in(web_app, *ANALYST)
    assert analyst.get(f"/desk/dna/samples/{sample_id}/consent-form").content == PDF
    with web_app.state.sessionmaker() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"dna_consent.form", "dna_consent.form_read"} <= actions

    # The family sees that a form exists on its page, never the form itself nor the desk's page.
    assert family.get(f"/desk/dna/samples/{sample_id}/consent-form").status_code in (303, 403)
    assert family.get(f"/desk/dna/samples/{sample_id}").status_code in (303, 403)

    effect = worker.post(
        f"/desk/cases/{case_id}/dna/effects",
        data={
            "csrf_token": csrf(worker),
            "dna_form": "effect",
            "code": "FORM-E1",
            "item": "зубна щітка",
            "handed_over_by": "Олена Коваленко",
            "handed_over_on": "2026-03-03",
            "laboratory": "Synthetic Lab",
        },
    )
    assert effect.status_code == 303
    assert "зубна щітка" in worker.get(f"/desk/cases/{case_id}").text


def test_errors_name_the_field_in_ukrainian_and_save_nothing(web_app: FastAPI) -> None:
    _family, worker, case_id = _case_with_relatives(web_app, "forms-b")
    _other_family, _w, other_case = _case_with_relatives(web_app, "forms-b2")
    mother = _relative(web_app, case_id, "mother")

    future = _reference(worker, case_id, mother, "FORM-X1", collected_on="2999-01-01", donor_sex="female")
    assert future.status_code == 422
    assert "Дата відбору" in future.text and "не може бути в майбутньому" in future.text

    strangers = _relative(web_app, other_case, "mother")
    foreign = _reference(worker, case_id, strangers, "FORM-X2", donor_sex="female")
    assert foreign.status_code == 422 and "не є родичем у цій справі" in foreign.text

    not_a_form = _reference(
        worker,
        case_id,
        mother,
        "FORM-X3",
        donor_sex="female",
        files={"consent_form": ("note.txt", b"just text", "text/plain")},
    )
    assert not_a_form.status_code == 422 and "має бути PDF, JPEG або PNG" in not_a_form.text
    with web_app.state.sessionmaker() as session:
        assert session.scalar(select(DnaSample.id).where(DnaSample.code.like("FORM-X%"))) is None

    ok = _reference(worker, case_id, mother, "FORM-M1", donor_sex="female")
    assert ok.status_code == 303
    again = _reference(worker, case_id, mother, "FORM-M1", donor_sex="female")
    assert again.status_code == 422 and "FORM-M1" in again.text and "Код зразка" in again.text


def test_custody_form_upload_later_and_withdrawal_on_the_sample_page(web_app: FastAPI) -> None:
    family, worker, case_id = _case_with_relatives(web_app, "forms-c")
    father = _relative(web_app, case_id, "father")
    assert _reference(worker, case_id, father, "FORM-C1").status_code == 303
    sample_id = _sample_id(web_app, "FORM-C1")
    url = f"/desk/dna/samples/{sample_id}"
    page = worker.get(url, headers=UK)
    assert page.status_code == 200 and "Ланцюг зберігання" in page.text and "Nurse Synthetic" in page.text
    assert worker.get(f"{url}/consent-form").status_code == 404

    step = worker.post(
        f"{url}/custody",
        data={"csrf_token": csrf(worker), "step": "sent", "on": "2026-03-04", "by": "Courier Synthetic"},
    )
    assert step.status_code == 303 and "Courier Synthetic" in worker.get(url).text
    bad = worker.post(
        f"{url}/custody", data={"csrf_token": csrf(worker), "step": "sent", "on": "", "by": "X"}, headers=UK
    )
    assert bad.status_code == 422 and "вкажіть дату" in bad.text.lower()
    used = {"csrf_token": csrf(worker), "step": "consumed", "on": "2026-03-05", "by": "Synthetic Lab"}
    assert worker.post(f"{url}/custody", data=used).status_code == 303
    late = worker.post(f"{url}/custody", data={**used, "step": "stored"}, headers=UK)
    assert late.status_code == 422 and "зразок FORM-C1 використано повністю" in late.text

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    uploaded = worker.post(
        f"{url}/consent-form",
        data={"csrf_token": csrf(worker)},
        files={"consent_form": ("scan.png", png, "image/png")},
    )
    assert uploaded.status_code == 303
    assert worker.get(f"{url}/consent-form").content == png
    # The family's own DNA page says a form is on file, and offers no link to it.
    portal = family.get(f"/my/cases/{case_id}/dna", headers=UK).text
    assert "Підписану форму згоди зберігає реєстр." in portal and "consent-form" not in portal

    no_note = worker.post(f"{url}/withdraw", data={"csrf_token": csrf(worker), "note": ""}, headers=UK)
    assert no_note.status_code == 422
    withdrawn = worker.post(
        f"{url}/withdraw", data={"csrf_token": csrf(worker), "note": "the donor asked by phone"}
    )
    assert withdrawn.status_code == 303
    with web_app.state.sessionmaker() as session:
        consent = session.scalar(select(DnaConsent).where(DnaConsent.sample_id == sample_id))
        assert consent is not None and consent.withdrawn_on is not None
        assert consent.withdrawal_note == "the donor asked by phone"


def test_remains_and_a_lab_export_on_the_desk(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    family, worker, case_id = _case_with_relatives(web_app, "forms-d")
    father, mother = _relative(web_app, case_id, "father"), _relative(web_app, case_id, "mother")
    assert _reference(worker, case_id, father, "IMP-F").status_code == 303
    assert _reference(worker, case_id, mother, "IMP-M", donor_sex="female").status_code == 303
    remains = worker.post(
        "/desk/dna/remains",
        data={
            "csrf_token": csrf(worker),
            "dna_form": "remains",
            "code": "IMP-B1",
            "incident": "Synthetic grave 7",
            "recovered_on": "2026-02-01",
            "body_number": "B-7",
            "laboratory": "Synthetic Lab",
        },
    )
    assert remains.status_code == 303 and remains.headers["location"].startswith("/desk/dna/samples/")
    assert "Synthetic grave 7" in worker.get("/desk/dna").text

    dna = trio(23)
    export = long_csv(tmp_path, {"IMP-F": dna.father, "IMP-M": dna.mother, "IMP-B1": dna.son})
    # A row naming a sample not registered: nothing is imported, the row and field are named.
    broken = long_csv(tmp_path, {"IMP-F": dna.father, "NOPE-1": dna.son}, name="broken.csv")
    refused = worker.post(
        "/desk/dna/import",
        data={"csrf_token": csrf(worker), "dna_form": "import"},
        files={"export": ("broken.csv", broken.read_bytes(), "text/csv")},
        headers=UK,
    )
    assert refused.status_code == 422
    assert (
        "broken.csv, рядок 18, стовпець sample_id: зразок &#39;NOPE-1&#39; не зареєстровано" in refused.text
    )
    with web_app.state.sessionmaker() as session:
        from kintrace.store.models import DnaProfile

        assert session.scalar(select(DnaProfile.id)) is None

    assert family.post(
        "/desk/dna/import",
        data={"csrf_token": csrf(family), "dna_form": "import"},
        files={"export": ("export.csv", export.read_bytes(), "text/csv")},
    ).status_code in (303, 403)
    done = worker.post(
        "/desk/dna/import",
        data={"csrf_token": csrf(worker), "dna_form": "import"},
        files={"export": ("export.csv", export.read_bytes(), "text/csv")},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "profiles=3" in done.headers["location"]
    page = worker.get(done.headers["location"], headers=UK).text
    assert "Імпортовано профілів: 3" in page
    assert re.search(r'id="candidate-\d+"', page) and "IMP-B1" in page
