"""The demo's synthetic DNA: references, remains and pending candidate identifications, encrypted."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from kintrace.domain.dna_samples import CandidateState, MatchBasis
from kintrace.services import dna_consent_forms, dna_direct, dna_matching
from kintrace.services.access import SYSTEM
from kintrace.services.demo_dna import seed_dna
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaComparison, DnaConsent, DnaProfile


@pytest.fixture(autouse=True)
def _attachments(tmp_path_factory, monkeypatch):
    """The demo's consent form goes to a temporary folder, never into the working tree's var/."""
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path_factory.mktemp("attachments")))


def test_demo_dna_leaves_candidates_for_the_analysts(session, factories, tmp_path):
    for _ in range(4):
        factories.CaseFactory()
    seeded = seed_dna(session, SYSTEM, MasterKey(os.urandom(32)), tmp_path, families=4)
    # The first family's father signed a consent form on paper: a small synthetic PDF is on file.
    assert seeded.consent_forms == 1
    [consent] = session.scalars(select(DnaConsent).where(DnaConsent.form_sha256.is_not(None))).all()
    form = dna_consent_forms.read_form(session, SYSTEM, consent.sample_id)
    assert form.media_type == "application/pdf" and form.data.startswith(b"%PDF")
    assert consent.sample.code.endswith("-F") and form.filename == f"consent-{consent.sample.code}.pdf"
    # Remains: the sons of families 1 (in two fragments), 2 and 4, and three strangers.
    assert seeded.families == 4 and seeded.remains == 7
    assert seeded.candidates >= 2  # the missing sons of families 1 and 4 are among the remains
    assert list(tmp_path.iterdir()) == [seeded.frequencies]  # the plaintext export is gone
    profiles = session.scalars(select(DnaProfile)).all()
    assert len(profiles) == 8 + 1 + 7 and all(b"KT01" not in p.ciphertext for p in profiles)
    # Direct matches: family 2's toothbrush against its son's body; family 1's son in two fragments.
    assert seeded.personal_effects == 1 and seeded.direct_candidates == 1 and seeded.associations == 1
    [effect] = session.scalars(
        select(DnaComparison).where(DnaComparison.basis == MatchBasis.PERSONAL_EFFECT)
    ).all()
    assert effect.remains.code == "DEMO-BODY-3" and effect.state is CandidateState.CANDIDATE
    [link] = dna_direct.list_associations(session, SYSTEM)
    assert {link.first.code, link.second.code} == {"DEMO-BODY-1", "DEMO-BODY-2"} and link.shared_markers == 9
    pending = dna_matching.list_candidates(session, SYSTEM, state=CandidateState.CANDIDATE)
    assert {row.remains.code for row in pending} >= {"DEMO-BODY-1", "DEMO-BODY-2"}
    assert session.scalars(select(DnaComparison)).all()


def test_demo_dna_has_a_mass_grave_for_joint_identification(session, factories, tmp_path):
    """Four bodies (three demo families' sons, one man nobody looks for) and five families: the joint
    identification gives each son to his family and the stranger to none."""
    from kintrace.dna.markers import load_frequency_table
    from kintrace.domain.dna_samples import IncidentKind
    from kintrace.services import dna_incidents
    from kintrace.store.models import Incident

    for _ in range(8):
        factories.CaseFactory()
    key = MasterKey(os.urandom(32))
    seeded = seed_dna(session, SYSTEM, key, tmp_path)
    grave = session.get(Incident, seeded.incident)
    assert grave is not None and grave.kind is IncidentKind.MASS_GRAVE
    assert len(grave.remains) == 4 and len(grave.cases) == 5
    result = dna_incidents.joint_identification(
        session, SYSTEM, key, load_frequency_table(seeded.frequencies), grave.id
    )
    assert result.method == "joint" and len(result.cases) == 5
    top = {grave_sample: case for grave_sample, case in result.rows[0].pairs.items()}
    by_code = {sample.id: sample.code for sample in grave.remains}
    stranger = by_code[max(by_code)]  # registered after the families' sons
    assert sorted(by_code[s] for s, case in top.items() if case is None) == [stranger]
    assert len({case for case in top.values() if case is not None}) == 3


def test_demo_families_have_their_strength_and_a_weak_one_is_told_whom_to_ask(session, factories, tmp_path):
    from kintrace.dna.markers import load_frequency_table
    from kintrace.domain.dna_samples import Kinship
    from kintrace.services import dna_strength
    from kintrace.services.demo_dna import WEAK_FAMILY

    cases = [factories.CaseFactory() for _ in range(WEAK_FAMILY)]
    seeded = seed_dna(session, SYSTEM, MasterKey(os.urandom(32)), tmp_path, families=WEAK_FAMILY)
    markers = load_frequency_table(seeded.frequencies)
    found = dna_strength.strengths(session, {case.id for case in cases}, markers)
    assert all(s.state is dna_strength.State.CURRENT for s in found.values())
    assert seeded.weak >= 1
    weak = found[cases[WEAK_FAMILY - 1].id]
    assert weak.weak and weak.suggestions and weak.suggestions[0].p_true > weak.row.p_true
    assert weak.suggestions[0].kinship in (
        Kinship.FATHER,
        Kinship.MOTHER,
        Kinship.FULL_SIBLING,
        Kinship.CHILD,
    )
    asked = dna_strength.relatives_to_ask(session, SYSTEM, cases[WEAK_FAMILY - 1].id)
    assert any("brother" in name for name in asked[Kinship.FULL_SIBLING])
    assert not found[cases[0].id].weak  # father and mother: strong
