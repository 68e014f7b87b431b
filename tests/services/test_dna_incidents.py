"""Incidents: remains and considered families, joint identification equal to the engine's own
jointDVI on the same data, the pairwise fallback, access, and proposals into the four-eyes review."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from sqlalchemy import select
from tests.services.dna_helpers import long_csv, markers, reference, remains, trio
from tests.services.helpers import actor

from kintrace.dna.dvi_data import DviData, Family, Victim
from kintrace.dna.dvi_joint import dvi_joint
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.domain.dates import PartialDate
from kintrace.domain.dna_samples import CandidateState, DonorSex, IncidentKind, Kinship
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_arrival, dna_incidents, dna_review
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store import audit_personal
from kintrace.store.models import AuditEntry, DnaComparison, Incident


@pytest.fixture
def grave(session, factories, tmp_path):
    """Three bodies of "Site 12": family A's son, family B's son, a stranger. Families A (father,
    mother), B (mother), C (father; his son is not among the bodies) and D (no references)."""
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    first, second = (actor(factories.UserFactory(role=Role.ANALYST)) for _ in range(2))
    family_user = factories.UserFactory(role=Role.FAMILY)
    cases = {name: factories.CaseFactory() for name in "ABCD"}
    factories.CaseMemberFactory(case=cases["A"], user=family_user, relation="reporter")
    rel = {
        key: factories.RelativeFactory(case=cases[key[0]], relationship_=words, is_reporter=False)
        for key, words in (("AF", "father"), ("AM", "mother"), ("BM", "mother"), ("CF", "father"))
    }
    reference(session, worker, cases["A"], rel["AF"], "AF", Kinship.FATHER, DonorSex.MALE)
    reference(session, worker, cases["A"], rel["AM"], "AM", Kinship.MOTHER, DonorSex.FEMALE)
    reference(session, worker, cases["B"], rel["BM"], "BM", Kinship.MOTHER, DonorSex.FEMALE)
    reference(session, worker, cases["C"], rel["CF"], "CF", Kinship.FATHER, DonorSex.MALE)
    bodies = {code: remains(session, worker, code) for code in ("V1", "V2", "V3")}
    a, b, c = trio(7), trio(99), trio(5)
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    profiles = {
        "AF": a.father,
        "AM": a.mother,
        "BM": b.mother,
        "CF": c.father,
        "V1": a.son,
        "V2": b.son,
        "V3": a.stranger,
    }
    dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, profiles))
    incident = session.scalars(select(Incident).where(Incident.name == "Site 12")).one()
    for case in cases.values():
        dna_incidents.add_case(session, first, incident.id, case.id)
    return {
        "worker": worker,
        "first": first,
        "second": second,
        "family": actor(family_user),
        "cases": cases,
        "bodies": bodies,
        "incident": incident,
        "key": key,
        "markers": table,
        "profiles": profiles,
    }


def _engine_problem(grave) -> tuple[DviData, dict[str, int], dict[str, int]]:
    """The same incident written by hand as the engine's input, without the registry's layouts."""
    p = grave["profiles"]
    cases = grave["cases"]

    def trio_family(name: str, refs: dict[str, dict]) -> Family:
        pedigree = Pedigree(
            [
                Person(f"{name}fa", None, None, 1),
                Person(f"{name}mo", None, None, 2),
                Person(f"{name}mp", f"{name}fa", f"{name}mo", 1),
            ]
        )
        return Family(name, pedigree, (f"{name}mp",), {f"{name}{k}": dict(v) for k, v in refs.items()})

    families = (
        trio_family("A", {"fa": p["AF"], "mo": p["AM"]}),
        trio_family("B", {"mo": p["BM"]}),
        trio_family("C", {"fa": p["CF"]}),
    )
    victims = tuple(Victim(code, 0, dict(p[code])) for code in ("V1", "V2", "V3"))
    missing = ("Amp", "Bmp", "Cmp")
    data = DviData(
        "by hand",
        tuple(grave["markers"].values()),
        None,
        victims,
        families,
        missing,
        {v.id: ("*", *missing) for v in victims},
        True,
    )
    case_of = {f"{name}mp": cases[name].id for name in "ABC"}
    remains_of = {code: grave["bodies"][code].id for code in ("V1", "V2", "V3")}
    return data, case_of, remains_of


def test_joint_identification_equals_the_engines_joint_dvi_on_the_same_data(session, grave):
    result = dna_incidents.joint_identification(
        session, grave["first"], grave["key"], grave["markers"], grave["incident"].id
    )
    cases, bodies = grave["cases"], grave["bodies"]
    assert result.method == "joint" and result.why_pairwise is None
    assert set(result.cases) == {cases[n].id for n in "ABC"}
    assert result.not_used == {f"case {cases['D'].reference}": "no reference profile with consent in force"}
    data, case_of, remains_of = _engine_problem(grave)
    direct = dvi_joint(data)
    assert result.assignments == direct.n_assignments == 34  # 1 + 3*3 + 3*3*2 + 3*2*1
    posterior = direct.posterior()
    lr = (direct.loglik - direct.loglik_null) / math.log(10)
    assert len(result.rows) == dna_incidents.SHOWN_ROWS
    for r, row in enumerate(result.rows):
        labels = direct.row_labels(r)
        expected = {remains_of[v]: (None if m == "*" else case_of[m]) for v, m in labels.items()}
        assert row.pairs == expected
        assert row.posterior == pytest.approx(float(posterior[r]), rel=1e-9, abs=1e-300)
        if np.isfinite(lr[r]):
            assert row.log10_lr == pytest.approx(float(lr[r]), rel=1e-9)
        else:
            assert row.log10_lr is None
    marginals = direct.marginals()
    for i, v in enumerate(direct.victims):
        for j, m in enumerate(direct.missing):
            assert result.marginals[(remains_of[v], case_of[m])] == pytest.approx(marginals[i, j], abs=1e-12)
        assert result.marginals[(remains_of[v], None)] == pytest.approx(marginals[i, -1], abs=1e-12)
    # The truth comes first: A's son, B's son, the stranger nobody's.
    assert result.rows[0].pairs == {
        bodies["V1"].id: cases["A"].id,
        bodies["V2"].id: cases["B"].id,
        bodies["V3"].id: None,
    }
    assert result.marginals[(bodies["V1"].id, cases["A"].id)] > 0.99
    assert "flat" in result.prior and "34" in result.prior
    # Every genotype read is audited with the incident named as the reason.
    reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_profile.read_batch")).all()
    reasons = {audit_personal.open_entry(session, entry).after["reason"] for entry in reads}  # type: ignore[index]
    assert f"joint identification of incident {grave['incident'].id} (Site 12)" in reasons


def test_pairwise_scores_equal_the_registrys_stored_pairwise_lr(session, grave):
    """dvir's pairwise LR of a pairing is the registry's LR of the remains against that family."""
    result = dna_incidents.joint_identification(
        session, grave["first"], grave["key"], grave["markers"], grave["incident"].id
    )
    stored = session.scalars(
        select(DnaComparison).where(
            DnaComparison.remains_sample_id == grave["bodies"]["V1"].id,
            DnaComparison.case_id == grave["cases"]["A"].id,
        )
    ).one()
    assert result.pairwise[(grave["bodies"]["V1"].id, grave["cases"]["A"].id)] == pytest.approx(
        stored.log10_lr, rel=1e-9
    )


def test_an_incident_beyond_the_bound_falls_back_to_pairwise_and_says_so(session, grave):
    result = dna_incidents.joint_identification(
        session, grave["first"], grave["key"], grave["markers"], grave["incident"].id, max_assignments=10
    )
    assert result.method == "pairwise" and result.rows == [] and result.marginals == {}
    assert "34 joint assignments, beyond the engine's bound of 10" in (result.why_pairwise or "")
    assert len(result.pairwise) == 9


def test_families_never_reach_incidents_and_bad_input_names_the_field(session, grave):
    family = grave["family"]
    incident_id = grave["incident"].id
    for call in (
        lambda: dna_incidents.list_incidents(session, family),
        lambda: dna_incidents.get_incident(session, family, incident_id),
        lambda: dna_incidents.joint_identification(
            session, family, grave["key"], grave["markers"], incident_id
        ),
        lambda: dna_incidents.create_incident(session, family, dna_incidents.IncidentInput("X")),
        lambda: dna_incidents.add_case(session, family, incident_id, grave["cases"]["A"].id),
    ):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(NotFound):
        dna_incidents.get_incident(session, grave["first"], 987654)
    with pytest.raises(Conflict):
        dna_incidents.create_incident(session, grave["worker"], dna_incidents.IncidentInput("Site 12"))
    with pytest.raises(Conflict):
        dna_incidents.add_case(session, grave["worker"], incident_id, grave["cases"]["A"].id)
    with pytest.raises(ValidationFailed) as error:
        dna_incidents.add_case(session, grave["worker"], incident_id, 987654)
    assert error.value.field == "case_id"
    made = dna_incidents.create_incident(
        session,
        grave["worker"],
        dna_incidents.IncidentInput(
            "Crash near Izium", IncidentKind.CRASH, "Izium", PartialDate(2022, 9), "synthetic"
        ),
    )
    session.expire(made)  # read back from the database: stored as "2022-09", read as the PartialDate
    assert (made.kind, made.occurred_on) == (IncidentKind.CRASH, PartialDate(2022, 9))
    listed = {
        row.incident.name: (row.remains, row.cases)
        for row in dna_incidents.list_incidents(session, grave["first"])
    }
    assert listed["Site 12"] == (3, 4) and listed["Crash near Izium"] == (0, 0)


def test_a_pairing_proposed_from_the_incident_goes_through_the_four_eyes_review(session, grave):
    bodies, cases = grave["bodies"], grave["cases"]
    key, table, incident_id = grave["key"], grave["markers"], grave["incident"].id
    with pytest.raises(Forbidden):  # caseworkers do not propose identifications
        dna_incidents.propose(
            session, grave["worker"], key, table, incident_id, bodies["V2"].id, cases["B"].id, "x"
        )
    with pytest.raises(ValidationFailed):
        dna_incidents.propose(session, grave["first"], key, table, incident_id, bodies["V2"].id, 987654, "x")
    row = dna_incidents.propose(
        session, grave["first"], key, table, incident_id, bodies["V2"].id, cases["B"].id, "ясний збіг"
    )
    assert row.state is CandidateState.PROPOSED and row.case_id == cases["B"].id
    assert "ясний збіг" in (row.proposed_reason or "") and "joint posterior" in (row.proposed_reason or "")
    with pytest.raises(Forbidden):  # the same analyst may not confirm
        dna_review.confirm(session, grave["first"], row.id, "так")
    confirmed = dna_review.confirm(session, grave["second"], row.id, "перевірено")
    assert confirmed.state is CandidateState.CONFIRMED
    # The stranger is excluded from family A: no candidate can be made of it.
    with pytest.raises(Conflict):
        dna_incidents.propose(
            session, grave["first"], key, table, incident_id, bodies["V3"].id, cases["A"].id, "x"
        )


def test_a_withdrawn_consent_removes_the_family_from_the_next_result(session, grave):
    [sample] = [s for s in grave["incident"].remains if s.code == "V2"]
    from kintrace.services import dna_samples

    mother = dna_samples.sample_by_code(session, "BM")
    assert mother is not None
    dna_arrival.withdraw_consent(session, grave["worker"], grave["key"], grave["markers"], mother.id)
    result = dna_incidents.joint_identification(
        session, grave["first"], grave["key"], grave["markers"], grave["incident"].id
    )
    assert grave["cases"]["B"].id not in result.cases
    assert f"case {grave['cases']['B'].reference}" in result.not_used
    assert result.marginals[(sample.id, None)] > 0.5


@pytest.mark.parametrize(("victims", "families"), [(1, 1), (3, 3), (4, 5), (6, 8), (5, 2), (2, 26)])
def test_the_count_of_assignments_is_the_engines_when_every_pairing_is_allowed(victims, families):
    """The closed form the service bounds the search with equals the engine's count (dvir's
    dviGridSize), which itself stops at 24 missing persons: 26 here is counted by enumeration."""
    from kintrace.dna.dvi_joint import count_assignments, enumerate_assignments

    fams = tuple(
        Family(f"F{n}", Pedigree([Person(f"mp{n}", None, None, 1)]), (f"mp{n}",), {}) for n in range(families)
    )
    missing = tuple(f"mp{n}" for n in range(families))
    victims_ = tuple(Victim(f"V{i}", 0, {}) for i in range(victims))
    data = DviData(
        "count", (), None, victims_, fams, missing, {v.id: ("*", *missing) for v in victims_}, True
    )
    expected = (
        count_assignments(data) if families <= 24 else enumerate_assignments(data, max_assign=None).shape[0]
    )
    assert dna_incidents.assignment_count(victims, families) == expected
