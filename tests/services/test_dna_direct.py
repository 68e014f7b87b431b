"""Direct matches: remains against a personal effect (identity), remains against remains (fragments of
one victim), four eyes on associations, fragment groups, and "nobody is identified twice"."""

from __future__ import annotations

import datetime as dt
import math
import os

import pytest
from sqlalchemy import select
from tests.services.dna_helpers import MARKERS, long_csv, markers, personal_effect, reference, remains, trio
from tests.services.helpers import actor

from kintrace.dna.identity import identity_lr
from kintrace.domain.dna_samples import CandidateState, CustodyStep, DonorSex, Kinship, MatchBasis, SampleKind
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_arrival, dna_direct, dna_matching, dna_review, dna_samples
from kintrace.services.errors import Conflict, Forbidden, ValidationFailed
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaAssociation, DnaComparison, EvidenceItem

TOLD = dt.date(2026, 3, 20)


@pytest.fixture
def lab(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    first, second = (actor(factories.UserFactory(role=Role.ANALYST)) for _ in range(2))
    user = factories.UserFactory(role=Role.FAMILY)
    case, other_case = factories.CaseFactory(), factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=user, relation="reporter")
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    reference(session, worker, case, father, "F", Kinship.FATHER, DonorSex.MALE)
    brush = personal_effect(session, worker, case, "T")
    bodies = {code: remains(session, worker, code) for code in ("B1", "B2", "B3")}
    dna, other = trio(7), trio(99)
    fragment = {m: dna.son[m] for m in MARKERS[:8]}  # a partial profile: 8 markers typed of 16
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    # The effect and the reference first, then the remains: the remains' arrival scores them.
    dna_arrival.import_and_match(
        session, worker, key, table, long_csv(tmp_path, {"F": dna.father, "T": dna.son})
    )
    arrival = dna_arrival.import_and_match(
        session,
        worker,
        key,
        table,
        long_csv(tmp_path, {"B1": dna.son, "B2": fragment, "B3": other.son}, "remains.csv"),
    )
    return {
        "worker": worker,
        "first": first,
        "second": second,
        "family": actor(user),
        "case": case,
        "other_case": other_case,
        "brush": brush,
        "bodies": bodies,
        "key": key,
        "markers": table,
        "dna": dna,
        "other": other,
        "fragment": fragment,
        "arrival": arrival,
        "tmp": tmp_path,
    }


def _effect_rows(session, case_id: int) -> dict[str, DnaComparison]:
    rows = session.scalars(
        select(DnaComparison).where(
            DnaComparison.case_id == case_id, DnaComparison.basis == MatchBasis.PERSONAL_EFFECT
        )
    )
    return {row.remains.code: row for row in rows}


def test_a_personal_effect_is_the_missing_persons_own_dna_without_consent(session, lab):
    brush = lab["brush"]
    assert brush.kind is SampleKind.PERSONAL_EFFECT and brush.case_id == lab["case"].id
    assert (brush.effect_item, brush.handed_over_by) == ("toothbrush", "Марія Бондар (mother)")
    assert brush.consent is None and dna_samples.consent_in_force(brush)
    [event] = dna_samples.get_sample(session, lab["worker"], brush.id).custody
    assert event.step is CustodyStep.COLLECTED and event.by == "Марія Бондар (mother)"
    # The family's list of who gave a sample is about living donors: the effect is not among them.
    assert [s.donor for s in dna_samples.family_view(session, lab["family"], lab["case"].id)] != []
    assert all(
        s.sample_id != brush.id for s in dna_samples.family_view(session, lab["family"], lab["case"].id)
    )
    with pytest.raises(Forbidden):
        personal_effect(session, lab["family"], lab["case"], "T2")
    with pytest.raises(ValidationFailed, match="item"):
        dna_samples.add_personal_effect(
            session,
            lab["worker"],
            lab["case"].id,
            dna_samples.PersonalEffectInput("T3", " ", "his sister", dt.date(2026, 1, 1), "Lab"),
        )


def test_remains_are_scored_against_personal_effects_on_arrival(session, lab):
    rows = _effect_rows(session, lab["case"].id)
    assert set(rows) == {"B1", "B2"}  # the stranger is excluded and not stored
    for code, genotypes in (("B1", lab["dna"].son), ("B2", lab["fragment"])):
        row = rows[code]
        expected = identity_lr(lab["markers"], genotypes, lab["dna"].son)
        assert row.effect_sample_id == lab["brush"].id and row.references == 1
        assert math.isclose(row.log10_lr, expected.log10_lr, rel_tol=1e-12)
        assert row.marker_lrs == pytest.approx(expected.lr_per_marker, rel=1e-12)
        assert row.state is CandidateState.CANDIDATE and row.posterior > 0.999
        assert (
            row.prior_name == "uniform: 1 in 2 (1 case with references or personal effects, or none of them)"
        )
    assert len(rows["B2"].marker_lrs) == 8  # only the markers the fragment has
    assert lab["arrival"].direct.candidates == 2
    # The kinship result of the same body stands beside it (two lines of evidence, one case).
    kinship = session.scalar(
        select(DnaComparison).where(
            DnaComparison.remains_sample_id == lab["bodies"]["B1"].id,
            DnaComparison.basis == MatchBasis.KINSHIP,
        )
    )
    assert kinship is not None and kinship.case_id == lab["case"].id


