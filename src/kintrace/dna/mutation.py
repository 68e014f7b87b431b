"""Mutation models: per-sex allele transition matrices, built as pedmut 0.9.1 builds them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np

from kintrace.dna.markers import DnaInputError


@dataclass(frozen=True, eq=False)  # numpy fields: identity equality, hashable
class MutationModel:
    """Transition matrices for one marker; rows = parental allele, columns = transmitted allele.

    ``male`` applies to father -> child transmissions, ``female`` to mother -> child.
    """

    female: np.ndarray
    male: np.ndarray

    def __post_init__(self) -> None:
        for sex in ("female", "male"):
            m = np.array(getattr(self, sex), dtype=np.float64)
            if m.ndim != 2 or m.shape[0] != m.shape[1]:
                raise DnaInputError(f"mutation model: '{sex}' matrix must be square, got shape {m.shape}")
            if not np.all(np.isfinite(m)) or np.any(m < 0) or np.any(m > 1):
                raise DnaInputError(f"mutation model: '{sex}' matrix entries must lie in [0, 1]")
            if np.any(np.round(m.sum(axis=1), 3) != 1):
                raise DnaInputError(f"mutation model: '{sex}' matrix rows must sum to 1")
            m.setflags(write=False)
            object.__setattr__(self, sex, m)
        if self.female.shape != self.male.shape:
            raise DnaInputError("mutation model: 'female' and 'male' matrices differ in size")

    @property
    def n_alleles(self) -> int:
        return int(self.female.shape[0])

    @property
    def is_sex_specific(self) -> bool:
        return not np.array_equal(self.female, self.male)

    def for_parent(self, sex: int) -> np.ndarray:
        """Matrix for a parent of this sex (1 = father uses ``male``, 2 = mother uses ``female``)."""
        return self.male if sex == 1 else self.female


@overload
def r_sum(values: np.ndarray, axis: None = None) -> float: ...
@overload
def r_sum(values: np.ndarray, axis: int) -> np.ndarray: ...
def r_sum(values: np.ndarray, axis: int | None = None) -> float | np.ndarray:
    """R's ``sum()``: sequential accumulation in extended precision (long double), rounded to double once.

    Summing as R does keeps pedmut's matrices and lumped frequencies bit for bit, and keeps LRs that are
    1 in exact arithmetic on the same side of dvir's thresholds (``LR >= 1``). ``axis=None`` sums
    everything to a float; an integer axis sums along it (an empty axis sums to 0).
    """
    if axis is None:
        return float(r_sum(np.ravel(values), axis=0))
    acc = np.add.accumulate(np.asarray(values, dtype=np.longdouble), axis=axis)
    if not acc.shape[axis]:
        return np.zeros(np.delete(acc.shape, axis))
    return np.asarray(np.take(acc, -1, axis=axis), dtype=np.float64)


def r_row_sums(matrix: np.ndarray) -> np.ndarray:
    """R's ``rowSums()`` (extended-precision accumulation), row by row."""
    return r_sum(np.asarray(matrix, dtype=np.float64), axis=1)


MODELS = ("custom", "dawid", "equal", "proportional", "random", "onestep", "stepwise", "trivial")
TRANSFORMS = ("MH", "BA", "PR", "PM")


def _fail(model: str, message: str) -> DnaInputError:
    return DnaInputError(f"mutation model {model!r}: {message}")


def _check_rate(model: str, name: str, value: float | None) -> float:
    if value is None:
        raise _fail(model, f"'{name}' is required")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise _fail(model, f"'{name}' must lie in [0, 1], got {value!r}")
    return value


def _check_afreq(model: str, freqs: np.ndarray | None, n: int, required: bool) -> np.ndarray | None:
    if freqs is None:
        if required:
            raise _fail(model, "allele frequencies are required")
        return None
    freqs = np.asarray(freqs, dtype=np.float64)
    if freqs.size != n:
        raise _fail(model, f"{freqs.size} frequencies for {n} alleles")
    if round(float(freqs.sum()), 3) != 1:
        raise _fail(model, f"allele frequencies sum to {freqs.sum()!r}, not 1")
    return freqs


