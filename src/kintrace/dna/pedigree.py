"""Pedigrees of the families that give reference samples, validated before any likelihood is computed.

A family's pedigree links the missing person to the typed relatives (and to untyped ones in between).
Every reader (pedigree CSV, the oracle's cases, dvir's DVI input) builds a :class:`Pedigree`, which
rejects what no real family can be: a cycle, a father not recorded as male or a mother not recorded
as female, one parent without the other, a parent who is not in the pedigree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kintrace.dna.markers import DnaInputError


class PedigreeError(DnaInputError):
    """An inconsistent pedigree; the message names the person."""


# pedtools codes and the words pedigree CSVs use.
_SEX = {"1": 1, "m": 1, "male": 1, "2": 2, "f": 2, "female": 2, "0": 0, "": 0, "u": 0, "unknown": 0}


def parse_sex(raw: object, where: str) -> int:
    """``1``/``M``/``male`` -> 1, ``2``/``F``/``female`` -> 2, ``0``/empty/``U``/``unknown`` -> 0.

    Anything else is an input error that starts with ``where`` (the record and its sex field).
    """
    text = str(raw).strip().lower() if isinstance(raw, str | int) and not isinstance(raw, bool) else None
    sex = None if text is None else _SEX.get(text)
    if sex is None:
        raise DnaInputError(f"{where}: {raw!r} is not 1/M/male, 2/F/female or 0/unknown")
    return sex


@dataclass(frozen=True)
class Person:
    """One member of a pedigree. ``sex``: 1 male, 2 female, 0 unknown. Founders have no parents."""

    id: str
    father: str | None
    mother: str | None
    sex: int

    @property
    def is_founder(self) -> bool:
        return self.father is None and self.mother is None


class Pedigree:
    """A validated pedigree. ``ids`` lists parents before their children."""

    def __init__(self, persons: Iterable[Person]) -> None:
        persons = list(persons)
        by_id: dict[str, Person] = {}
        for p in persons:
            if not isinstance(p.id, str) or not p.id:
                raise PedigreeError(f"person {p.id!r}: 'id' must be a non-empty string")
            if p.id in by_id:
                raise PedigreeError(f"person {p.id!r}: duplicate id")
            if p.sex not in (0, 1, 2):
                raise PedigreeError(f"person {p.id!r}: 'sex' must be 0, 1 or 2, got {p.sex!r}")
            by_id[p.id] = p
        for p in persons:
            if (p.father is None) != (p.mother is None):
                raise PedigreeError(f"person {p.id!r}: has one parent only; give both or neither")
            for field, parent_id, sex in (("father", p.father, 1), ("mother", p.mother, 2)):
                if parent_id is None:
                    continue
                if parent_id == p.id:
                    raise PedigreeError(f"person {p.id!r}: '{field}' is the person itself")
                parent = by_id.get(parent_id)
                if parent is None:
                    raise PedigreeError(f"person {p.id!r}: '{field}' {parent_id!r} is not in the pedigree")
                if parent.sex != sex:
                    raise PedigreeError(
                        f"person {p.id!r}: '{field}' {parent_id!r} has sex {parent.sex}, expected {sex}"
                    )
        self._persons = by_id
        self._children: dict[str, list[str]] = {pid: [] for pid in by_id}
        for p in persons:
            if p.father is not None and p.mother is not None:
                self._children[p.father].append(p.id)
                self._children[p.mother].append(p.id)
        self._ids = self._topological_order(persons)
        self._input_order = tuple(p.id for p in persons)

    def _topological_order(self, persons: list[Person]) -> tuple[str, ...]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = on the current path, 2 = placed
        for start in persons:
            if state.get(start.id) == 2:
                continue
            stack: list[tuple[str, int]] = [(start.id, 0)]
            while stack:
                pid, stage = stack.pop()
                if stage == 0:
                    if state.get(pid) == 2:
                        continue
                    if state.get(pid) == 1:
                        raise PedigreeError(f"person {pid!r}: is their own ancestor (cycle in the pedigree)")
                    state[pid] = 1
                    stack.append((pid, 1))
                    p = self._persons[pid]
                    for parent in (p.mother, p.father):
                        if parent is not None and state.get(parent) != 2:
                            if state.get(parent) == 1:
                                raise PedigreeError(
                                    f"person {parent!r}: is their own ancestor (cycle in the pedigree)"
                                )
                            stack.append((parent, 0))
                else:
                    state[pid] = 2
                    order.append(pid)
        return tuple(order)

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def input_order(self) -> tuple[str, ...]:
        """Person ids in the order given (pedtools' internal order, which its peeling order follows)."""
        return self._input_order

    @property
    def founders(self) -> tuple[str, ...]:
        return tuple(pid for pid in self._ids if self._persons[pid].is_founder)

    @property
    def nonfounders(self) -> tuple[str, ...]:
        return tuple(pid for pid in self._ids if not self._persons[pid].is_founder)

    @property
    def persons(self) -> tuple[Person, ...]:
        return tuple(self._persons[pid] for pid in self._ids)

    def person(self, person_id: str) -> Person:
        try:
            return self._persons[person_id]
        except KeyError:
            raise PedigreeError(f"person {person_id!r}: not in the pedigree") from None

    def children(self, person_id: str) -> tuple[str, ...]:
        self.person(person_id)
        return tuple(self._children[person_id])

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._persons

    def __len__(self) -> int:
        return len(self._persons)

    def __repr__(self) -> str:
        return f"Pedigree({len(self)} persons, founders={list(self.founders)})"

    def with_person(self, person: Person) -> Pedigree:
        """A new pedigree with one more person (appended to the input order)."""
        return Pedigree([*(self._persons[pid] for pid in self._input_order), person])

    def without(self, person_ids: Iterable[str]) -> Pedigree:
        """The pedigree without the given persons (they must have no children left in it)."""
        drop = set(person_ids)
        return Pedigree(self._persons[pid] for pid in self._input_order if pid not in drop)
