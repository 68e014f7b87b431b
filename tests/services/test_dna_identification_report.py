"""The identification report (PDF) of a DNA comparison, read back as text with pdftotext."""

from __future__ import annotations

import hashlib
import math
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.services.helpers import actor
from tests.services.test_dna_matching_review import _candidate, lab  # noqa: F401  (the fixture)

from kintrace.domain.vocabulary import Role
from kintrace.services import dna_family_tables, dna_review
from kintrace.services.errors import Forbidden, NotFound
from kintrace.store import audit_personal
from kintrace.store.models import AuditEntry
from kintrace.web import dna_report


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test's families only: the arrival tables are kept per process (services/dna_family_tables)."""
    dna_family_tables.forget_all()
    yield
    dna_family_tables.forget_all()


def _text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_report_states_hypotheses_lrs_prior_strength_review_and_method(session, lab, tmp_path):  # noqa: F811
    row = _candidate(session, lab)
    dna_review.propose(session, lab["first"], row.id, "all 8 markers consistent with both parents")
    dna_review.confirm(session, lab["second"], row.id, "checked the pedigree and the kit")
    made = dna_report.identification_report_document(
        session, lab["first"], lab["key"], lab["markers"], row.id, "en"
    )
    text = " ".join(_text(made.content, tmp_path).split())
    case = lab["case"]
    assert f"DNA identification report {case.reference} / B1" in text
    assert "H1: the remains B1" in text and "H2: the remains are those of a person unrelated" in text
    assert "F father" in text.replace("  ", " ") and "M mother" in text
    assert all(marker in text for marker in row.marker_lrs)  # every marker's LR
    exponent = math.floor(row.log10_lr)
    assert f"× 10^{exponent}" in text and f"log10 {row.log10_lr:.2f}" in text
    assert row.prior_name in text and f"{row.posterior:.6f}" in text
    assert "reaches LR ≥ 10^4 with probability" in text and "exclusion power, exact" in text
    assert "all 8 markers consistent with both parents" in text and "checked the pedigree and the kit" in text
    assert "confirmed by two analysts" in text and "no mutation model" in text
    assert "15.3" not in text  # an allele the family carries: no genotype is printed
    assert made.sha256 == hashlib.sha256(made.content).hexdigest()
    recorded = session.scalars(select(AuditEntry).where(AuditEntry.action.like("document%"))).all()
    assert [audit_personal.open_entry(session, e).after["sha256"] for e in recorded] == [made.sha256]
    reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_profile.read_batch")).all()
    reasons = [audit_personal.open_entry(session, entry).after["reason"] for entry in reads]
    assert dna_report.READ_REASON in reasons  # the references read for the strength, audited


def test_the_report_is_in_the_readers_language_and_only_for_staff(session, lab, factories, tmp_path):  # noqa: F811
    row = _candidate(session, lab)
    uk = _text(
        dna_report.identification_report_pdf(session, lab["first"], lab["key"], lab["markers"], row.id, "uk"),
        tmp_path,
    )
    assert "Гіпотези" in " ".join(uk.split())
    with pytest.raises(Forbidden):
        dna_report.identification_report_pdf(session, lab["family"], lab["key"], lab["markers"], row.id, "uk")
    with pytest.raises(NotFound):
        dna_report.identification_report_pdf(session, lab["first"], lab["key"], lab["markers"], 10**6, "en")
    caseworker = actor(factories.UserFactory(role=Role.CASEWORKER))  # staff who are not analysts too
    assert dna_report.identification_report_pdf(session, caseworker, lab["key"], lab["markers"], row.id, "ru")


def test_the_report_reads_the_stored_strength_without_decrypting_again(session, lab, tmp_path):  # noqa: F811
    from kintrace.services import dna_strength

    row = _candidate(session, lab)

    def strength_reads() -> int:
        reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_profile.read_batch")).all()
        reasons = [audit_personal.open_entry(session, entry).after["reason"] for entry in reads]
        return reasons.count(dna_report.READ_REASON)

    def report() -> str:
        content = dna_report.identification_report_pdf(
            session, lab["first"], lab["key"], lab["markers"], row.id, "en"
        )
        return " ".join(_text(content, tmp_path).split())

    simulated = report()
    assert strength_reads() == 1
    stored = dna_strength.compute(session, lab["first"], lab["key"], lab["markers"], row.case_id).row
    text = report()
    assert strength_reads() == 1  # the stored figures: nothing decrypted for the report
    assert f"probability {stored.p_true:.3f}" in text and f"{stored.exclusion_power:.4f}" in text
    # The same simulation either way: the report computed on the spot said the same.
    part = text.split("Reference strength of the family")[1].split("Review")[0]
    assert part == simulated.split("Reference strength of the family")[1].split("Review")[0]