def test_a_personal_effect_arriving_after_the_remains_is_scored_against_them(session, lab, factories):
    late = personal_effect(session, lab["worker"], lab["other_case"], "RAZOR", item="razor")
    arrival = dna_arrival.import_and_match(
        session,
        lab["worker"],
        lab["key"],
        lab["markers"],
        long_csv(lab["tmp"], {"RAZOR": lab["other"].son}, "late.csv"),
    )
    assert arrival.direct.pairs == 3 and arrival.direct.candidates == 1
    [row] = _effect_rows(session, lab["other_case"].id).values()
    assert row.remains.code == "B3" and row.effect_sample_id == late.id
    # The prior counts every case the remains could be: now two.
    assert row.prior == pytest.approx(1 / 3)
    # A family whose only DNA is the effect: its search log counts every remains profile too, and it
    # sees the object it handed over (nothing of the lab's).
    log = dna_matching.search_log(session, lab["worker"], lab["other_case"].id)
    assert log.compared == 3 and log.latest is not None
    [seen] = dna_samples.family_effects(session, lab["worker"], lab["other_case"].id)
    assert (seen.item, seen.handed_over_on) == ("razor", dt.date(2026, 3, 2))


def test_fragments_of_one_victim_are_proposed_and_reviewed_by_two_analysts(session, lab):
    [association] = dna_direct.list_associations(session, lab["first"])
    assert {association.first.code, association.second.code} == {"B1", "B2"}
    assert association.shared_markers == 8 and association.state is CandidateState.CANDIDATE
    expected = identity_lr(lab["markers"], lab["dna"].son, lab["fragment"])
    assert math.isclose(association.log10_lr, expected.log10_lr, rel_tol=1e-12)
    assert lab["arrival"].direct.associations == 1
    with pytest.raises(Forbidden):
        dna_direct.propose_association(session, lab["worker"], association.id, "caseworkers do not")
    with pytest.raises(Forbidden):
        dna_direct.list_associations(session, lab["family"])
    with pytest.raises(Conflict, match="not proposed"):
        dna_direct.confirm_association(session, lab["second"], association.id, "too early")
    dna_direct.propose_association(session, lab["first"], association.id, "8 markers agree")
    with pytest.raises(Forbidden, match="may not confirm"):
        dna_direct.confirm_association(session, lab["first"], association.id, "sure")
    assert dna_direct.fragment_group(session, lab["bodies"]["B1"].id) == {lab["bodies"]["B1"].id}
    dna_direct.confirm_association(session, lab["second"], association.id, "checked")
    group = {lab["bodies"]["B1"].id, lab["bodies"]["B2"].id}
    assert dna_direct.fragment_group(session, lab["bodies"]["B2"].id) == group
    [shown] = dna_direct.list_fragment_groups(session, lab["first"])
    assert {s.code for s in shown.samples} == {"B1", "B2"} and shown.identification is None
    assert dna_direct.list_associations(session, lab["first"]) == []
    # A full re-run keeps the reviewed association as it is.
    dna_direct.compare_fragments(session, lab["first"], lab["key"], lab["markers"], reason="full run")
    assert session.get(DnaAssociation, association.id).state is CandidateState.CONFIRMED


def _identify(session, lab, row_id: int) -> DnaComparison:
    dna_review.propose(session, lab["first"], row_id, "identity LR far above 10^4")
    return dna_review.confirm(session, lab["second"], row_id, "per-marker table checked")


