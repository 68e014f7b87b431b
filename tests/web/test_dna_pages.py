"""DNA on the pages: analysts propose and confirm (never the same one), the caseworker records the talk,
and the family's page, in Ukrainian, shows who gave samples, the consent and the search log, never a
code or a genotype; the donor withdraws her consent there."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from tests.services.dna_helpers import frequency_file, long_csv, markers, reference, remains, trio
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_arrival
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.models import CaseMember, DnaComparison, DnaSample, Relative

UK = {"accept-language": "uk"}
SECOND = ("second-analyst", "second-analyst-password-1")
OTHER = ("fragments-analyst", "fragments-analyst-password-1")


def _samples(app: FastAPI, case_id: int, folder: Path) -> None:
    """Relatives, samples and profiles recorded as the lab and the desk would (through the services)."""
    with app.state.sessionmaker() as session:
        user_service.create_user(
            session, SYSTEM, username=SECOND[0], password=SECOND[1], role=Role.ANALYST, display_name="Second"
        )
        family_user = session.scalar(select(CaseMember.user_id).where(CaseMember.case_id == case_id))
        father = Relative(case_id=case_id, full_name="Микола Коваленко", relationship_="father")
        mother = Relative(
            case_id=case_id, full_name="Олена Коваленко", relationship_="mother", user_id=family_user
        )
        session.add_all([father, mother])
        session.flush()
        case = type("CaseRef", (), {"id": case_id})()
        reference(session, SYSTEM, case, father, "WEB-F", Kinship.FATHER, DonorSex.MALE)
        reference(session, SYSTEM, case, mother, "WEB-M", Kinship.MOTHER, DonorSex.FEMALE)
        remains(session, SYSTEM, "WEB-B1")
        dna = trio(11)
        export = long_csv(folder, {"WEB-F": dna.father, "WEB-M": dna.mother, "WEB-B1": dna.son})
        dna_arrival.import_and_match(session, SYSTEM, app.state.genetic_key, markers(folder), export)
        session.commit()


def test_review_and_the_family_page(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    family = sign_up(web_app, "olena")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    assert worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)}).status_code == 303
    _samples(web_app, case_id, tmp_path)

    page = family.get(f"/my/cases/{case_id}/dna", headers=UK)
    assert page.status_code == 200
    text = page.text
    assert "Хто здав зразок" in text and "Олена Коваленко" in text and "Микола Коваленко" in text
    assert "батько" in text and "Порівняно з 1 профілем останків" in text and "Збігу поки немає." in text
    assert "WEB-" not in text and "TKDNA" not in text and "Synthetic Lab" not in text
    assert f'href="/my/cases/{case_id}/dna"' in family.get(f"/my/cases/{case_id}", headers=UK).text
    assert family.get("/desk/dna").status_code in (303, 403)

    first, second = sign_in(web_app, *ANALYST), sign_in(web_app, *SECOND)
    desk = first.get("/desk/dna")
    assert desk.status_code == 200 and "WEB-B1" in desk.text and "uniform: 1 in" in desk.text
    candidate = int(re.search(r'id="candidate-(\d+)"', desk.text).group(1))  # type: ignore[union-attr]
    url = f"/desk/dna/candidates/{candidate}"
    assert f'href="{url}/report.pdf"' in desk.text
    report = first.get(f"{url}/report.pdf", headers=UK)
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    assert report.headers["content-disposition"].startswith('attachment; filename="identification-')
    assert family.get(f"{url}/report.pdf").status_code in (303, 403)
    monkeypatch.delenv("KINTRACE_DNA_FREQUENCIES")  # a server without a table says so, in her language
    unscored = first.get(f"{url}/report.pdf", headers=UK)
    assert unscored.status_code == 400 and "Таблицю частот алелів не налаштовано" in unscored.text
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    assert first.post(f"{url}/propose", data={"reason": "", "csrf_token": csrf(first)}).status_code == 422
    assert (
        first.post(f"{url}/propose", data={"reason": "both parents", "csrf_token": csrf(first)}).status_code
        == 303
    )
    own = first.post(f"{url}/confirm", data={"reason": "me", "csrf_token": csrf(first)})
    assert own.status_code == 403 and "second analyst" in own.text
    assert (
        second.post(f"{url}/confirm", data={"reason": "checked", "csrf_token": csrf(second)}).status_code
        == 303
    )
    assert "ідентифіковано" not in family.get(f"/my/cases/{case_id}/dna", headers=UK).text
    told = worker.post(
        f"{url}/family-told", data={"on": dt.date.today().isoformat(), "csrf_token": csrf(worker)}
    )
    assert told.status_code == 303
    page = family.get(f"/my/cases/{case_id}/dna", headers=UK).text
    assert "Останки вашого рідного ідентифіковано за ДНК" in page

    with web_app.state.sessionmaker() as session:
        mother = session.scalar(select(DnaSample.id).where(DnaSample.code == "WEB-M"))
        father = session.scalar(select(DnaSample.id).where(DnaSample.code == "WEB-F"))
    assert f"/dna/withdraw/{father}" not in page  # only the donor may withdraw her own consent here
    gone = family.post(f"/my/cases/{case_id}/dna/withdraw/{mother}", data={"csrf_token": csrf(family)})
    assert gone.status_code == 303
    page = family.get(gone.headers["location"], headers=UK).text
    assert "Вашу згоду відкликано" in page and "Згоду відкликано" in page
    with web_app.state.sessionmaker() as session:
        rows = session.scalars(select(DnaComparison).where(DnaComparison.case_id == case_id)).all()
        assert all(row.references == 1 or row.state is not None for row in rows)
    refused = family.post(f"/my/cases/{case_id}/dna/withdraw/{father}", data={"csrf_token": csrf(family)})
    assert refused.status_code == 404


def test_another_familys_sample_reads_as_a_missing_one_on_the_withdraw_form(
    web_app: FastAPI, tmp_path: Path
) -> None:
    """Posting another case's sample id under one's own case answers as a missing id does (it used to
    answer "this sample is not of this case", telling that the id exists)."""
    family, stranger = sign_up(web_app, "olena"), sign_up(web_app, "halyna")
    own, theirs = file_case(family), file_case(stranger)
    with web_app.state.sessionmaker() as session:
        donor = Relative(case_id=theirs, full_name="Галина Бондар", relationship_="mother")
        session.add(donor)
        session.flush()
        case = type("CaseRef", (), {"id": theirs})()
        foreign = reference(session, SYSTEM, case, donor, "WEB-THEIRS", Kinship.MOTHER, DonorSex.FEMALE).id
        session.commit()
    token = csrf(family)
    other = family.post(f"/my/cases/{own}/dna/withdraw/{foreign}", data={"csrf_token": token}, headers=UK)
    missing = family.post(f"/my/cases/{own}/dna/withdraw/987654321", data={"csrf_token": token}, headers=UK)
    assert other.status_code == missing.status_code == 404
    # The two answers alike but for the id in the address (blanking digits alone would also blank
    # "initial-scale=1" when the id is 1).
    assert re.sub(r"/withdraw/\d+", "/withdraw/N", other.text) == re.sub(
        r"/withdraw/\d+", "/withdraw/N", missing.text
    )
    assert "WEB-THEIRS" not in other.text and "Галина Бондар" not in other.text
    with web_app.state.sessionmaker() as session:
        consent = session.get_one(DnaSample, foreign).consent
        assert consent is not None and consent.withdrawn_on is None


def test_the_desk_says_why_a_dna_donor_is_not_removed(web_app: FastAPI) -> None:
    family = sign_up(web_app, "olena")
    case_id = file_case(family)
    with web_app.state.sessionmaker() as session:
        donor = Relative(case_id=case_id, full_name="Микола Донор", relationship_="father")
        session.add(donor)
        session.flush()
        case = type("CaseRef", (), {"id": case_id})()
        reference(session, SYSTEM, case, donor, "WEB-DONOR", Kinship.FATHER, DonorSex.MALE)
        donor_id = donor.id
        session.commit()
    worker = sign_in(web_app, *CASEWORKER)
    refused = worker.post(
        f"/desk/relatives/{donor_id}/delete", data={"case_id": str(case_id), "csrf_token": csrf(worker)}
    )
    assert refused.status_code == 422 and "text/html" in refused.headers["content-type"]
    assert "gave a DNA sample" in refused.text
    assert "Микола Донор" in worker.get(f"/desk/cases/{case_id}").text


def test_direct_matches_on_the_desk_and_the_family_page(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A toothbrush matches a body; the body and a fragment are associated by two analysts on the desk;
    the family, once told, reads that every part found comes back to them (no code, no genotype)."""
    from tests.services.dna_helpers import MARKERS, personal_effect

    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    family = sign_up(web_app, "marta")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    assert worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)}).status_code == 303
    with web_app.state.sessionmaker() as session:
        user_service.create_user(
            session, SYSTEM, username=OTHER[0], password=OTHER[1], role=Role.ANALYST, display_name="Other"
        )
        case = type("CaseRef", (), {"id": case_id})()
        personal_effect(session, SYSTEM, case, "WEB-BRUSH")
        remains(session, SYSTEM, "WEB-P1")
        remains(session, SYSTEM, "WEB-P2")
        son = trio(5).son
        export = long_csv(
            tmp_path, {"WEB-BRUSH": son, "WEB-P1": son, "WEB-P2": {m: son[m] for m in MARKERS[:7]}}
        )
        dna_arrival.import_and_match(session, SYSTEM, web_app.state.genetic_key, markers(tmp_path), export)
        session.commit()

    first, second = sign_in(web_app, *ANALYST), sign_in(web_app, *OTHER)
    desk = first.get("/desk/dna")
    assert desk.status_code == 200
    assert "Personal effect: toothbrush (the remains would be the missing person himself)" in desk.text
    assert "Remains that may be one person" in desk.text and "No fragments have been confirmed" in desk.text
    link = int(re.search(r'id="association-(\d+)"', desk.text).group(1))  # type: ignore[union-attr]
    url = f"/desk/dna/associations/{link}"
    assert (
        first.post(f"{url}/propose", data={"reason": "7 markers", "csrf_token": csrf(first)}).status_code
        == 303
    )
    own = first.post(f"{url}/confirm", data={"reason": "me", "csrf_token": csrf(first)})
    assert own.status_code == 403 and "second analyst" in own.text
    assert worker.post(f"{url}/propose", data={"reason": "x", "csrf_token": csrf(worker)}).status_code == 403
    assert second.post(f"{url}/confirm", data={"reason": "ok", "csrf_token": csrf(second)}).status_code == 303
    desk = second.get("/desk/dna", headers=UK)
    assert "Фрагменти однієї людини" in desk.text and "ще не ідентифіковано" in desk.text
    assert "No remains wait" not in desk.text and "Немає останків, що чекають на поєднання." in desk.text

    with web_app.state.sessionmaker() as session:
        p1 = session.scalar(select(DnaSample.id).where(DnaSample.code == "WEB-P1"))
        candidate = session.scalar(select(DnaComparison.id).where(DnaComparison.remains_sample_id == p1))
    base = f"/desk/dna/candidates/{candidate}"
    assert (
        first.post(f"{base}/propose", data={"reason": "identity", "csrf_token": csrf(first)}).status_code
        == 303
    )
    assert (
        second.post(f"{base}/confirm", data={"reason": "ok", "csrf_token": csrf(second)}).status_code == 303
    )
    desk = second.get("/desk/dna", headers=UK).text
    assert "ідентифіковано як справу" in desk
    # P2's own candidate is flagged: its fragment group is identified already.
    assert "Фрагмент тієї самої людини (WEB-P1) уже ідентифіковано як справу" in desk
    today = dt.date.today().isoformat()
    assert (
        worker.post(f"{base}/family-told", data={"on": today, "csrf_token": csrf(worker)}).status_code == 303
    )
    page = family.get(f"/my/cases/{case_id}/dna", headers=UK).text
    assert "Знайдено частин останків: 2" in page and "Усі вони будуть повернуті вашій родині." in page
    assert "WEB-" not in page and "TKDNA" not in page and "Synthetic Lab" not in page
    # The object the family handed over, in its own words, and what it is for.
    assert "Особисті речі зниклого, які ви передали" in page and "toothbrush, передано 2026-03-02" in page
    assert family.get("/desk/dna").status_code in (303, 403)
    assert family.post(f"{url}/reject", data={"reason": "x", "csrf_token": csrf(family)}).status_code in (
        303,
        403,
    )
