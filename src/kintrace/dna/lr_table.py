"""Per-family lookup tables for matching: the LR of every possible genotype of the unidentified person.

For a family F and a marker, ``ratio[k] = P(data_F, MP = k) / (P(data_F) * P(k))`` over every unordered
genotype ``k`` (theta 0, Hardy-Weinberg ``P(k)``): exactly the per-marker LR of "U is F's missing
person" for a profile U with genotype ``k``. All markers of a family share one flat array of *slots*
(``SlotLayout``); per marker the slots are

    [0, n_g)              full genotypes, in the order of ``kintrace.dna.genotypes``
    [n_g, n_g + n_a)      partial genotypes "a/-" (one allele unknown): sums over the genotypes with a
    n_g + n_a             marker not typed in the profile: ratio 1

so that scoring a pair is one lookup per marker. ``inconsistent[slot]`` is True where the same ratio
with mutation switched off is 0 (the profile contradicts the references without a mutation).

Families are batched: the ones whose pedigrees have the same shape and the same typed members at a
marker are computed in one call of the core's ``evidence_likelihood``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kintrace.dna.families import Family
from kintrace.dna.genotypes import (
    Genotype,
    genotype_alleles,
    genotype_index,
    genotype_index_matrix,
    n_genotypes,
)
from kintrace.dna.likelihood import (
    evidence_likelihood,
    genotype_evidence,
    hardy_weinberg,
    likelihood_by_genotype,
)
from kintrace.dna.lr_lumped import lumpable, lumped_joint
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree

if TYPE_CHECKING:
    from kintrace.dna.profile_table import ProfileTable


@dataclass(frozen=True)
class SlotLayout:
    """Where each marker's genotypes live in a family's flat table."""

    markers: tuple[Marker, ...]
    offsets: np.ndarray  # (n_markers + 1,) start of each marker's slots; last = table size

    @classmethod
    def for_markers(cls, markers: Sequence[Marker]) -> SlotLayout:
        sizes = [n_genotypes(m.n_alleles) + m.n_alleles + 1 for m in markers]
        offsets = np.zeros(len(markers) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(sizes)
        return cls(tuple(markers), offsets)

    @classmethod
    def by_exclusion_power(cls, markers: Sequence[Marker]) -> SlotLayout:
        """Markers ordered by how often they exclude an unrelated person from a parent's child, highest
        first: the matching kernel drops a pair at its first excluding marker, so this order makes
        unrelated pairs cheapest. (Only the order of the LR product changes: ~1e-16 relative.)"""
        return cls.for_markers(sorted(markers, key=lambda m: -parent_child_exclusion(m)))

    @property
    def size(self) -> int:
        return int(self.offsets[-1])

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.markers)

    def untyped_slot(self, m: int) -> int:
        return int(self.offsets[m + 1]) - 1

    def slot(self, m: int, genotype: Genotype | None) -> int:
        """Slot of ``genotype`` at marker position ``m`` (None: not typed)."""
        marker = self.markers[m]
        if genotype is None:
            return self.untyped_slot(m)
        a, b = genotype
        if a is None and b is None:
            return self.untyped_slot(m)
        if a is None or b is None:
            allele = marker.index(a if a is not None else b)  # type: ignore[arg-type]
            return int(self.offsets[m]) + n_genotypes(marker.n_alleles) + allele
        return int(self.offsets[m]) + genotype_index(marker.index(a), marker.index(b), marker.n_alleles)

    def local(self, table: ProfileTable, rows: np.ndarray | None = None) -> np.ndarray:
        """Marker-local slot codes ``(n_markers, n_rows)`` int32 of a profile table's rows (all by
        default): the slot minus the marker's offset, so each fits its marker's slot range."""
        position = {m.name: j for j, m in enumerate(table.markers)}
        pairs = table.alleles if rows is None else table.alleles[rows]
        out = np.empty((len(self.markers), pairs.shape[0]), dtype=np.int32)
        for m, marker in enumerate(self.markers):
            n = marker.n_alleles
            n_g = n_genotypes(n)
            j = position.get(marker.name)
            if j is None:
                out[m] = n_g + n
                continue
            a, b = pairs[:, j, 0], pairs[:, j, 1]
            full = genotype_index_matrix(n)[np.maximum(a, 0), np.maximum(b, 0)]
            lone = n_g + np.maximum(a, b)  # a lone allele, whichever column held it
            out[m] = np.where((a >= 0) & (b >= 0), full, np.where((a >= 0) | (b >= 0), lone, n_g + n))
        return out

    def encode_table(self, table: ProfileTable, rows: np.ndarray | None = None) -> np.ndarray:
        """``encode`` for a profile table's rows: slots ``(n_markers, n_rows)`` int32."""
        return self.local(table, rows) + self.offsets[:-1, None].astype(np.int32)

    def encode(self, profiles: Sequence[Mapping[str, Genotype]]) -> np.ndarray:
        """Slots of many profiles, marker-major ``(n_markers, n_profiles)`` int32 (the kernel's layout)."""
        out = np.empty((len(self.markers), len(profiles)), dtype=np.int32)
        for m, marker in enumerate(self.markers):
            name = marker.name
            for p, profile in enumerate(profiles):
                out[m, p] = self.slot(m, profile.get(name))
        return out


