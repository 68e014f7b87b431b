"""The family's reference strength on the pages (issue 14): the desk's case page computes it and says
which relative to ask next, the candidate list shows it, the family reads plain words in its language
(no figure, no sample code, no genotype), and why a family's references are not used is translated."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from tests.services.dna_helpers import (
    ALLELES,
    MARKERS,
    frequency_file,
    long_csv,
    markers,
    reference,
    remains,
    trio,
)
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.services import dna_arrival, dna_family_tables
from kintrace.services.access import SYSTEM
from kintrace.store.models import Relative

UK = {"accept-language": "uk"}
RU = {"accept-language": "ru"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    dna_family_tables.forget_all()
    yield
    dna_family_tables.forget_all()


def _grandmother_only(app: FastAPI, case_id: int, folder: Path) -> None:
    """A paternal grandmother's profile alone (weak), and a brother recorded who gave no sample."""
    with app.state.sessionmaker() as session:
        granny = Relative(case_id=case_id, full_name="Ганна Коваленко", relationship_="grandmother")
        brother = Relative(case_id=case_id, full_name="Петро Коваленко", relationship_="brother")
        session.add_all([granny, brother])
        session.flush()
        case = type("CaseRef", (), {"id": case_id})()
        reference(session, SYSTEM, case, granny, "WEB-GM", Kinship.PATERNAL_GRANDMOTHER, DonorSex.FEMALE)
        rng = random.Random(4)
        profile = {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS}
        export = long_csv(folder, {"WEB-GM": profile})
        dna_arrival.import_and_match(session, SYSTEM, app.state.genetic_key, markers(folder), export)
        session.commit()


def test_the_desk_computes_the_strength_and_the_family_reads_whom_to_ask(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    family = sign_up(web_app, "hanna")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    _grandmother_only(web_app, case_id, tmp_path)
    assert "Чи достатньо ДНК вашої родини?" not in family.get(f"/my/cases/{case_id}/dna", headers=UK).text

    page = worker.get(f"/desk/cases/{case_id}", headers=UK).text
    assert "ДНК: сила зразків родини" in page and "Для теперішніх зразків родини ще не обчислено." in page
    done = worker.post(f"/desk/dna/strength/{case_id}", data={"csrf_token": csrf(worker)})
    assert done.status_code == 303 and done.headers["location"].endswith("#dna")
    page = worker.get(f"/desk/cases/{case_id}", headers=UK).text
    assert "Слабко: за цими зразками людину часто не вдалося б ідентифікувати." in page
    assert "Кого з родичів попросити здати зразок далі:" in page
    first = page.split('<ol class="ask-next">')[1].split("</li>")[0]
    assert "попросити:" in first and (" до 0." in first or " до 1." in first)
    # The brother recorded in the case with no sample is named beside "brother or sister".
    assert "Петро Коваленко" in page and "брат або сестра" in page
    english = worker.get(f"/desk/cases/{case_id}").text
    assert "ask a " in english and "simulations, seed" in english and "WEB-GM" in english

    seen = family.get(f"/my/cases/{case_id}/dna", headers=UK).text
    assert "Чи достатньо ДНК вашої родини?" in seen and "може не вистачити" in seen
    assert "Найбільше допоможе зразок від" in seen
    assert "WEB-" not in seen and "TKDNA" not in seen
    words = seen.split('id="strength-title"')[1].split("</section>")[0]
    assert "LR" not in words and not re.search(r"\d\.\d", words)  # plain words, no figure
    russian = family.get(f"/my/cases/{case_id}/dna", headers=RU).text
    assert "Больше всего поможет образец от" in russian
    # Another family's account reads the case as missing.
    other = sign_up(web_app, "stranger")
    assert other.get(f"/my/cases/{case_id}/dna").status_code == 404
    assert family.post(f"/desk/dna/strength/{case_id}", data={"csrf_token": csrf(family)}).status_code in (
        303,
        403,
    )


def test_the_candidate_list_shows_the_strength_and_translates_why_a_family_is_not_used(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    family = sign_up(web_app, "olha")
    good, swapped = file_case(family), file_case(family, last_name="Бондар")
    dna = trio(11)
    with web_app.state.sessionmaker() as session:
        rows = {
            (case_id, rel): Relative(case_id=case_id, full_name=f"Родич {rel}", relationship_=rel)
            for case_id in (good, swapped)
            for rel in ("father", "mother", "brother")
        }
        session.add_all(rows.values())
        session.flush()
        for case_id, prefix in ((good, "G"), (swapped, "S")):
            case = type("CaseRef", (), {"id": case_id})()
            reference(
                session, SYSTEM, case, rows[case_id, "father"], f"{prefix}-F", Kinship.FATHER, DonorSex.MALE
            )
            reference(
                session, SYSTEM, case, rows[case_id, "mother"], f"{prefix}-M", Kinship.MOTHER, DonorSex.FEMALE
            )
        reference(
            session,
            SYSTEM,
            type("CaseRef", (), {"id": swapped})(),
            rows[swapped, "brother"],
            "S-B",
            Kinship.FULL_SIBLING,
            DonorSex.MALE,
        )
        remains(session, SYSTEM, "BODY-1")
        profiles = {"G-F": dna.father, "G-M": dna.mother, "S-F": dna.father, "S-M": dna.mother}
        profiles |= {"S-B": trio(77).stranger, "BODY-1": dna.son}
        export = long_csv(tmp_path, profiles)
        dna_arrival.import_and_match(session, SYSTEM, web_app.state.genetic_key, markers(tmp_path), export)
        session.commit()
    analyst = sign_in(web_app, *ANALYST)
    page = analyst.get("/desk/dna", headers=UK).text
    assert "зразки суперечать заявленій спорідненості між ними на маркерах TKDNA" in page
    assert "the references contradict" not in page
    assert "the references contradict" in analyst.get("/desk/dna").text  # English for an English reader
    assert "ще не обчислено" in page
    assert (
        analyst.post(
            f"/desk/dna/strength/{good}", data={"csrf_token": csrf(analyst), "back": "list"}
        ).headers["location"]
        == "/desk/dna"
    )
    page = analyst.get("/desk/dna", headers=UK).text
    cell = page.split('<td class="strength">')[1].split("</td>")[0]
    assert "P(LR ≥ 10^4 | це він): 1.00; сила виключення" in cell or "P(LR ≥ 10^4 | це він): 0.9" in cell
    # The swapped family's strength cannot be computed: the reason, in the reader's language.
    worker = sign_in(web_app, *CASEWORKER)
    assert worker.post(f"/desk/dna/strength/{swapped}", data={"csrf_token": csrf(worker)}).status_code == 303
    section = (
        worker.get(f"/desk/cases/{swapped}", headers=UK).text.split('id="dna"')[1].split("</section>")[0]
    )
    assert "Не обчислено: зразки суперечать заявленій спорідненості між ними на маркерах TKDNA" in section
    assert "Not computed: the references contradict" in worker.get(f"/desk/cases/{swapped}").text


def test_a_bad_frequency_table_leaves_the_case_pages_open(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("marker,allele,frequency\nTKDNA01,10,not-a-number\n", encoding="utf-8")
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(bad))
    family = sign_up(web_app, "mariia")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get(f"/desk/cases/{case_id}")
    assert page.status_code == 200 and "No usable allele frequency table is configured" in page.text
    assert family.get(f"/my/cases/{case_id}/dna").status_code == 200
