"""Synthetic DNA for the registry's tests: a frequency table, a family's references, its missing son's
remains, and an unrelated body. Deterministic; nothing here is any real person's DNA."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from kintrace.dna.markers import load_frequency_table
from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.services import dna_samples

MARKERS = [f"TKDNA{n:02d}" for n in range(1, 17)]
ALLELES = ["9", "10", "11", "12", "13", "14", "15.3", "16", "17", "18"]
DAY = dt.date(2026, 3, 2)


def frequency_file(folder: Path) -> Path:
    path = folder / "freqs.csv"
    lines = ["marker,allele,frequency"]
    for marker in MARKERS:
        lines += [f"{marker},{allele},0.1" for allele in ALLELES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def markers(folder: Path):
    return load_frequency_table(frequency_file(folder))


Genotypes = dict[str, tuple[str, str]]


@dataclass
class Trio:
    father: Genotypes
    mother: Genotypes
    son: Genotypes
    stranger: Genotypes


def trio(seed: int = 7) -> Trio:
    rng = random.Random(seed)

    def person() -> Genotypes:
        return {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS}

    father, mother, stranger = person(), person(), person()
    son = {m: (rng.choice(father[m]), rng.choice(mother[m])) for m in MARKERS}
    return Trio(father, mother, son, stranger)


def long_csv(folder: Path, profiles: dict[str, Genotypes], name: str = "export.csv") -> Path:
    path = folder / name
    lines = ["sample_id,marker,allele1,allele2"]
    for code, genotypes in profiles.items():
        lines += [f"{code},{m},{a},{b}" for m, (a, b) in genotypes.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wide_csv(folder: Path, profiles: dict[str, Genotypes], name: str = "export_wide.csv") -> Path:
    path = folder / name
    header = ["Sample Name"] + [f"{m} {i}" for m in MARKERS for i in (1, 2)]
    lines = [",".join(header)]
    for code, genotypes in profiles.items():
        lines.append(",".join([code] + [allele for m in MARKERS for allele in genotypes[m]]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reference(session, worker, case, relative, code: str, kinship: Kinship | None, sex: DonorSex):
    return dna_samples.add_reference(
        session,
        worker,
        case.id,
        dna_samples.ReferenceInput(
            code=code,
            relative_id=relative.id,
            kinship=kinship,
            donor_sex=sex,
            collected_on=DAY,
            collector="Олена Коваль",
            laboratory="Synthetic Lab",
            consent_on=DAY,
            kit="GlobalFiler",
        ),
    )


def remains(session, worker, code: str):
    return dna_samples.add_remains(
        session,
        worker,
        dna_samples.RemainsInput(
            code=code,
            incident="Site 12",
            recovered_on=DAY,
            body_number=f"B-{code}",
            laboratory="Synthetic Lab",
        ),
    )


def personal_effect(session, worker, case, code: str, item: str = "toothbrush"):
    return dna_samples.add_personal_effect(
        session,
        worker,
        case.id,
        dna_samples.PersonalEffectInput(
            code=code,
            item=item,
            handed_over_by="Марія Бондар (mother)",
            handed_over_on=DAY,
            laboratory="Synthetic Lab",
        ),
    )
