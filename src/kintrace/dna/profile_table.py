"""Profiles as arrays: the fast reader behind `kintrace dna match` for files of 10^5 samples and more.

``read_profile_table`` reads the same files, with the same meaning, as ``profiles.read_profiles``, but
column by column (Arrow's CSV parser, dictionary-encoded cells, NumPy lookups) instead of cell by cell
in Python, and keeps the result as one ``(samples, markers, 2)`` array of allele positions rather than a
dict per sample. Only valid files take that path: whenever the vectorised checks find anything
wrong (an unknown marker or allele, an empty id, a repeated record, a ragged row, bad UTF-8), the file
is read again by ``read_profiles``, so every error is the reference reader's own message naming the
file, row, record and field, and any case the checks are stricter about still reads as before.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kintrace.dna.genotypes import Genotype
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.profiles import (
    Layout,
    ProfileSet,
    SingleAllele,
    is_off_ladder,
    long_columns,
    read_profiles,
    sex_locus,
    wide_columns,
)

UNKNOWN = -1  # allele position of an unknown allele (and of both, for a marker not typed)
_OFF_LADDER = -3  # while reading: an "OL" cell, unknown but never doubled to a homozygote


@dataclass
class ProfileTable:
    """Profiles of many samples as allele positions: ``alleles[s, m]`` is sample s's pair at marker m
    (positions in ``markers[m].alleles``, in the file's order, ``UNKNOWN`` for an unknown allele)."""

    sample_ids: list[str]
    markers: tuple[Marker, ...]
    alleles: np.ndarray  # (n_samples, n_markers, 2) int32
    ignored_columns: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.sample_ids)

    def rows(self) -> dict[str, int]:
        """Sample id -> row."""
        return {s: i for i, s in enumerate(self.sample_ids)}

    def genotype(self, row: int, m: int) -> Genotype | None:
        a, b = (int(x) for x in self.alleles[row, m])
        if a == UNKNOWN and b == UNKNOWN:
            return None
        labels = self.markers[m].alleles
        return (labels[a] if a != UNKNOWN else None, labels[b] if b != UNKNOWN else None)

    def to_profile_set(self) -> ProfileSet:
        out = ProfileSet(ignored_columns=self.ignored_columns)
        for row, sample in enumerate(self.sample_ids):
            profile: dict[str, Genotype] = {}
            for m, marker in enumerate(self.markers):
                g = self.genotype(row, m)
                if g is not None:
                    profile[marker.name] = g
            out.profiles[sample] = profile
        return out

    @classmethod
    def from_profile_set(cls, profiles: ProfileSet, markers: Mapping[str, Marker]) -> ProfileTable:
        ms = tuple(markers.values())
        out = np.full((len(profiles), len(ms), 2), UNKNOWN, dtype=np.int32)
        for row, sample in enumerate(profiles.sample_ids):
            prof = profiles[sample]
            for m, marker in enumerate(ms):
                g = prof.get(marker.name)
                if g is not None:
                    out[row, m] = [UNKNOWN if x is None else marker.index(x) for x in g]
        return cls(list(profiles.sample_ids), ms, out, profiles.ignored_columns)


class _Fallback(Exception):
    """The fast path cannot read this file as it is; the reference reader will (or will say why)."""


def read_profile_table(
    path: str | Path,
    markers: Mapping[str, Marker],
    *,
    layout: Layout = "auto",
    single_allele: SingleAllele = "unknown",
) -> ProfileTable:
    """Read a profiles CSV (long or wide layout, as ``read_profiles``) into a ``ProfileTable``."""
    path = Path(path)
    try:
        return _read_fast(path, markers, layout, single_allele)
    except _Fallback:
        slow = read_profiles(path, markers, layout=layout, single_allele=single_allele)
        return ProfileTable.from_profile_set(slow, markers)


def _columns(path: Path) -> tuple[list[str], list[np.ndarray]]:
    """Header cells and every column as a NumPy array of stripped strings."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    try:
        with path.open("rb") as fh:
            first = fh.readline().decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(first)), [])
        if not header or not any(h.strip() for h in header):
            raise _Fallback
        table = pcsv.read_csv(
            path,
            # A quoted line break in a cell (never seen in a profile) makes a ragged row: fallback.
            read_options=pcsv.ReadOptions(skip_rows=1, autogenerate_column_names=True),
            convert_options=pcsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (OSError, UnicodeDecodeError, pa.ArrowException, ValueError):
        raise _Fallback from None
    if table.num_columns != len(header):
        raise _Fallback
    cols = [pc.utf8_trim_whitespace(table.column(i)) for i in range(table.num_columns)]
    return [h.strip() for h in header], cols


def _encode(column: object) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes (int32) and the distinct values, in order of first appearance."""
    import pyarrow as pa
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(column)
    chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
    if not chunks:
        return np.zeros(0, dtype=np.int32), []
    # One dictionary for all chunks.
    enc = enc.unify_dictionaries() if isinstance(enc, pa.ChunkedArray) else enc
    chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks]).astype(np.int32)
    return codes, chunks[0].dictionary.to_pylist()


