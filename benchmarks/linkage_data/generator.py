"""Synthetic cases and a published list, Cyrillic and Latin, with ground truth.

People are drawn by name frequency (surnames.csv, given_names.csv: rank-based weights over real
frequency rankings, plus a long tail of rarer surnames built from real roots and suffixes), so other
men with the same name as a missing man are common, as they are on real lists. Each man is then
written the way families and lists write him: his Russian or Ukrainian form, in Cyrillic or under one
of the transliteration standards lists use (applied with iuliia and translitua, not with the engine's
own code, so the benchmark does not grade the engine against itself), diminutives and initials,
typos, partial dates, day/month swaps, one-digit slips, first and last name swapped, unit numbers in
their many spellings.

`generate(n_cases, n_list, seed)` returns (cases, list, truth, people): truth holds the true
(case_id, record_id) pairs and whether each carries distinguishing evidence.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import iuliia
import pandas as pd
import translitua

HERE = Path(__file__).parent

_TAIL_ROOTS = (
    "Щерб",
    "Бараб",
    "Вороб",
    "Гриб",
    "Дуд",
    "Жур",
    "Залес",
    "Карас",
    "Клим",
    "Кот",
    "Кривонос",
    "Лис",
    "Мих",
    "Нечип",
    "Остров",
    "Перепел",
    "Ряб",
    "Сав",
    "Сень",
    "Скорик",
    "Тесл",
    "Труб",
    "Удал",
    "Хмар",
    "Цыбул",
    "Черед",
    "Шум",
    "Ящур",
    "Березн",
    "Бобр",
    "Весел",
    "Гладк",
    "Горл",
    "Дорош",
    "Журб",
    "Зубр",
    "Калин",
    "Кныш",
    "Комар",
    "Корн",
    "Крут",
    "Кулеш",
    "Лемеш",
    "Лопат",
    "Мак",
    "Мирон",
    "Носк",
    "Панас",
    "Пасич",
    "Пивн",
    "Рудн",
    "Сахн",
    "Сивок",
    "Стрел",
    "Тарн",
    "Ус",
    "Фесун",
    "Харит",
    "Чабан",
    "Шпак",
    "Юрк",
    "Явор",
    "Бурл",
    "Вакул",
    "Голуб",
    "Деркач",
    "Ерш",
    "Зозул",
    "Канав",
    "Кушн",
    "Литв",
    "Мосл",
    "Оверч",
)
_TAIL_SUFFIXES = ("ов", "ев", "ин", "енко", "чук", "юк", "ский", "ак", "ук", "ко", "ец", "анов", "ишин")


@dataclass(frozen=True)
class Given:
    ru: str
    uk: str
    dim_ru: tuple[str, ...]
    dim_uk: tuple[str, ...]
    patr_ru: str
    patr_uk: str


@dataclass(frozen=True)
class Person:
    pid: int
    surname: int
    given: int
    father: int
    ukrainian: bool
    year: int
    month: int
    day: int
    unit: str


@lru_cache(maxsize=1)
def _tables() -> tuple[list[tuple[str, str]], list[float], list[Given], list[float]]:
    with open(HERE / "surnames.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    surnames = [(r["ru"], r["uk"]) for r in rows]
    weights = [float(r["rank_weight"]) for r in rows]
    head_mass = sum(weights)
    # The long tail: real lists are mostly rare surnames; together they carry 55% of the people.
    tail = sorted({root + suffix for root in _TAIL_ROOTS for suffix in _TAIL_SUFFIXES})
    tail_weight = head_mass * 0.55 / 0.45 / len(tail)
    for name in tail:
        uk = name.replace("ы", "и").replace("ий", "ій") if name.endswith("ский") else name.replace("ы", "и")
        surnames.append((name, uk))
        weights.append(tail_weight)
    with open(HERE / "given_names.csv", encoding="utf-8") as fh:
        grows = list(csv.DictReader(fh))
    given = [
        Given(
            r["ru"],
            r["uk"],
            tuple(r["diminutives_ru"].split(";")),
            tuple(r["diminutives_uk"].split(";")),
            r["patronymic_ru"],
            r["patronymic_uk"],
        )
        for r in grows
    ]
    return surnames, weights, given, [float(r["weight"]) for r in grows]


_GERMAN = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch", "з": "s",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
    "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja",
    "і": "i", "ї": "ji", "є": "je", "ґ": "g", "'": "",
}  # fmt: skip


def _german(text: str) -> str:
    out = "".join(_GERMAN.get(ch.lower(), ch) for ch in text)
    return out[:1].upper() + out[1:]


RU_STANDARDS = {
    "icao": iuliia.ICAO_DOC_9303.translate,
    "bgn_pcgn": iuliia.BGN_PCGN.translate,
    "gost_7_79": iuliia.GOST_779.translate,
    "iso9": lambda t: translitua.translit(t, translitua.RussianISO9SystemA),
    "popular": iuliia.WIKIPEDIA.translate,
    "german": _german,
}
UK_STANDARDS = {
    "ua_2010": lambda t: translitua.translit(t, translitua.UkrainianKMU),
    "bgn_pcgn": lambda t: translitua.translit(t, translitua.UkrainianBGN),
    "iso9": lambda t: translitua.translit(t, translitua.UkrainianISO9),
    "german": lambda t: translitua.translit(t, translitua.UkrainianGerman),
}


@cache
def _cached(ukrainian: bool, standard: str) -> Callable[[str], str]:
    """Transliteration is the slow part of writing a man down; names repeat, so cache per word."""
    return lru_cache(maxsize=1 << 16)((UK_STANDARDS if ukrainian else RU_STANDARDS)[standard])


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    letters = "аеиоуклмнрст" if any("а" <= c <= "я" for c in text.lower()) else "aeioklmnrst"
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + rng.choice(letters) + text[i + 1 :]
    if kind == 2:
        return text[:i] + rng.choice(letters) + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _unit_text(rng: random.Random, unit: str, latin: bool) -> str:
    if latin:
        return rng.choice([f"military unit {unit}", f"unit {unit}", f"mil. unit {unit}"]).replace("А", "A")
    return rng.choice(
        [f"в/ч {unit}", f"войсковая часть {unit}", f"ВЧ-{unit}", f"військова частина {unit}", f"в/ч{unit}"]
    )


def _date_text(rng: random.Random, y: int, m: int | None, d: int | None) -> str:
    if m is None:
        return f"{y}"
    if d is None:
        return rng.choice([f"{m:02d}/{y}", f"{y}-{m:02d}"])
    return rng.choice([f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}"])


# What a record lets a reader know of the man (for the truth, never shown to the engine).
HIDDEN_COLUMNS = ("_given_seen", "_patr_seen", "_date_seen", "_unit_seen")


class World:
    """A population of men and the ways they get written down."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.surnames, self.s_weights, self.given, self.g_weights = _tables()
        self.people: list[Person] = []

    def person(self) -> Person:
        rng = self.rng
        surname = rng.choices(range(len(self.surnames)), self.s_weights)[0]
        given = rng.choices(range(len(self.given)), self.g_weights)[0]
        father = rng.choices(range(len(self.given)), self.g_weights)[0]
        year = int(rng.triangular(1962, 2006, 1992))
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        ukrainian = rng.random() < 0.5
        unit = (
            f"А{rng.randint(1000, 4999)}"
            if ukrainian and rng.random() < 0.6
            else f"{rng.randint(10000, 99999)}"
        )
        p = Person(len(self.people), surname, given, father, ukrainian, year, month, day, unit)
        self.people.append(p)
        return p

    def write(self, p: Person, *, listing: bool, rid: str) -> dict[str, str]:
        """One record of man `p`: as a family writes him (listing=False) or as a list does."""
        rng = self.rng
        g = self.given[p.given]
        f = self.given[p.father]
        if listing:
            script = rng.choices(["ru", "uk", "latin"], [0.35, 0.15, 0.5])[0]
        else:
            script = rng.choices(
                ["ru", "uk", "latin"], [0.5, 0.35, 0.15] if p.ukrainian else [0.75, 0.1, 0.15]
            )[0]
        uk_form = script == "uk" or (script == "latin" and p.ukrainian and rng.random() < 0.7)
        last = self.surnames[p.surname][1 if uk_form else 0]
        first_full = g.uk if uk_form else g.ru
        patr = f.patr_uk if uk_form else f.patr_ru
        r = rng.random()
        dim_p, init_p = (0.08, 0.12) if listing else (0.05, 0.02)
        given_seen = "full"
        if r < dim_p:
            first = rng.choice(g.dim_uk if uk_form else g.dim_ru)
        elif r < dim_p + init_p:
            first = first_full[0] + "."
            given_seen = "initial"
        else:
            first = first_full
        r = rng.random()
        patr_keep, patr_init = (0.6, 0.1) if listing else (0.85, 0.02)
        patr_seen = "full"
        if r >= patr_keep + patr_init:
            patr = ""
            patr_seen = "none"
        elif r >= patr_keep:
            patr = patr[0] + "."
            patr_seen = "initial"
        if listing and rng.random() < 0.08:
            last = _typo(rng, last)
        if script == "latin":
            table = UK_STANDARDS if uk_form else RU_STANDARDS
            standard = rng.choice(list(table))
            fn = _cached(uk_form, standard)
            last, first, patr = fn(last), fn(first) if first else "", fn(patr) if patr else ""
            if rng.random() < 0.3:
                last, first, patr = last.upper(), first.upper(), patr.upper()
        if listing and rng.random() < 0.05:
            last, first = first, last
        date, date_seen = self._date(p, listing)
        has_unit = rng.random() < (0.35 if listing else 0.5)
        unit = ""
        unit_seen = "none"
        if has_unit:
            # One unit in seven is another one: the man was transferred, or the list is wrong.
            own = rng.random() < 0.85
            u = p.unit if own else f"{rng.randint(10000, 99999)}"
            unit = _unit_text(rng, u, script == "latin")
            unit_seen = "own" if own else "other"
        return {
            "record_id": rid,
            "last_name": last,
            "first_name": first,
            "patronymic": patr,
            "birth_date": date,
            "unit": unit,
            "source_note": rng.choice(["", "list p.3", "exchange 2024-05", "hospital"]),
            # What the record lets a reader know of the man's name (for the truth, not the engine).
            "_given_seen": given_seen,
            "_patr_seen": patr_seen,
            "_date_seen": date_seen,
            "_unit_seen": unit_seen,
        }

    def _date(self, p: Person, listing: bool) -> tuple[str, str]:
        """The birth date as written, and how much of it is there: "full", "ym", "y" or "none"."""
        rng = self.rng
        y, m, d = p.year, p.month, p.day
        if not listing:
            kind = rng.choices(["full", "ym", "y", "none"], [0.8, 0.05, 0.1, 0.05])[0]
        else:
            kind = rng.choices(
                ["full", "swap", "slip", "ym", "y", "none"], [0.45, 0.07, 0.05, 0.03, 0.15, 0.25]
            )[0]
        if kind == "swap" and d <= 12 and d != m:
            return _date_text(rng, y, d, m), "full"
        if kind == "slip":
            if rng.random() < 0.5:
                y += rng.choice([-1, 1])
            else:
                d = d + (-1 if d >= 27 else rng.choice([-1, 1])) if d % 10 not in (0, 9) else d
            return _date_text(rng, y, m, d), "full"
        if kind in ("full", "swap"):
            return _date_text(rng, y, m, d), "full"
        if kind == "ym":
            return _date_text(rng, y, m, None), "ym"
        if kind == "y":
            return _date_text(rng, y, None, None), "y"
        return "", "none"


