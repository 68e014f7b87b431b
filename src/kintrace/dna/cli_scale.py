"""`kintrace dna match` (all profiles x all families) and `kintrace dna power` (reference strength)."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kintrace.dna.cli_common import fail
from kintrace.dna.cli_match import MatchOptions, run_match

if TYPE_CHECKING:
    from kintrace.dna.markers import Marker
    from kintrace.dna.match import MatchResult

OUTPUT_COLUMNS = (
    "sample_id",
    "family_id",
    "LR",
    "log10_LR",
    "markers_compared",
    "markers_inconsistent",
    "rank_in_profile",
    "rank_in_family",
)


def load_markers(freqs: Path, mutation: str | None, mutation_rate: float | None) -> dict[str, Marker]:
    """The frequency table, with one mutation model (pedmut name) put on every marker if asked."""
    from kintrace.dna.markers import DnaInputError, load_frequency_table
    from kintrace.dna.mutation import mutation_model

    markers = load_frequency_table(freqs)
    if mutation is None:
        return markers
    if mutation_rate is None:
        raise DnaInputError("--mutation needs --mutation-rate")
    return {
        name: m.with_mutation(mutation_model(mutation, m.alleles, m.freqs, rate=mutation_rate))
        for name, m in markers.items()
    }


def write_matches(path: Path, result: MatchResult) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(OUTPUT_COLUMNS)
        for m in result.matches:
            out.writerow(
                [
                    m.sample_id,
                    m.family_id,
                    repr(m.lr),
                    repr(m.log10_lr) if math.isfinite(m.log10_lr) else "-inf",
                    m.markers_compared,
                    m.markers_inconsistent,
                    "" if m.rank_in_profile is None else m.rank_in_profile,
                    "" if m.rank_in_family is None else m.rank_in_family,
                ]
            )


def register(app: typer.Typer) -> None:
    """Attach this module's commands to `kintrace dna`."""

    @app.command("match")
    def match_command(
        profiles: Path = typer.Option(..., "--profiles", help="Profiles CSV (long or wide layout)."),
        pedigrees: Path = typer.Option(..., "--pedigrees", help="Pedigree CSV (one or many families)."),
        freqs: Path = typer.Option(..., "--freqs", help="Allele frequencies CSV marker,allele,frequency."),
        out: Path = typer.Option(..., "--out", help="Ranked matches CSV to write."),
        references: Path | None = typer.Option(
            None,
            "--references",
            help="Reference profiles CSV; by default references are read from --profiles and the "
            "samples no family claims are the unidentified profiles.",
        ),
        top_k: int = typer.Option(
            10, "--top-k", min=1, help="Families kept per profile, profiles per family."
        ),
        threshold: float = typer.Option(1e4, "--threshold", help="Also keep every pair with LR >= this."),
        max_hits: int = typer.Option(
            1_000_000, "--max-hits", min=1, help="Cap on pairs kept by --threshold."
        ),
        wide: bool = typer.Option(False, "--wide", help="Profiles are in the wide layout (default: detect)."),
        single_allele: str = typer.Option(
            "unknown", "--single-allele", help="A lone allele means 'unknown' second allele or 'homozygous'."
        ),
        mutation: str | None = typer.Option(None, "--mutation", help="pedmut model for every marker."),
        mutation_rate: float | None = typer.Option(None, "--mutation-rate", help="Its rate."),
        threads: int = typer.Option(
            0, "--threads", min=0, help="Threads for the scan (default 0: every core)."
        ),
        timings: Path | None = typer.Option(
            None, "--timings", help="Also write the seconds of each step as JSON to this file."
        ),
    ) -> None:
        """Score every unidentified profile against every family; write the best pairs, ranked."""
        if single_allele not in ("unknown", "homozygous"):
            raise fail(f"--single-allele must be 'unknown' or 'homozygous', got {single_allele!r}")
        if not threshold > 0:
            raise fail("--threshold must be positive")
        import numba

        # every core, unless the environment variable NUMBA_NUM_THREADS says less
        most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
        if threads > most:
            raise fail(f"--threads {threads}: this machine runs at most {most}")
        numba.set_num_threads(threads or most)
        run_match(
            MatchOptions(
                profiles, pedigrees, freqs, out, references, top_k, threshold, max_hits,
                "wide" if wide else "auto", single_allele, mutation, mutation_rate, timings,
            )
        )  # fmt: skip

    @app.command("power")
    def power_command(
        pedigrees: Path = typer.Option(..., "--pedigrees", help="Pedigree CSV."),
        freqs: Path = typer.Option(..., "--freqs", help="Allele frequencies CSV marker,allele,frequency."),
        family: str = typer.Option(..., "--family", help="family_id to assess."),
        out: Path = typer.Option(
            ..., "--out", help="Folder for power_summary.json, power_lrs.csv, power.png."
        ),
        profiles: Path = typer.Option(
            ..., "--profiles", help="Profiles CSV holding the family's reference samples."
        ),
        n: int = typer.Option(10_000, "--n", min=1, help="Simulations of each kind."),
        seed: int = typer.Option(1, "--seed", help="Random seed."),
        threshold: float = typer.Option(1e4, "--threshold", help="LR a lab would call an identification."),
        wide: bool = typer.Option(False, "--wide", help="Profiles are in the wide layout (default: detect)."),
        mutation: str | None = typer.Option(None, "--mutation", help="pedmut model for every marker."),
        mutation_rate: float | None = typer.Option(None, "--mutation-rate", help="Its rate."),
    ) -> None:
        """Simulate the true missing person and unrelated people: exclusion power, LR distributions, plot."""
        from rich.console import Console

        from kintrace.dna.families import read_pedigrees
        from kintrace.dna.markers import DnaInputError
        from kintrace.dna.power import reference_strength, write_report
        from kintrace.dna.profiles import read_profiles

        try:
            markers = load_markers(freqs, mutation, mutation_rate)
            chosen = [f for f in read_pedigrees(pedigrees) if f.family_id == family]
            if not chosen:
                raise DnaInputError(f"{pedigrees}: no family {family!r}")
            profile_set = read_profiles(profiles, markers, layout="wide" if wide else "auto")
            fam = chosen[0]
            result = reference_strength(
                fam, fam.references(profile_set), markers, n=n, seed=seed, threshold=threshold
            )
        except DnaInputError as exc:
            raise fail(str(exc)) from None
        paths = write_report(result, out)
        s = result.summary
        Console().print(
            f"family {family}: {len(result.markers)} markers, exclusion power {s['exclusion_power']:.4f} "
            f"(exact {result.exclusion_power_exact:.4f}); P(LR >= {threshold:g} | true) = "
            f"{s['p_true_lr_at_least_threshold']:.4f}, P(LR >= {threshold:g} | unrelated) = "
            f"{s['p_unrelated_lr_at_least_threshold']:.2e}\n{s['verdict']}\n"
            f"wrote {', '.join(map(str, paths.values()))}",
            highlight=False,
        )