def parent_child_exclusion(marker: Marker) -> float:
    """P(a random person shares no allele with a random parent) at this marker, under HWE."""
    p = marker.freqs
    ia, ib = genotype_alleles(marker.n_alleles)
    parent = np.where(ia == ib, 1.0, 2.0) * p[ia] * p[ib]
    shared = np.where(ia == ib, p[ia], p[ia] + p[ib])
    return float(np.sum(parent * (1.0 - shared) ** 2))


@dataclass
class TableBlock:
    """Lookup tables of a block of families."""

    family_ids: list[str]
    ratio: np.ndarray  # (n_families, layout.size) float64
    inconsistent: np.ndarray  # (n_families, layout.size) bool
    typed: np.ndarray  # (n_families, n_markers) bool: some reference typed at the marker


def _shape_key(pedigree: Pedigree, missing_id: str) -> tuple[object, ...]:
    """Label-free shape of a pedigree: persons in topological order by position, with the missing one."""
    pos = {pid: i for i, pid in enumerate(pedigree.ids)}
    rows = tuple(
        (
            -1 if p.father is None else pos[p.father],
            -1 if p.mother is None else pos[p.mother],
            p.sex,
        )
        for p in pedigree.persons
    )
    return (rows, pos[missing_id])


def _evidence_rows(marker: Marker, genotypes: Sequence[Genotype]) -> np.ndarray:
    """0/1 evidence vectors, one row per genotype (full genotypes by index, partial via the core)."""
    n = marker.n_alleles
    out = np.zeros((len(genotypes), n_genotypes(n)), dtype=np.float64)
    for r, (a, b) in enumerate(genotypes):
        if a is not None and b is not None:
            out[r, genotype_index(marker.index(a), marker.index(b), n)] = 1.0
        else:
            out[r] = genotype_evidence(marker, (a, b))
    return out


def joint_with_missing(
    pedigree: Pedigree,
    missing_id: str,
    marker: Marker,
    typed: Sequence[str],
    genotypes: Sequence[Sequence[Genotype]],
) -> tuple[np.ndarray, np.ndarray]:
    """For F families of one pedigree shape: ``P(data, MP = k)`` (F, n_g) and ``P(data)`` (F,).

    ``typed`` are the pedigree's typed persons at this marker; ``genotypes[f][j]`` is family f's
    genotype of person ``typed[j]``.
    """
    if typed and lumpable(marker):
        return lumped_joint(pedigree, missing_id, marker, typed, genotypes)
    n_fam = len(genotypes)
    g = n_genotypes(marker.n_alleles)
    evidence = {pid: _evidence_rows(marker, [fam[j] for fam in genotypes]) for j, pid in enumerate(typed)}
    # The missing person's alleles stay free variables of one elimination (not a batch of n_g
    # identity rows): n_g times less work, the same sums.
    joint = likelihood_by_genotype(pedigree, marker, evidence, missing_id, batched=True)
    joint = np.broadcast_to(joint, (n_fam, g)).copy()
    data = np.broadcast_to(evidence_likelihood(pedigree, marker, evidence), (n_fam,)).copy()
    return joint, data


def _contains(marker: Marker) -> np.ndarray:
    """(n_alleles, n_genotypes) 0/1: genotype k carries allele a."""
    n = marker.n_alleles
    ia, ib = genotype_alleles(n)
    out = np.zeros((n, n_genotypes(n)))
    k = np.arange(ia.size)
    out[ia, k] = 1.0
    out[ib, k] = 1.0
    return out


