"""Matching on arrival through the engine's cached lookup rows: the same LRs as the exact path, on
the registry's own data, for the usual pedigree shapes; shredded profiles out of every later result;
a new reference scored against the remains already stored."""

from __future__ import annotations

import math
import os
import random

import numpy as np
import pytest
from sqlalchemy import select
from tests.services.dna_helpers import ALLELES, MARKERS, long_csv, markers, reference, remains
from tests.services.helpers import actor, person

from kintrace.domain.dna_samples import CandidateState, DonorSex, Kinship, SampleKind
from kintrace.domain.vocabulary import Role, Sex
from kintrace.services import cases as case_service
from kintrace.services import dna_arrival, dna_family_tables, dna_matching
from kintrace.services.access import SYSTEM
from kintrace.services.dna_profiles import usable_profiles
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaComparison, DnaSample

Genotypes = dict[str, tuple[str, str]]
# Each shape: the donors (code suffix, kinship, sex) and which of the family's people they are.
SHAPES = {
    "parent": [("F", Kinship.FATHER, DonorSex.MALE, "father")],
    "both_parents": [
        ("F", Kinship.FATHER, DonorSex.MALE, "father"),
        ("M", Kinship.MOTHER, DonorSex.FEMALE, "mother"),
    ],
    "sibling": [("S", Kinship.FULL_SIBLING, DonorSex.MALE, "brother")],
    "child_and_spouse": [
        ("C", Kinship.CHILD, DonorSex.FEMALE, "daughter"),
        ("W", Kinship.SPOUSE, DonorSex.FEMALE, "wife"),
    ],
}


