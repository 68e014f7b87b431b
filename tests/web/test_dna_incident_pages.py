"""Incidents on the desk: the list, a new incident, families added by reference, the joint result run
on the page (in Ukrainian too), a pairing proposed into the candidates; a family is kept out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from tests.services.dna_helpers import DAY, frequency_file, long_csv, markers, reference, trio
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.services import dna_arrival, dna_samples
from kintrace.services.access import SYSTEM
from kintrace.store.models import Case, DnaComparison, Incident, Relative

UK = {"accept-language": "uk"}


def _grave(app: FastAPI, case_id: int, folder: Path) -> None:
    """The family's father gave a sample; two bodies of "Рів 5": his son and a stranger."""
    with app.state.sessionmaker() as session:
        father = Relative(case_id=case_id, full_name="Микола Коваленко", relationship_="father")
        session.add(father)
        session.flush()
        case = type("CaseRef", (), {"id": case_id})()
        reference(session, SYSTEM, case, father, "INC-F", Kinship.FATHER, DonorSex.MALE)
        for code in ("INC-B1", "INC-B2"):
            dna_samples.add_remains(
                session, SYSTEM, dna_samples.RemainsInput(code, "Рів 5", DAY, code, "Synthetic Lab")
            )
        dna = trio(11)
        export = long_csv(folder, {"INC-F": dna.father, "INC-B1": dna.son, "INC-B2": dna.stranger})
        dna_arrival.import_and_match(session, SYSTEM, app.state.genetic_key, markers(folder), export)
        session.commit()


def test_incident_pages_from_the_list_to_a_proposal(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    family = sign_up(web_app, "olena")
    case_id = file_case(family)
    _grave(web_app, case_id, tmp_path)
    with web_app.state.sessionmaker() as session:
        reference_words = session.scalars(select(Case.reference).where(Case.id == case_id)).one()
        incident_id = session.scalars(select(Incident.id).where(Incident.name == "Рів 5")).one()

    worker, analyst = sign_in(web_app, *CASEWORKER), sign_in(web_app, *ANALYST)
    assert 'href="/desk/dna/incidents"' in analyst.get("/desk/dna").text
    listing = worker.get("/desk/dna/incidents")
    assert listing.status_code == 200 and "Рів 5" in listing.text and "2 bodies" in listing.text
    made = worker.post(
        "/desk/dna/incidents",
        data={
            "name": "Падіння гелікоптера",
            "kind": "crash",
            "occurred_year": "2022",
            "occurred_month": "13",
            "csrf_token": csrf(worker),
        },
    )
    assert made.status_code == 422 and "Падіння гелікоптера" in made.text  # the form keeps what was typed
    made = worker.post(
        "/desk/dna/incidents",
        data={
            "name": "Падіння гелікоптера",
            "kind": "crash",
            "occurred_year": "2022",
            "csrf_token": csrf(worker),
        },
    )
    assert made.status_code == 303 and re.fullmatch(r"/desk/dna/incidents/\d+", made.headers["location"])
    assert "crash" in worker.get(made.headers["location"]).text

    url = f"/desk/dna/incidents/{incident_id}"
    bad = worker.post(f"{url}/cases", data={"case": "KT-NOPE", "csrf_token": csrf(worker)})
    assert bad.status_code == 422 and "KT-NOPE" in bad.text
    added = worker.post(f"{url}/cases", data={"case": reference_words, "csrf_token": csrf(worker)})
    assert added.status_code == 303
    page = analyst.get(url)
    assert page.status_code == 200 and reference_words in page.text and "INC-B1" in page.text

    result = analyst.post(f"{url}/joint", data={"csrf_token": csrf(analyst)})
    assert result.status_code == 200, result.text
    assert "3 possible assignments" in result.text  # nobody, B1 or B2 given to the one family
    assert "INC-B1 → " + reference_words in result.text and "none of these families" in result.text
    assert "Propose this identification" in result.text
    in_uk = analyst.post(f"{url}/joint", data={"csrf_token": csrf(analyst)}, headers=UK)
    assert in_uk.status_code == 200 and "Спільна ідентифікація" in in_uk.text
    assert "none of these families" not in in_uk.text

    [body] = re.findall(r'name="remains_sample_id" value="(\d+)"', result.text)
    proposed = analyst.post(
        f"{url}/propose",
        data={
            "remains_sample_id": body,
            "case_id": str(case_id),
            "reason": "батько",
            "csrf_token": csrf(analyst),
        },
    )
    assert proposed.status_code == 303 and proposed.headers["location"].startswith("/desk/dna#candidate-")
    with web_app.state.sessionmaker() as session:
        row = session.scalars(select(DnaComparison).where(DnaComparison.case_id == case_id)).one()
        assert row.state is not None and row.state.value == "proposed"

    removed = worker.post(f"{url}/cases/{case_id}/remove", data={"csrf_token": csrf(worker)})
    assert removed.status_code == 303 and reference_words not in worker.get(url).text

    for path in ("/desk/dna/incidents", url):
        assert family.get(path).status_code in (303, 403)
    assert family.post(f"{url}/joint", data={"csrf_token": csrf(family)}).status_code in (303, 403)