def _numeric_alleles(model: str, alleles: tuple[str, ...], integer: bool) -> np.ndarray:
    try:
        values = np.array([float(a) for a in alleles])
    except ValueError:
        kind = "integers" if integer else "numeric"
        raise _fail(model, f"requires all alleles to be {kind}: {list(alleles)}") from None
    if integer:
        if np.any(np.round(values) != values):
            raise _fail(model, f"requires all alleles to be integers: {list(alleles)}")
        return values
    values = np.round(values, 2)
    bad = np.round(values, 1) != values
    if np.any(bad):
        raise _fail(
            model,
            f"microvariants must have one decimal: {[a for a, b in zip(alleles, bad, strict=True) if b]}",
        )
    return values


def _equal(n: int, rate: float) -> np.ndarray:
    m = np.full((n, n), rate / (n - 1))
    np.fill_diagonal(m, 1.0 - rate)
    return m


def _proportional(freqs: np.ndarray, rate: float) -> np.ndarray:
    max_rate = (1.0 - r_sum(freqs**2)) / (1.0 - freqs.min())
    if rate > max_rate:
        raise _fail("proportional", f"undefined: the largest rate for these frequencies is {max_rate!r}")
    n = freqs.size
    a = rate / r_sum(freqs * (1.0 - freqs))
    return (1.0 - a) * np.eye(n) + a * np.broadcast_to(freqs, (n, n))


def _stepwise(alleles: tuple[str, ...], rate: float, rate2: float, range_: float) -> np.ndarray:
    if rate + rate2 > 1:
        raise _fail("stepwise", f"the total rate 'rate' + 'rate2' must lie in [0, 1]: {rate + rate2!r}")
    values = _numeric_alleles("stepwise", alleles, integer=False)
    n = values.size
    micro = np.round((values - np.round(values)) * 10)
    m = np.zeros((n, n))
    for i in range(n):
        compat = micro == micro[i]
        for j in range(n):
            if i == j:
                if compat.all():
                    m[i, j] = 1.0 - rate
                elif compat.sum() == 1:
                    m[i, j] = 1.0 - rate2
                else:
                    m[i, j] = 1.0 - rate - rate2
            elif compat[j]:
                m[i, j] = range_ ** abs(values[i] - values[j])
            else:
                m[i, j] = rate2 / (n - compat.sum())
        compat[i] = False
        if compat.any():
            m[i, compat] = m[i, compat] / r_sum(m[i, compat]) * rate
    return m


def _onestep(alleles: tuple[str, ...], rate: float) -> np.ndarray:
    values = _numeric_alleles("onestep", alleles, integer=True)
    n = values.size
    m = np.zeros((n, n))
    for i in range(n):
        neighbours = np.abs(values - values[i]) == 1
        k = int(neighbours.sum())
        m[i, i] = 1.0 - rate if k > 0 else 1.0
        if k:
            m[i, neighbours] = rate / k
    return m


def _dawid(alleles: tuple[str, ...], freqs: np.ndarray, rate: float, range_: float) -> np.ndarray:
    _numeric_alleles("dawid", alleles, integer=True)
    if not 0 < range_ < 1:
        raise _fail("dawid", f"'range' must lie in (0, 1), got {range_!r}")
    n = freqs.size
    a = (1.0 - range_**n) / (1.0 - range_)
    idx = np.arange(n)
    step = np.abs(idx[:, None] - idx[None, :]).astype(np.float64)
    # Row i is scaled by 1/afreq[i] (R recycles the frequency vector down the columns).
    r = (rate / freqs)[:, None] * (1.0 - range_) / (2.0 * range_ * (n - a)) * range_**step
    np.fill_diagonal(r, 0.0)
    diag = 1.0 - r_row_sums(r)
    if np.any(diag < 0):
        max_rate = 1.0 / np.max((r / rate).sum(axis=1))
        raise _fail("dawid", f"undefined: the largest rate for these frequencies is {max_rate!r}")
    np.fill_diagonal(r, diag)
    return r


def _r_mersenne_twister(seed: int) -> np.random.MT19937:
    """A Mersenne Twister in the state R's ``set.seed(seed)`` leaves it (default RNG kinds)."""
    s = int(seed) & 0xFFFFFFFF
    for _ in range(50):
        s = (69069 * s + 1) & 0xFFFFFFFF
    state = np.empty(625, dtype=np.uint32)
    for j in range(625):
        s = (69069 * s + 1) & 0xFFFFFFFF
        state[j] = s
    bits = np.random.MT19937()
    # R's first word is the position; 624 makes the first draw regenerate the block.
    bits.state = {"bit_generator": "MT19937", "state": {"key": state[1:], "pos": 624}}
    return bits