def _family_dna(rng: random.Random) -> dict[str, Genotypes]:
    def person() -> Genotypes:
        return {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS}

    def child(a: Genotypes, b: Genotypes) -> Genotypes:
        return {m: (rng.choice(a[m]), rng.choice(b[m])) for m in MARKERS}

    father, mother, wife = person(), person(), person()
    son = child(father, mother)
    return {
        "father": father,
        "mother": mother,
        "son": son,
        "brother": child(father, mother),
        "wife": wife,
        "daughter": child(son, wife),
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    dna_family_tables.forget_all()
    yield
    dna_family_tables.forget_all()


@pytest.fixture
def registry(session, factories, tmp_path):
    """One family per shape, each with its missing son's remains, plus an unrelated body."""
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    rng = random.Random(2026)
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    cases, exports, bodies = {}, {}, {}
    for shape, donors in SHAPES.items():
        case = factories.CaseFactory()
        dna = _family_dna(rng)
        for suffix, kinship, sex, who in donors:
            relative = factories.RelativeFactory(case=case, relationship_=who, is_reporter=False)
            reference(session, worker, case, relative, f"{shape}-{suffix}", kinship, sex)
            exports[f"{shape}-{suffix}"] = dna[who]
        body = remains(session, worker, f"BODY-{shape}")
        bodies[body.id] = dna["son"]
        exports[f"BODY-{shape}"] = dna["son"]
        cases[shape] = case
    stranger = remains(session, worker, "BODY-STRANGER")
    exports["BODY-STRANGER"] = {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS}
    arrival = dna_arrival.import_and_match(session, worker, key, table, long_csv(tmp_path, exports))
    return {
        "worker": worker,
        "key": key,
        "markers": table,
        "cases": cases,
        "stranger": stranger,
        "arrival": arrival,
        "tmp": tmp_path,
    }


def _fast(session, lab) -> dict[tuple[int, int], tuple[float, int]]:
    """(remains, case) -> (LR, excluding markers) by the cached rows, for every live pair."""
    with dna_family_tables.locked():
        store = dna_family_tables.refresh(session, SYSTEM, lab["key"], lab["markers"], "test")
    remains_profiles = usable_profiles(session, SYSTEM, lab["key"], "test", kind=SampleKind.REMAINS)
    order = sorted(remains_profiles)
    local = store.layout.encode([remains_profiles[r][1] for r in order]) - store.layout.offsets[:-1, None]
    out = {}
    for block in store.blocks:
        lr, zero = block.scan(local.astype(np.int32))
        for f in np.flatnonzero(block.live):
            for p, remains_id in enumerate(order):
                out[(remains_id, int(block.case_ids[f]))] = (float(lr[f, p]), int(zero[f, p]))
    return out


def _exact(session, lab) -> dict[tuple[int, int], tuple[float, int]]:
    families, skipped = dna_matching.families(session, SYSTEM, lab["key"], "test")
    assert not skipped
    remains_profiles = usable_profiles(session, SYSTEM, lab["key"], "test", kind=SampleKind.REMAINS)
    out = {}
    for family in families:
        for remains_id, (_, poi) in remains_profiles.items():
            log10_lr, per_marker, exclusions = dna_matching.score(family, lab["markers"], poi)
            lr = 0.0 if log10_lr is None else math.prod(per_marker.values())
            out[(remains_id, family.case_id)] = (lr, exclusions)
    return out


def test_the_fast_path_equals_the_exact_one_on_every_pedigree_shape(session, registry):
    fast, exact = _fast(session, registry), _exact(session, registry)
    assert set(fast) == set(exact) and len(exact) == len(SHAPES) * (len(SHAPES) + 1)
    for pair, (lr, exclusions) in exact.items():
        got, zero = fast[pair]
        assert zero == exclusions, pair
        assert got == pytest.approx(lr, rel=1e-10, abs=0.0), pair
    # Each family's own missing son is found, and only there: an LR far above 10^4 stored exactly.
    rows = session.scalars(select(DnaComparison).where(DnaComparison.state == CandidateState.CANDIDATE))
    found = {(row.case_id, session.get(DnaSample, row.remains_sample_id).code) for row in rows}
    strong = {
        (shape, f"BODY-{shape}")
        for shape, case in registry["cases"].items()
        if any(
            lr >= 1e4 for (r, c), (lr, _) in exact.items() if c == case.id and r != registry["stranger"].id
        )
    }
    assert {(case_id, code) for case_id, code in found} == {
        (registry["cases"][shape].id, code) for shape, code in strong
    }
    assert {"both_parents", "child_and_spouse"} <= {shape for shape, _ in strong}
    assert registry["arrival"].matching.pairs == len(SHAPES) * (len(SHAPES) + 1)


def test_stored_candidates_hold_the_exact_per_marker_lrs(session, registry):
    case = registry["cases"]["both_parents"]
    [row] = session.scalars(select(DnaComparison).where(DnaComparison.case_id == case.id)).all()
    families, _ = dna_matching.families(session, SYSTEM, registry["key"], "test", {case.id})
    poi = usable_profiles(
        session, SYSTEM, registry["key"], "test", kind=SampleKind.REMAINS, sample_ids={row.remains_sample_id}
    )[row.remains_sample_id][1]
    log10_lr, per_marker, _ = dna_matching.score(families[0], registry["markers"], poi)
    assert row.marker_lrs == per_marker and row.log10_lr == log10_lr and row.references == 2


def test_a_shredded_profile_is_gone_from_every_later_result(session, registry):
    worker, key, table = registry["worker"], registry["key"], registry["markers"]
    _fast(session, registry)  # the cache is warm: the withdrawals below must still be seen
    both = registry["cases"]["both_parents"]
    mother = session.scalar(select(DnaSample).where(DnaSample.code == "both_parents-M"))
    dna_arrival.withdraw_consent(session, worker, key, table, mother.id)
    lone = registry["cases"]["sibling"]
    brother = session.scalar(select(DnaSample).where(DnaSample.code == "sibling-S"))
    dna_arrival.withdraw_consent(session, worker, key, table, brother.id)

    fast, exact = _fast(session, registry), _exact(session, registry)
    assert set(fast) == set(exact)
    assert all(case_id != lone.id for _, case_id in fast)  # its only reference is destroyed
    for pair, (lr, _) in exact.items():
        assert fast[pair][0] == pytest.approx(lr, rel=1e-10, abs=0.0), pair
    rows = session.scalars(select(DnaComparison).where(DnaComparison.case_id.in_([both.id, lone.id])))
    assert all(row.case_id == both.id and row.references == 1 for row in rows)
    # A later arrival scores nothing against the family whose only reference was shredded.
    body = remains(session, worker, "BODY-LATE")
    late = dna_arrival.import_and_match(
        session,
        worker,
        key,
        table,
        long_csv(registry["tmp"], {"BODY-LATE": {m: ("9", "10") for m in MARKERS}}, "late.csv"),
    )
    assert late.matching.pairs == len(SHAPES) - 1
    assert not session.scalars(
        select(DnaComparison).where(
            DnaComparison.remains_sample_id == body.id, DnaComparison.case_id == lone.id
        )
    ).all()


def test_a_new_reference_is_scored_against_the_remains_already_stored(session, factories, tmp_path):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    key, table = MasterKey(os.urandom(32)), markers(tmp_path)
    dna = _family_dna(random.Random(5))
    body = remains(session, worker, "EARLY-BODY")
    first = dna_arrival.import_and_match(
        session, worker, key, table, long_csv(tmp_path, {"EARLY-BODY": dna["son"]})
    )
    assert first.matching.pairs == 0  # no family has references yet
    case = factories.CaseFactory()
    for code, kinship, sex, who in SHAPES["both_parents"]:
        relative = factories.RelativeFactory(case=case, relationship_=who, is_reporter=False)
        reference(session, worker, case, relative, f"LATE-{code}", kinship, sex)
    later = dna_arrival.import_and_match(
        session,
        worker,
        key,
        table,
        long_csv(tmp_path, {"LATE-F": dna["father"], "LATE-M": dna["mother"]}, "refs.csv"),
    )
    assert later.matching.pairs == 1 and later.matching.candidates == 1
    [row] = session.scalars(select(DnaComparison).where(DnaComparison.case_id == case.id)).all()
    assert row.remains_sample_id == body.id and row.state is CandidateState.CANDIDATE and row.log10_lr > 4


def test_a_change_to_the_missing_persons_sex_rebuilds_that_family_only(session, registry):
    """The cache sees every change that moves a family into another pedigree; the others stay built."""
    with dna_family_tables.locked():
        store = dna_family_tables.refresh(session, SYSTEM, registry["key"], registry["markers"], "test")
    before = dict(store.versions)
    case = registry["cases"]["sibling"]
    case_service.update_person(session, registry["worker"], case.id, person(sex=Sex.FEMALE))
    with dna_family_tables.locked():
        store = dna_family_tables.refresh(session, SYSTEM, registry["key"], registry["markers"], "test")
    changed = {case_id for case_id, version in store.versions.items() if before.get(case_id) != version}
    assert changed == {case.id}
    # The missing person is now a sister of the typed brother: the fast path still equals the exact one.
    fast, exact = _fast(session, registry), _exact(session, registry)
    for pair, (lr, _) in exact.items():
        assert fast[pair][0] == pytest.approx(lr, rel=1e-10, abs=0.0), pair


def test_the_server_builds_every_familys_rows_at_start_audited_and_the_first_arrival_finds_them(
    session, connection, registry
):
    from sqlalchemy.orm import sessionmaker

    from kintrace.store import audit_personal
    from kintrace.store.models import AuditEntry

    def reads() -> list[str]:
        """The reasons of every audited batch read of reference profiles."""
        query = select(AuditEntry).where(
            AuditEntry.action == "dna_profile.read_batch", AuditEntry.entity_id.startswith("reference:")
        )
        return [audit_personal.open_entry(session, e).after["reason"] for e in session.scalars(query)]

    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    assert dna_family_tables.holds_references(factory)
    dna_family_tables.forget_all()  # a server process just started
    assert dna_family_tables.warm_up(factory, registry["key"], registry["markers"]) == len(SHAPES)
    at_start = reads()
    assert at_start.count(dna_family_tables.WARM_UP_REASON) == 1  # every reference read once, audited
    fast = _fast(session, registry)  # what the first arrival scans: the rows are there already
    assert reads() == at_start  # no reference decrypted again
    exact = _exact(session, registry)
    assert fast.keys() == exact.keys()
    for pair, (lr, excluded) in exact.items():
        assert fast[pair][1] == excluded and math.isclose(fast[pair][0], lr, rel_tol=1e-9, abs_tol=1e-300)
