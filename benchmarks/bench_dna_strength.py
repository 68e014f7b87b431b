"""A family's reference strength and "which relative to ask next": the time of one family's figures.

What `services.dna_strength.compute` runs after decrypting a family's references: the engine's
`reference_strength` (``SIMULATIONS`` draws) and, for a weak family, `strength_with_relative` for
every kinship that could still give a sample (``SIMULATIONS`` draws each, one elimination per marker
with the new relative's and the missing person's alleles free). Synthetic tables: the demo's size
(20 markers, 13 alleles) and a large kit (24 markers, 20 alleles: 210 genotypes per marker).
Families with one reference: a paternal grandmother, a father, a full brother, typed at every
marker (the ranking is timed even where the family is strong enough not to need it).

`python -m benchmarks dna_strength`; writes benchmarks/results/dna_strength.json. Measured on the
2-core build machine (shared): the demo's table 0.1 s for the strength and 0.7-1.0 s for the ranking
of 11-12 kinships; the large kit 0.1 s and 2.8-9.4 s.
"""

from __future__ import annotations

import json
import platform
import random
import time
from pathlib import Path

import numpy as np

from kintrace.dna.families import Family as EngineFamily
from kintrace.dna.markers import Marker
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.dna.power import reference_strength
from kintrace.domain.dna_samples import Donor, DonorSex, Kinship, pedigree_layout
from kintrace.services import dna_strength
from kintrace.services.dna_matching import Family

RESULTS = Path(__file__).parent / "results" / "dna_strength.json"
TABLES = {"demo (20 markers, 13 alleles)": (20, 13), "large kit (24 markers, 20 alleles)": (24, 20)}
DONORS = {
    "paternal grandmother": (Kinship.PATERNAL_GRANDMOTHER, DonorSex.FEMALE),
    "father": (Kinship.FATHER, DonorSex.MALE),
    "full brother": (Kinship.FULL_SIBLING, DonorSex.MALE),
}


def _table(n_markers: int, n_alleles: int, rng: np.random.Generator) -> dict[str, Marker]:
    names = [f"BS{i:02d}" for i in range(1, n_markers + 1)]
    alleles = tuple(str(8 + a) for a in range(n_alleles))
    return {name: Marker(name, alleles, rng.dirichlet(np.full(n_alleles, 2.0))) for name in names}


def _family(kinship: Kinship, sex: DonorSex, markers: dict[str, Marker], seed: int) -> tuple[Family, Donor]:
    rng = random.Random(seed)
    donor = Donor("REF", kinship, sex)
    layout = pedigree_layout(DonorSex.MALE, [donor])
    pedigree = Pedigree(Person(r.id, r.father, r.mother, r.sex) for r in layout.rows)
    genotypes = {
        name: (rng.choices(m.alleles, m.freqs.tolist())[0], rng.choices(m.alleles, m.freqs.tolist())[0])
        for name, m in markers.items()
    }
    [node] = layout.typed
    return Family(1, pedigree, layout.missing_id, {node: genotypes}, dict(layout.typed)), donor


def main() -> None:
    rng = np.random.default_rng(14)
    rows = []
    for table_name, (n_markers, n_alleles) in TABLES.items():
        markers = _table(n_markers, n_alleles, rng)
        for who, (kinship, sex) in DONORS.items():
            family, donor = _family(kinship, sex, markers, seed=n_markers)
            start = time.perf_counter()
            result = reference_strength(
                EngineFamily("1", family.pedigree, family.missing_id, {}),
                family.references,
                markers,
                n=dna_strength.SIMULATIONS,
                seed=1,
                threshold=dna_strength.THRESHOLD,
            )
            strength_s = time.perf_counter() - start
            start = time.perf_counter()
            ranked = dna_strength.suggestions(family, [donor], DonorSex.MALE, markers, seed=1)
            ask_s = time.perf_counter() - start
            p_true = float((result.true_lr >= dna_strength.THRESHOLD).mean())
            row = {
                "table": table_name,
                "reference": who,
                "p_true": p_true,
                "strength_seconds": round(strength_s, 3),
                "kinships_simulated": len(ranked),
                "ask_next_seconds": round(ask_s, 3),
                "best": f"{ranked[0].kinship.value}: from {p_true:.2f} to {ranked[0].p_true:.2f}",
            }
            rows.append(row)
            print(
                f"{table_name:36} {who:22} P={p_true:.2f} strength {strength_s:6.2f} s, "
                f"{len(ranked)} kinships {ask_s:6.2f} s; best {row['best']}",
                flush=True,
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "simulations": dna_strength.SIMULATIONS,
                "threshold": dna_strength.THRESHOLD,
                "weak_below": dna_strength.WEAK_BELOW,
                "machine": f"{platform.machine()}, {platform.python_version()}",
                "rows": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
