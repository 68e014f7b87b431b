"""Matching on arrival, the families' search log, crypto-shredding in results, and four-eyes review."""

from __future__ import annotations

import datetime as dt
import math
import os

import pytest
from sqlalchemy import select
from tests.services.dna_helpers import long_csv, markers, reference, remains, trio
from tests.services.helpers import actor

from kintrace.dna.lr import missing_person_lr
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.domain.dna_samples import CandidateState, DonorSex, Kinship
from kintrace.domain.vocabulary import Claim, PersonStatus, Role, Visibility
from kintrace.services import dna_arrival, dna_matching, dna_review
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store import audit_personal
from kintrace.store.models import AuditEntry, Case, DnaComparison, DnaSample, EvidenceItem

TOLD = dt.date(2026, 3, 20)


@pytest.fixture
def lab(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    first, second = (actor(factories.UserFactory(role=Role.ANALYST)) for _ in range(2))
    user, other_user = factories.UserFactory(role=Role.FAMILY), factories.UserFactory(role=Role.FAMILY)
    case, other_case = factories.CaseFactory(), factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=user, relation="reporter")
    factories.CaseMemberFactory(case=other_case, user=other_user, relation="reporter")
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    mother = factories.RelativeFactory(case=case, relationship_="mother", user_id=user.id)
    other_mother = factories.RelativeFactory(case=other_case, relationship_="mother", user_id=other_user.id)
    reference(session, worker, case, father, "F", Kinship.FATHER, DonorSex.MALE)
    reference(session, worker, case, mother, "M", Kinship.MOTHER, DonorSex.FEMALE)
    reference(session, worker, other_case, other_mother, "OM", Kinship.MOTHER, DonorSex.FEMALE)
    body = remains(session, worker, "B1")
    remains(session, worker, "B2")
    dna, other = trio(7), trio(99)
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    # References first, then the remains: both arrivals score.
    dna_arrival.import_and_match(
        session,
        worker,
        key,
        table,
        long_csv(tmp_path, {"F": dna.father, "M": dna.mother, "OM": other.mother}),
    )
    arrival = dna_arrival.import_and_match(
        session, worker, key, table, long_csv(tmp_path, {"B1": dna.son, "B2": dna.stranger}, "remains.csv")
    )
    return {
        "worker": worker,
        "first": first,
        "second": second,
        "family": actor(user),
        "other_family": actor(other_user),
        "case": case,
        "other_case": other_case,
        "body": body,
        "key": key,
        "markers": table,
        "dna": dna,
        "arrival": arrival,
    }


def _candidate(session, lab) -> DnaComparison:
    [row] = dna_matching.list_candidates(session, lab["first"])
    return row


def test_remains_are_scored_against_every_family_on_arrival(session, lab):
    assert lab["arrival"].matching.pairs == 4  # two bodies x two families
    row = _candidate(session, lab)
    assert (row.case_id, row.remains_sample_id) == (lab["case"].id, lab["body"].id)
    # The stored LR is the engine's, for the pedigree the kinships describe.
    pedigree = Pedigree(
        [
            Person("father", None, None, 1),
            Person("mother", None, None, 2),
            Person("missing", "father", "mother", 1),
        ]
    )
    dna = lab["dna"]
    expected = missing_person_lr(
        pedigree, lab["markers"], {"father": dna.father, "mother": dna.mother}, dna.son, "missing"
    )
    assert math.isclose(row.log10_lr, expected.log10_lr_total, rel_tol=1e-9)
    assert row.marker_lrs == pytest.approx(expected.lr_per_marker)
    assert (
        row.references == 2
        and row.prior == pytest.approx(1 / 3)
        and row.prior_name == "uniform: 1 in 3 (2 families with references, or none of them)"
    )
    assert row.posterior > 0.999
    log = dna_matching.search_log(session, lab["family"], lab["case"].id)
    assert log.compared == 2 and log.latest == dt.datetime.now(dt.UTC).date()
    with pytest.raises(NotFound):
        dna_matching.search_log(session, lab["family"], lab["other_case"].id)
    with pytest.raises(Forbidden):
        dna_matching.list_candidates(session, lab["family"])
    # Matching read the genotypes in batches: each read is in the audit log with its reason.
    batches = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_profile.read_batch")).all()
    assert batches
    for entry in batches:
        after = audit_personal.open_entry(session, entry).after
        assert isinstance(after, dict) and after["reason"] == dna_arrival.ARRIVAL_REASON and after["samples"]


