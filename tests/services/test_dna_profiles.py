"""Genetic profiles: import, encryption at rest, audited reads, crypto-shredding, key rotation."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select
from tests.services.dna_helpers import long_csv, markers, reference, remains, trio, wide_csv
from tests.services.helpers import actor

from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_arrival, dna_profiles
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.services.genetic_crypto import GeneticKeyError, MasterKey
from kintrace.store import audit_personal
from kintrace.store.models import AuditEntry, DnaProfile


@pytest.fixture
def lab(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    analyst = actor(factories.UserFactory(role=Role.ANALYST))
    admin = actor(factories.UserFactory(role=Role.ADMIN))
    user = factories.UserFactory(role=Role.FAMILY)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=user, relation="reporter")
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    mother = factories.RelativeFactory(case=case, relationship_="mother", user_id=user.id)
    samples = {
        "F": reference(session, worker, case, father, "F", Kinship.FATHER, DonorSex.MALE),
        "M": reference(session, worker, case, mother, "M", Kinship.MOTHER, DonorSex.FEMALE),
        "B1": remains(session, worker, "B1"),
    }
    return {
        "worker": worker,
        "analyst": analyst,
        "admin": admin,
        "family": actor(user),
        "case": case,
        "samples": samples,
        "markers": markers(tmp_path),
        "key": MasterKey(os.urandom(32)),
        "dir": tmp_path,
        "dna": trio(),
    }


def _import(session, lab, profiles, *, wide=False, who="analyst"):
    path = (wide_csv if wide else long_csv)(lab["dir"], profiles)
    return dna_profiles.import_profiles(session, lab[who], lab["key"], lab["markers"], path)


def test_import_stores_only_ciphertext_and_reads_back_with_an_audited_reason(session, lab):
    dna = lab["dna"]
    result = _import(session, lab, {"F": dna.father, "M": dna.mother}, wide=True)
    assert [p.n_markers for p in result.profiles] == [16, 16]
    stored = session.scalars(select(DnaProfile)).all()
    for profile in stored:
        assert b"TKDNA" not in profile.ciphertext and b"15.3" not in profile.ciphertext
    father_id = lab["samples"]["F"].id
    read = dna_profiles.read_genotypes(
        session, lab["analyst"], lab["key"], father_id, "checking a kit artefact"
    )
    assert read == dna.father
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_profile.read")).one()
    assert entry.actor_name == lab["analyst"].name
    after = audit_personal.open_entry(session, entry).after
    assert isinstance(after, dict) and after["reason"] == "checking a kit artefact"
    assert "TKDNA01" not in (entry.after or "") and "genotypes" not in str(after)


def test_reading_needs_a_reason_staff_and_the_right_key(session, lab):
    _import(session, lab, {"F": lab["dna"].father})
    father_id = lab["samples"]["F"].id
    with pytest.raises(ValidationFailed, match="reason"):
        dna_profiles.read_genotypes(session, lab["analyst"], lab["key"], father_id, "  ")
    with pytest.raises(Forbidden):
        dna_profiles.read_genotypes(session, lab["family"], lab["key"], father_id, "curious")
    with pytest.raises(GeneticKeyError, match="does not open"):
        dna_profiles.read_genotypes(session, lab["analyst"], MasterKey(os.urandom(32)), father_id, "audit")


def test_import_errors_name_row_and_field_and_write_nothing(session, lab):
    dna = lab["dna"]
    with pytest.raises(ValidationFailed, match=r"row 18, field sample_id: sample 'NOPE' is not registered"):
        _import(session, lab, {"F": dna.father, "NOPE": dna.mother})
    assert session.scalars(select(DnaProfile)).all() == []
    bad = dict(dna.father)
    bad["TKDNA03"] = ("99", "10")
    with pytest.raises(ValidationFailed, match=r"row 4 \(sample 'F'\), field allele1: allele '99'"):
        _import(session, lab, {"F": bad})
    _import(session, lab, {"F": dna.father})
    with pytest.raises(ValidationFailed, match="already has a profile"):
        _import(session, lab, {"M": dna.mother, "F": dna.father})
    assert session.scalars(select(DnaProfile.sample_id)).all() == [lab["samples"]["F"].id]
    with pytest.raises(Forbidden):
        _import(session, lab, {"M": dna.mother}, who="family")


def test_withdrawn_consent_shreds_the_profile_and_blocks_a_new_one(session, lab):
    dna = lab["dna"]
    _import(session, lab, {"F": dna.father, "M": dna.mother})
    mother = lab["samples"]["M"]
    # The mother withdraws herself (she is the donor and has an account); the caseworker could too.
    assert dna_arrival.withdraw_consent(session, lab["family"], lab["key"], lab["markers"], mother.id)
    profile = session.scalars(select(DnaProfile).where(DnaProfile.sample_id == mother.id)).one()
    assert profile.wrapped_key is None and profile.shredded_at is not None
    with pytest.raises(NotFound):
        dna_profiles.read_genotypes(session, lab["analyst"], lab["key"], mother.id, "after withdrawal")
    assert set(
        dna_profiles.usable_profiles(session, lab["analyst"], lab["key"], "test", kind=mother.kind)
    ) == {lab["samples"]["F"].id}
    with pytest.raises(ValidationFailed, match="no consent in force"):
        _import(session, lab, {"M": dna.mother})
    with pytest.raises(Conflict, match="already withdrawn"):
        dna_arrival.withdraw_consent(session, lab["worker"], lab["key"], None, mother.id)
    with pytest.raises(Forbidden):
        dna_arrival.withdraw_consent(session, lab["analyst"], lab["key"], None, lab["samples"]["F"].id)
    # The family account is not the father: it may not withdraw his consent.
    with pytest.raises(NotFound):
        dna_arrival.withdraw_consent(session, lab["family"], lab["key"], None, lab["samples"]["F"].id)


def test_rotation_rewraps_every_live_key(session, lab):
    dna = lab["dna"]
    _import(session, lab, {"F": dna.father, "M": dna.mother, "B1": dna.son})
    dna_arrival.withdraw_consent(session, lab["worker"], lab["key"], None, lab["samples"]["M"].id)
    new = MasterKey(os.urandom(32))
    with pytest.raises(Forbidden):
        dna_profiles.rotate(session, lab["worker"], lab["key"], new)
    assert dna_profiles.rotate(session, lab["admin"], lab["key"], new) == 2
    assert (
        dna_profiles.read_genotypes(session, lab["analyst"], new, lab["samples"]["B1"].id, "after rotation")
        == dna.son
    )
    with pytest.raises(GeneticKeyError):
        dna_profiles.read_genotypes(session, lab["analyst"], lab["key"], lab["samples"]["F"].id, "old key")
    with pytest.raises(Conflict, match="not wrapped by the current key"):
        dna_profiles.rotate(session, lab["admin"], lab["key"], MasterKey(os.urandom(32)))
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_keys.rotate")).one()
