"""Mutation model builders: pedmut's defining properties, R's random stream, and input errors."""

from __future__ import annotations

import numpy as np
import pytest

from kintrace.dna.markers import DnaInputError
from kintrace.dna.mutation import (
    _r_mersenne_twister,
    _r_runif,
    make_reversible,
    make_stationary,
    mutation_matrix,
    mutation_model,
    mutation_rate,
)

ALLELES = ("9", "9.3", "10", "11", "12")
FREQS = np.array([0.1, 0.2, 0.3, 0.25, 0.15])


def test_r_uniform_stream_matches_r() -> None:
    # R: set.seed(1); runif(3)  and  set.seed(42); runif(2)
    np.testing.assert_allclose(
        _r_runif(_r_mersenne_twister(1), 3), [0.2655087, 0.3721239, 0.5728534], atol=5e-8
    )
    np.testing.assert_allclose(_r_runif(_r_mersenne_twister(42), 2), [0.914806, 0.9370754], atol=5e-7)


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("equal", {"rate": 0.01}),
        ("proportional", {"rate": 0.01}),
        ("stepwise", {"rate": 0.01, "rate2": 1e-4, "range": 0.3}),
        ("random", {"seed": 3}),
        ("random", {"seed": 3, "rate": 0.02}),
        ("trivial", {}),
    ],
)
def test_rows_are_distributions(model: str, params: dict[str, float]) -> None:
    m = mutation_matrix(model, ALLELES, FREQS, **params)  # type: ignore[arg-type]
    assert m.shape == (5, 5)
    assert (m >= 0).all()
    np.testing.assert_allclose(m.sum(axis=1), 1.0, rtol=1e-14)


def test_equal_and_proportional_have_their_rate() -> None:
    eq = mutation_matrix("equal", ALLELES, rate=0.02)
    assert eq[0, 0] == 0.98 and eq[0, 1] == pytest.approx(0.005)
    prop = mutation_matrix("proportional", ALLELES, FREQS, rate=0.02)
    assert mutation_rate(prop, FREQS) == pytest.approx(0.02, rel=1e-12)
    np.testing.assert_allclose(FREQS @ prop, FREQS, rtol=1e-14)  # stationary


def test_random_with_rate_keeps_the_overall_rate() -> None:
    m = mutation_matrix("random", ALLELES, FREQS, rate=0.02, seed=11)
    assert mutation_rate(m, FREQS) == pytest.approx(0.02, rel=1e-12)


def test_onestep_moves_to_neighbours_only() -> None:
    m = mutation_matrix("onestep", ("8", "9", "10", "12"), rate=0.01)
    np.testing.assert_allclose(m[1], [0.005, 0.99, 0.005, 0.0])
    np.testing.assert_allclose(m[3], [0.0, 0.0, 0.0, 1.0])  # no neighbour: cannot mutate


def test_dawid_is_reversible() -> None:
    alleles = ("10", "11", "12", "13")
    p = np.array([0.1, 0.4, 0.3, 0.2])
    m = mutation_matrix("dawid", alleles, p, rate=0.005, range=0.5)
    pm = p[:, None] * m
    np.testing.assert_allclose(pm, pm.T, rtol=1e-12)
    assert mutation_rate(m, p) == pytest.approx(0.005, rel=1e-12)


@pytest.mark.parametrize("method", ["MH", "BA", "PR"])
def test_reversible_transforms(method: str) -> None:
    base = mutation_matrix("stepwise", ALLELES, rate=0.01, rate2=1e-4, range=0.3)
    r = make_reversible(base, FREQS, method)
    pr = FREQS[:, None] * r
    np.testing.assert_allclose(pr, pr.T, rtol=1e-10, atol=1e-18)
    np.testing.assert_allclose(r.sum(axis=1), 1.0, rtol=1e-14)
    assert mutation_rate(r, FREQS) == pytest.approx(mutation_rate(base, FREQS), rel=1e-10)


def test_pm_stabilisation_is_stationary() -> None:
    base = mutation_matrix("stepwise", ALLELES, rate=0.01, rate2=1e-4, range=0.3)
    s = make_stationary(base, FREQS)
    np.testing.assert_allclose(FREQS @ s, FREQS, rtol=1e-12)
    via_transform = mutation_matrix(
        "stepwise", ALLELES, FREQS, rate=0.01, rate2=1e-4, range=0.3, transform="PM"
    )
    np.testing.assert_array_equal(s, via_transform)


def test_sex_specific_model() -> None:
    model = mutation_model("equal", ALLELES, rate={"female": 0.001, "male": 0.004})
    assert model.is_sex_specific
    assert model.for_parent(1)[0, 0] == pytest.approx(0.996)
    assert model.for_parent(2)[0, 0] == pytest.approx(0.999)


@pytest.mark.parametrize(
    ("model", "alleles", "params", "message"),
    [
        ("equal", ALLELES, {}, "'rate' is required"),
        ("equal", ALLELES, {"rate": 1.5}, r"'rate' must lie in \[0, 1\]"),
        ("proportional", ALLELES, {"rate": 0.9}, "largest rate"),
        ("onestep", ALLELES, {"rate": 0.01}, "integers"),
        ("stepwise", ("9", "x"), {"rate": 0.01, "rate2": 0.0, "range": 0.1}, "numeric"),
        ("dawid", ("9", "10"), {"rate": 0.01, "range": 1.5}, r"'range' must lie in \(0, 1\)"),
        ("nonsense", ALLELES, {"rate": 0.01}, "unknown model"),
        ("equal", ALLELES, {"rate": 0.01, "transform": "XX"}, "unknown transform"),
    ],
)
def test_bad_parameters_are_named(
    model: str, alleles: tuple[str, ...], params: dict[str, object], message: str
) -> None:
    with pytest.raises(DnaInputError, match=message):
        mutation_matrix(model, alleles, FREQS[: len(alleles)] / FREQS[: len(alleles)].sum(), **params)  # type: ignore[arg-type]