def test_nobody_is_identified_twice_and_the_identification_names_every_fragment(session, lab):
    rows = _effect_rows(session, lab["case"].id)
    _identify(session, lab, rows["B1"].id)
    # The same body again, on the kinship basis: refused.
    kinship = session.scalar(
        select(DnaComparison).where(
            DnaComparison.remains_sample_id == lab["bodies"]["B1"].id,
            DnaComparison.basis == MatchBasis.KINSHIP,
        )
    )
    kinship.state = CandidateState.CANDIDATE  # whatever its LR, the rule is what is tested
    dna_review.propose(session, lab["first"], kinship.id, "second line")
    with pytest.raises(Conflict, match="B1 is already identified"):
        dna_review.confirm(session, lab["second"], kinship.id, "again")
    # Another body, not (yet) known to be the same person: the case is identified already (the desk
    # flags it before anyone proposes).
    reference = lab["case"].reference
    blocked = dna_review.blocked_candidates(session, lab["first"], [rows["B2"]])
    assert blocked == {rows["B2"].id: dna_review.Blocked(False, "B1", reference)}
    with pytest.raises(Forbidden):
        dna_review.blocked_candidates(session, lab["family"], [rows["B2"]])
    dna_review.propose(session, lab["first"], rows["B2"].id, "the toothbrush again")
    with pytest.raises(Conflict, match="confirm the association of B2 with B1"):
        dna_review.confirm(session, lab["second"], rows["B2"].id, "second identification")
    [association] = dna_direct.list_associations(session, lab["first"])
    dna_direct.propose_association(session, lab["first"], association.id, "same person")
    dna_direct.confirm_association(session, lab["second"], association.id, "agreed")
    with pytest.raises(Conflict, match="fragment of the same person as B1"):
        dna_review.confirm(session, lab["second"], rows["B2"].id, "second identification")
    blocked = dna_review.blocked_candidates(session, lab["first"], [rows["B1"], rows["B2"]])
    assert blocked == {rows["B2"].id: dna_review.Blocked(True, "B1", reference)}  # B1 is confirmed
    [group] = dna_direct.list_fragment_groups(session, lab["first"])
    assert group.identification is not None and group.identification.id == rows["B1"].id
    # Told in person: the evidence names the effect and every fragment to be returned.
    told = dna_review.record_family_told(session, lab["worker"], rows["B1"].id, TOLD, today=TOLD)
    text = session.get(EvidenceItem, told.evidence_id).text
    assert "from a personal effect (toothbrush)" in text
    assert "Other fragments of the same person, to be returned with it: bodies B-B2." in text


def test_an_association_of_two_people_identified_apart_is_refused(session, lab):
    rows = _effect_rows(session, lab["case"].id)
    _identify(session, lab, rows["B1"].id)
    # B2 identified to another case by a (wrong) personal effect there, before anyone linked the bodies.
    personal_effect(session, lab["worker"], lab["other_case"], "WRONG", item="comb")
    dna_arrival.import_and_match(
        session,
        lab["worker"],
        lab["key"],
        lab["markers"],
        long_csv(lab["tmp"], {"WRONG": lab["fragment"]}, "w.csv"),
    )
    # The comb's 8 markers match both bodies; the analysts (wrongly) identify B2 with it.
    wrong = _effect_rows(session, lab["other_case"].id)
    assert set(wrong) == {"B1", "B2"}
    wrong_b2 = wrong["B2"]
    _identify(session, lab, wrong_b2.id)
    [association] = dna_direct.list_associations(session, lab["first"])
    dna_direct.propose_association(session, lab["first"], association.id, "same person")
    with pytest.raises(Conflict, match="one person cannot be two missing persons"):
        dna_direct.confirm_association(session, lab["second"], association.id, "agreed")


def test_full_run_and_withdrawal_keep_personal_effect_results(session, lab):
    before = {code: row.log10_lr for code, row in _effect_rows(session, lab["case"].id).items()}
    result = dna_direct.compare_effects(session, lab["first"], lab["key"], lab["markers"], reason="full run")
    assert result.pairs == 3 and result.candidates == 2
    father = next(
        s for s in dna_samples.list_samples(session, lab["first"], case_id=lab["case"].id) if s.code == "F"
    )
    dna_arrival.withdraw_consent(session, lab["worker"], lab["key"], lab["markers"], father.id)
    after = {code: row.log10_lr for code, row in _effect_rows(session, lab["case"].id).items()}
    assert after == before
    assert dna_matching.list_candidates(session, lab["first"])


def test_the_report_of_a_personal_effect_names_the_identity_hypothesis_and_the_fragments(
    session, lab, tmp_path
):
    import subprocess

    from kintrace.web import dna_report

    rows = _effect_rows(session, lab["case"].id)
    [association] = dna_direct.list_associations(session, lab["first"])
    dna_direct.propose_association(session, lab["first"], association.id, "same person")
    dna_direct.confirm_association(session, lab["second"], association.id, "agreed")
    _identify(session, lab, rows["B1"].id)
    made = dna_report.identification_report_document(
        session, lab["first"], lab["key"], lab["markers"], rows["B1"].id, "en"
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(made.content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "are the missing person himself" in text and "(personal effect)" in text
    assert "H2: the remains are those of a person unrelated to the missing person" in text
    assert "toothbrush" in text and "Марія Бондар (mother)" in text
    assert "named by this identification: B2" in text
    assert "random match probability" in text and "identity LR of two single-source profiles" in text
    assert "References of the family" not in text and "15.3" not in text
    uk = dna_report.identification_report_pdf(
        session, lab["first"], lab["key"], lab["markers"], rows["B1"].id, "uk"
    )
    path.write_bytes(uk)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "це сам зниклий" in text and "(особиста річ)" in text and "Сила збігу" in text
