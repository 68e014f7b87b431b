"""A population of a million men, and cases and published lists drawn from it, with ground truth.

Unlike `generator.py`, which draws every man independently, this one first builds a population
(`Population`, 1,000,000 men by default) and then draws the missing men and the men on a list from
it, so namesakes follow the population's real structure:

- surnames: the head of the Russian and Ukrainian frequency rankings (surnames.csv, about a third of
  the men) and a long Zipf-shaped tail of about 35,000 rarer surnames built from Slavic syllables and
  suffixes (two thirds of the men, as on real lists);
- given names by the frequencies of men born 1962-2006 (given_names.csv), and the patronymic from the
  *father's* given name, drawn by the frequencies of the fathers' generation (Владимир, Николай,
  Виктор... are commoner among fathers than among sons): the full name "Иванов Александр
  Владимирович" is as common as that structure makes it, not the product of three independent draws;
- brothers: one man in five has a brother in the population (same surname, same patronymic, another
  given name, born within eight years), the hardest namesake there is;
- units of very different sizes (a few thousand units, Zipf-sized), and one man in six transferred
  between two units.

A list then repeats men (`repeat_rate`, 7% by default: two spellings or scripts of one man, once
with a date and once without, sometimes under his other unit) and leaves fields out at the rates
published lists do (no date on a quarter of the rows, the year only on one in six, a unit on one row
in three, a patronymic missing or an initial on a third).

Names are written with the transliteration standards lists use (iuliia, translitua) and the
diminutives and forms of the benchmark's own tables, not the engine's.

`draw(population, n_cases, n_list, seed)` returns (cases, list, truth): truth holds every true
(case_id, record_id) pair, with `expected_namesakes` (how many other men on a list this long are
expected to agree with everything both records give) and `distinguishable` (fewer than 0.1).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from benchmarks.linkage_data.generator import (
    RU_STANDARDS,
    UK_STANDARDS,
    Given,
    _cached,
    _date_text,
    _tables,
    _typo,
    _unit_text,
)

POPULATION = 1_000_000
HEAD_SURNAMES = 247  # the rows of surnames.csv
NAMESAKE_EXPECTATION = 0.1

# Fathers were born 1935-1980: these names were commoner then than among their sons (a multiplier on
# the sons' weights in given_names.csv; names not listed keep theirs).
_FATHER_WEIGHT = {
    "Владимир": 3.0, "Николай": 2.5, "Виктор": 2.5, "Анатолий": 3.0, "Василий": 2.5, "Иван": 1.5,
    "Юрий": 2.0, "Валерий": 2.5, "Геннадий": 3.0, "Леонид": 2.0, "Пётр": 2.0, "Григорий": 2.0,
    "Михаил": 1.5, "Александр": 1.0, "Сергей": 1.2, "Валентин": 2.0, "Степан": 1.5, "Фёдор": 1.5,
    "Аркадий": 2.0, "Эдуард": 2.0, "Борис": 2.0, "Артём": 0.05, "Максим": 0.2, "Никита": 0.05,
    "Кирилл": 0.1, "Даниил": 0.05, "Матвей": 0.02, "Егор": 0.1, "Арсений": 0.02, "Тимофей": 0.05,
    "Глеб": 0.05, "Владислав": 0.3, "Денис": 0.3, "Руслан": 0.5, "Роман": 0.6, "Антон": 0.6,
}  # fmt: skip

_ONSETS = (
    "Б", "В", "Г", "Д", "Ж", "З", "К", "Л", "М", "Н", "П", "Р", "С", "Т", "Ф", "Х", "Ц", "Ч", "Ш", "Бр",
    "Гр", "Др", "Кр", "Пр", "Тр", "Ст", "Сл", "Гл", "Кл", "Пл", "Бл", "Хв", "Зв", "Св",
    "Шв", "Сп", "Чер", "Бел",
)  # fmt: skip
_VOWELS = ("а", "о", "у", "е", "и", "я")
_CODAS = (
    "б", "в", "г", "д", "з", "к", "л", "м", "н", "р", "с", "т", "х", "ч", "ш", "ль", "рн", "ст",
    "шк", "нч", "рд",
)  # fmt: skip
_SUFFIXES = ("ов", "ев", "ин", "енко", "чук", "юк", "ский", "ак", "ук", "ко", "ец", "анов", "ишин", "ович")


@cache
def _tail_surnames() -> list[tuple[str, str]]:
    """About 35,000 rarer surnames: Slavic-looking roots times real surname suffixes."""
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    for onset in _ONSETS:
        for vowel in _VOWELS:
            for coda in _CODAS:
                root = onset + vowel + coda
                for suffix in _SUFFIXES:
                    ru = root + suffix
                    if ru in seen:
                        continue
                    seen.add(ru)
                    uk = ru.replace("и", "і").replace("ы", "и").replace("скій", "ський")
                    names.append((ru, uk))
    rng = random.Random(12345)  # the tail's order (hence which names are commoner) is fixed
    rng.shuffle(names)
    return names


@dataclass
class Population:
    """Men as parallel arrays: indices into the surname and given-name tables, dates and units."""

    surnames: list[tuple[str, str]]
    given: list[Given]
    surname: np.ndarray
    first: np.ndarray
    father: np.ndarray
    ukrainian: np.ndarray
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    unit: np.ndarray
    unit2: np.ndarray  # -1 unless transferred
    units: list[str]

    def __len__(self) -> int:
        return len(self.surname)


def build_population(size: int = POPULATION, seed: int = 1) -> Population:
    rng = np.random.default_rng(seed)
    all_surnames, all_weights, given, g_w = _tables()
    # `_tables` appends generator.py's own short tail after the ranked head; only the head is used.
    n_head = HEAD_SURNAMES
    head, head_w = all_surnames[:n_head], np.array(all_weights[:n_head])
    tail = _tail_surnames()
    tail_w = 1.0 / (np.arange(len(tail)) + 50.0) ** 0.9
    # The head carries a third of the men, the tail two thirds.
    s_w = np.concatenate([head_w / head_w.sum() * 0.34, tail_w / tail_w.sum() * 0.66])
    surnames = list(head) + tail
    son_w = np.array(g_w) / sum(g_w)
    father_w = np.array([w * _FATHER_WEIGHT.get(g.ru, 1.0) for g, w in zip(given, g_w, strict=True)])
    father_w /= father_w.sum()

    # One man in five has a brother: families of two share surname, father and (roughly) age.
    n_families = int(size / 1.1)
    fam_surname = rng.choice(len(surnames), n_families, p=s_w)
    fam_father = rng.choice(len(given), n_families, p=father_w)
    fam_ukr = rng.random(n_families) < 0.5
    fam_year = np.clip(np.round(rng.triangular(1962, 1992, 2006, n_families)), 1962, 2006).astype(int)
    with_brother = rng.choice(n_families, size - n_families, replace=False)
    fam = np.concatenate([np.arange(n_families), with_brother])
    first = rng.choice(len(given), len(fam), p=son_w)
    second = np.arange(len(fam)) >= n_families
    # A brother never shares his brother's given name.
    clash = second & (first == first[fam])
    while clash.any():
        first[clash] = rng.choice(len(given), int(clash.sum()), p=son_w)
        clash = second & (first == first[fam])
    year = fam_year[fam] + np.where(second, rng.integers(-8, 9, len(fam)), 0)
    year = np.clip(year, 1962, 2006)
    month = rng.integers(1, 13, len(fam))
    day = rng.integers(1, 29, len(fam))
    n_units = 3000
    unit_w = 1.0 / (np.arange(n_units) + 20.0)
    unit_w /= unit_w.sum()
    units = [
        f"А{n}" if i % 3 == 0 else str(n)
        for i, n in enumerate(rng.choice(np.arange(10000, 99999), n_units, replace=False))
    ]
    units = [u if not u.startswith("А") else f"А{int(u[1:]) % 5000 + 1000}" for u in units]
    unit = rng.choice(n_units, len(fam), p=unit_w)
    unit2 = np.where(rng.random(len(fam)) < 1 / 6, rng.choice(n_units, len(fam), p=unit_w), -1)
    unit2 = np.where(unit2 == unit, -1, unit2)
    return Population(
        surnames, given, fam_surname[fam], first, fam_father[fam], fam_ukr[fam], year, month, day,
        unit, unit2, units,
    )  # fmt: skip


@dataclass(frozen=True)
class Seen:
    """What a record lets a reader know (for the truth, never shown to the engine)."""

    given: str  # full / initial / none
    patr: str
    date: str  # full / ym / y / none
    unit: int  # the unit index written, -1 for none


_PRECISION = {"none": 0, "y": 1, "ym": 2, "full": 3}


class Writer:
    """Writes men down the way families (cases) and published lists do."""

    def __init__(self, pop: Population, seed: int) -> None:
        self.pop = pop
        self.rng = random.Random(seed)

    def write(
        self, i: int, rid: str, *, listing: bool, script: str | None = None, date_kind: str | None = None,
        unit_choice: int | None = None,
    ) -> tuple[dict[str, str], Seen]:  # fmt: skip
        rng, pop = self.rng, self.pop
        g = pop.given[pop.first[i]]
        f = pop.given[pop.father[i]]
        ukr = bool(pop.ukrainian[i])
        if script is None:
            weights = [0.35, 0.15, 0.5] if listing else ([0.5, 0.35, 0.15] if ukr else [0.75, 0.1, 0.15])
            script = rng.choices(["ru", "uk", "latin"], weights)[0]
        uk_form = script == "uk" or (script == "latin" and ukr and rng.random() < 0.7)
        last = pop.surnames[pop.surname[i]][1 if uk_form else 0]
        full_first = g.uk if uk_form else g.ru
        patr = f.patr_uk if uk_form else f.patr_ru
        dim_p, init_p = (0.06, 0.12) if listing else (0.05, 0.02)
        r = rng.random()
        given_seen = "full"
        if r < dim_p:
            first = rng.choice(g.dim_uk if uk_form else g.dim_ru)
        elif r < dim_p + init_p:
            first, given_seen = full_first[0] + ".", "initial"
        else:
            first = full_first
        keep, initial = (0.62, 0.1) if listing else (0.85, 0.03)
        r = rng.random()
        patr_seen = "full"
        if r >= keep + initial:
            patr, patr_seen = "", "none"
        elif r >= keep:
            patr, patr_seen = patr[0] + ".", "initial"
        if rng.random() < (0.07 if listing else 0.02):
            last = _typo(rng, last)
        if script == "latin":
            standards = UK_STANDARDS if uk_form else RU_STANDARDS
            fn = _cached(uk_form, rng.choice(list(standards)))
            last, first, patr = fn(last), fn(first), fn(patr) if patr else ""
            if rng.random() < 0.3:
                last, first, patr = last.upper(), first.upper(), patr.upper()
        if listing and rng.random() < 0.04:
            last, first = first, last
        date, date_seen = self._date(i, listing, date_kind)
        unit_text, unit_seen = "", -1
        if unit_choice is None:
            has_unit = rng.random() < (0.33 if listing else 0.5)
            if has_unit:
                unit_choice = (
                    int(pop.unit2[i]) if pop.unit2[i] >= 0 and rng.random() < 0.5 else int(pop.unit[i])
                )
        if unit_choice is not None and unit_choice >= 0:
            unit_text = _unit_text(rng, pop.units[unit_choice], script == "latin")
            unit_seen = unit_choice
        row = {
            "record_id": rid,
            "last_name": last,
            "first_name": first,
            "patronymic": patr,
            "birth_date": date,
            "unit": unit_text,
        }
        return row, Seen(given_seen, patr_seen, date_seen, unit_seen)

    def _date(self, i: int, listing: bool, kind: str | None) -> tuple[str, str]:
        rng, pop = self.rng, self.pop
        y, m, d = int(pop.year[i]), int(pop.month[i]), int(pop.day[i])
        if kind is None:
            if listing:
                kind = rng.choices(
                    ["full", "swap", "slip", "ym", "y", "none"], [0.45, 0.04, 0.04, 0.03, 0.17, 0.27]
                )[0]
            else:
                kind = rng.choices(["full", "ym", "y", "none"], [0.82, 0.04, 0.09, 0.05])[0]
        if kind == "swap" and d <= 12 and d != m:
            return _date_text(rng, y, d, m), "full"
        if kind == "slip":
            if rng.random() < 0.5:
                y += rng.choice([-1, 1])
            elif d % 10 not in (0, 9):
                d += rng.choice([-1, 1]) if d < 27 else -1
            return _date_text(rng, y, m, d), "full"
        if kind in ("full", "swap"):
            return _date_text(rng, y, m, d), "full"
        if kind == "ym":
            return _date_text(rng, y, m, None), "ym"
        if kind == "y":
            return _date_text(rng, y, None, None), "y"
        return "", "none"


def draw(
    pop: Population,
    n_cases: int,
    n_list: int,
    seed: int,
    *,
    on_list: float = 0.35,
    repeat_rate: float = 0.07,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cases (missing men), a list with `n_list` rows, and the truth.

    A share `on_list` of the missing men are on the list; the rest of the list is other men of the
    population; a share `repeat_rate` of the men on the list appear on it twice."""
    rng = np.random.default_rng(seed)
    writer = Writer(pop, seed)
    chosen = rng.choice(len(pop), n_cases + n_list, replace=False)
    missing = chosen[:n_cases]
    found = missing[: int(n_cases * on_list)]
    n_men = round(n_list / (1 + repeat_rate))
    others = chosen[n_cases : n_cases + n_men - len(found)]
    men = np.concatenate([found, others])
    twice = rng.random(len(men)) < repeat_rate
    extra = n_list - len(men) - int(twice.sum())
    if extra > 0:  # chance: top the repeats up (or down) to exactly n_list rows, at random men
        twice[rng.choice(np.flatnonzero(~twice), extra, replace=False)] = True
    elif extra < 0:
        twice[rng.choice(np.flatnonzero(twice), -extra, replace=False)] = False

    case_rows, case_seen = [], []
    for k, i in enumerate(missing):
        row, seen = writer.write(int(i), f"C{k:07d}", listing=False)
        case_rows.append(row)
        case_seen.append(seen)

    entries: list[tuple[int, dict[str, str], Seen]] = []
    for i, repeat in zip(men, twice, strict=True):
        row, seen = writer.write(int(i), "", listing=True)
        entries.append((int(i), row, seen))
        if repeat:
            # The same man again: another script, the date there where it was not (or the other
            # way round), and under his other unit if he was transferred.
            latin_first = row["last_name"][:1].isascii()
            script = writer.rng.choice(["ru", "uk"]) if latin_first else "latin"
            kind = "none" if seen.date != "none" else writer.rng.choice(["full", "y"])
            unit_choice = None
            if pop.unit2[i] >= 0 and writer.rng.random() < 0.6:
                unit_choice = int(pop.unit2[i]) if seen.unit == pop.unit[i] else int(pop.unit[i])
            row2, seen2 = writer.write(int(i), "", listing=True, script=script, date_kind=kind,
                                       unit_choice=unit_choice)  # fmt: skip
            entries.append((int(i), row2, seen2))
    order = rng.permutation(len(entries))
    list_rows, list_seen, list_owner = [], [], []
    for n, j in enumerate(order):
        owner, row, seen = entries[j]
        row["record_id"] = f"L{n:08d}"
        list_rows.append(row)
        list_seen.append(seen)
        list_owner.append(owner)
    cases = pd.DataFrame(case_rows)
    records = pd.DataFrame(list_rows)
    truth = _truth(pop, cases, case_seen, missing, records, list_seen, np.array(list_owner))
    return cases, records, truth


