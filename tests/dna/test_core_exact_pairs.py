"""The per-structure scorer equals the oracle and the general path, pair by pair and in batches."""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracle_data import case_records, relative_error
from test_core_brute_force import EXAMPLES, MUTATIONS, make_marker

from kintrace.dna.exact_pairs import MissingPersonScorer
from kintrace.dna.genotypes import Genotype
from kintrace.dna.likelihood import genotype_evidence, genotype_table, likelihood_by_genotype
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.markers import DnaInputError
from kintrace.dna.oracle_cases import parse_case
from kintrace.dna.pedigree import Pedigree

# Single-reference tables, several-reference fallbacks, partial profiles, every mutation model.
CASES = [
    "PUB-01-parent-child",
    "PUB-03-mp-is-parent",
    "PUB-08-grandparent",
    "PUB-10-first-cousin",
    "PUB-14-child-with-spouse",
    "PUB-17-partial-poi",
    "PUB-19-exclusion-no-mutation",
    "PUB-22-exclusion-stepwise",
    "PUB-24-exclusion-dawid",
    "PUB-27-trio-exclusion-sex-specific",
    "PUB-34-founder-inbreeding",
]


@pytest.mark.parametrize("case_id", CASES)
def test_scorer_matches_oracle(case_id: str) -> None:
    record = case_records()[case_id]
    case = parse_case(record)
    refs = [pid for pid in case.pedigree.input_order if pid in case.reference_genotypes]
    scorer = MissingPersonScorer(
        case.pedigree, case.markers, case.missing_person, refs, founder_inbreeding=case.founder_inbreeding
    )
    result = scorer.lr(case.reference_genotypes, case.poi_genotypes)
    # The scorer does not lump unobserved alleles: agreement to the frequency tables' ~1e-9 rounding.
    for marker, value in record["expected"]["LR_per_marker"].items():
        got = result.lr_per_marker[marker]
        assert (got == 0.0) if value == 0.0 else relative_error(got, value) < 1e-8, marker


@pytest.mark.parametrize("example", EXAMPLES[:6], ids=[e.name for e in EXAMPLES[:6]])
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_scorer_equals_missing_person_lr(example: object, mutation: str) -> None:
    from test_core_brute_force import Example

    assert isinstance(example, Example)
    marker = make_marker(example, mutation)
    ped = Pedigree(example.persons)
    missing = example.missing
    refs = [pid for pid in example.genotypes if pid != missing]
    scorer = MissingPersonScorer(ped, [marker], missing, refs, founder_inbreeding=example.inbreeding)
    reference = {pid: {"M": g} for pid, g in example.genotypes.items() if pid != missing}
    for poi in [("10", "11"), ("11", "11"), ("10", None)]:
        if poi[0] not in marker.alleles or poi[1] not in (*marker.alleles, None):
            continue
        got = scorer.lr(reference, {"M": poi})
        want = missing_person_lr(
            ped, [marker], reference, {"M": poi}, missing, founder_inbreeding=example.inbreeding
        )
        assert math.isclose(got.lr_total, want.lr_total, rel_tol=1e-12)


def test_batched_codes_equal_single_pairs() -> None:
    case = parse_case(case_records()["PUB-01-parent-child"])
    scorer = MissingPersonScorer(case.pedigree, case.markers, "MP", ["FA"])
    rng = np.random.default_rng(7)
    refs, pois, expected = [], [], []
    for _ in range(40):
        father: dict[str, Genotype] = {}
        poi: dict[str, Genotype] = {}
        for m in case.markers:
            a, b, c, d = rng.choice(m.alleles, size=4, p=m.freqs / m.freqs.sum())
            if rng.random() < 0.9:
                father[m.name] = (str(a), str(b))
            if rng.random() < 0.9:
                poi[m.name] = (str(a), str(c)) if rng.random() < 0.5 else (str(c), str(d))
        refs.append(scorer.encode(father)[None, :])
        pois.append(scorer.encode(poi))
        expected.append(scorer.lr({"FA": father}, poi).lr_total)
    got = scorer.lr_codes(np.stack(refs), np.stack(pois))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_encode_rejects_unknown_allele() -> None:
    case = parse_case(case_records()["PUB-01-parent-child"])
    scorer = MissingPersonScorer(case.pedigree, case.markers[:2], "MP", ["FA"])
    with pytest.raises(DnaInputError, match="TH01"):
        scorer.encode({"TH01": ("6", "99")})


@pytest.mark.parametrize(
    "case_id",
    [
        "PUB-05-full-sibs-multi",
        "PUB-35-half-typed-genotypes",
        "PUB-39-sim-1",
        "PUB-27-trio-exclusion-sex-specific",
    ],
)
def test_lumped_genotype_table_equals_full_computation(case_id: str) -> None:
    case = parse_case(case_records()[case_id])
    for marker in case.markers:
        genotypes = {pid: g[marker.name] for pid, g in case.reference_genotypes.items() if marker.name in g}
        fast = genotype_table(case.pedigree, marker, genotypes, case.missing_person)
        evidence = {pid: genotype_evidence(marker, g) for pid, g in genotypes.items()}
        full = likelihood_by_genotype(case.pedigree, marker, evidence, case.missing_person)
        np.testing.assert_allclose(fast, full, rtol=1e-10, atol=1e-12 * full.max(), err_msg=marker.name)
