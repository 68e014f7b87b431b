"""`kintrace dna familias`: a Familias .fam file as the CSV inputs of `dna match` / `dna power`."""

from __future__ import annotations

import csv
from pathlib import Path

import typer

from kintrace.dna.cli_common import fail, stderr


def register(app: typer.Typer) -> None:
    """Attach ``familias`` to `kintrace dna`."""

    @app.command("familias")
    def familias_command(
        fam: Path = typer.Argument(..., help="Familias .fam file."),
        out: Path = typer.Option(..., "--out", help="Folder for pedigrees.csv, profiles.csv, freqs.csv."),
        pedigree: str | None = typer.Option(
            None, "--pedigree", help="The .fam pedigree to use (default: the first)."
        ),
        missing: str = typer.Option(..., "--missing", help="The person of that pedigree who is missing."),
        family: str | None = typer.Option(None, "--family", help="family_id to write (default: file name)."),
    ) -> None:
        """Write the .fam file's pedigree, genotypes and allele database in the documented CSV layouts."""
        from kintrace.dna.familias import read_familias
        from kintrace.dna.markers import DnaInputError

        try:
            data = read_familias(fam)
            name = pedigree or next(iter(data.pedigrees))
            if name not in data.pedigrees:
                raise DnaInputError(
                    f"{fam}, --pedigree: no pedigree {name!r} (the file has {list(data.pedigrees)})"
                )
            ped = data.pedigrees[name]
            if missing not in ped:
                raise DnaInputError(f"{fam} pedigree {name!r}, --missing: no person {missing!r}")
            if data.genotypes.get(missing):
                raise DnaInputError(f"{fam} person {missing!r}, --missing: the missing person is typed")
        except DnaInputError as exc:
            raise fail(str(exc)) from None
        family_id = family or fam.stem
        out.mkdir(parents=True, exist_ok=True)
        sample = {pid: f"{family_id}-{pid}" for pid, g in data.genotypes.items() if g and pid in ped}
        with (out / "pedigrees.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["family_id", "person_id", "father_id", "mother_id", "sex", "sample_id", "missing"])
            for p in ped.persons:
                w.writerow(
                    [family_id, p.id, p.father or "", p.mother or "", p.sex, sample.get(p.id, ""),
                     "1" if p.id == missing else ""]
                )  # fmt: skip
        with (out / "profiles.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["sample_id", "marker", "allele1", "allele2"])
            for pid, sample_id in sample.items():
                for marker, (a, b) in data.genotypes[pid].items():
                    w.writerow([sample_id, marker, a or "", b or ""])
        with (out / "freqs.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["marker", "allele", "frequency"])
            for m in data.markers.values():
                for allele, p in zip(m.alleles, m.freqs, strict=True):
                    w.writerow([m.name, allele, repr(float(p))])
        console = stderr()
        kinds = sorted(set(data.models.values()))
        console.print(
            f"family {family_id!r} (pedigree {name!r}, missing {missing!r}): {len(sample)} typed "
            f"members, {len(data.markers)} markers written to {out}. Mutation models in the file "
            f"(female / male): {'; '.join(kinds)}; give them to `dna match` with --mutation.",
            highlight=False,
            soft_wrap=True,
        )