_COUNTS: dict[int, dict[str, pd.Series]] = {}


def _name_counts(pop: Population) -> dict[str, pd.Series]:
    """How many men of the population share each name combination a record can show."""
    if id(pop) in _COUNTS:
        return _COUNTS[id(pop)]
    initial = np.array([ord(g.ru[0]) for g in pop.given])
    frame = pd.DataFrame(
        {
            "s": pop.surname,
            "g": pop.first,
            "gi": initial[pop.first],
            "f": pop.father,
            "fi": initial[pop.father],
        }
    )
    out: dict[str, pd.Series] = {}
    for given in ("g", "gi", ""):
        for father in ("f", "fi", ""):
            keys = ["s"] + [k for k in (given, father) if k]
            out[given + "|" + father] = frame.groupby(keys).size()
    _COUNTS.clear()  # one population at a time
    _COUNTS[id(pop)] = out
    return out


def _truth(
    pop: Population,
    cases: pd.DataFrame,
    case_seen: list[Seen],
    missing: np.ndarray,
    records: pd.DataFrame,
    list_seen: list[Seen],
    list_owner: np.ndarray,
) -> pd.DataFrame:
    """Every true pair, with how many other men on the list are expected to agree with everything
    both records give: the men of the population sharing the name parts both give (counted, so
    brothers and the fathers' generation's names count as they are), times the share of men born in
    the same year (month, day) to the precision both give, times the share of men of the same unit
    where both give the man's unit and it is the same one."""
    counts = _name_counts(pop)
    initial = np.array([ord(g.ru[0]) for g in pop.given])
    years, year_n = np.unique(pop.year, return_counts=True)
    year_share = dict(zip(years.tolist(), (year_n / len(pop)).tolist(), strict=True))
    unit_share = np.bincount(pop.unit, minlength=len(pop.units)) / len(pop)
    case_of = {int(p): k for k, p in enumerate(missing)}
    n_list = len(records)
    rows = []
    for r, owner in enumerate(list_owner):
        k = case_of.get(int(owner))
        if k is None:
            continue
        cs, ls = case_seen[k], list_seen[r]
        given = "g" if cs.given == ls.given == "full" else ("" if "none" in (cs.given, ls.given) else "gi")
        father = "f" if cs.patr == ls.patr == "full" else ("" if "none" in (cs.patr, ls.patr) else "fi")
        key: list[int] = [int(pop.surname[owner])]
        key += [int(pop.first[owner])] if given == "g" else [int(initial[pop.first[owner]])] if given else []
        key += (
            [int(pop.father[owner])] if father == "f" else [int(initial[pop.father[owner]])] if father else []
        )
        table = counts[given + "|" + father]
        same_name = int(table.loc[tuple(key)] if len(key) > 1 else table.loc[key[0]]) - 1
        share = 1.0
        precision = min(_PRECISION[cs.date], _PRECISION[ls.date])
        if precision >= 1:
            share *= year_share[int(pop.year[owner])]
        if precision >= 2:
            share /= 12
        if precision >= 3:
            share /= 28
        same_unit = cs.unit >= 0 and cs.unit == ls.unit
        if same_unit:
            share *= unit_share[cs.unit]
        expected = n_list / len(pop) * same_name * share
        evidence = precision >= 1 or same_unit
        rows.append((cases["record_id"].iat[k], records["record_id"].iat[r], expected, evidence))
    truth = pd.DataFrame(rows, columns=["case_id", "record_id", "expected_namesakes", "more_than_names"])
    truth["distinguishable"] = truth["expected_namesakes"] < NAMESAKE_EXPECTATION
    return truth
