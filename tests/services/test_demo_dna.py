"""The demo's synthetic DNA: references, remains and pending candidate identifications, encrypted."""

from __future__ import annotations

import os

from sqlalchemy import select

from kintrace.domain.dna_samples import CandidateState
from kintrace.services import dna_matching
from kintrace.services.access import SYSTEM
from kintrace.services.demo_dna import seed_dna
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaComparison, DnaProfile


def test_demo_dna_leaves_candidates_for_the_analysts(session, factories, tmp_path):
    for _ in range(4):
        factories.CaseFactory()
    seeded = seed_dna(session, SYSTEM, MasterKey(os.urandom(32)), tmp_path, families=4)
    assert seeded.families == 4 and seeded.remains == 5
    assert seeded.candidates >= 2  # the missing sons of families 1 and 4 are among the remains
    assert list(tmp_path.iterdir()) == [seeded.frequencies]  # the plaintext export is gone
    profiles = session.scalars(select(DnaProfile)).all()
    assert len(profiles) == 8 + 5 and all(b"KT01" not in p.ciphertext for p in profiles)
    pending = dna_matching.list_candidates(session, SYSTEM, state=CandidateState.CANDIDATE)
    assert {row.remains.code for row in pending} >= {"DEMO-BODY-1", "DEMO-BODY-2"}
    assert session.scalars(select(DnaComparison)).all()
