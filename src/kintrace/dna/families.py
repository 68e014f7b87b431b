"""Families from a pedigree CSV: one pedigree per family, its reference samples and its missing person.

CSV columns ``family_id,person_id,father_id,mother_id,sex,sample_id,missing``:

- ``father_id``/``mother_id`` empty, ``0`` or ``NA`` for a founder (give both parents or neither);
- ``sex`` ``1``/``M``/``male``, ``2``/``F``/``female``, ``0``/empty/``U`` unknown;
- ``sample_id`` the reference profile typed from this person (empty if untyped);
- ``missing`` ``1``/``true``/``yes``/``x`` on exactly one person per family, who has no sample.

A sample may belong to one family only: the same relative in two families is entered as two samples.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kintrace.dna.genotypes import Genotype
from kintrace.dna.markers import DnaInputError, read_text
from kintrace.dna.pedigree import Pedigree, PedigreeError, Person, parse_sex
from kintrace.dna.profiles import ProfileSet

COLUMNS = ("family_id", "person_id", "father_id", "mother_id", "sex", "sample_id", "missing")
_NO_PARENT = {"", "0", "na", "n/a", "none", "-"}
_TRUE = {"1", "true", "yes", "y", "x", "t"}
_FALSE = {"", "0", "false", "no", "n", "f"}


@dataclass(frozen=True)
class Family:
    """A family's pedigree, the person it is looking for and the samples typed from its members."""

    family_id: str
    pedigree: Pedigree
    missing_id: str
    samples: Mapping[str, str]  # person_id -> sample_id
    sample_rows: Mapping[str, int] = field(default_factory=dict)  # person_id -> pedigree CSV row

    def where(self, person_id: str) -> str:
        """The record of a person, for error messages: the pedigree file's row where it is known."""
        row = self.sample_rows.get(person_id)
        at = "" if row is None else f"row {row} "
        return f"{at}(family {self.family_id!r}, person {person_id!r}), field sample_id"

    def references(self, profiles: ProfileSet) -> dict[str, dict[str, Genotype]]:
        """Genotypes of the typed members, by person id; a sample absent from ``profiles`` is an error."""
        out: dict[str, dict[str, Genotype]] = {}
        for person_id, sample_id in self.samples.items():
            if sample_id not in profiles:
                raise DnaInputError(
                    f"pedigrees {self.where(person_id)}: sample {sample_id!r} is not in the profiles file"
                )
            out[person_id] = profiles[sample_id]
        return out


def read_pedigrees(path: str | Path) -> list[Family]:
    """Read every family of a pedigree CSV (in file order), validating each pedigree."""
    path = Path(path)
    table = list(csv.reader(io.StringIO(read_text(path), newline="")))
    header = [h.strip() for h in (table[0] if table else [])]
    lacking = [c for c in COLUMNS if c not in header]
    if lacking:
        raise DnaInputError(f"{path}: header lacks column(s) {lacking}; expected {list(COLUMNS)}")
    at = [header.index(c) for c in COLUMNS]
    width = max(at) + 1

    persons: dict[str, list[Person]] = {}
    missing: dict[str, list[str]] = {}
    samples: dict[str, dict[str, str]] = {}
    sample_rows: dict[str, dict[str, int]] = {}
    sample_home: dict[str, tuple[str, int]] = {}  # sample -> (family, row)
    person_cache: dict[tuple[str, str, str, str], Person] = {}  # equal rows, one frozen Person
    for row_no, raw in enumerate(table[1:], start=2):
        if len(raw) < width:
            raw = raw + [""] * (width - len(raw))
        family_id, person_id, father_raw, mother_raw, sex_raw, sample, flag_raw = (raw[i].strip() for i in at)
        if not (family_id or person_id or father_raw or mother_raw or sex_raw or sample or flag_raw):
            continue

        def where() -> str:
            return f"{path} row {row_no} (family {family_id!r}, person {person_id!r})"  # noqa: B023

        if not family_id:
            raise DnaInputError(f"{path} row {row_no}, field family_id: empty")
        if not person_id:
            raise DnaInputError(f"{path} row {row_no} (family {family_id!r}), field person_id: empty")
        flag = flag_raw.lower()
        if flag not in _TRUE and flag not in _FALSE:
            raise DnaInputError(f"{where()}, field missing: {flag_raw!r} is not a yes/no value")
        if flag in _TRUE:
            if sample:
                raise DnaInputError(
                    f"{where()}, field sample_id: the missing person cannot have a reference sample"
                )
            missing.setdefault(family_id, []).append(person_id)
        if sample:
            if sample in sample_home:
                other, other_row = sample_home[sample]
                raise DnaInputError(
                    f"{where()}, field sample_id: sample {sample!r} already belongs to family {other!r} "
                    f"(row {other_row}); a sample may be in one family only"
                )
            sample_home[sample] = (family_id, row_no)
            samples.setdefault(family_id, {})[person_id] = sample
            sample_rows.setdefault(family_id, {})[person_id] = row_no
        person = person_cache.get((person_id, father_raw, mother_raw, sex_raw))
        if person is None:
            father = None if father_raw.lower() in _NO_PARENT else father_raw
            mother = None if mother_raw.lower() in _NO_PARENT else mother_raw
            sex = parse_sex(sex_raw, f"{where()}, field sex")
            person = person_cache[(person_id, father_raw, mother_raw, sex_raw)] = Person(
                person_id, father, mother, sex
            )
        persons.setdefault(family_id, []).append(person)

    families: list[Family] = []
    # Families entered from one template (fa, mo, ch...) share one validated Pedigree object, which
    # also lets the table builder recognise their common shape at once.
    built: dict[tuple[Person, ...], Pedigree] = {}
    for family_id, members in persons.items():
        pedigree = built.get(tuple(members))
        if pedigree is None:
            try:
                pedigree = built[tuple(members)] = Pedigree(members)
            except PedigreeError as exc:
                raise PedigreeError(f"{path} family {family_id!r}: {exc}") from None
        found = missing.get(family_id, [])
        if len(found) != 1:
            what = "no missing person" if not found else f"{len(found)} missing persons {found}"
            raise DnaInputError(
                f"{path} family {family_id!r}, field missing: {what}; mark exactly one person as missing"
            )
        families.append(
            Family(
                family_id,
                pedigree,
                found[0],
                samples.get(family_id, {}),
                sample_rows.get(family_id, {}),
            )
        )
    if not families:
        raise DnaInputError(f"{path}: no families")
    return families
