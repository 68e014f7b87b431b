"""Reference strength of a family: how well its typed relatives would identify the missing person.

Per marker the true missing person's genotype is drawn from ``P(MP = k | family data)`` (exact:
the core's joint likelihood with the missing person's genotype left open, divided by the data
likelihood) and an unrelated person's from Hardy-Weinberg; both are scored with the family's LR table
(``lr_table``), the same numbers the matching path uses. The figures say how often the true missing
person would pass an LR threshold and how often an unrelated person would be excluded or pass it.

Only markers where some relative is typed take part: elsewhere the LR is 1 (no mutation) or carries
no information about the references.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kintrace.dna.families import Family
from kintrace.dna.genotypes import Genotype, n_genotypes
from kintrace.dna.likelihood import genotype_evidence, hardy_weinberg, joint_likelihood_by_genotypes
from kintrace.dna.lr_table import joint_with_missing, slots_from_joint
from kintrace.dna.markers import DnaInputError, Marker

QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
# A family is "strong" when the true missing person reaches the threshold this often.
STRONG_SHARE = 0.95


@dataclass
class MarkerLRs:
    """One marker's exact figures: LR, posterior of the missing person and HWE prior per genotype."""

    name: str
    ratio: np.ndarray
    posterior: np.ndarray
    prior: np.ndarray


@dataclass
class PowerResult:
    family_id: str
    n: int
    seed: int
    threshold: float
    markers: tuple[str, ...]
    true_lr: np.ndarray
    unrelated_lr: np.ndarray
    exclusion_power_exact: float
    summary: dict[str, object] = field(default_factory=dict)


def marker_lrs(family: Family, references: Mapping[str, Mapping[str, Genotype]], marker: Marker) -> MarkerLRs:
    """Exact per-genotype LR and ``P(MP = k | data)`` for one marker of one family."""
    ids = family.pedigree.ids
    typed = [pid for pid in ids if pid != family.missing_id and marker.name in references.get(pid, {})]
    genos = [tuple(references[pid][marker.name] for pid in typed)]
    joint, data = joint_with_missing(family.pedigree, family.missing_id, marker, typed, genos)
    if not data[0] > 0:
        raise DnaInputError(
            f"family {family.family_id!r} marker {marker.name!r}: the reference genotypes are impossible "
            "under this pedigree (likelihood 0)"
        )
    g = n_genotypes(marker.n_alleles)
    ratio = slots_from_joint(marker, joint, data)[0, :g]
    return MarkerLRs(marker.name, ratio, joint[0] / data[0], hardy_weinberg(marker))


def _draw(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    # Probabilities sum to 1 only up to the frequency table's rounding; sample from the normalised ones.
    cdf = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), probs.size - 1)


def reference_strength(
    family: Family,
    references: Mapping[str, Mapping[str, Genotype]],
    markers: Mapping[str, Marker],
    *,
    n: int = 10_000,
    seed: int = 1,
    threshold: float = 1e4,
) -> PowerResult:
    """Simulate ``n`` true missing persons and ``n`` unrelated people and score them against the family."""
    if n < 1:
        raise DnaInputError("number of simulations must be at least 1")
    typed_markers = [m for m in markers.values() if any(m.name in g for g in references.values())]
    if not typed_markers:
        raise DnaInputError(f"family {family.family_id!r}: no reference is typed at any marker of the table")
    rng = np.random.default_rng(seed)
    true_lr = np.ones(n)
    unrelated_lr = np.ones(n)
    not_excluded = 1.0
    for marker in typed_markers:
        lrs = marker_lrs(family, references, marker)
        true_lr *= lrs.ratio[_draw(rng, lrs.posterior, n)]
        unrelated_lr *= lrs.ratio[_draw(rng, lrs.prior, n)]
        not_excluded *= float(lrs.prior[lrs.ratio > 0].sum() / lrs.prior.sum())
    result = PowerResult(
        family.family_id,
        n,
        seed,
        threshold,
        tuple(m.name for m in typed_markers),
        true_lr,
        unrelated_lr,
        1.0 - not_excluded,
    )
    result.summary = _summary(result)
    return result


@dataclass(frozen=True)
class WithRelative:
    """``P(LR >= threshold | true)`` once one more relative (``relative_id``, untyped now) is typed."""

    relative_id: str
    n: int
    seed: int
    threshold: float
    p_true: float
    markers: tuple[str, ...]


