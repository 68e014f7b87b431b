"""The remains profiles held in the process for direct matches: each decrypted once (audited), a
shredded one forgotten, the screening matrix never losing a pair the exact score would keep."""

from __future__ import annotations

import os
import random

from sqlalchemy import select
from tests.services.dna_helpers import ALLELES, MARKERS, long_csv, markers, remains, trio
from tests.services.helpers import actor

from kintrace.dna.identity import identity_lr
from kintrace.domain.vocabulary import Role
from kintrace.services import dna_arrival, dna_profiles, dna_remains_cache
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import AuditEntry, DnaAssociation


def _read_batches(session) -> int:
    return len(session.scalars(select(AuditEntry).where(AuditEntry.action == "dna_profile.read_batch")).all())


def test_each_remains_profile_is_decrypted_once_and_a_shredded_one_is_forgotten(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    admin = actor(factories.UserFactory(role=Role.ADMIN))
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    son = trio(5).son
    bodies = {code: remains(session, worker, code) for code in ("R1", "R2", "R3")}
    dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, {"R1": son}, "one.csv"))
    held = dna_remains_cache.live_remains(session, worker, key, "test")
    assert set(held) == {bodies["R1"].id}
    before = _read_batches(session)
    dna_remains_cache.live_remains(session, worker, key, "test")
    assert _read_batches(session) == before  # held: nothing decrypted again

    # The second fragment of the same man arrives: only it is decrypted, and it meets R1.
    half = {m: son[m] for m in MARKERS[:8]}
    dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, {"R2": half}, "two.csv"))
    [association] = session.scalars(select(DnaAssociation)).all()
    assert {association.first_sample_id, association.second_sample_id} == {bodies["R1"].id, bodies["R2"].id}

    assert dna_profiles.shred(session, admin, bodies["R1"], "destroyed by court order")
    assert set(dna_remains_cache.live_remains(session, worker, key, "test")) == {bodies["R2"].id}
    assert dna_remains_cache.not_excluded(session, son, {bodies["R2"].id: half}) == [bodies["R2"].id]


def test_the_screen_keeps_every_pair_whose_identity_lr_is_above_zero(session, factories, tmp_path):
    """Random profiles with partial calls and untyped markers: whatever the screen drops scores 0."""
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    rng = random.Random(11)
    pool = ALLELES[:3]  # few alleles: many pairs agree, so the screen is tested on both sides

    def profile():
        out = {}
        for m in MARKERS:
            draw = rng.random()
            if draw < 0.15:
                continue  # untyped
            first, second = rng.choice(pool), rng.choice(pool)
            out[m] = (first, "") if draw < 0.25 else (first, second)  # "" : a single-allele call
        return out

    profiles = {f"S{n}": profile() for n in range(40)}
    for n in range(10):  # fragments of the first ten: fewer markers, some calls left partial
        whole = profiles[f"S{n}"]
        profiles[f"F{n}"] = {
            m: ((g[0], "") if rng.random() < 0.3 else g) for m, g in whole.items() if rng.random() < 0.5
        }
    ids = {code: remains(session, worker, code).id for code in profiles}
    dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, profiles, "many.csv"))
    held = dna_remains_cache.live_remains(session, worker, key, "test")
    assert set(held) == set(ids.values())
    dropped = kept_others = 0
    for sample_id, genotypes in held.items():
        kept = set(dna_remains_cache.not_excluded(session, genotypes, held))
        assert sample_id in kept
        kept_others += len(kept) - 1
        for other_id, other in held.items():
            if other_id not in kept:
                dropped += 1
                assert identity_lr(table, genotypes, other).log10_lr is None  # LR 0: excluded
    assert dropped > 100 and kept_others > 0  # the screen did work both ways
