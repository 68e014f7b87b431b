"""Markers (STR loci), their allele frequency tables, and the input error every DNA reader raises."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kintrace.dna.genotypes import AlleleCodes, Genotype

if TYPE_CHECKING:
    from kintrace.dna.mutation import MutationModel


class DnaInputError(ValueError):
    """Bad DNA input. The message names the record and the field at fault."""


def read_text(path: str | Path) -> str:
    """A whole input file as text (UTF-8, a byte-order mark dropped); unreadable files are input errors."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DnaInputError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        ) from None
    except OSError as exc:
        raise DnaInputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_json(path: str | Path) -> object:
    """A decoded JSON input file; invalid JSON is an input error naming the file and the position."""
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise DnaInputError(f"{path}: not valid JSON ({exc})") from None


# How dvir/pedtools JSON and the oracle write an unknown allele.
_UNKNOWN_ALLELE = ("", "-", "NA")


def genotype_from_json(raw: object, where: str) -> Genotype:
    """A genotype written as a JSON pair ``["15", "16"]``; null, "", "-" and "NA" are unknown alleles."""
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise DnaInputError(f"{where}: must be a pair of alleles, got {raw!r}")
    a, b = (None if x is None or (isinstance(x, str) and x in _UNKNOWN_ALLELE) else str(x) for x in raw)
    return (a, b)


def csv_rows(path: str | Path) -> csv.DictReader[str]:
    """Rows of a CSV input file keyed by its header (read through :func:`read_text`)."""
    return csv.DictReader(io.StringIO(read_text(path), newline=""))


@dataclass(frozen=True, eq=False)  # numpy fields: identity equality, hashable
class Marker:
    """An autosomal marker: allele labels, their population frequencies and an optional mutation model.

    Frequencies are used as given (not renormalised), as pedtools does.
    """

    name: str
    alleles: tuple[str, ...]
    freqs: np.ndarray
    mutation: MutationModel | None = None
    _lookup: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        freqs = np.asarray(self.freqs, dtype=np.float64)
        if freqs.ndim != 1 or freqs.size != len(self.alleles):
            raise DnaInputError(
                f"marker {self.name!r}: {len(self.alleles)} alleles but {freqs.size} frequencies"
            )
        if len(self.alleles) == 0:
            raise DnaInputError(f"marker {self.name!r}: no alleles")
        if len(set(self.alleles)) != len(self.alleles):
            raise DnaInputError(f"marker {self.name!r}: duplicate allele labels")
        if not np.all(np.isfinite(freqs)) or np.any(freqs < 0):
            raise DnaInputError(f"marker {self.name!r}: frequencies must be finite and non-negative")
        freqs = freqs.copy()
        freqs.setflags(write=False)
        object.__setattr__(self, "freqs", freqs)
        object.__setattr__(self, "alleles", tuple(str(a) for a in self.alleles))
        object.__setattr__(self, "_lookup", {a: i for i, a in enumerate(self.alleles)})
        if self.mutation is not None and self.mutation.n_alleles != len(self.alleles):
            raise DnaInputError(
                f"marker {self.name!r}: mutation model has {self.mutation.n_alleles} alleles, "
                f"marker has {len(self.alleles)}"
            )

    @property
    def n_alleles(self) -> int:
        return len(self.alleles)

    def index(self, allele: str) -> int:
        """Position of ``allele`` in this marker's table."""
        try:
            return self._lookup[str(allele)]
        except KeyError:
            raise DnaInputError(
                f"marker {self.name!r}: allele {allele!r} is not in the frequency table"
            ) from None

    def codes(self, genotype: Genotype) -> AlleleCodes:
        """Positions of a genotype's alleles in this marker's table (``None`` stays unknown)."""
        a, b = genotype
        return (None if a is None else self.index(a), None if b is None else self.index(b))

    def with_mutation(self, mutation: MutationModel | None) -> Marker:
        """The same marker with another mutation model."""
        return Marker(self.name, self.alleles, self.freqs, mutation)


def load_frequency_table(path: str | Path) -> dict[str, Marker]:
    """Read a CSV ``marker,allele,frequency`` table into markers (in order of first appearance)."""
    path = Path(path)
    alleles: dict[str, list[str]] = {}
    freqs: dict[str, list[float]] = {}
    reader = csv_rows(path)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = {"marker", "allele", "frequency"} - set(header)
    if missing:
        raise DnaInputError(f"{path}: header lacks column(s) {sorted(missing)}")
    for row_no, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"{path} row {row_no}"
        name, allele, text = row["marker"], row["allele"], row["frequency"]
        if not name:
            raise DnaInputError(f"{where}: empty 'marker'")
        if not allele:
            raise DnaInputError(f"{where}: empty 'allele' for marker {name!r}")
        try:
            value = float(text)
        except ValueError:
            raise DnaInputError(f"{where}: 'frequency' {text!r} is not a number") from None
        if not math.isfinite(value) or value < 0 or value > 1:
            raise DnaInputError(f"{where}: 'frequency' {text!r} outside [0, 1]")
        if allele in alleles.setdefault(name, []):
            raise DnaInputError(f"{where}: allele {allele!r} of marker {name!r} listed twice")
        alleles[name].append(allele)
        freqs.setdefault(name, []).append(value)
    if not alleles:
        raise DnaInputError(f"{path}: no rows")
    return {name: Marker(name, tuple(alleles[name]), np.array(freqs[name])) for name in alleles}
