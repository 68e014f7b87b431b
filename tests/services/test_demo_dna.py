"""The demo's synthetic DNA: references, remains and pending candidate identifications, encrypted."""

from __future__ import annotations

import os

from sqlalchemy import select

from kintrace.domain.dna_samples import CandidateState, MatchBasis
from kintrace.services import dna_direct, dna_matching
from kintrace.services.access import SYSTEM
from kintrace.services.demo_dna import seed_dna
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaComparison, DnaProfile


def test_demo_dna_leaves_candidates_for_the_analysts(session, factories, tmp_path):
    for _ in range(4):
        factories.CaseFactory()
    seeded = seed_dna(session, SYSTEM, MasterKey(os.urandom(32)), tmp_path, families=4)
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