def generate(
    n_cases: int = 4000, n_list: int = 16000, seed: int = 7, matched_fraction: float = 0.5
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Cases, a list, the truth and each record's person id.

    Half the missing men (by default) appear on the list; the rest of the list is other men drawn by
    the same name frequencies, so a missing man's namesakes turn up on it as often as his name is
    common: constantly for Иванов Александр Сергеевич, rarely for Щербаков Ярослав Тарасович.
    """
    world = World(seed)
    rng = world.rng
    missing = [world.person() for _ in range(n_cases)]
    cases = [world.write(p, listing=False, rid=f"C{i:07d}") for i, p in enumerate(missing)]
    owner = {c["record_id"]: p.pid for c, p in zip(cases, missing, strict=True)}
    on_list = rng.sample(missing, min(int(n_cases * matched_fraction), n_list))
    list_people = list(on_list)
    while len(list_people) < n_list:
        list_people.append(world.person())
    rng.shuffle(list_people)
    records = [world.write(p, listing=True, rid=f"L{i:08d}") for i, p in enumerate(list_people)]
    owner.update({r["record_id"]: p.pid for r, p in zip(records, list_people, strict=True)})
    case_frame = pd.DataFrame(cases)
    list_frame = pd.DataFrame(records)
    truth = _truth(world, case_frame, list_frame, owner)
    case_frame = case_frame.drop(columns=list(HIDDEN_COLUMNS))
    list_frame = list_frame.drop(columns=list(HIDDEN_COLUMNS))
    return case_frame, list_frame, truth, owner


# A link is distinguishable only when fewer than this many other men on the list are expected (by the
# frequencies the people were drawn with) to agree with the man on everything both records give.
NAMESAKE_EXPECTATION = 0.1

_PRECISION = {"none": 0, "y": 1, "ym": 2, "full": 3}


def _truth(world: World, cases: pd.DataFrame, records: pd.DataFrame, owner: dict[str, int]) -> pd.DataFrame:
    """True pairs, each marked `distinguishable` when the evidence both records give, and that agrees,
    singles the man out: fewer than NAMESAKE_EXPECTATION other men on a list this long are expected to
    share all of it. The evidence counted:

    - the surname, the given name (its initial where a record gives only that) and the father's name
      (or its initial) where both records give it;
    - the birth date to the precision both records give: the year (by how many men were born that
      year), the month, the day. A date with a one-digit slip or day and month swapped counts at its
      precision: reading through those is the engine's job;
    - the unit, where both records give the man's own unit. A unit that differs (one record in seven
      names another unit) is evidence against the link, not for it, so it does not count.

    No method can tell a man from his namesakes on less: "Иванов Александр, 1990" against a list with
    several of them. `distinguishable_loose` is the earlier rule, kept for comparison: any birth date
    (even a year) or any unit on both sides, otherwise a rare enough name.
    """
    people = world.people
    s_total = sum(world.s_weights)
    g_total = sum(world.g_weights)
    initial_share: dict[str, float] = {}
    for g, w in zip(world.given, world.g_weights, strict=True):
        initial_share[g.ru[0]] = initial_share.get(g.ru[0], 0.0) + w / g_total
    year_count: dict[int, int] = {}
    for person in people:
        year_count[person.year] = year_count.get(person.year, 0) + 1
    lettered_units = sum(1 for person in people if person.unit.startswith("А"))
    n_list = len(records)
    case_by_person = {owner[c]: c for c in cases["record_id"]}
    case_rows = cases.set_index("record_id")
    rows = []
    for rec in records.to_dict("records"):
        pid = owner[rec["record_id"]]
        cid = case_by_person.get(pid)
        if cid is None:
            continue
        case = case_rows.loc[cid]
        p = people[pid]
        g = world.given[p.given]
        full_given = rec["_given_seen"] == "full" and case["_given_seen"] == "full"
        share = world.s_weights[p.surname] / s_total
        share *= world.g_weights[p.given] / g_total if full_given else initial_share[g.ru[0]]
        if rec["_patr_seen"] == "full" and case["_patr_seen"] == "full":
            share *= world.g_weights[p.father] / g_total
        elif rec["_patr_seen"] != "none" and case["_patr_seen"] != "none":
            share *= initial_share[world.given[p.father].ru[0]]
        name_share = share
        precision = min(_PRECISION[rec["_date_seen"]], _PRECISION[case["_date_seen"]])
        if precision >= 1:
            share *= year_count[p.year] / len(people)
        if precision >= 2:
            share *= 1 / 12
        if precision >= 3:
            share *= 1 / 28
        if rec["_unit_seen"] == "own" and case["_unit_seen"] == "own":
            same_kind = lettered_units if p.unit.startswith("А") else len(people) - lettered_units
            share *= same_kind / len(people) / (4000 if p.unit.startswith("А") else 90000)
        loose = (
            (bool(rec["birth_date"]) and bool(case["birth_date"]))
            or (bool(rec["unit"]) and bool(case["unit"]))
            or n_list * name_share < NAMESAKE_EXPECTATION
        )
        rows.append((cid, rec["record_id"], n_list * share < NAMESAKE_EXPECTATION, loose))
    return pd.DataFrame(rows, columns=["case_id", "record_id", "distinguishable", "distinguishable_loose"])
