"""STR profiles from CSV: the long layout and the wide layout that laboratory software exports.

Long layout, one row per sample and marker (GeneMapper-style headers are accepted as aliases)::

    sample_id,marker,allele1,allele2          Sample Name,Marker,Allele 1,Allele 2
    U1,D3S1358,15,16

Wide layout, one row per sample and two columns per marker. The first column that names a sample
(``Sample Name``, ``SampleName``, ``Sample``, ``Sample ID``, ``sample_id``) holds the id; a marker's
columns are its name, a separator (space, ``_``, ``.``, ``-``) and ``1``/``2`` or ``a``/``b``::

    Sample Name,D3S1358 1,D3S1358 2,VWA 1,VWA 2       (also D3S1358_1 / D3S1358_a / D3S1358.1)

Sex-typing loci (Amelogenin, Yindel, DYS...) are skipped; other columns that are not allele pairs
(``Panel``, ``Run``...) are ignored and listed in ``ProfileSet.ignored_columns``. Any other marker
absent from the frequency table is an error.

Off-ladder calls (``OL``, GeneMapper's mark for an allele outside the kit's ladder) are real alleles
without a name in the frequency table: such a cell reads as an unknown allele, so ``15,OL`` is "15/-"
(never 15/15, whatever ``single_allele`` says) and ``OL,OL`` is not typed; the LR then sums over every
allele the cell could be. Amelogenin and the other sex-typing loci are not used for the LR (they
are skipped, never an unknown marker). Microvariants are allele labels like any other (``9.3``,
``17.3``): they must be written in the profiles exactly as in the frequency table.

An empty allele cell is an unknown allele: ``15,`` is the partial genotype "15/-" (as pedtools). Many
exports write a homozygote as one allele; ``single_allele="homozygous"`` reads ``15,`` as 15/15 instead.
Both cells empty means the marker was not typed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kintrace.dna.genotypes import Genotype
from kintrace.dna.markers import DnaInputError, Marker, read_text

SingleAllele = Literal["unknown", "homozygous"]
Layout = Literal["auto", "long", "wide"]

_LONG_ALIASES: dict[str, tuple[str, ...]] = {
    "sample_id": ("sample_id", "sample name", "samplename", "sample", "sample id"),
    "marker": ("marker", "locus"),
    "allele1": ("allele1", "allele 1", "allele_1", "allele a"),
    "allele2": ("allele2", "allele 2", "allele_2", "allele b"),
}
_SAMPLE_COLUMNS = ("sample name", "samplename", "sample", "sample id", "sample_id", "sample file name")
_PAIR_COLUMN = re.compile(r"^(?P<marker>.+?)[ _.\-](?P<which>[12abAB])$")
# Sex-typing loci in kits' exports; not autosomal STRs, so no frequency table row is expected for them.
_SEX_LOCI = re.compile(r"^(amel|amelogenin|am|yindel|y indel|dys\d+.*|dxs\d+.*)$", re.IGNORECASE)


@dataclass
class ProfileSet:
    """Profiles keyed by sample id (file order), each a mapping marker -> unordered genotype."""

    profiles: dict[str, dict[str, Genotype]] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()

    @property
    def sample_ids(self) -> tuple[str, ...]:
        return tuple(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    def __contains__(self, sample_id: object) -> bool:
        return sample_id in self.profiles

    def __getitem__(self, sample_id: str) -> dict[str, Genotype]:
        return self.profiles[sample_id]


def read_profiles(
    path: str | Path,
    markers: Mapping[str, Marker],
    *,
    layout: Layout = "auto",
    single_allele: SingleAllele = "unknown",
) -> ProfileSet:
    """Read profiles from ``path``; ``layout="auto"`` picks long when the header has a marker column."""
    path = Path(path)
    rows = list(csv.reader(io.StringIO(read_text(path), newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DnaInputError(f"{path}: empty file, expected a header row")
    header = [h.strip() for h in rows[0]]
    if layout == "auto":
        layout = "long" if long_columns(header) is not None else "wide"
    if layout == "long":
        return _read_long(path, header, rows[1:], markers, single_allele)
    return _read_wide(path, header, rows[1:], markers, single_allele)


def long_columns(header: list[str]) -> dict[str, int] | None:
    lowered = [h.lower() for h in header]
    found: dict[str, int] = {}
    for name, aliases in _LONG_ALIASES.items():
        for i, h in enumerate(lowered):
            if h in aliases:
                found[name] = i
                break
    return found if len(found) == len(_LONG_ALIASES) else None


def is_off_ladder(cell: str) -> bool:
    """GeneMapper's off-ladder call (``OL``): an allele outside the kit's ladder, size unnamed."""
    return cell.upper() == "OL"


def sex_locus(name: str) -> bool:
    """A sex-typing locus (Amelogenin, Yindel, DYS..., DXS...): skipped, never an unknown marker."""
    return _SEX_LOCI.match(name) is not None


def _genotype(
    a1: str,
    a2: str,
    marker: Marker,
    where: str,
    single_allele: SingleAllele,
    fields: tuple[str, str] = ("field allele1", "field allele2"),
) -> Genotype | None:
    a1, a2 = a1.strip(), a2.strip()
    if is_off_ladder(a1) or is_off_ladder(a2):
        # An off-ladder allele is real but has no name in the table: it stays an unknown allele, and
        # never makes the other one homozygous.
        known = "" if is_off_ladder(a1) else a1
        known = known or ("" if is_off_ladder(a2) else a2)
        fields = fields if not is_off_ladder(a1) else (fields[1], fields[1])
        if not known:
            return None
        if known not in marker.alleles:
            raise DnaInputError(
                f"{where}, {fields[0]}: allele {known!r} of marker {marker.name!r} "
                "is not in the frequency table"
            )
        return (known, None)
    if not a1 and not a2:
        return None
    for field_name, allele in zip(fields, (a1, a2), strict=True):
        if allele and allele not in marker.alleles:
            raise DnaInputError(
                f"{where}, {field_name}: allele {allele!r} of marker {marker.name!r} "
                "is not in the frequency table"
            )
    if not a1 or not a2:
        present = a1 or a2
        return (present, present) if single_allele == "homozygous" else (present, None)
    return (a1, a2)


def _read_long(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    markers: Mapping[str, Marker],
    single_allele: SingleAllele,
) -> ProfileSet:
    cols = long_columns(header)
    if cols is None:
        raise DnaInputError(
            f"{path}: long layout needs columns sample_id, marker, allele1, allele2; header is {header}"
        )
    out = ProfileSet()
    width = max(cols.values()) + 1
    for row_no, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (width - len(row))
        sample = row[cols["sample_id"]].strip()
        name = row[cols["marker"]].strip()
        where = f"{path} row {row_no} (sample {sample!r})"
        if not sample:
            raise DnaInputError(f"{path} row {row_no}, field sample_id: empty")
        if not name:
            raise DnaInputError(f"{where}, field marker: empty")
        if name not in markers:
            if sex_locus(name):
                out.profiles.setdefault(sample, {})
                continue
            raise DnaInputError(f"{where}, field marker: marker {name!r} is not in the frequency table")
        genotype = _genotype(row[cols["allele1"]], row[cols["allele2"]], markers[name], where, single_allele)
        profile = out.profiles.setdefault(sample, {})
        if name in profile:
            raise DnaInputError(f"{where}, field marker: marker {name!r} given twice for this sample")
        if genotype is not None:
            profile[name] = genotype
    return out


def wide_columns(
    path: Path, header: list[str], markers: Mapping[str, Marker]
) -> tuple[int, dict[str, tuple[int, int]], list[str]]:
    """Of a wide header: the sample column, each marker's two allele columns, the ignored columns."""
    lowered = [h.lower() for h in header]
    sample_col = next((i for i, h in enumerate(lowered) if h in _SAMPLE_COLUMNS), None)
    if sample_col is None:
        raise DnaInputError(
            f"{path}: wide layout needs a sample column (one of {list(_SAMPLE_COLUMNS)}); header is {header}"
        )
    pairs: dict[str, list[int | None]] = {}
    ignored: list[str] = []
    for i, h in enumerate(header):
        if i == sample_col:
            continue
        match = _PAIR_COLUMN.match(h)
        if match is None:
            ignored.append(h)
            continue
        name, which = match["marker"].strip(), match["which"].lower()
        if name not in markers:
            if sex_locus(name):
                ignored.append(h)
                continue
            raise DnaInputError(f"{path} header, column {h!r}: marker {name!r} is not in the frequency table")
        slot = pairs.setdefault(name, [None, None])
        pos = 0 if which in ("1", "a") else 1
        if slot[pos] is not None:
            raise DnaInputError(f"{path} header, column {h!r}: second column for allele {which} of {name!r}")
        slot[pos] = i
    if not pairs:
        raise DnaInputError(
            f"{path}: no allele columns found (expected e.g. 'D3S1358 1','D3S1358 2'); header is {header}"
        )
    found: dict[str, tuple[int, int]] = {}
    for name, (c1, c2) in pairs.items():
        if c1 is None or c2 is None:
            raise DnaInputError(f"{path} header: marker {name!r} has only one allele column")
        found[name] = (c1, c2)
    return sample_col, found, ignored


def _read_wide(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    markers: Mapping[str, Marker],
    single_allele: SingleAllele,
) -> ProfileSet:
    sample_col, pairs, ignored = wide_columns(path, header, markers)
    out = ProfileSet(ignored_columns=tuple(ignored))
    for row_no, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(header) - len(row))
        sample = row[sample_col].strip()
        if not sample:
            raise DnaInputError(f"{path} row {row_no}, field {header[sample_col]!r}: empty sample id")
        if sample in out.profiles:
            raise DnaInputError(
                f"{path} row {row_no}, field {header[sample_col]!r}: sample {sample!r} repeated"
            )
        profile: dict[str, Genotype] = {}
        for name, (c1, c2) in pairs.items():
            where = f"{path} row {row_no} (sample {sample!r})"
            fields = (f"column {header[c1]!r}", f"column {header[c2]!r}")
            genotype = _genotype(row[c1], row[c2], markers[name], where, single_allele, fields)
            if genotype is not None:
                profile[name] = genotype
        out.profiles[sample] = profile
    return out