def _allele_lookup(marker: Marker, values: Sequence[str]) -> np.ndarray:
    """Position of each distinct cell value in ``marker``'s table; "" -> UNKNOWN; not there -> fallback."""
    out = np.empty(len(values), dtype=np.int32)
    lookup = {a: i for i, a in enumerate(marker.alleles)}
    for i, v in enumerate(values):
        if v == "":
            out[i] = UNKNOWN
        elif is_off_ladder(v):
            out[i] = _OFF_LADDER
        elif v in lookup:
            out[i] = lookup[v]
        else:
            raise _Fallback
    return out


def _pair(a1: np.ndarray, a2: np.ndarray, single_allele: SingleAllele) -> np.ndarray:
    """(n, 2) allele positions; a lone allele goes first, doubled when it means homozygous (never
    beside an off-ladder call, which is a second allele without a name)."""
    off = (a1 == _OFF_LADDER) | (a2 == _OFF_LADDER)
    a1 = np.where(a1 == _OFF_LADDER, UNKNOWN, a1)
    a2 = np.where(a2 == _OFF_LADDER, UNKNOWN, a2)
    lone = (a1 == UNKNOWN) ^ (a2 == UNKNOWN)
    first = np.where(a1 == UNKNOWN, a2, a1)
    double = lone & ~off if single_allele == "homozygous" else np.zeros_like(lone)
    second = np.where(lone, np.where(double, first, UNKNOWN), a2)
    return np.stack([first, second], axis=-1).astype(np.int32)


def _read_fast(
    path: Path, markers: Mapping[str, Marker], layout: Layout, single_allele: SingleAllele
) -> ProfileTable:
    header, cols = _columns(path)
    if layout == "auto":
        layout = "long" if long_columns(header) is not None else "wide"
    if layout == "long":
        return _read_long(header, cols, markers, single_allele)
    return _read_wide(header, cols, markers, single_allele)


def _read_long(
    header: list[str], cols: list[np.ndarray], markers: Mapping[str, Marker], single_allele: SingleAllele
) -> ProfileTable:
    where = long_columns(header)
    if where is None:
        raise _Fallback
    ms = tuple(markers.values())
    position = {m.name: i for i, m in enumerate(ms)}
    samples, sample_ids = _encode(cols[where["sample_id"]])
    names, marker_names = _encode(cols[where["marker"]])
    if "" in sample_ids or "" in marker_names:
        raise _Fallback
    # Marker of each distinct name: its position, or -1 for a sex-typing locus (skipped).
    name_pos = np.array([position.get(n, -1 if sex_locus(n) else -2) for n in marker_names], dtype=np.int32)
    if (name_pos == -2).any():
        raise _Fallback
    row_marker = name_pos[names]
    out = np.full((len(sample_ids), len(ms), 2), UNKNOWN, dtype=np.int32)
    keep = row_marker >= 0
    key = samples[keep].astype(np.int64) * len(ms) + row_marker[keep]
    if key.size and np.bincount(key, minlength=len(sample_ids) * len(ms)).max() > 1:
        raise _Fallback  # a marker given twice for one sample
    codes1, values1 = _encode(cols[where["allele1"]])
    codes2, values2 = _encode(cols[where["allele2"]])
    for m, marker in enumerate(ms):
        rows = np.flatnonzero(row_marker == m)
        if rows.size == 0:
            continue
        used1 = np.flatnonzero(np.bincount(codes1[rows], minlength=len(values1)))
        used2 = np.flatnonzero(np.bincount(codes2[rows], minlength=len(values2)))
        lut1 = np.full(len(values1), UNKNOWN, dtype=np.int32)
        lut2 = np.full(len(values2), UNKNOWN, dtype=np.int32)
        lut1[used1] = _allele_lookup(marker, [values1[i] for i in used1])
        lut2[used2] = _allele_lookup(marker, [values2[i] for i in used2])
        out[samples[rows], m] = _pair(lut1[codes1[rows]], lut2[codes2[rows]], single_allele)
    return ProfileTable(list(sample_ids), ms, out)


def _read_wide(
    header: list[str], cols: list[np.ndarray], markers: Mapping[str, Marker], single_allele: SingleAllele
) -> ProfileTable:
    try:
        sample_col, pairs, ignored = wide_columns(Path("?"), header, markers)
    except DnaInputError:
        raise _Fallback from None
    samples, sample_ids = _encode(cols[sample_col])
    if "" in sample_ids or len(sample_ids) != samples.size:
        raise _Fallback  # an empty or repeated sample id
    ms = tuple(markers.values())
    out = np.full((samples.size, len(ms), 2), UNKNOWN, dtype=np.int32)
    for m, marker in enumerate(ms):
        if marker.name not in pairs:
            continue
        c1, c2 = pairs[marker.name]
        codes1, values1 = _encode(cols[c1])
        codes2, values2 = _encode(cols[c2])
        a1 = _allele_lookup(marker, values1)[codes1]
        a2 = _allele_lookup(marker, values2)[codes2]
        out[samples, m] = _pair(a1, a2, single_allele)
    return ProfileTable(list(sample_ids), ms, out, tuple(ignored))