def _r_runif(bits: np.random.MT19937, size: int) -> np.ndarray:
    """R's unif_rand() for Mersenne-Twister: a 32-bit draw scaled to [0, 1), kept off 0 and 1."""
    draws = np.asarray(bits.random_raw(size), dtype=np.float64) * 2.3283064365386963e-10
    i2_32m1 = 2.328306437080797e-10
    return np.clip(draws, i2_32m1 / 2, 1.0 - i2_32m1 / 2)


def _random(n: int, freqs: np.ndarray | None, rate: float | None, seed: int | None) -> np.ndarray:
    rs = _r_mersenne_twister(int(np.random.default_rng().integers(2**31)) if seed is None else seed)
    if rate is None:
        m = _r_runif(rs, n * n).reshape((n, n), order="F")
        return m / r_row_sums(m)[:, None]
    if freqs is None:
        raise _fail("random", "allele frequencies are required with a fixed rate")
    s = 1.0 - rate
    m0 = np.full(n, s)
    u = _r_runif(rs, n)
    v = u - r_sum(u * freqs) / r_sum(freqs * freqs) * freqs
    with np.errstate(divide="ignore"):
        k1 = (0.0 - m0) / v
        k2 = (1.0 - m0) / v
    k_min = np.max(np.minimum(k1, k2))
    k_max = np.min(np.maximum(k1, k2))
    k = k_min + (k_max - k_min) * _r_runif(rs, 1)[0]
    m = np.diag(m0 + k * v)
    for i in range(n):
        y = _r_runif(rs, n - 1)
        others = np.arange(n) != i
        m[i, others] = y / r_sum(y) * (1.0 - m[i, i])
    return m


def mutation_rate(matrix: np.ndarray, freqs: np.ndarray) -> float:
    """Overall mutation rate ``1 - sum(diag(M) * p)`` (pedmut::mutRate)."""
    return 1.0 - r_sum(np.diag(matrix) * freqs)


def adjust_rate(matrix: np.ndarray, new_rate: float, freqs: np.ndarray) -> np.ndarray:
    """pedmut::adjustRate: ``a*M + (1-a)*I`` with ``a = new_rate / rate``."""
    rate = mutation_rate(matrix, freqs)
    a = new_rate / rate
    if a > 1.0 / (1.0 - np.min(np.diag(matrix))):
        raise DnaInputError(
            f"mutation model: the largest adjusted rate is {rate / (1 - np.min(np.diag(matrix)))!r}"
        )
    return a * matrix + (1.0 - a) * np.eye(matrix.shape[0])


def make_reversible(matrix: np.ndarray, freqs: np.ndarray, method: str, adjust: bool = True) -> np.ndarray:
    """pedmut::makeReversible with methods "BA" (Barker), "MH" (Metropolis-Hastings), "PR"."""
    pm = matrix * freqs[:, None]
    pmt = pm.T
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "MH":
            r = matrix * np.minimum(1.0, pmt / pm)
            r[matrix == 0] = 0.0
        elif method == "BA":
            r = matrix * pmt / (pm + pmt)
            r[matrix == 0] = 0.0
        elif method == "PR":
            if np.any(pm.sum(axis=0) > freqs * (1.0 + 2.0 * np.diag(matrix))):
                raise DnaInputError("mutation model: the PR transformation is not defined for this model")
            r = (pm + pmt) / (2.0 * freqs[:, None])
        else:
            raise DnaInputError(f"mutation model: unknown reversibility method {method!r}")
    np.fill_diagonal(r, 0.0)
    np.fill_diagonal(r, 1.0 - r_row_sums(r))
    if adjust and method != "PR":
        r = adjust_rate(r, mutation_rate(matrix, freqs), freqs)
    return r