def strength_with_relative(
    family: Family,
    references: Mapping[str, Mapping[str, Genotype]],
    markers: Mapping[str, Marker],
    relative_id: str,
    *,
    n: int = 2000,
    seed: int = 1,
    threshold: float = 1e4,
) -> WithRelative:
    """Simulate the family with one more relative typed at every marker of the table.

    ``family.pedigree`` holds ``relative_id`` untyped. Per marker the pair (missing person, new
    relative) is drawn exactly from ``P(MP = k, X = j | references)`` and scored with the LR the
    family would have with X typed as j: the figure ``reference_strength`` would give once X's sample
    is typed, averaged over what X's genotype could be. One elimination per marker keeps the alleles
    of both X and the missing person free, so every pair (j, k) comes out of it at once.
    """
    if n < 1:
        raise DnaInputError("number of simulations must be at least 1")
    if relative_id not in family.pedigree.ids or relative_id == family.missing_id:
        raise DnaInputError(f"family {family.family_id!r}: {relative_id!r} is not a relative in the pedigree")
    if relative_id in references:
        raise DnaInputError(f"family {family.family_id!r}: {relative_id!r} is typed already")
    rng = np.random.default_rng(seed)
    true_lr = np.ones(n)
    for marker in markers.values():
        typed = [
            pid
            for pid in family.pedigree.ids
            if pid != family.missing_id and marker.name in references.get(pid, {})
        ]
        evidence = {pid: genotype_evidence(marker, references[pid][marker.name]) for pid in typed}
        # P(references, X = j, MP = k) in one elimination; P(references, X = j) is its row sum.
        joint = joint_likelihood_by_genotypes(
            family.pedigree, marker, evidence, [relative_id, family.missing_id]
        )
        data = joint.sum(axis=1)
        if not data.sum() > 0:
            raise DnaInputError(
                f"family {family.family_id!r} marker {marker.name!r}: the reference genotypes are "
                "impossible under this pedigree (likelihood 0)"
            )
        g = n_genotypes(marker.n_alleles)
        ratio = slots_from_joint(marker, joint, data)[:, :g]  # (X genotype, MP genotype)
        pair = _draw(rng, joint.ravel(), n)
        true_lr *= ratio.ravel()[pair]
    return WithRelative(
        relative_id,
        n,
        seed,
        threshold,
        float(np.mean(true_lr >= threshold)),
        tuple(markers),
    )


def _summary(r: PowerResult) -> dict[str, object]:
    p_true = float(np.mean(r.true_lr >= r.threshold))
    p_unrel = float(np.mean(r.unrelated_lr >= r.threshold))
    if p_true >= STRONG_SHARE:
        verdict = f"strong: the true missing person reaches LR {r.threshold:g} in {p_true:.1%} of simulations"
    else:
        verdict = (
            f"weak: the true missing person reaches LR {r.threshold:g} in only {p_true:.1%} of simulations; "
            "type another relative"
        )
    return {
        "family_id": r.family_id,
        "n": r.n,
        "seed": r.seed,
        "markers": list(r.markers),
        "threshold": r.threshold,
        "exclusion_power": float(np.mean(r.unrelated_lr == 0)),
        "exclusion_power_exact": r.exclusion_power_exact,
        "p_true_lr_at_least_threshold": p_true,
        "p_unrelated_lr_at_least_threshold": p_unrel,
        "true_lr_quantiles": {str(q): float(np.quantile(r.true_lr, q)) for q in QUANTILES},
        "unrelated_lr_quantiles": {str(q): float(np.quantile(r.unrelated_lr, q)) for q in QUANTILES},
        "true_lr_zero_share": float(np.mean(r.true_lr == 0)),
        "verdict": verdict,
    }


def write_report(result: PowerResult, out_dir: Path) -> dict[str, Path]:
    """Write ``power_summary.json``, ``power_lrs.csv`` and the plot ``power.png`` into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "summary": out_dir / "power_summary.json",
        "lrs": out_dir / "power_lrs.csv",
        "plot": out_dir / "power.png",
    }
    paths["summary"].write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
    with paths["lrs"].open("w", encoding="utf-8") as fh:
        fh.write("simulation,true_LR,unrelated_LR\n")
        for i, (t, u) in enumerate(zip(result.true_lr, result.unrelated_lr, strict=True)):
            fh.write(f"{i},{t!r},{u!r}\n")

    fig, ax = plt.subplots(figsize=(8, 4.5))
    true_pos = np.log10(result.true_lr[result.true_lr > 0])
    unrel_pos = np.log10(result.unrelated_lr[result.unrelated_lr > 0])
    edges = np.concatenate([true_pos, unrel_pos, [math.log10(result.threshold)]])
    bins = np.linspace(math.floor(edges.min()), math.ceil(edges.max()) + 1e-9, 60).tolist()
    s = result.summary
    ax.hist(unrel_pos, bins=bins, alpha=0.6, label=f"unrelated (excluded: {s['exclusion_power']:.1%})")
    ax.hist(
        true_pos,
        bins=bins,
        alpha=0.6,
        label=f"true missing person (>= threshold: {s['p_true_lr_at_least_threshold']:.1%})",
    )
    ax.axvline(
        math.log10(result.threshold), color="black", linestyle="--", label=f"LR = {result.threshold:g}"
    )
    ax.set_xlabel("log10 LR")
    ax.set_ylabel(f"simulations (of {result.n})")
    ax.set_title(f"Reference strength of family {result.family_id} ({len(result.markers)} markers)")
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.savefig(paths["plot"], dpi=110)
    plt.close(fig)
    return paths
