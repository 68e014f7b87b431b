"""Every public oracle case (forrel 1.9.0 / pedprobr 1.1.0) is reproduced to 1e-9 relative error."""

from __future__ import annotations

import pytest
from oracle_data import case_records, relative_error

from kintrace.dna.oracle_cases import evaluate_case, parse_case

TOLERANCE = 1e-9


@pytest.mark.parametrize("case_id", sorted(case_records()))
def test_case_matches_oracle(case_id: str) -> None:
    record = case_records()[case_id]
    result = evaluate_case(parse_case(record))
    expected = record["expected"]

    assert set(result["LR_per_marker"]) == set(expected["LR_per_marker"])
    for marker, value in expected["LR_per_marker"].items():
        got = result["LR_per_marker"][marker]
        if value == 0.0:
            assert got == 0.0, marker
        else:
            assert relative_error(got, value) < TOLERANCE, (marker, got, value)
    if expected["LR_total"] == 0.0:
        assert result["LR_total"] == 0.0
    else:
        assert relative_error(result["LR_total"], expected["LR_total"]) < TOLERANCE

    alternatives = record.get("alternatives") or []
    assert [a["placement"] for a in result["alternatives"]] == [a["placement"] for a in alternatives]
    for got_alt, want_alt in zip(result["alternatives"], alternatives, strict=True):
        for marker, value in want_alt["LR_per_marker"].items():
            got = got_alt["LR_per_marker"][marker]
            assert (got == 0.0) if value == 0.0 else relative_error(got, value) < TOLERANCE, (
                want_alt["placement"],
                marker,
            )
        for marker, value in want_alt["likelihood_per_marker"].items():
            got = got_alt["likelihood_per_marker"][marker]
            assert (got == 0.0) if value == 0.0 else relative_error(got, value) < TOLERANCE
        want_total = want_alt["LR_total"]
        assert (
            (got_alt["LR_total"] == 0.0)
            if want_total == 0.0
            else (relative_error(got_alt["LR_total"], want_total) < TOLERANCE)
        )


# Reproducing pedprobr's lumping and peeling set brings every likelihood to ~1e-15; a looser match
# (~1e-10) would mean a frequency table's rounding is summed differently from pedprobr.
LIKELIHOOD_TOLERANCE = 1e-12


@pytest.mark.parametrize("case_id", sorted(case_records()))
def test_case_likelihoods_match_oracle(case_id: str) -> None:
    """H1 and H2 likelihoods per marker, not only their ratio."""
    from kintrace.dna.oracle_cases import case_lr

    record = case_records()[case_id]
    result = case_lr(parse_case(record))
    for marker, value in record["expected"]["likelihood_H1_per_marker"].items():
        got = result.likelihood_h1_per_marker[marker]
        assert (got == 0.0) if value == 0.0 else relative_error(got, value) < LIKELIHOOD_TOLERANCE, marker
    for marker, value in record["expected"]["likelihood_H2_per_marker"].items():
        got = result.likelihood_h2_per_marker[marker]
        assert relative_error(got, value) < LIKELIHOOD_TOLERANCE, marker
