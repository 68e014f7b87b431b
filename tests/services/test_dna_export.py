"""Genotypes leave the registry only when an analyst asks, with a reason: one case's or named samples'
live profiles in the long layout the importer reads back, each read audited; shredded profiles never."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.services.test_dna_profiles import _import, lab  # noqa: F401 - the fixture

from kintrace.dna.profiles import read_profiles
from kintrace.services import dna_profiles
from kintrace.services.errors import Forbidden, NotFound, ValidationFailed
from kintrace.store import audit_personal
from kintrace.store.models import AuditEntry


def _as_pairs(genotypes):
    return {marker: tuple(sorted(pair)) for marker, pair in genotypes.items()}


def test_a_case_export_reads_back_as_the_imported_genotypes_and_audits_each_profile(session, lab):  # noqa: F811
    dna = lab["dna"]
    _import(session, lab, {"F": dna.father, "M": dna.mother, "B1": dna.son})
    made = dna_profiles.export_profiles(
        session, lab["analyst"], lab["key"], "second opinion at the partner lab", case_id=lab["case"].id
    )
    assert made.samples == ("F", "M")  # the case's references, not the remains
    path = lab["dir"] / "out.csv"
    path.write_text(made.csv_text, encoding="utf-8")
    back = read_profiles(path, lab["markers"]).profiles
    assert set(back) == {"F", "M"}
    for code, original in (("F", dna.father), ("M", dna.mother)):
        read = {m: tuple(sorted(pair)) for m, pair in back[code].items()}
        assert read == _as_pairs(original)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_profile.export")).all()
    assert len(entries) == 2
    for entry in entries:
        after = audit_personal.open_entry(session, entry).after
        assert isinstance(after, dict) and after["reason"] == "second opinion at the partner lab"


def test_named_samples_and_what_is_refused(session, lab):  # noqa: F811
    dna = lab["dna"]
    _import(session, lab, {"F": dna.father, "M": dna.mother, "B1": dna.son})
    only = dna_profiles.export_profiles(session, lab["analyst"], lab["key"], "DVI tool", sample_codes=("B1",))
    assert only.samples == ("B1",) and only.csv_text.startswith("sample_id,marker,allele1,allele2\n")
    for who in ("worker", "family"):
        with pytest.raises(Forbidden):
            dna_profiles.export_profiles(session, lab[who], lab["key"], "curious", case_id=lab["case"].id)
    with pytest.raises(ValidationFailed, match="reason"):
        dna_profiles.export_profiles(session, lab["analyst"], lab["key"], "  ", case_id=lab["case"].id)
    with pytest.raises(ValidationFailed, match="case_id"):
        dna_profiles.export_profiles(session, lab["analyst"], lab["key"], "everything, please")
    with pytest.raises(NotFound):
        dna_profiles.export_profiles(session, lab["analyst"], lab["key"], "typo", sample_codes=("B1", "NOPE"))


def test_a_shredded_profile_never_leaves(session, lab):  # noqa: F811
    dna = lab["dna"]
    _import(session, lab, {"F": dna.father, "M": dna.mother})
    assert dna_profiles.shred(session, lab["admin"], lab["samples"]["F"], "consent withdrawn")
    made = dna_profiles.export_profiles(session, lab["analyst"], lab["key"], "re-run", case_id=lab["case"].id)
    assert made.samples == ("M",) and "\nF," not in made.csv_text
    with pytest.raises(NotFound):
        dna_profiles.export_profiles(session, lab["analyst"], lab["key"], "re-run", sample_codes=("F",))
