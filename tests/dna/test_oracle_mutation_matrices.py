"""Mutation matrices built from the cases' pedmut arguments equal the ones pedmut 0.9.1 attached."""

from __future__ import annotations

import numpy as np
import pytest
from oracle_data import case_records, matrix_records

from kintrace.dna.oracle_cases import parse_case


@pytest.mark.parametrize("case_id", sorted(matrix_records()))
def test_matrices_match_pedmut(case_id: str) -> None:
    case = parse_case(case_records()[case_id])
    markers = {m.name: m for m in case.markers}
    expected = matrix_records()[case_id]
    with_model = {name for name, m in markers.items() if m.mutation is not None}
    assert with_model == set(expected)
    for name, want in expected.items():
        marker = markers[name]
        assert marker.mutation is not None
        assert list(marker.alleles) == want["alleles"]
        female = np.array(want["female"])
        male = female if want["male"] == "same_as_female" else np.array(want["male"])
        np.testing.assert_allclose(marker.mutation.female, female, rtol=1e-14, atol=0, err_msg=name)
        np.testing.assert_allclose(marker.mutation.male, male, rtol=1e-14, atol=0, err_msg=name)
