"""The case dossier: what it says (read back from the PDF), what it never says, and its audited hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.services.helpers import actor

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import (
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    Role,
    SourceKind,
    Visibility,
)
from kintrace.services import cases, evidence, requests
from kintrace.services.errors import Forbidden, NotFound
from kintrace.store import audit_personal
from kintrace.store.models import AuditEntry
from kintrace.web import dossier

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def case_file(session, factories):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    case = factories.CaseFactory()
    cases.add_relative(
        session,
        worker,
        case.id,
        cases.RelativeInput(full_name="Коваль Олена", relationship="mother", phone="+380671234567"),
    )
    listed = factories.SourceFactory(
        kind=SourceKind.PUBLISHED_LIST,
        name="Список обміну № 7",
        reliability=Reliability.B,
        credibility=Credibility.PROBABLY_TRUE,
    )
    comrade = factories.SourceFactory(
        kind=SourceKind.FELLOW_SERVICEMAN,
        name="Побратим С.",
        reliability=Reliability.C,
        credibility=Credibility.POSSIBLY_TRUE,
    )
    hidden = factories.SourceFactory(kind=SourceKind.OTHER, name="Захищене джерело")
    for claim, source, when, visibility in (
        (Claim.DEAD, comrade, PartialDate(2024, 2, 10), Visibility.FAMILY),
        (Claim.CAPTURED, listed, PartialDate(2024, 5), Visibility.FAMILY),
        (Claim.SEEN_AT_PLACE, hidden, PartialDate(2024, 6), Visibility.INTERNAL),
    ):
        evidence.add_evidence(
            session,
            worker,
            case.id,
            evidence.EvidenceInput(claim, source.id, event_date=when, visibility=visibility),
        )
    requests.submit_request(
        session,
        worker,
        case.id,
        requests.RequestInput(
            PersonStatus.CONFIRMED_CAPTURED, "Міністерство оборони України", dt.date(2026, 1, 5)
        ),
        today=TODAY,
    )
    return worker, case


def _text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "dossier.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def test_the_dossier_says_everything_an_authority_needs(session, case_file, tmp_path):
    worker, case = case_file
    made = dossier.dossier_document(session, worker, case.id, "ru", today=TODAY)
    text = _text(made.content, tmp_path)
    assert f"Досье дела {case.reference}" in text and case.person.last_name in text
    assert "Список обміну № 7" in text and "B2" in text and "Побратим С." in text and "2024-02-10" in text
    assert "Міністерство оборони України" in text and "147" in text  # days pending, 2026-01-05 to 06-01
    # The contradiction in words: reported dead, then on an exchange list.
    assert (
        "(Погиб, 2024-02-10, Побратим С. (C3)) и #" in text
        and "(В плену, 2024-05, Список обміну № 7 (B2))" in text
    )
    # Never a relative's contact, never an internal item unless asked for.
    assert "+380671234567" not in text and "Захищене джерело" not in text
    assert "1 внутренняя запись не включена в досье." in text
    with_internal = _text(
        dossier.dossier_pdf(session, worker, case.id, "ru", internal=True, today=TODAY), tmp_path
    )
    assert "Захищене джерело" in with_internal and "+380671234567" not in with_internal
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "document.case_dossier.pdf")).one()
    assert (
        audit_personal.open_entry(session, entry).after["sha256"] == hashlib.sha256(made.content).hexdigest()
    )


def test_families_and_analysts_make_no_dossier(session, case_file, factories):
    _, case = case_file
    with pytest.raises(NotFound):  # another family's case does not exist for them
        dossier.dossier_pdf(session, actor(factories.UserFactory(role=Role.FAMILY)), case.id, "uk")
    with pytest.raises(Forbidden):
        dossier.dossier_pdf(session, actor(factories.UserFactory(role=Role.ANALYST)), case.id, "uk")
