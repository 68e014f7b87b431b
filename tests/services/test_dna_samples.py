"""DNA samples in the registry: references with consent, remains, custody, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.services.dna_helpers import DAY, reference, remains
from tests.services.helpers import actor

from kintrace.domain.dna_samples import CustodyStep, Donor, DonorSex, Kinship, SampleKind, pedigree_layout
from kintrace.domain.errors import DomainError
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_samples
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed


@pytest.fixture
def world(factories):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    analyst = actor(factories.UserFactory(role=Role.ANALYST))
    homes = []
    for _ in range(2):
        user = factories.UserFactory(role=Role.FAMILY)
        case = factories.CaseFactory()
        factories.CaseMemberFactory(case=case, user=user, relation="reporter")
        mother = factories.RelativeFactory(case=case, relationship_="mother", user_id=user.id)
        homes.append((actor(user), case, mother))
    return worker, analyst, homes


def test_reference_sample_records_consent_and_first_custody_step(session, world):
    worker, analyst, [(_, case, mother), _] = world
    sample = reference(session, worker, case, mother, "REF-1", Kinship.MOTHER, DonorSex.FEMALE)
    seen = dna_samples.get_sample(session, analyst, sample.id)
    assert seen.kind is SampleKind.REFERENCE and seen.kinship is Kinship.MOTHER
    assert seen.consent is not None and seen.consent.given_on == DAY and seen.consent.withdrawn_on is None
    assert [(e.step, e.by) for e in seen.custody] == [(CustodyStep.COLLECTED, "Олена Коваль")]


def test_custody_chain_ends_when_consumed(session, world):
    worker, _, [(_, case, mother), _] = world
    sample = reference(session, worker, case, mother, "REF-2", Kinship.MOTHER, DonorSex.FEMALE)
    for step in (CustodyStep.SENT, CustodyStep.RECEIVED, CustodyStep.TYPED, CustodyStep.CONSUMED):
        dna_samples.add_custody(session, worker, sample.id, step, DAY, "Lab courier")
    with pytest.raises(Conflict, match="consumed"):
        dna_samples.add_custody(session, worker, sample.id, CustodyStep.STORED, DAY, "Lab")
    other = remains(session, worker, "BODY-9")
    with pytest.raises(ValidationFailed, match=r"on: .* future"):
        dna_samples.add_custody(session, worker, other.id, CustodyStep.SENT, dt.date(2999, 1, 1), "Lab")


def test_bad_input_names_the_field(session, world):
    worker, _, [(_, case, mother), (_, _, other_mother)] = world
    reference(session, worker, case, mother, "REF-3", Kinship.MOTHER, DonorSex.FEMALE)
    with pytest.raises(Conflict, match="REF-3"):
        reference(session, worker, case, mother, "REF-3", Kinship.MOTHER, DonorSex.FEMALE)
    with pytest.raises(ValidationFailed) as error:
        reference(session, worker, case, other_mother, "REF-4", Kinship.MOTHER, DonorSex.FEMALE)
    assert error.value.field == "relative_id"
    with pytest.raises(ValidationFailed) as error:
        dna_samples.add_remains(
            session,
            worker,
            dna_samples.RemainsInput(
                code="B-1", incident=" ", recovered_on=DAY, body_number="1", laboratory="L"
            ),
        )
    assert error.value.field == "incident"


def test_only_staff_writers_record_and_only_staff_read(session, world):
    worker, analyst, [(family, case, mother), _] = world
    with pytest.raises(Forbidden):
        reference(session, analyst, case, mother, "REF-5", Kinship.MOTHER, DonorSex.FEMALE)
    with pytest.raises(Forbidden):
        reference(session, family, case, mother, "REF-5", Kinship.MOTHER, DonorSex.FEMALE)
    sample = reference(session, worker, case, mother, "REF-5", Kinship.MOTHER, DonorSex.FEMALE)
    with pytest.raises(Forbidden):
        dna_samples.get_sample(session, family, sample.id)
    with pytest.raises(Forbidden):
        dna_samples.list_samples(session, family)
    assert [s.code for s in dna_samples.list_samples(session, analyst, case_id=case.id)] == ["REF-5"]


def test_family_sees_who_gave_samples_of_its_own_case_only(session, world):
    worker, _, [(family, case, mother), (other_family, other_case, other_mother)] = world
    reference(session, worker, case, mother, "REF-6", Kinship.MOTHER, DonorSex.FEMALE)
    reference(session, worker, other_case, other_mother, "REF-7", Kinship.MOTHER, DonorSex.FEMALE)
    [own] = dna_samples.family_view(session, family, case.id)
    assert own.donor == mother.full_name and own.kinship is Kinship.MOTHER
    assert own.collected_on == DAY and own.consent_on == DAY and own.may_withdraw
    assert not hasattr(own, "code") and not hasattr(own, "laboratory")
    with pytest.raises(NotFound):
        dna_samples.family_view(session, family, other_case.id)
    with pytest.raises(NotFound):
        dna_samples.family_view(session, other_family, case.id)


def test_pedigree_names_impossible_relationships():
    with pytest.raises(DomainError, match="F1 and F2: the missing person has one father"):
        pedigree_layout(
            DonorSex.MALE,
            [Donor("F1", Kinship.FATHER, DonorSex.MALE), Donor("F2", Kinship.FATHER, DonorSex.MALE)],
        )
    with pytest.raises(DomainError, match="M1: a mother cannot be male"):
        pedigree_layout(DonorSex.MALE, [Donor("M1", Kinship.MOTHER, DonorSex.MALE)])
    layout = pedigree_layout(
        DonorSex.MALE,
        [
            Donor("U", Kinship.PATERNAL_UNCLE_OR_AUNT, DonorSex.MALE),
            Donor("C", Kinship.CHILD, DonorSex.FEMALE),
            Donor("S", Kinship.FULL_SIBLING, DonorSex.MALE),
        ],
    )
    rows = {row.id: row for row in layout.rows}
    assert rows["missing"].father == "father" and rows["father"].father == "paternal_grandfather"
    assert sorted(layout.typed.values()) == ["C", "S", "U"]
    child = next(node for node, label in layout.typed.items() if label == "C")
    assert (rows[child].father, rows[child].mother) == ("missing", "spouse")


def test_registration_refuses_a_relationship_the_family_cannot_have(session, world, factories):
    worker, _, [(_, case, mother), _] = world
    reference(session, worker, case, mother, "REF-8", Kinship.MOTHER, DonorSex.FEMALE)
    # Recorded as "other" (the family's words), any kinship fits the relationship: the pedigree decides.
    aunt = factories.RelativeFactory(case=case, relationship_="other", relationship_note="мамина сестра")
    with pytest.raises(ValidationFailed, match="REF-8 and REF-9: the missing person has one mother") as error:
        reference(session, worker, case, aunt, "REF-9", Kinship.MOTHER, DonorSex.FEMALE)
    assert error.value.field == "kinship"
    assert reference(session, worker, case, aunt, "REF-9", Kinship.MATERNAL_UNCLE_OR_AUNT, DonorSex.FEMALE)


@pytest.mark.parametrize(
    ("relationship", "kinship", "outcome"),
    [
        ("mother", None, Kinship.MOTHER),  # follows from the relationship
        ("brother", None, Kinship.FULL_SIBLING),
        ("wife", None, Kinship.SPOUSE),
        ("grandmother", Kinship.MATERNAL_GRANDMOTHER, Kinship.MATERNAL_GRANDMOTHER),
        ("grandmother", None, "choose maternal_grandmother, paternal_grandmother"),
        ("aunt", Kinship.MOTHER, "mother does not fit a relative recorded as aunt"),  # a swapped record
        ("stepmother", None, "recorded as stepmother, whose DNA the pedigrees cannot use"),
    ],
)
def test_a_references_kinship_follows_from_the_relatives_relationship_and_must_fit_it(
    session, world, factories, relationship, kinship, outcome
):
    worker, _, [(_, case, _), _] = world
    relative = factories.RelativeFactory(case=case, relationship_=relationship)
    if isinstance(outcome, Kinship):
        sample = reference(session, worker, case, relative, "REF-R", kinship, DonorSex.FEMALE)
        assert sample.kinship is outcome
        return
    with pytest.raises(ValidationFailed, match=outcome) as error:
        reference(session, worker, case, relative, "REF-R", kinship, DonorSex.FEMALE)
    assert error.value.field == "kinship"
