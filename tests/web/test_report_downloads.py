"""The desk's report downloads: the overdue report in the reader's language or the one asked for."""

from __future__ import annotations

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import client, sign_in, sign_up


def test_the_desk_downloads_the_overdue_report(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get("/desk/overdue", headers={"accept-language": "uk"})
    assert page.status_code == 200 and 'href="/desk/reports/overdue.pdf?language=ru"' in page.text
    pdf = worker.get("/desk/reports/overdue.pdf?language=ru")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    table = worker.get("/desk/reports/overdue.csv")
    assert table.status_code == 200 and table.text.startswith("authority,as_of,pending")
    assert worker.get("/desk/reports/overdue.docx").status_code == 404


def test_families_and_strangers_get_no_report(web_app: FastAPI) -> None:
    assert client(web_app).get("/desk/reports/overdue.pdf").headers["location"].startswith("/signin")
    assert sign_up(web_app).get("/desk/reports/overdue.pdf").headers["location"] == "/my"


def test_the_desk_downloads_a_case_dossier(web_app: FastAPI) -> None:
    from tests.web.test_pages import file_case

    family = sign_up(web_app, "dossier")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get(f"/desk/cases/{case_id}", headers={"accept-language": "uk"})
    assert f'href="/desk/cases/{case_id}/dossier.pdf?language=uk"' in page.text
    pdf = worker.get(f"/desk/cases/{case_id}/dossier.pdf?language=uk")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert family.get(f"/desk/cases/{case_id}/dossier.pdf").headers["location"] == "/my"
