"""A dvir/forrel DVI data set (``dvi_data``) as the CSV inputs of `kintrace dna match`.

Each (family, missing person) becomes one family of the pedigree CSV: the family's pedigree with that
missing person marked and the other missing persons untyped, as dvir's pairwise LR ``LR(V = M)``
treats them; its references get their own sample ids (``family/missing/person``), since a sample
belongs to one family only. The victims are the unidentified profiles; the markers go to the
frequency CSV (a mutation model is not part of that file: give it to `dna match` with --mutation).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from kintrace.dna.dvi_data import DviData
from kintrace.dna.genotypes import Genotype


def write_match_inputs(dvi: DviData, out: Path) -> dict[str, Path]:
    """Write ``pedigrees.csv``, ``profiles.csv`` (long layout) and ``freqs.csv`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f"{name}.csv" for name in ("pedigrees", "profiles", "freqs")}
    with (
        paths["pedigrees"].open("w", newline="", encoding="utf-8") as ped_fh,
        paths["profiles"].open("w", newline="", encoding="utf-8") as prof_fh,
    ):
        ped = csv.writer(ped_fh)
        prof = csv.writer(prof_fh)
        ped.writerow(["family_id", "person_id", "father_id", "mother_id", "sex", "sample_id", "missing"])
        prof.writerow(["sample_id", "marker", "allele1", "allele2"])
        for victim in dvi.victims:
            _profile(prof, victim.id, victim.genotypes)
        for fam in dvi.families:
            for mp in fam.missing:
                family_id = f"{fam.name}/{mp}"
                for p in fam.pedigree.persons:
                    typed = p.id in fam.genotypes and p.id not in fam.missing
                    sample = f"{family_id}/{p.id}" if typed else ""
                    flag = "1" if p.id == mp else ""
                    ped.writerow([family_id, p.id, p.father or "", p.mother or "", p.sex, sample, flag])
                    if typed:
                        _profile(prof, sample, fam.genotypes[p.id])
    with paths["freqs"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["marker", "allele", "frequency"])
        for m in dvi.markers:
            for allele, p in zip(m.alleles, m.freqs, strict=True):
                w.writerow([m.name, allele, repr(float(p))])
    return paths


def _profile(out: Any, sample: str, genotypes: dict[str, Genotype]) -> None:
    for marker, (a, b) in genotypes.items():
        out.writerow([sample, marker, a or "", b or ""])
