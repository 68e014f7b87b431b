"""Familias ``.fam`` files (Egeland et al. 2000): persons, genotypes, pedigrees and the allele database.

A ``.fam`` file is line based (values one per line, strings quoted):

- a header (``Output from Familias, version ...``), the number of persons, then per person its
  name, four flag lines (the fourth ``#TRUE#`` for male), the number of typed markers and for each
  three lines: first allele, second allele, marker (0-based positions in the database below);
- ``Known relations``: extra females, extra males (unnamed persons added after the named ones), the
  number of parent-child pairs and the pairs (parent position, child position);
- the number of pedigrees, each with its position, name, its own extra females and males and its own
  parent-child pairs (on top of the known relations);
- the database: a line about precomputed probabilities and theta, the number of loci, a name, then
  per locus its name, female and male mutation rates, model codes (0 equal, 1 proportional,
  2 stepwise, 3 stepwise made stationary, 4 extended stepwise), the number of alleles with the
  silent one, female and male range, female and male second rate, the silent-allele flag and
  frequency, the number of alleles and then each allele and its frequency;
- an ``[Advanced]`` section (ignored).

Familias allows a person with one known parent; a :class:`Pedigree` needs both or neither, so the
missing parent is added as an untyped founder ``added_<n>``. Twins, silent alleles, precomputed
probabilities and a non-zero theta are not supported and are reported as such. Every error names the
file, the line and what was expected there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kintrace.dna.genotypes import Genotype
from kintrace.dna.markers import DnaInputError, Marker, read_text
from kintrace.dna.mutation import MutationModel, make_stationary, mutation_matrix
from kintrace.dna.pedigree import Pedigree, PedigreeError, Person

_MODELS = ("equal", "proportional", "stepwise", "stepwise", "stepwise")
_MODEL_NAMES = ("equal", "proportional", "stepwise", "stepwise (stationary)", "stepwise (extended)")


@dataclass(frozen=True)
class FamiliasData:
    """What a ``.fam`` file holds."""

    persons: tuple[str, ...]  # the named persons, in file order
    genotypes: dict[str, dict[str, Genotype]]  # person -> marker -> genotype
    pedigrees: dict[str, Pedigree]  # by pedigree name ("base" when the file defines none)
    markers: dict[str, Marker]  # with each locus' mutation model
    models: dict[str, str]  # marker -> "female model / male model", for messages


class _Lines:
    """The file's lines with quotes removed, read in order; errors name the file and the line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = [line.replace('"', "").rstrip("\r") for line in read_text(path).split("\n")]
        self.at = 0

    def error(self, what: str, line: int | None = None) -> DnaInputError:
        n = self.at if line is None else line
        got = self.lines[n - 1] if 0 < n <= len(self.lines) else "end of file"
        return DnaInputError(f"{self.path} line {n}: expected {what}, found {got!r}")

    def text(self, what: str) -> str:
        if self.at >= len(self.lines):
            self.at += 1
            raise self.error(what)
        self.at += 1
        return self.lines[self.at - 1].strip()

    def integer(self, what: str, low: int = 0, high: int | None = None) -> int:
        raw = self.text(what)
        try:
            value = int(raw)
        except ValueError:
            raise self.error(what) from None
        if value < low or (high is not None and value > high):
            raise self.error(f"{what} ({low}..{high if high is not None else ''})")
        return value

    def number(self, what: str) -> float:
        raw = self.text(what)
        try:
            return float(raw)
        except ValueError:
            raise self.error(what) from None

    def flag(self, what: str) -> bool:
        raw = self.text(what)
        if raw not in ("#TRUE#", "#FALSE#"):
            raise self.error(what)
        return raw == "#TRUE#"


