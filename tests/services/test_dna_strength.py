"""Each family's reference strength, stored, and which relative to ask next (issue 14)."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from sqlalchemy import select
from tests.services.dna_helpers import ALLELES, MARKERS, long_csv, markers, reference, trio
from tests.services.helpers import actor

from kintrace.dna.families import Family
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.dna.power import reference_strength
from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_arrival, dna_family_tables, dna_profiles, dna_strength
from kintrace.services.errors import Forbidden, NotFound
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import AuditEntry, DnaReferenceStrength, DnaSample


@pytest.fixture(autouse=True)
def _fresh_cache():
    dna_family_tables.forget_all()
    yield
    dna_family_tables.forget_all()


def _father_only(session, factories, tmp_path, seed=3):
    """A family with the father alone typed, and a table of 6 markers where that is weak."""
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    case = factories.CaseFactory()
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    reference(session, worker, case, father, "F1", Kinship.FATHER, DonorSex.MALE)
    dna, key, table = trio(seed), MasterKey(os.urandom(32)), markers(tmp_path)
    dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, {"F1": dna.father}))
    return worker, case, dna, key, {name: table[name] for name in MARKERS[:6]}


def test_the_stored_strength_is_the_engines_simulation_on_the_same_pedigree(session, factories, tmp_path):
    worker, case, dna, key, table = _father_only(session, factories, tmp_path)
    assert dna_strength.get_strength(session, worker, case.id, table).state is dna_strength.State.NOT_COMPUTED
    stored = dna_strength.compute(session, worker, key, table, case.id)
    assert stored.state is dna_strength.State.CURRENT and stored.row is not None
    # The same figures from the engine called directly: father, mother, the missing son; the father typed.
    pedigree = Pedigree(
        [
            Person("father", None, None, 1),
            Person("mother", None, None, 2),
            Person("missing", "father", "mother", 1),
        ]
    )
    direct = reference_strength(
        Family(str(case.id), pedigree, "missing", {}),
        {"father": dna.father},
        table,
        n=dna_strength.SIMULATIONS,
        seed=case.id,
        threshold=1e4,
    )
    row = stored.row
    assert row.p_true == float(np.mean(direct.true_lr >= 1e4))
    assert row.p_unrelated == float(np.mean(direct.unrelated_lr >= 1e4))
    assert row.exclusion_power == direct.exclusion_power_exact
    assert (row.simulations, row.seed, row.threshold, row.markers) == (
        dna_strength.SIMULATIONS,
        case.id,
        1e4,
        6,
    )
    assert row.reference_samples == [{"sample": "F1", "kinship": "father"}]
    assert row.frequency_table == dna_family_tables.fingerprint(table)
    # One parent at 6 markers is weak: the mother or a full sibling is the one to ask, from p to near 1.
    assert stored.weak and row.p_true < 0.5
    best = stored.suggestions[0]
    assert best.kinship in (Kinship.MOTHER, Kinship.CHILD) and best.p_true > 0.9 > row.p_true
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_strength.compute")).all()
    assert [a.entity_id for a in audit] == [str(case.id)]


def test_only_a_grandmother_typed_a_parent_is_asked_before_an_uncle_or_grandparent(
    session, factories, tmp_path
):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    case = factories.CaseFactory()
    granny = factories.RelativeFactory(case=case, relationship_="grandmother", is_reporter=False)
    reference(session, worker, case, granny, "GM", Kinship.PATERNAL_GRANDMOTHER, DonorSex.FEMALE)
    rng = random.Random(2)
    profile = {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS}
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, {"GM": profile}))
    stored = dna_strength.compute(session, worker, key, table, case.id)
    order = [s.kinship for s in stored.suggestions]
    assert Kinship.PATERNAL_GRANDMOTHER not in order  # sampled already: one of a kind
    assert order[0] in (Kinship.MOTHER, Kinship.FATHER, Kinship.FULL_SIBLING, Kinship.CHILD)
    assert order.index(Kinship.MOTHER) < order.index(Kinship.MATERNAL_UNCLE_OR_AUNT)
    assert order.index(Kinship.MOTHER) < order.index(Kinship.PATERNAL_HALF_SIBLING)
    figures = {s.kinship: s.p_true for s in stored.suggestions}
    assert figures[Kinship.MOTHER] > stored.row.p_true
    # Deterministic: the same references give the same figures.
    again = dna_strength.compute(session, worker, key, table, case.id)
    assert [(s.kinship, s.p_true) for s in again.suggestions] == [
        (s.kinship, s.p_true) for s in stored.suggestions
    ]


def test_recomputed_after_a_reference_arrives_is_withdrawn_or_shredded(session, factories, tmp_path):
    worker, case, dna, key, table = _father_only(session, factories, tmp_path)
    first = dna_strength.compute(session, worker, key, table, case.id).row.p_true
    mother = factories.RelativeFactory(case=case, relationship_="mother", is_reporter=False)
    sample = reference(session, worker, case, mother, "M1", Kinship.MOTHER, DonorSex.FEMALE)
    dna_arrival.import_and_match(
        session, worker, key, table, long_csv(tmp_path, {"M1": {m: dna.mother[m] for m in table}}, "m.csv")
    )
    assert dna_strength.get_strength(session, worker, case.id, table).state is dna_strength.State.NOT_COMPUTED
    assert dna_strength.compute_stale(session, worker, key, table) == 1
    both = dna_strength.get_strength(session, worker, case.id, table)
    assert both.state is dna_strength.State.CURRENT and both.row.p_true > first
    assert not both.weak and both.suggestions == []  # strong: nobody more to ask
    assert dna_strength.compute_stale(session, worker, key, table) == 0
    dna_arrival.withdraw_consent(session, worker, key, table, sample.id)
    assert dna_strength.get_strength(session, worker, case.id, table).state is dna_strength.State.NOT_COMPUTED
    assert dna_strength.compute(session, worker, key, table, case.id).row.p_true == first
    # The father's profile crypto-shredded: no live reference, no figure kept.
    father = session.scalar(select(DnaSample).where(DnaSample.code == "F1"))
    assert dna_profiles.shred(session, worker, father, "test: destroyed")
    assert (
        dna_strength.get_strength(session, worker, case.id, table).state is dna_strength.State.NO_REFERENCES
    )
    assert (
        dna_strength.compute(session, worker, key, table, case.id).state is dna_strength.State.NO_REFERENCES
    )
    assert session.get(DnaReferenceStrength, case.id) is None
    # A new frequency table is another signature too.


def test_another_frequency_table_reads_as_not_computed(session, factories, tmp_path):
    worker, case, _, key, table = _father_only(session, factories, tmp_path)
    dna_strength.compute(session, worker, key, table, case.id)
    other = dict(table)
    other.pop(MARKERS[0])
    assert dna_strength.get_strength(session, worker, case.id, other).state is dna_strength.State.NOT_COMPUTED
    assert dna_strength.get_strength(session, worker, case.id, table).state is dna_strength.State.CURRENT


def test_families_read_plain_words_of_their_own_case_only(session, factories, tmp_path):
    worker, case, _, key, table = _father_only(session, factories, tmp_path)
    family_user = factories.UserFactory(role=Role.FAMILY)
    factories.CaseMemberFactory(case=case, user=family_user, relation="reporter")
    session.flush()
    family = actor(family_user)
    assert dna_strength.family_view(session, family, case.id, table) == dna_strength.FamilyStrength(
        False, False, None
    )
    dna_strength.compute(session, worker, key, table, case.id)
    seen = dna_strength.family_view(session, family, case.id, table)
    assert seen.computed and not seen.strong and seen.ask in (Kinship.MOTHER, Kinship.CHILD)
    assert set(vars(seen)) == {"computed", "strong", "ask"}  # no number, no genotype
    other = factories.CaseFactory()
    with pytest.raises(NotFound):
        dna_strength.family_view(session, family, other.id, table)
    with pytest.raises(Forbidden):
        dna_strength.get_strength(session, family, case.id, table)
    with pytest.raises(Forbidden):
        dna_strength.compute(session, family, key, table, case.id)
    assert session.get(DnaReferenceStrength, case.id) is not None


def test_a_server_computes_the_strengths_not_current_in_the_background(
    session, connection, factories, tmp_path
):
    from sqlalchemy.orm import sessionmaker

    worker, case, _, key, table = _father_only(session, factories, tmp_path)
    other = factories.CaseFactory()
    mother = factories.RelativeFactory(case=other, relationship_="mother", is_reporter=False)
    reference(session, worker, other, mother, "OM", Kinship.MOTHER, DonorSex.FEMALE)
    dna = trio(8)
    dna_arrival.import_and_match(
        session, worker, key, table, long_csv(tmp_path, {"OM": {m: dna.mother[m] for m in table}}, "o.csv")
    )
    session.flush()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    assert dna_strength.compute_in_background(factory, key, table, limit=1) == 1  # bounded
    assert dna_strength.compute_in_background(factory, key, table, limit=10) == 1  # the other one
    assert dna_strength.compute_in_background(factory, key, table, limit=10) == 0  # all current
    found = dna_strength.strengths(session, {case.id, other.id}, table)
    assert all(s.state is dna_strength.State.CURRENT for s in found.values())
