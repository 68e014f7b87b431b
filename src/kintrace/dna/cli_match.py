"""The work of `kintrace dna match`, step by step, each step linear in profiles and families.

Profiles are read into arrays (``profile_table``), families into pedigrees shared by every family of
one template, references into sample rows; the per-family tables are built block by block from those
arrays (``lr_table.build_tables_coded``) and scanned as they come (``match.match_all``), so memory
holds one block of tables whatever the number of families.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kintrace.dna.cli_common import fail, progress_bar, stderr

if TYPE_CHECKING:
    from kintrace.dna.families import Family

BLOCK_FAMILIES = 2048  # families whose tables are held at once (~2048 x table size x 9 bytes)


@dataclass(frozen=True)
class MatchOptions:
    profiles: Path
    pedigrees: Path
    freqs: Path
    out: Path
    references: Path | None
    top_k: int
    threshold: float
    max_hits: int
    layout: str  # "auto" or "wide"
    single_allele: str
    mutation: str | None
    mutation_rate: float | None
    timings: Path | None


def run_match(opt: MatchOptions) -> None:
    from kintrace.dna.cli_scale import load_markers, write_matches
    from kintrace.dna.families import read_pedigrees
    from kintrace.dna.lr_table import SlotLayout, TableBlock, TableCache, build_tables_coded
    from kintrace.dna.markers import DnaInputError
    from kintrace.dna.match import match_all
    from kintrace.dna.profile_table import read_profile_table

    console = stderr()
    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[step] = steps.get(step, 0.0) + now - clock
        clock = now

    try:
        markers = load_markers(opt.freqs, opt.mutation, opt.mutation_rate)
        table = read_profile_table(
            opt.profiles,
            markers,
            layout=opt.layout,  # type: ignore[arg-type]
            single_allele=opt.single_allele,  # type: ignore[arg-type]
        )
        if table.ignored_columns:
            console.print(f"[yellow]ignored columns:[/] {', '.join(table.ignored_columns)}")
        ref_table = (
            table
            if opt.references is None
            else read_profile_table(opt.references, markers, single_allele=opt.single_allele)  # type: ignore[arg-type]
        )
        lap("read_profiles")
        families = read_pedigrees(opt.pedigrees)
        lap("read_pedigrees")
        ref_rows = _reference_rows(families, ref_table.rows(), opt.pedigrees, opt.references or opt.profiles)
    except DnaInputError as exc:
        raise fail(str(exc)) from None

    # A reference row is typed at a table marker where either allele is known.
    typed_rows = np.asarray((ref_table.alleles >= 0).any(axis=2))  # (samples, table markers)
    used_rows = np.unique(np.concatenate([r[r >= 0] for r in ref_rows] or [np.zeros(0, np.int64)]))
    if opt.references is None:
        claimed_ids = {s for f in families for s in f.samples.values()}
        candidates = np.array(
            [i for i, s in enumerate(table.sample_ids) if s not in claimed_ids], dtype=np.int64
        )
    else:
        candidates = np.arange(len(table), dtype=np.int64)
    sample_ids = [table.sample_ids[i] for i in candidates]
    # A marker counts where a profile is typed and some reference is, or where a mutation model
    # makes the missing person's genotype differ from the population's even without references.
    informed: np.ndarray = typed_rows[used_rows].any(axis=0)
    informed |= np.array([m.mutation is not None for m in table.markers], dtype=bool)
    profiled = (table.alleles[candidates] >= 0).any(axis=(0, 2))
    used = informed & profiled
    layout = SlotLayout.by_exclusion_power([m for m, u in zip(table.markers, used, strict=True) if u])
    has_data = [bool(r.size and typed_rows[r[r >= 0]].any()) for r in ref_rows]
    informative = [f for f, ok in zip(families, has_data, strict=True) if ok]
    informative_rows = [r for r, ok in zip(ref_rows, has_data, strict=True) if ok]
    for f, ok in zip(families, has_data, strict=True):
        if not ok:
            console.print(f"[yellow]family {f.family_id!r}: no typed reference; skipped[/]")
    if not sample_ids or not informative or not layout.markers:
        raise fail("nothing to compare: no unidentified profiles, no typed families or no shared marker")
    slots = layout.encode_table(table, candidates)
    codes = layout.local(ref_table)
    cache = TableCache()
    lap("prepare")

    def blocks() -> Iterator[TableBlock]:
        for start in range(0, len(informative), BLOCK_FAMILIES):
            stop = start + BLOCK_FAMILIES
            lap("scan")
            block = build_tables_coded(
                informative[start:stop], informative_rows[start:stop], codes, layout, cache
            )
            lap("tables")
            yield block

    with progress_bar(console, "matching", "families") as progress:
        task = progress.add_task("match", total=len(informative))
        try:
            result = match_all(
                sample_ids,
                slots,
                layout,
                blocks(),
                top_k=opt.top_k,
                threshold=opt.threshold,
                max_hits=opt.max_hits,
                on_block=lambda n: progress.advance(task, n),
            )
        except DnaInputError as exc:
            raise fail(str(exc)) from None
    lap("scan")
    for warning in result.warnings:
        console.print(f"[bold yellow]warning:[/] {warning}")
    write_matches(opt.out, result)
    lap("write")
    console.print(
        f"{len(sample_ids)} profiles x {len(informative)} families = {result.n_pairs} pairs over "
        f"{len(layout.markers)} markers; {result.n_above_threshold} with LR >= {opt.threshold:g}; "
        f"{len(result.matches)} rows written to {opt.out}"
    )
    if opt.timings is not None:
        opt.timings.write_text(json.dumps({k: round(v, 4) for k, v in steps.items()}, indent=2) + "\n")


def _reference_rows(
    families: list[Family], rows: dict[str, int], pedigrees: Path, profiles: Path
) -> list[np.ndarray]:
    """Per family, the reference table row of each person in pedigree order (-1: no sample)."""
    from kintrace.dna.markers import DnaInputError

    out = []
    for fam in families:
        ids = fam.pedigree.ids
        r = np.full(len(ids), -1, dtype=np.int64)
        for person_id, sample_id in fam.samples.items():
            row = rows.get(sample_id)
            if row is None:
                raise DnaInputError(
                    f"{pedigrees} {fam.where(person_id)}: sample {sample_id!r} is not in {profiles}"
                )
            r[ids.index(person_id)] = row
        out.append(r)
    return out
