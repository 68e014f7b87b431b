"""The overdue report per authority: figures, month by month, and the documents (CSV, PDF read back)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from kintrace.domain.vocabulary import RequestOutcome, Role
from kintrace.services import documents, overdue_report
from kintrace.services.access import Actor
from kintrace.services.errors import Forbidden, ValidationFailed
from kintrace.store import audit_personal
from kintrace.store.models import AuditEntry

TODAY = dt.date(2026, 6, 15)
STAFF = "Координаційний штаб"
MINISTRY = "Міністерство  оборони України"  # two spaces: the same authority as with one


def _request(factories, authority, submitted, outcome=RequestOutcome.PENDING, answered=None, **case):
    made = factories.StatusRequestFactory(
        authority=authority,
        submitted_on=submitted,
        deadline=submitted + dt.timedelta(days=30),
        outcome=outcome,
        outcome_on=answered,
        **({"case": factories.CaseFactory(**case)} if case else {}),
    )
    return made


@pytest.fixture
def registry(factories, session):
    for days in (10, 40, 70, 100, 400):
        _request(factories, STAFF, TODAY - dt.timedelta(days=days))
    # Answered on 2026-03-10 after waiting since 2026-01-05: waiting at the January and February ends.
    _request(factories, STAFF, dt.date(2026, 1, 5), RequestOutcome.REFUSED, dt.date(2026, 3, 10))
    _request(factories, MINISTRY, TODAY - dt.timedelta(days=50))
    _request(factories, "Міністерство оборони України", TODAY - dt.timedelta(days=20))
    session.flush()


def test_figures_per_authority(registry, session, factories):
    report = overdue_report.overdue_report(session, _caseworker(factories), today=TODAY)
    by_name = {a.authority: a for a in report.authorities}
    assert set(by_name) == {STAFF, "Міністерство оборони України"}
    staff = by_name[STAFF]
    assert (staff.pending, staff.overdue, staff.median_days) == (5, 4, 70)
    assert staff.p90_days == pytest.approx(280)  # 100 + 0.6 * (400 - 100)
    assert [w.days_pending for w in staff.oldest] == [400, 100, 70, 40, 10]
    assert by_name["Міністерство оборони України"].pending == 2
    assert report.authorities[0].authority == STAFF  # longest median first


def test_month_by_month(registry, session, factories):
    report = overdue_report.overdue_report(session, _caseworker(factories), today=TODAY, authority=STAFF)
    (staff,) = report.authorities
    months = {m.month_end: m for m in staff.months}
    assert list(months)[-1] == TODAY and len(months) == overdue_report.MONTHS + 1
    # At the end of February: the 400-day request (from 2025-05-11), the refused one (answered in
    # March), and the 2026-03-07 one not yet sent.
    february = months[dt.date(2026, 2, 28)]
    assert february.pending == 2 and february.overdue == 2
    assert february.median_days == pytest.approx(
        ((dt.date(2026, 2, 28) - dt.date(2025, 5, 11)).days + 54) / 2
    )
    assert months[dt.date(2026, 3, 31)].pending == 2  # refused in March, 2026-03-07 sent


def test_the_csv_has_a_row_per_authority_and_month(registry, session, factories):
    made = documents.overdue(session, _caseworker(factories), fmt="csv", today=TODAY)
    rows = list(csv.DictReader(io.StringIO(made.content.decode("utf-8"))))
    assert len(rows) == 2 * (overdue_report.MONTHS + 1)
    last = [r for r in rows if r["authority"] == STAFF][-1]
    assert last == {
        "authority": STAFF,
        "as_of": "2026-06-15",
        "pending": "5",
        "overdue": "4",
        "median_days_pending": "70",
        "p90_days_pending": "280",
    }


@pytest.mark.parametrize(("language", "heading"), [("uk", "Найдовше без відповіді"), ("ru", "Дольше всего")])
def test_the_pdf_reads_back_and_its_hash_is_audited(
    registry, session, factories, tmp_path: Path, language, heading
):
    made = documents.overdue(session, _caseworker(factories), fmt="pdf", language=language, today=TODAY)
    path = tmp_path / made.filename
    path.write_bytes(made.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    text = text.decode("utf-8")
    assert STAFF in text and heading in text and "2026-06-15" in text
    assert made.sha256 == hashlib.sha256(made.content).hexdigest()
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "document.overdue_report.pdf"
    assert audit_personal.open_entry(session, entry).after == {
        "sha256": made.sha256,
        "bytes": len(made.content),
        "subject": "all",
    }
    # An authority's name longer than the audit row's id is kept whole beside the digest.
    long_name = "Міністерство " * 23  # 299 characters, as the API allows
    named = documents.overdue(session, _caseworker(factories), fmt="csv", authority=long_name, today=TODAY)
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.entity_id == long_name[:64]
    assert audit_personal.open_entry(session, entry).after["subject"] == long_name
    assert audit_personal.open_entry(session, entry).after["sha256"] == named.sha256
    # The same report twice is the same document: the hash identifies a copy.
    again = documents.overdue(session, _caseworker(factories), fmt="pdf", language=language, today=TODAY)
    assert again.sha256 == made.sha256


def test_families_may_not_read_it_and_bad_choices_name_the_field(session, factories):
    family = factories.UserFactory(role=Role.FAMILY)
    with pytest.raises(Forbidden):
        documents.overdue(session, Actor(family.id, Role.FAMILY, "f"), fmt="pdf")
    with pytest.raises(ValidationFailed) as bad:
        documents.overdue(session, _caseworker(factories), fmt="docx")
    assert bad.value.field == "format"
    with pytest.raises(ValidationFailed) as bad_language:
        documents.overdue(session, _caseworker(factories), fmt="pdf", language="de")
    assert bad_language.value.field == "language"


def _caseworker(factories) -> Actor:
    user = factories.UserFactory(role=Role.CASEWORKER)
    return Actor(user.id, user.role, user.username)
