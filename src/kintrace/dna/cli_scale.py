"""`kintrace dna match` (all profiles x all families) and `kintrace dna power` (reference strength)."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kintrace.dna.cli_common import fail, progress_bar, stderr

if TYPE_CHECKING:
    from kintrace.dna.markers import Marker
    from kintrace.dna.match import MatchResult

BLOCK_FAMILIES = 2048  # families whose tables are held at once (~2048 x table size x 9 bytes)
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
    ) -> None:
        """Score every unidentified profile against every family; write the best pairs, ranked."""
        from kintrace.dna.families import read_pedigrees
        from kintrace.dna.lr_table import SlotLayout, TableBlock, TableCache, build_tables
        from kintrace.dna.markers import DnaInputError
        from kintrace.dna.match import match_all
        from kintrace.dna.profiles import read_profiles

        console = stderr()
        if single_allele not in ("unknown", "homozygous"):
            raise fail(f"--single-allele must be 'unknown' or 'homozygous', got {single_allele!r}")
        if not threshold > 0:
            raise fail("--threshold must be positive")
        try:
            markers = load_markers(freqs, mutation, mutation_rate)
            layout_name = "wide" if wide else "auto"
            profile_set = read_profiles(profiles, markers, layout=layout_name, single_allele=single_allele)  # type: ignore[arg-type]
            if profile_set.ignored_columns:
                console.print(f"[yellow]ignored columns:[/] {', '.join(profile_set.ignored_columns)}")
            ref_set = (
                profile_set
                if references is None
                else read_profiles(references, markers, single_allele=single_allele)  # type: ignore[arg-type]
            )
            families = read_pedigrees(pedigrees)
            refs = {f.family_id: f.references(ref_set) for f in families}
        except DnaInputError as exc:
            raise fail(str(exc)) from None
        claimed = {s for f in families for s in f.samples.values()}
        sample_ids = [s for s in profile_set.sample_ids if references is not None or s not in claimed]
        candidates = [profile_set[s] for s in sample_ids]
        # A marker counts where a profile is typed and some reference is, or where a mutation model
        # makes the missing person's genotype differ from the population's even without references.
        informed = {name for r in refs.values() for g in r.values() for name in g}
        informed |= {name for name, m in markers.items() if m.mutation is not None}
        used = {name for p in candidates for name in p} & informed
        layout = SlotLayout.by_exclusion_power([m for name, m in markers.items() if name in used])
        informative = [f for f in families if any(refs[f.family_id].values())]
        for f in families:
            if f not in informative:
                console.print(f"[yellow]family {f.family_id!r}: no typed reference; skipped[/]")
        if not sample_ids or not informative or not layout.markers:
            raise fail("nothing to compare: no unidentified profiles, no typed families or no shared marker")
        slots = layout.encode(candidates)
        cache = TableCache()

        def blocks() -> Iterator[TableBlock]:
            for start in range(0, len(informative), BLOCK_FAMILIES):
                yield build_tables(informative[start : start + BLOCK_FAMILIES], refs, layout, cache)

        with progress_bar(console, "matching", "families") as progress:
            task = progress.add_task("match", total=len(informative))
            try:
                result = match_all(
                    sample_ids,
                    slots,
                    layout,
                    blocks(),
                    top_k=top_k,
                    threshold=threshold,
                    max_hits=max_hits,
                    on_block=lambda n: progress.advance(task, n),
                )
            except DnaInputError as exc:
                raise fail(str(exc)) from None
        for warning in result.warnings:
            console.print(f"[bold yellow]warning:[/] {warning}")
        write_matches(out, result)
        console.print(
            f"{len(sample_ids)} profiles x {len(informative)} families = {result.n_pairs} pairs over "
            f"{len(layout.markers)} markers; {result.n_above_threshold} with LR >= {threshold:g}; "
            f"{len(result.matches)} rows written to {out}"
        )

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