def slots_from_joint(marker: Marker, joint: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Ratios of every slot of one marker (F, n_g + n_a + 1) from joint and data likelihoods."""
    prior = hardy_weinberg(marker)
    contains = _contains(marker)
    num = np.concatenate([joint, joint @ contains.T], axis=1)
    den = data[:, None] * np.concatenate([prior, contains @ prior])[None, :]
    ratio = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return np.concatenate([ratio, np.ones((ratio.shape[0], 1))], axis=1)


class TableCache:
    """Slot rows already computed, keyed by pedigree shape, marker, typed positions and their genotypes.

    Across thousands of families a marker has few distinct reference genotypes (a single parent has at
    most n(n+1)/2), so most rows are reused. Bounded: cleared when it holds ``max_values`` numbers.
    """

    def __init__(self, max_values: int = 20_000_000) -> None:
        self.rows: dict[tuple[object, ...], tuple[np.ndarray, np.ndarray]] = {}
        self.max_values = max_values
        self._values = 0

    def get(self, key: tuple[object, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        return self.rows.get(key)

    def put(self, key: tuple[object, ...], ratio: np.ndarray, inconsistent: np.ndarray) -> None:
        if self._values + ratio.size > self.max_values:
            self.rows.clear()
            self._values = 0
        self.rows[key] = (ratio, inconsistent)
        self._values += ratio.size


def _marker_rows(
    pedigree: Pedigree,
    missing_id: str,
    marker: Marker,
    typed_ids: Sequence[str],
    genos: Sequence[tuple[Genotype, ...]],
    family_ids: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio and inconsistency slot rows of one marker for families of one shape and typed set."""
    joint, data = joint_with_missing(pedigree, missing_id, marker, typed_ids, genos)
    for r, ok in enumerate(data > 0):
        if not ok:
            raise DnaInputError(
                f"family {family_ids[r]!r} marker {marker.name!r}: the reference genotypes are "
                "impossible under this pedigree (likelihood 0); check the pedigree or add a mutation model"
            )
    ratio = slots_from_joint(marker, joint, data)
    if marker.mutation is None:
        return ratio, ratio == 0
    plain = marker.with_mutation(None)
    joint0, data0 = joint_with_missing(pedigree, missing_id, plain, typed_ids, genos)
    # References that contradict each other without mutation make every genotype inconsistent.
    safe = np.where(data0 > 0, data0, 1.0)
    return ratio, slots_from_joint(plain, joint0, safe) == 0


def build_tables(
    families: Sequence[Family],
    references: Mapping[str, Mapping[str, Mapping[str, Genotype]]],
    layout: SlotLayout,
    cache: TableCache | None = None,
) -> TableBlock:
    """Tables of ``families``; ``references[family_id][person_id][marker]`` are the typed genotypes.

    (The same as ``build_tables_coded``, for references given as genotype dicts.)"""
    profiles: list[Mapping[str, Genotype]] = []
    ref_rows: list[np.ndarray] = []
    for fam in families:
        rows = np.full(len(fam.pedigree.ids), -1, dtype=np.int64)
        refs = references.get(fam.family_id, {})
        for i, pid in enumerate(fam.pedigree.ids):
            if pid != fam.missing_id and pid in refs:
                rows[i] = len(profiles)
                profiles.append(refs[pid])
        ref_rows.append(rows)
    codes = layout.encode(profiles) - layout.offsets[:-1, None].astype(np.int32)
    return build_tables_coded(families, ref_rows, codes, layout, cache)


def _unique_rows(codes: np.ndarray, radix: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(codes, axis=0)`` with first indices and inverse, via one int64 key per row when
    the codes (each < ``radix``) fit: sorting rows as structured records is far slower."""
    n_rows = codes.shape[0]
    varying = np.flatnonzero((codes != codes[:1]).any(axis=0)) if n_rows else np.zeros(0, np.int64)
    n_cols = varying.size
    if n_cols and float(radix) ** n_cols >= 2.0**62:
        uniq, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
        return uniq, first, inverse.reshape(-1)
    key = np.zeros(n_rows, dtype=np.int64)
    for c in varying:  # constant columns (e.g. persons never typed) need no place in the key
        key = key * radix + codes[:, c]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return codes[first], first, inverse.reshape(-1)


def _decode(marker: Marker, code: int) -> Genotype:
    """The genotype of a marker-local slot code (full or partial)."""
    n_g = n_genotypes(marker.n_alleles)
    if code < n_g:
        ia, ib = genotype_alleles(marker.n_alleles)
        return (marker.alleles[ia[code]], marker.alleles[ib[code]])
    return (marker.alleles[code - n_g], None)


@dataclass(frozen=True)
class ShapeRows:
    """One marker's rows for the families of one pedigree shape: family ``members[i]``'s slot row is
    ``ratio[inverse[i]]`` (families with the same typed genotypes share a row)."""

    members: np.ndarray  # (n,) positions in the family list
    marker: int  # layout position
    ratio: np.ndarray  # (n_unique, n_slots of the marker) float64
    inconsistent: np.ndarray  # (n_unique, n_slots) bool
    inverse: np.ndarray  # (n,) row of each member
    typed: np.ndarray  # (n_unique,) bool: some reference typed at the marker


def shape_rows(
    families: Sequence[Family],
    ref_rows: Sequence[np.ndarray],
    codes: np.ndarray,
    layout: SlotLayout,
    cache: TableCache | None = None,
) -> Iterator[ShapeRows]:
    """The distinct slot rows of ``families`` per pedigree shape and marker (arguments as
    ``build_tables_coded``), without spreading them into one row per family: what a long-lived
    per-family cache keeps (a few distinct rows per marker, not ``families x slots`` numbers)."""
    if cache is None:
        cache = TableCache()
    shapes: dict[tuple[object, ...], list[int]] = {}
    keys: dict[tuple[int, str], tuple[object, ...]] = {}  # pedigrees are shared between families
    for f, family in enumerate(families):
        ident = (id(family.pedigree), family.missing_id)
        shape = keys.get(ident)
        if shape is None:
            shape = keys[ident] = _shape_key(family.pedigree, family.missing_id)
        shapes.setdefault(shape, []).append(f)

    for shape, member_list in shapes.items():
        members = np.asarray(member_list, dtype=np.int64)
        first = families[member_list[0]]
        ids = first.pedigree.ids
        rows = np.stack([np.asarray(ref_rows[f], dtype=np.int64) for f in member_list])
        has_sample = rows >= 0
        safe_rows = np.where(has_sample, rows, 0)
        for m, marker in enumerate(layout.markers):
            lo, hi = int(layout.offsets[m]), int(layout.offsets[m + 1])
            untyped_code = hi - lo - 1
            if codes.shape[1]:
                genos_of = np.where(has_sample, codes[m][safe_rows], untyped_code)
            else:
                genos_of = np.full(rows.shape, untyped_code)
            # Families of this shape with the same typed positions and genotypes share one row.
            uniq, first_of, inverse = _unique_rows(genos_of, hi - lo)
            uniq_typed = uniq != untyped_code
            rows_ratio = np.ones((uniq.shape[0], hi - lo))
            rows_bad = np.zeros((uniq.shape[0], hi - lo), dtype=np.bool_)
            todo: dict[tuple[int, ...], list[tuple[int, tuple[Genotype, ...]]]] = {}
            for r in range(uniq.shape[0]):
                key = tuple(int(i) for i in np.flatnonzero(uniq_typed[r]))
                if not key and marker.mutation is None:
                    continue  # no data and no mutation: P(U = k | family) = P(k), every ratio is 1
                genos = tuple(_decode(marker, int(uniq[r, i])) for i in key)
                cached = cache.get((shape, marker.name, key, genos))
                if cached is None:
                    todo.setdefault(key, []).append((r, genos))
                else:
                    rows_ratio[r], rows_bad[r] = cached
            for key, entries in todo.items():
                got_ratio, got_bad = _marker_rows(
                    first.pedigree,
                    first.missing_id,
                    marker,
                    [ids[i] for i in key],
                    [genos for _, genos in entries],
                    [families[member_list[first_of[r]]].family_id for r, _ in entries],
                )
                for j, (r, genos) in enumerate(entries):
                    cache.put((shape, marker.name, key, genos), got_ratio[j], got_bad[j])
                    rows_ratio[r] = got_ratio[j]
                    rows_bad[r] = got_bad[j]
            yield ShapeRows(members, m, rows_ratio, rows_bad, inverse, uniq_typed.any(axis=1))


def build_tables_coded(
    families: Sequence[Family],
    ref_rows: Sequence[np.ndarray],
    codes: np.ndarray,
    layout: SlotLayout,
    cache: TableCache | None = None,
) -> TableBlock:
    """Tables of ``families`` from coded references.

    ``codes[m, r]`` is reference sample r's marker-local slot at layout marker m (``SlotLayout.local``);
    ``ref_rows[f][i]`` is the sample row of person ``families[f].pedigree.ids[i]``, -1 if untyped.
    Per pedigree shape and marker, families are grouped by their typed genotypes with one array
    ``unique``; each distinct group's row is computed once (or taken from ``cache``) and spread back.
    """
    n_fam = len(families)
    # Every family belongs to one shape, and each (shape, marker) writes all its columns: no fill.
    ratio = np.empty((n_fam, layout.size), dtype=np.float64)
    inconsistent = np.empty((n_fam, layout.size), dtype=np.bool_)
    typed = np.zeros((n_fam, len(layout.markers)), dtype=np.bool_)
    for part in shape_rows(families, ref_rows, codes, layout, cache):
        lo, hi = int(layout.offsets[part.marker]), int(layout.offsets[part.marker + 1])
        typed[part.members, part.marker] = part.typed[part.inverse]
        if len(part.members) == n_fam:  # one shape: write whole column ranges, no fancy index
            np.take(part.ratio, part.inverse, axis=0, out=ratio[:, lo:hi], mode="clip")
            np.take(part.inconsistent, part.inverse, axis=0, out=inconsistent[:, lo:hi], mode="clip")
        else:
            ratio[part.members, lo:hi] = part.ratio[part.inverse]
            inconsistent[part.members, lo:hi] = part.inconsistent[part.inverse]
    return TableBlock([f.family_id for f in families], ratio, inconsistent, typed)