def read_familias(path: str | Path) -> FamiliasData:
    """Read a Familias ``.fam`` file (persons, genotypes, pedigrees, database)."""
    f = _Lines(Path(path))
    if not f.text("the Familias header").startswith("Output from Familias"):
        raise f.error("'Output from Familias, version ...' (is this a Familias .fam file?)")
    f.text("'DO NOT EDIT!'")
    f.text("the Familias version")
    if f.lines[f.at].strip() == "":
        f.at += 1
    n_persons = f.integer("the number of persons")
    names: list[str] = []
    sexes: list[int] = []
    raw_genotypes: list[list[tuple[int, int, int, int]]] = []  # (a1, a2, marker, line)
    for _ in range(n_persons):
        name = f.text("a person's name")
        if not name or name in names:
            raise f.error("a person's name, not empty and not repeated")
        for flag_no in range(3):
            f.text(f"flag line {flag_no + 1} of person {name!r}")
        male = f.flag(f"the sex of person {name!r} (#TRUE# male, #FALSE# female)")
        n_typed = f.integer(f"the number of typed markers of person {name!r}")
        typed = []
        for _ in range(n_typed):
            a1 = f.integer(f"an allele position of person {name!r}")
            a2 = f.integer(f"an allele position of person {name!r}")
            typed.append((a1, a2, f.integer(f"a marker position of person {name!r}"), f.at))
        names.append(name)
        sexes.append(1 if male else 2)
        raw_genotypes.append(typed)

    if f.text("'Known relations'") != "Known relations":
        raise f.error("'Known relations'")
    extra_f = f.integer("the number of extra females")
    extra_m = f.integer("the number of extra males")
    base_sexes = sexes + [2] * extra_f + [1] * extra_m
    base_rel = _relations(f, len(base_sexes), "known relations")

    n_peds = f.integer("the number of pedigrees")
    specs: list[tuple[str, list[int], list[tuple[int, int, int]]]] = []
    for _ in range(n_peds):
        f.integer("the pedigree's position")
        ped_name = f.text("the pedigree's name")
        more_f = f.integer(f"the number of extra females of pedigree {ped_name!r}")
        more_m = f.integer(f"the number of extra males of pedigree {ped_name!r}")
        ped_sexes = base_sexes + [2] * more_f + [1] * more_m
        specs.append((ped_name, ped_sexes, base_rel + _relations(f, len(ped_sexes), ped_name)))
    if not specs:
        specs.append(("base", base_sexes, base_rel))

    probs = f.text("the database line ('#FALSE# (#Databases: ...; Theta/Kinship/Fst: ...)')")
    if probs.startswith("#TRUE#"):
        raise f.error("no precomputed probabilities (not supported)")
    if "Theta/Kinship/Fst:" in probs:
        theta = probs.split("Theta/Kinship/Fst:")[1].strip(" )")
        try:
            nonzero = float(theta) != 0
        except ValueError:
            raise f.error("a number after 'Theta/Kinship/Fst:'") from None
        if nonzero:
            raise f.error("theta 0 (a non-zero theta is not supported for .fam input)")
    markers, models = _database(f)

    order = list(markers)
    genotypes: dict[str, dict[str, Genotype]] = {}
    for name, typed in zip(names, raw_genotypes, strict=True):
        out: dict[str, Genotype] = {}
        for a1, a2, m, line in typed:
            if m >= len(order):
                raise f.error(f"a marker position below {len(order)} for person {name!r}", line)
            marker = markers[order[m]]
            if max(a1, a2) >= marker.n_alleles:
                raise f.error(f"allele positions below {marker.n_alleles} (marker {marker.name!r})", line - 1)
            out[marker.name] = (marker.alleles[a1], marker.alleles[a2])
        genotypes[name] = out

    pedigrees = {
        ped_name: _pedigree(f, names, ped_sexes, rel, ped_name) for ped_name, ped_sexes, rel in specs
    }
    return FamiliasData(tuple(names), genotypes, pedigrees, markers, models)


def _relations(f: _Lines, n: int, where: str) -> list[tuple[int, int, int]]:
    """Parent-child pairs (parent, child, line)."""
    out = []
    for _ in range(f.integer(f"the number of parent-child pairs ({where})")):
        raw = f.text(f"a parent position ({where})")
        if "Direct" in raw:
            raise f.error(f"a parent position ({where}); twins are not supported")
        try:
            parent = int(raw)
        except ValueError:
            raise f.error(f"a parent position ({where})") from None
        child = f.integer(f"a child position ({where})")
        if not (0 <= parent < n and 0 <= child < n):
            raise f.error(f"positions below {n} ({where})")
        out.append((parent, child, f.at))
    return out


