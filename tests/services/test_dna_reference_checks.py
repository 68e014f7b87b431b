"""A family's references are checked against each other before they are used (issue 14): a "father"
whose sample is a stranger's is flagged to the analysts and the family is not scored until resolved."""

from __future__ import annotations

import os

import pytest
from tests.services.dna_helpers import long_csv, markers, reference, remains, trio
from tests.services.helpers import actor

from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_arrival, dna_family_tables, dna_matching
from kintrace.services.genetic_crypto import MasterKey


@pytest.fixture(autouse=True)
def _fresh_cache():
    dna_family_tables.forget_all()
    yield
    dna_family_tables.forget_all()


def test_a_swapped_sample_is_flagged_not_scored_and_scored_again_once_withdrawn(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    case = factories.CaseFactory()
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    brother = factories.RelativeFactory(case=case, relationship_="brother", is_reporter=False)
    reference(session, worker, case, father, "F", Kinship.FATHER, DonorSex.MALE)
    swapped = reference(session, worker, case, brother, "S", Kinship.FULL_SIBLING, DonorSex.MALE)
    remains(session, worker, "BODY")
    dna, key, table = trio(11), MasterKey(os.urandom(32)), markers(tmp_path)
    # The "brother" tube holds a stranger's DNA: the sample was swapped at collection.
    exports = {"F": dna.father, "S": dna.stranger, "BODY": dna.son}
    arrival = dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, exports))
    why = arrival.matching.skipped[case.id]
    assert "the references contradict the relationships stated between them at TKDNA" in why
    assert "not scored until a sample is withdrawn or replaced" in why
    assert dna_matching.list_candidates(session, worker) == []  # never scored, so never proposed
    assert dna_matching.unscored_families(session, worker, key, table) == {case.id: why}  # the desk's list
    # Resolved: the swapped sample is withdrawn; the father alone is used and the son is found.
    dna_arrival.withdraw_consent(session, worker, key, table, swapped.id)
    again = dna_matching.compare(session, worker, key, table, reason="after the swap was resolved")
    assert case.id not in again.skipped and dna_matching.unscored_families(session, worker, key, table) == {}
    [candidate] = dna_matching.list_candidates(session, worker)
    assert candidate.case_id == case.id and candidate.log10_lr > 4


def test_a_family_whose_references_were_rolled_back_is_in_no_later_result(session, factories, tmp_path):
    """On PostgreSQL a rolled-back reference's id is not reused: the next arrival must still notice
    that the family built from it is gone (before, it stayed in the arrival tables and was scored)."""
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    dna, key, table = trio(5), MasterKey(os.urandom(32)), markers(tmp_path)
    savepoint = session.begin_nested()
    gone = factories.CaseFactory()
    father = factories.RelativeFactory(case=gone, relationship_="father", is_reporter=False)
    reference(session, worker, gone, father, "GONE-F", Kinship.FATHER, DonorSex.MALE)
    dna_arrival.import_and_match(
        session, worker, key, table, long_csv(tmp_path, {"GONE-F": dna.father}, "a.csv")
    )
    gone_id = gone.id
    with dna_family_tables.locked():
        assert gone_id in dna_family_tables.refresh(session, worker, key, table, "test").where
    savepoint.rollback()  # the import's transaction failed after matching
    kept = factories.CaseFactory()
    mother = factories.RelativeFactory(case=kept, relationship_="mother", is_reporter=False)
    reference(session, worker, kept, mother, "KEPT-M", Kinship.MOTHER, DonorSex.FEMALE)
    dna_arrival.import_and_match(
        session, worker, key, table, long_csv(tmp_path, {"KEPT-M": dna.mother}, "b.csv")
    )
    with dna_family_tables.locked():
        store = dna_family_tables.refresh(session, worker, key, table, "test")
    assert set(store.where) == {kept.id}