def test_withdrawn_consent_takes_the_profile_out_of_every_later_result(session, lab):
    case_id = lab["case"].id
    mother = next(s for s in lab["case"].relatives if s.relationship_ == "mother")
    sample = session.scalar(select(DnaSample).where(DnaSample.relative_id == mother.id))
    proposed = dna_review.propose(session, lab["first"], _candidate(session, lab).id, "strong")
    dna_arrival.withdraw_consent(session, lab["worker"], lab["key"], lab["markers"], sample.id)
    rows = session.scalars(select(DnaComparison).where(DnaComparison.case_id == case_id)).all()
    # Re-scored with the father alone: the mother's profile is in none of the results, and the
    # proposal built on it is gone (it cannot be confirmed).
    assert rows and all(row.references == 1 for row in rows)
    # (SQLite may hand the deleted row's id to the new one: the proposal is checked by content.)
    assert proposed.proposed_by_id is not None
    assert all(row.proposed_by_id is None and row.state is not CandidateState.PROPOSED for row in rows)
    dna_matching.compare(session, lab["first"], lab["key"], lab["markers"], reason="full run")
    rows = session.scalars(select(DnaComparison).where(DnaComparison.case_id == case_id)).all()
    assert all(row.references == 1 for row in rows)


def test_four_eyes_and_the_family_learns_only_after_the_talk(session, lab):
    row = _candidate(session, lab)
    with pytest.raises(Forbidden):
        dna_review.propose(session, lab["worker"], row.id, "caseworkers do not propose")
    with pytest.raises(ValidationFailed, match="reason"):
        dna_review.propose(session, lab["first"], row.id, " ")
    with pytest.raises(Conflict, match="not proposed"):
        dna_review.confirm(session, lab["second"], row.id, "too early")
    dna_review.propose(session, lab["first"], row.id, "LR far above 10^4, parents both typed")
    with pytest.raises(Forbidden, match="may not confirm"):
        dna_review.confirm(session, lab["first"], row.id, "I am sure")
    confirmed = dna_review.confirm(session, lab["second"], row.id, "checked the per-marker table")
    assert (
        confirmed.state is CandidateState.CONFIRMED and confirmed.confirmed_by_id != confirmed.proposed_by_id
    )
    # Confirmed, but the family has not been told: nothing shows, and no evidence changes its status yet.
    assert dna_review.family_identifications(session, lab["family"], lab["case"].id) == []
    assert session.get(Case, lab["case"].id).evidence_status is PersonStatus.MISSING
    assert [r.id for r in dna_review.awaiting_family(session, lab["worker"])] == [row.id]
    with pytest.raises(Forbidden):
        dna_review.record_family_told(session, lab["first"], row.id, TOLD)
    dna_review.record_family_told(session, lab["worker"], row.id, TOLD, today=TOLD)
    [seen] = dna_review.family_identifications(session, lab["family"], lab["case"].id)
    assert seen.id == row.id
    item = session.get(EvidenceItem, seen.evidence_id)
    assert item.claim is Claim.REMAINS_FOUND and item.visibility is Visibility.FAMILY
    assert session.get(Case, lab["case"].id).evidence_status is PersonStatus.REMAINS_IDENTIFIED
    assert dna_review.awaiting_family(session, lab["worker"]) == []
    with pytest.raises(NotFound):
        dna_review.family_identifications(session, lab["other_family"], lab["case"].id)
    with pytest.raises(Conflict, match="already told"):
        dna_review.record_family_told(session, lab["worker"], row.id, TOLD, today=TOLD)