def make_stationary(matrix: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """pedmut::makeStationary, method "PM" (Simonsson & Mostad 2016, after Familias::stabilize)."""
    n = matrix.shape[0]
    dm = np.diag(matrix)
    eye = np.eye(n)
    rate = 1.0 - r_sum(dm * freqs)
    x = matrix.T - eye
    x[n - 1, :] = 1.0
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    v = np.linalg.solve(x, rhs)
    d = rate * v / ((1.0 - r_sum(dm * v)) * freqs)
    if np.any(d * (1.0 - dm) > 1):
        raise DnaInputError("mutation model: PM stabilisation does not exist for this model")
    return (matrix - eye) * d[:, None] + eye


def mutation_matrix(
    model: str,
    alleles: tuple[str, ...],
    freqs: np.ndarray | None = None,
    *,
    rate: float | None = None,
    rate2: float | None = None,
    range: float | None = None,
    seed: int | None = None,
    matrix: np.ndarray | None = None,
    transform: str | None = None,
) -> np.ndarray:
    """One sex's mutation matrix, as pedmut::mutationMatrix builds it."""
    if model not in MODELS:
        raise DnaInputError(f"mutation model: unknown model {model!r} (expected one of {', '.join(MODELS)})")
    alleles = tuple(str(a) for a in alleles)
    n = len(alleles)
    if n == 0:
        raise _fail(model, "no alleles")
    freqs = _check_afreq(
        model, freqs, n, required=model in ("proportional", "dawid") or transform is not None
    )
    if model == "custom":
        if matrix is None:
            raise _fail(model, "'matrix' is required")
        m = np.array(matrix, dtype=np.float64)
        if m.shape != (n, n):
            raise _fail(model, f"matrix shape {m.shape} does not match {n} alleles")
        if np.any(m < 0) or np.any(m > 1) or np.any(np.round(m.sum(axis=1), 3) != 1):
            raise _fail(model, "matrix entries must lie in [0, 1] and rows sum to 1")
    elif matrix is not None:
        raise _fail(model, "'matrix' is only used by the custom model")
    elif n == 1 or model == "trivial":
        m = np.eye(n)
    elif model == "equal":
        m = _equal(n, _check_rate(model, "rate", rate))
    elif model == "proportional":
        assert freqs is not None
        m = _proportional(freqs, _check_rate(model, "rate", rate))
    elif model == "stepwise":
        if range is None or not range > 0:
            raise _fail(model, f"'range' must be a positive number, got {range!r}")
        m = _stepwise(
            alleles, _check_rate(model, "rate", rate), _check_rate(model, "rate2", rate2), float(range)
        )
    elif model == "onestep":
        m = _onestep(alleles, _check_rate(model, "rate", rate))
    elif model == "dawid":
        assert freqs is not None
        if range is None:
            raise _fail(model, "'range' is required")
        m = _dawid(alleles, freqs, _check_rate(model, "rate", rate), float(range))
    else:  # random
        m = _random(n, freqs, None if rate is None else _check_rate(model, "rate", rate), seed)
    if transform is not None:
        assert freqs is not None
        if transform == "PM":
            m = make_stationary(m, freqs)
        elif transform in ("MH", "BA", "PR"):
            m = make_reversible(m, freqs, transform, adjust=True)
        else:
            raise _fail(model, f"unknown transform {transform!r} (expected one of {', '.join(TRANSFORMS)})")
    return m


def mutation_model(
    model: str | tuple[str, str] | dict[str, str],
    alleles: tuple[str, ...],
    freqs: np.ndarray | None = None,
    **params: object,
) -> MutationModel:
    """pedmut::mutationModel: ``model`` and any parameter may be one value or a {female, male} dict."""

    def pick(value: object, sex: str) -> object:
        if isinstance(value, dict):
            if set(value) != {"female", "male"}:
                raise DnaInputError(
                    f"mutation model: sex-specific values need 'female' and 'male', got {value!r}"
                )
            return value[sex]
        return value

    built = {}
    for sex in ("female", "male"):
        kwargs = {k: pick(v, sex) for k, v in params.items()}
        name = pick(model, sex)
        if not isinstance(name, str):
            raise DnaInputError(f"mutation model: model name must be a string, got {name!r}")
        built[sex] = mutation_matrix(name, alleles, freqs, **kwargs)  # type: ignore[arg-type]
    return MutationModel(female=built["female"], male=built["male"])