def _pedigree(
    f: _Lines, names: list[str], sexes: list[int], rel: list[tuple[int, int, int]], ped_name: str
) -> Pedigree:
    ids = names + [f"extra_{i + 1}" for i in range(len(sexes) - len(names))]
    father: dict[int, int] = {}
    mother: dict[int, int] = {}
    for parent, child, line in rel:
        side = father if sexes[parent] == 1 else mother
        if child in side and side[child] != parent:
            raise f.error(f"one {'father' if sexes[parent] == 1 else 'mother'} per person", line - 1)
        side[child] = parent
    persons = []
    added = 0
    for i, pid in enumerate(ids):
        fa, mo = father.get(i), mother.get(i)
        if (fa is None) != (mo is None):
            # Familias allows one known parent; the other is an untyped founder.
            added += 1
            new = f"added_{added}"
            persons.append(Person(new, None, None, 1 if fa is None else 2))
            fa_id = new if fa is None else ids[fa]
            mo_id = new if mo is None else ids[mo]
            persons.append(Person(pid, fa_id, mo_id, sexes[i]))
        else:
            persons.append(
                Person(pid, None if fa is None else ids[fa], None if mo is None else ids[mo], sexes[i])
            )
    try:
        return Pedigree(persons)
    except PedigreeError as exc:
        raise DnaInputError(f"{f.path} pedigree {ped_name!r}: {exc}") from None


def _database(f: _Lines) -> tuple[dict[str, Marker], dict[str, str]]:
    n_loci = f.integer("the number of loci")
    if f.flag("whether the database has a name"):
        f.text("the database name")
    markers: dict[str, Marker] = {}
    models: dict[str, str] = {}
    for _ in range(n_loci):
        name = f.text("a locus name")
        rate = {"female": f.number(f"the female mutation rate of {name!r}")}
        rate["male"] = f.number(f"the male mutation rate of {name!r}")
        code = {"female": f.integer(f"the female model code of {name!r}", 0, 4)}
        code["male"] = f.integer(f"the male model code of {name!r}", 0, 4)
        f.integer(f"the number of alleles of {name!r} with the silent one")
        range_ = {"female": f.number(f"the female range of {name!r}")}
        range_["male"] = f.number(f"the male range of {name!r}")
        rate2 = {"female": f.number(f"the female second rate of {name!r}")}
        rate2["male"] = f.number(f"the male second rate of {name!r}")
        if f.flag(f"the silent-allele flag of {name!r}"):
            raise f.error(f"no silent allele for {name!r} (not supported)")
        f.number(f"the silent allele frequency of {name!r}")
        head = f.text(f"the number of alleles of {name!r}").split("\t")[0].strip()
        try:
            n_alleles = int(head)
        except ValueError:
            raise f.error(f"the number of alleles of {name!r}") from None
        alleles, freqs = [], []
        for _ in range(n_alleles):
            alleles.append(f.text(f"an allele of {name!r}"))
            freqs.append(f.number(f"the frequency of allele {alleles[-1]!r} of {name!r}"))
        if name in markers:
            raise f.error(f"a locus name not given before ({name!r} is repeated)")
        p = np.array(freqs)
        matrices = {}
        for sex in ("female", "male"):
            kind = _MODELS[code[sex]]
            step = kind == "stepwise"
            try:
                matrix = mutation_matrix(
                    kind,
                    tuple(alleles),
                    p,
                    rate=rate[sex],
                    rate2=rate2[sex] if step else None,
                    range=range_[sex] if step else None,
                )
                if code[sex] == 3:
                    matrix = make_stationary(matrix, p)
            except DnaInputError as exc:
                raise DnaInputError(f"{f.path} locus {name!r}, {sex} mutation model: {exc}") from None
            matrices[sex] = matrix
        markers[name] = Marker(
            name, tuple(alleles), p, MutationModel(female=matrices["female"], male=matrices["male"])
        )
        models[name] = " / ".join(f"{_MODEL_NAMES[code[x]]} {rate[x]:g}" for x in ("female", "male"))
    return markers, models
