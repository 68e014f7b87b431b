"""Synthetic demo data: a registry of Ukrainian and Russian missing persons that looks like the real thing.

Pure data, no database: `generate_demo_dataset` returns frozen records built from the domain types
(MissingPerson, SourceRef, EvidenceFact), so everything in it has passed the same validation as real
input. The seeding service writes it to the database; benchmarks and tests use it directly.

Everything is invented. Names are drawn from common modern given names, patronymics and surnames with
a Zipf-like weight (the most common name is by far the most frequent), so namesakes occur as they do in
real lists. Contact details are visibly fake: +380 00 ... and +7 000 ... numbers (no such operator codes),
example.org mail, "вул. Вигадана" (Fictitious Street). Deterministic for a given seed and `today`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import iuliia
import translitua

from kintrace.domain.contradictions import Contradiction, Severity, find_contradictions
from kintrace.domain.dates import PartialDate
from kintrace.domain.evidence import EvidenceFact, SourceRef
from kintrace.domain.person import LastSeen, MissingPerson, PersonName, PhysicalDescription, Script
from kintrace.domain.records import PersonRecord, field_values
from kintrace.domain.relationships import Relationship
from kintrace.domain.requests import default_deadline, is_overdue
from kintrace.domain.status import StatusDerivation, derive_evidence_status, transition_path
from kintrace.domain.vocabulary import (
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    Sex,
    SourceKind,
    Visibility,
)

DEFAULT_SEED = 20220224
SURNAME_EXPONENT = 0.5
WAR_START = dt.date(2022, 2, 24)

S = PersonStatus
T = TypeVar("T")

# ---------------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    password: str
    email: str


@dataclass(frozen=True)
class DemoRelative:
    full_name: str
    relationship: Relationship
    is_reporter: bool
    phone: str
    email: str | None
    address: str | None
    username: str | None = None  # the demo family account linked to this relative, if any


@dataclass(frozen=True)
class DemoRequest:
    requested_status: PersonStatus
    authority: str
    evidence_ids: tuple[int, ...]
    submitted_on: dt.date
    deadline: dt.date
    outcome: RequestOutcome
    outcome_on: dt.date | None
    note: str | None


@dataclass(frozen=True)
class DemoCase:
    reference: str
    state: CaseState
    person: MissingPerson
    relatives: tuple[DemoRelative, ...]
    evidence: tuple[EvidenceFact, ...]
    # Each step a legal move of the transition table, starting from "missing".
    official_history: tuple[tuple[PersonStatus, PartialDate | None], ...]
    requests: tuple[DemoRequest, ...]
    caseworker: str | None  # username of the assigned caseworker
    reported_on: dt.date
    duplicate_of: str | None = None  # reference of the case this one repeats (filed twice by two relatives)
    list_matching_consent: bool = False  # the family agreed, when filing, to matching against published lists
    record: PersonRecord | None = None  # the person's record as filed; built from `person` when left out

    @property
    def filed(self) -> PersonRecord:
        """The record the demo files: every field of the person, the record's own ones included."""
        return self.record if self.record is not None else PersonRecord.of(self.person)

    @property
    def official_status(self) -> PersonStatus:
        return self.official_history[-1][0] if self.official_history else S.MISSING

    @property
    def official_since(self) -> PartialDate | None:
        return self.official_history[-1][1] if self.official_history else self.person.last_seen.date

    def derive(self, today: dt.date) -> StatusDerivation:
        return derive_evidence_status(self.evidence, today)

    def contradictions(self) -> list[Contradiction]:
        return find_contradictions(self.evidence)


@dataclass(frozen=True)
class DemoDataset:
    seed: int
    today: dt.date
    users: tuple[DemoUser, ...]
    sources: tuple[SourceRef, ...]
    cases: tuple[DemoCase, ...]

    @property
    def persons(self) -> tuple[MissingPerson, ...]:
        return tuple(case.person for case in self.cases)

    @property
    def evidence(self) -> Iterator[EvidenceFact]:
        return itertools.chain.from_iterable(case.evidence for case in self.cases)

    @property
    def requests(self) -> Iterator[DemoRequest]:
        return itertools.chain.from_iterable(case.requests for case in self.cases)

    def user(self, role: Role) -> DemoUser:
        return next(user for user in self.users if user.role is role)

    def summary(self) -> dict[str, int]:
        """Counts worth printing after seeding."""
        names = Counter(case.person.name.full for case in self.cases)
        conflicts = sum(
            1 for case in self.cases if any(c.severity is Severity.CONFLICT for c in case.contradictions())
        )
        return {
            "persons": len(self.cases),
            "relatives": sum(len(case.relatives) for case in self.cases),
            "sources": len(self.sources),
            "evidence items": sum(len(case.evidence) for case in self.cases),
            "status-change requests": sum(len(case.requests) for case in self.cases),
            "overdue requests": sum(
                1 for r in self.requests if is_overdue(r.deadline, r.outcome, self.today)
            ),
            "cases with contradictions": conflicts,
            "names shared by several persons": sum(1 for count in names.values() if count > 1),
            "duplicate reports": sum(1 for case in self.cases if case.duplicate_of is not None),
        }


# ---------------------------------------------------------------------------------------------------
# Name tables. Order is frequency order; `_zipf` turns it into weights.
# ---------------------------------------------------------------------------------------------------

# (Ukrainian, Russian) given names of men born 1965-2005, most common first. Pairs, so that a Ukrainian
# can appear in a Russian-language list under the Russian form, as happens in exchange lists.
MALE_NAMES = (
    ("Олександр", "Александр"), ("Сергій", "Сергей"), ("Андрій", "Андрей"), ("Дмитро", "Дмитрий"),
    ("Володимир", "Владимир"), ("Максим", "Максим"), ("Олексій", "Алексей"), ("Віталій", "Виталий"),
    ("Юрій", "Юрий"), ("Іван", "Иван"), ("Євген", "Евгений"), ("Микола", "Николай"), ("Артем", "Артём"),
    ("Денис", "Денис"), ("Віктор", "Виктор"), ("Олег", "Олег"), ("Роман", "Роман"), ("Михайло", "Михаил"),
    ("Павло", "Павел"), ("Ігор", "Игорь"), ("Василь", "Василий"), ("Владислав", "Владислав"),
    ("Руслан", "Руслан"), ("Вадим", "Вадим"), ("Богдан", "Богдан"), ("Костянтин", "Константин"),
    ("Анатолій", "Анатолий"), ("Ярослав", "Ярослав"), ("Петро", "Пётр"), ("Валерій", "Валерий"),
    ("Тарас", "Тарас"), ("Назар", "Назар"), ("Кирило", "Кирилл"), ("Антон", "Антон"), ("Ілля", "Илья"),
    ("Никита", "Никита"), ("Степан", "Степан"), ("Григорій", "Григорий"),
)  # fmt: skip
FEMALE_NAMES_UA = (
    "Олена", "Ольга", "Наталія", "Тетяна", "Ірина", "Юлія", "Світлана", "Оксана", "Анна", "Марія",
    "Людмила", "Катерина", "Вікторія", "Галина", "Надія", "Валентина", "Алла", "Інна", "Ганна", "Лариса",
    "Марина", "Яна", "Христина", "Софія",
)  # fmt: skip
FEMALE_NAMES_RU = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Анна", "Екатерина", "Мария",
    "Людмила", "Марина", "Надежда", "Галина", "Валентина", "Анастасия", "Оксана", "Виктория", "Алла",
    "Лариса", "Дарья", "Ксения",
)  # fmt: skip
# Fathers' names with the patronymics they give: (name, son's patronymic, daughter's patronymic).
FATHERS_UA = (
    ("Олександр", "Олександрович", "Олександрівна"), ("Володимир", "Володимирович", "Володимирівна"),
    ("Сергій", "Сергійович", "Сергіївна"), ("Микола", "Миколайович", "Миколаївна"),
    ("Віктор", "Вікторович", "Вікторівна"), ("Василь", "Васильович", "Василівна"),
    ("Іван", "Іванович", "Іванівна"), ("Анатолій", "Анатолійович", "Анатоліївна"),
    ("Юрій", "Юрійович", "Юріївна"), ("Петро", "Петрович", "Петрівна"),
    ("Михайло", "Михайлович", "Михайлівна"), ("Андрій", "Андрійович", "Андріївна"),
    ("Валерій", "Валерійович", "Валеріївна"), ("Григорій", "Григорович", "Григорівна"),
    ("Леонід", "Леонідович", "Леонідівна"), ("Степан", "Степанович", "Степанівна"),
    ("Олег", "Олегович", "Олегівна"), ("Ігор", "Ігорович", "Ігорівна"),
    ("Богдан", "Богданович", "Богданівна"),
    ("Дмитро", "Дмитрович", "Дмитрівна"),
)  # fmt: skip
FATHERS_RU = (
    ("Александр", "Александрович", "Александровна"), ("Сергей", "Сергеевич", "Сергеевна"),
    ("Владимир", "Владимирович", "Владимировна"), ("Николай", "Николаевич", "Николаевна"),
    ("Андрей", "Андреевич", "Андреевна"), ("Алексей", "Алексеевич", "Алексеевна"),
    ("Виктор", "Викторович", "Викторовна"), ("Юрий", "Юрьевич", "Юрьевна"),
    ("Михаил", "Михайлович", "Михайловна"), ("Иван", "Иванович", "Ивановна"),
    ("Анатолий", "Анатольевич", "Анатольевна"), ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"), ("Игорь", "Игоревич", "Игоревна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Василий", "Васильевич", "Васильевна"), ("Пётр", "Петрович", "Петровна"),
    ("Валерий", "Валерьевич", "Валерьевна"), ("Геннадий", "Геннадьевич", "Геннадьевна"),
)  # fmt: skip
# Ukrainian surnames in -енко, -ук, -ник do not change with sex; -ський/-цький do.
SURNAMES_UA = (
    "Мельник", "Шевченко", "Бойко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Ковальчук", "Коваль",
    "Олійник", "Шевчук", "Поліщук", "Бондар", "Ткачук", "Лисенко", "Марченко", "Руденко", "Савченко",
    "Петренко", "Мороз", "Кравчук", "Клименко", "Павленко", "Савчук", "Кузьменко", "Левченко", "Харченко",
    "Карпенко", "Гончаренко", "Мельничук", "Романенко", "Литвиненко", "Кушнір", "Гнатюк", "Семенюк",
    "Ковальський", "Савицький", "Яковенко", "Демченко", "Собко",
)  # fmt: skip
SURNAMES_RU = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
)  # fmt: skip


def _masculine_surname(surname: str, ukrainian: bool) -> str:
    if surname.endswith(("ська", "цька")):
        return surname[:-2] + "ий"
    if not ukrainian and surname.endswith(("ова", "ева", "ёва", "ина")):
        return surname[:-1]
    return surname


def _feminine_surname(surname: str, ukrainian: bool) -> str:
    if surname.endswith(("ський", "цький")):
        return surname[:-2] + "ка"
    if not ukrainian and surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    return surname


# ---------------------------------------------------------------------------------------------------
# Places, units, service details
# ---------------------------------------------------------------------------------------------------

# (Ukrainian spelling, Russian spelling, latitude, longitude) of places where people went missing.
FRONT_PLACES = (
    ("Бахмут", "Бахмут", 48.5953, 38.0003), ("Авдіївка", "Авдеевка", 48.1395, 37.7427),
    ("Соледар", "Соледар", 48.6833, 38.0667), ("Вугледар", "Угледар", 47.7794, 37.2486),
    ("Мар'їнка", "Марьинка", 47.9414, 37.5053), ("Кринки", "Крынки", 46.7311, 33.0858),
    ("Роботине", "Работино", 47.4417, 35.8361), ("Кліщіївка", "Клещеевка", 48.5222, 37.9689),
    ("Покровськ", "Покровск", 48.2833, 37.1833), ("Часів Яр", "Часов Яр", 48.5867, 37.8358),
    ("Куп'янськ", "Купянск", 49.7106, 37.6156), ("Лиман", "Лиман", 48.9889, 37.8022),
    ("Сєвєродонецьк", "Северодонецк", 48.9481, 38.4933), ("Маріуполь", "Мариуполь", 47.0971, 37.5434),
    ("Ізюм", "Изюм", 49.2128, 37.2567), ("Вовчанськ", "Волчанск", 50.2906, 36.9414),
    ("Торецьк", "Торецк", 48.3978, 37.8469), ("Курахове", "Курахово", 47.9833, 37.2833),
    ("Волноваха", "Волноваха", 47.6000, 37.5000), ("Суджа", "Суджа", 51.1919, 35.2733),
)  # fmt: skip
CITIES_UA = (
    "Київ", "Харків", "Дніпро", "Одеса", "Запоріжжя", "Львів", "Полтава", "Чернігів", "Суми", "Миколаїв",
    "Херсон", "Кривий Ріг", "Вінниця", "Житомир", "Черкаси", "Кропивницький", "Хмельницький", "Рівне",
    "Тернопіль", "Івано-Франківськ", "Луцьк", "Ужгород", "Чернівці", "Біла Церква", "Кременчук",
)  # fmt: skip
CITIES_RU = (
    "Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Нижний Новгород", "Челябинск",
    "Самара", "Омск", "Ростов-на-Дону", "Уфа", "Красноярск", "Пермь", "Воронеж", "Волгоград", "Краснодар",
    "Саратов", "Тюмень", "Иркутск", "Улан-Удэ", "Белгород", "Курск", "Псков", "Оренбург",
)  # fmt: skip
RANKS_UA = (
    "солдат", "старший солдат", "молодший сержант", "сержант", "старший сержант", "головний сержант",
    "молодший лейтенант", "лейтенант", "старший лейтенант", "капітан", "майор",
)  # fmt: skip
RANKS_RU = (
    "рядовой", "ефрейтор", "младший сержант", "сержант", "старший сержант", "прапорщик", "лейтенант",
    "старший лейтенант", "капитан", "майор",
)  # fmt: skip
BRANCHES_UA = (
    "Сухопутні війська", "Сили територіальної оборони", "Десантно-штурмові війська", "Національна гвардія",
    "Морська піхота", "Сили спеціальних операцій", "Державна прикордонна служба",
)  # fmt: skip
BRANCHES_RU = (
    "Сухопутные войска", "Воздушно-десантные войска", "Морская пехота", "Росгвардия",
    "Мобилизационный резерв", "Воздушно-космические силы",
)  # fmt: skip
SERVICE_NUMBER_LETTERS = "АБВГДЕЖИКЛМНОПРСТУФХЦЧШЭЮЯ"

BUILDS_UA = ("худорлявий", "середньої статури", "щільної статури", "кремезний")
BUILDS_RU = ("худощавый", "среднего телосложения", "плотного телосложения", "крепкий")
HAIR_UA = ("темно-русяве", "русяве", "світле", "чорне", "руде", "сиве", "голений наголо")
HAIR_RU = ("тёмно-русые", "русые", "светлые", "чёрные", "рыжие", "седые", "бритый наголо")
EYES_UA = ("карі", "сірі", "блакитні", "зелені", "сіро-зелені")
EYES_RU = ("карие", "серые", "голубые", "зелёные", "серо-зелёные")
MARKS_UA = (
    "татуювання тризуба на лівому передпліччі", "шрам над правою бровою", "родимка на шиї зліва",
    "татуювання з ім'ям доньки на правому плечі", "шрам після апендектомії",
    "відсутня фаланга пальця лівої руки",
)  # fmt: skip
MARKS_RU = (
    "татуировка парашюта на правом плече", "шрам на подбородке", "родинка под левым глазом",
    "татуировка с датой рождения сына на предплечье", "шрам после операции на колене", "перелом носа",
)  # fmt: skip
DENTAL_UA = ("коронка на 36 зубі", "відсутній 46 зуб", "імплант 11", "пломби 16, 26", "брекети")
DENTAL_RU = (
    "коронка на 36 зубе",
    "отсутствует 46 зуб",
    "имплант 11",
    "пломбы 16, 26",
    "металлическая коронка 46",
)
CIRCUMSTANCES_UA = (
    "зв'язок втрачено під час штурму позицій", "після артилерійського обстрілу не вийшов на зв'язок",
    "не повернувся з бойового завдання", "під час ротації евакуація з позиції не відбулася",
    "побратими бачили пораненим під час відходу", "цивільний, не вийшов на зв'язок під час окупації міста",
)  # fmt: skip
CIRCUMSTANCES_RU = (
    "связь потеряна в ходе штурма", "после артобстрела не вышел на связь", "не вернулся с боевого задания",
    "эвакуация с позиции не состоялась", "сослуживцы видели раненым при отходе",
    "мобилизован, связь прекратилась через две недели после отправки",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# Sources: the shared pool. Grades deliberately cover every letter A-F and every digit 1-6.
# ---------------------------------------------------------------------------------------------------

_R, _C = Reliability, Credibility
SHARED_SOURCES_UA = (
    (SourceKind.OFFICIAL_BODY, "Координаційний штаб з питань поводження з військовополоненими",
     _R.A, _C.PROBABLY_TRUE),
    (SourceKind.OFFICIAL_BODY, "Міністерство оборони України", _R.B, _C.PROBABLY_TRUE),
    (SourceKind.OFFICIAL_BODY, "Національне інформаційне бюро", _R.B, _C.CONFIRMED),
    (SourceKind.OFFICIAL_BODY, "Уповноважений з питань осіб, зниклих безвісти", _R.B, _C.PROBABLY_TRUE),
    (SourceKind.OFFICIAL_BODY, "ТЦК та СП (районний)", _R.C, _C.POSSIBLY_TRUE),
    (SourceKind.OFFICIAL_BODY, "Командир військової частини", _R.C, _C.PROBABLY_TRUE),
    (SourceKind.HUMANITARIAN_ORGANISATION, "МККК, Центральне агентство з розшуку", _R.A, _C.CONFIRMED),
    (SourceKind.HUMANITARIAN_ORGANISATION, "Товариство Червоного Хреста України", _R.B, _C.POSSIBLY_TRUE),
    (SourceKind.PUBLISHED_LIST, "Список обміну полоненими (опублікований)", _R.B, _C.PROBABLY_TRUE),
    (SourceKind.PUBLISHED_LIST, "Список загиблих з відкритих джерел", _R.D, _C.POSSIBLY_TRUE),
    (SourceKind.MEDIA, "Регіональне інтернет-видання", _R.C, _C.POSSIBLY_TRUE),
    (SourceKind.MEDIA, "Анонімний Telegram-канал", _R.E, _C.DOUBTFUL),
    (SourceKind.MEDIA, "Відео з полону в соцмережах", _R.F, _C.PROBABLY_TRUE),
    (SourceKind.OTHER, "Анонімний дзвінок на гарячу лінію", _R.F, _C.CANNOT_BE_JUDGED),
    (SourceKind.OTHER, "Лист від невідомого", _R.E, _C.IMPROBABLE),
)  # fmt: skip
SHARED_SOURCES_RU = (
    (SourceKind.OFFICIAL_BODY, "Министерство обороны Российской Федерации", _R.B, _C.PROBABLY_TRUE),
    (SourceKind.OFFICIAL_BODY, "Военный комиссариат (районный)", _R.C, _C.POSSIBLY_TRUE),
    (SourceKind.OFFICIAL_BODY, "Уполномоченный по правам человека", _R.B, _C.PROBABLY_TRUE),
    (SourceKind.HUMANITARIAN_ORGANISATION, "МККК, делегация в Москве", _R.A, _C.PROBABLY_TRUE),
    (SourceKind.PUBLISHED_LIST, "Список пленных, опубликованный украинской стороной", _R.B, _C.PROBABLY_TRUE),
    (SourceKind.PUBLISHED_LIST, "Открытый список погибших (некрологи)", _R.D, _C.POSSIBLY_TRUE),
    (SourceKind.MEDIA, "Региональное интернет-издание", _R.C, _C.DOUBTFUL),
    (SourceKind.MEDIA, "Анонимный Telegram-канал", _R.E, _C.IMPROBABLE),
)  # fmt: skip

AUTHORITIES_UA = (
    "Міністерство оборони України",
    "Координаційний штаб з питань поводження з військовополоненими",
    "Національне інформаційне бюро",
    "Уповноважений з питань осіб, зниклих безвісти",
)
AUTHORITIES_RU = (
    "Министерство обороны Российской Федерации",
    "Военный комиссариат",
    "Военная прокуратура",
    "Уполномоченный по правам человека",
)

# The storylines a case can follow, with their share of cases. Each is written out in `_storyline`.
STORYLINES = (
    ("still_missing", 26),
    ("reported_captured", 14),
    ("confirmed_captured", 12),
    ("released", 8),
    ("reported_dead", 8),
    ("confirmed_dead", 8),
    ("remains_identified", 5),
    ("remains_returned", 4),
    ("found_alive", 3),
    ("alive_after_dead", 6),
    ("notices_disagree", 4),
    ("two_places", 1),
    ("birth_dates_differ", 1),
)

# ---------------------------------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------------------------------


def _zipf(n: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights 1/rank^s: the first name is common, the tail is rare but present."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


class _Draw:
    """Seeded random choices with cached cumulative weights."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._weights: dict[tuple[int, float], list[float]] = {}

    def common(self, items: Sequence[T], exponent: float = 0.8) -> T:
        """A Zipf-weighted pick: earlier items are more frequent."""
        key = (len(items), exponent)
        if key not in self._weights:
            self._weights[key] = _zipf(*key)
        return self.rng.choices(items, cum_weights=self._weights[key])[0]

    def any(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max((end - start).days, 0) + 1))

    def partial(self, day: dt.date, p_day: float = 0.8, p_month: float = 0.15) -> PartialDate:
        """A date as a source would know it: mostly to the day, sometimes to the month or the year."""
        roll = self.rng.random()
        if roll < p_day:
            return PartialDate.from_date(day)
        if roll < p_day + p_month:
            return PartialDate(day.year, day.month)
        return PartialDate(day.year)

    def digits(self, n: int) -> str:
        return f"{self.rng.randrange(10**n):0{n}d}"


@dataclass
class _Counters:
    source_id: int = 0
    fact_id: int = 0

    def next_source(self) -> int:
        self.source_id += 1
        return self.source_id

    def next_fact(self) -> int:
        self.fact_id += 1
        return self.fact_id


@dataclass(frozen=True)
class _Nation:
    ukrainian: bool

    @property
    def lang(self) -> str:
        return "uk" if self.ukrainian else "ru"


def _latin(name: PersonName, ukrainian: bool) -> PersonName:
    """The name as a Latin-script list would spell it (Ukrainian national or ICAO transliteration)."""

    def spell(text: str) -> str:
        return translitua.translit(text) if ukrainian else iuliia.ICAO_DOC_9303.translate(text)

    patronymic = spell(name.patronymic) if name.patronymic else None
    return PersonName(spell(name.last), spell(name.first), patronymic, Script.LATIN)


class _Generator:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.seed = seed
        self.today = today
        self.draw = _Draw(seed)
        self.ids = _Counters()
        self.sources: list[SourceRef] = []
        self.shared_ua = [self._source(*row) for row in SHARED_SOURCES_UA]
        self.shared_ru = [self._source(*row) for row in SHARED_SOURCES_RU]
        self.units_ua = sorted({f"в/ч А{self.draw.digits(4)}" for _ in range(120)})
        self.units_ru = sorted({f"в/ч {self.draw.rng.randrange(10000, 99999)}" for _ in range(120)})
        self.users = self._users()

    # -- shared records ---------------------------------------------------------------------------

    def _source(
        self, kind: SourceKind, name: str, reliability: Reliability, credibility: Credibility
    ) -> SourceRef:
        source = SourceRef(self.ids.next_source(), kind, name, reliability, credibility)
        self.sources.append(source)
        return source

    def _users(self) -> tuple[DemoUser, ...]:
        def password(role: Role) -> str:
            return f"demo-{role.value}-{self.draw.digits(6)}"

        people = (
            ("admin", "Адміністратор системи", Role.ADMIN),
            ("caseworker", "Оксана Кравчук (кейс-менеджерка)", Role.CASEWORKER),
            ("analyst", "Тарас Бондар (аналітик)", Role.ANALYST),
            ("family", "Ганна Петренко (родина)", Role.FAMILY),
        )
        return tuple(
            DemoUser(username, display, role, password(role), f"{username}@example.org")
            for username, display, role in people
        )

    # -- persons --------------------------------------------------------------------------------------

    def _person(self, nation: _Nation, military: bool, seen_before: dt.date | None = None) -> MissingPerson:
        d = self.draw
        ua = nation.ukrainian
        sex = Sex.MALE if (military and d.chance(0.94)) or (not military and d.chance(0.45)) else Sex.FEMALE
        fathers = FATHERS_UA if ua else FATHERS_RU
        _, son, daughter = d.common(fathers)
        if sex is Sex.MALE:
            first = d.common(MALE_NAMES)[0 if ua else 1]
            patronymic = son
        else:
            first = d.common(FEMALE_NAMES_UA if ua else FEMALE_NAMES_RU)
            patronymic = daughter
        # Surnames are spread far more evenly than given names: a flatter curve.
        surname = d.common(SURNAMES_UA if ua else SURNAMES_RU, SURNAME_EXPONENT)
        last = surname if sex is Sex.MALE else _feminine_surname(surname, ua)
        name = PersonName(last, first, patronymic, Script.CYRILLIC)

        alternatives: list[PersonName] = []
        if d.chance(0.35):
            alternatives.append(_latin(name, ua))
        if ua and sex is Sex.MALE and d.chance(0.15):
            # The same man in a Russian-language list: Russian given name and patronymic.
            ru_first = next(ru for uk, ru in MALE_NAMES if uk == first)
            father = next(f for f, s, _ in FATHERS_UA if s == patronymic)
            ru_father = next((ru for uk, ru in MALE_NAMES if uk == father), None)
            ru_patronymic = next((s for f, s, _ in FATHERS_RU if f == ru_father), None)
            russian = PersonName(last, ru_first, ru_patronymic, Script.CYRILLIC)
            if russian != name:
                alternatives.append(russian)

        first_year, last_year = (1965, 2004) if military else (1940, 2012)
        birth = d.partial(d.date_between(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)), 0.82, 0.1)
        place_ua, place_ru, lat, lon = d.any(FRONT_PLACES)
        seen_day = d.date_between(WAR_START, seen_before or self.today - dt.timedelta(days=45))
        jitter = (d.rng.uniform(-0.05, 0.05), d.rng.uniform(-0.05, 0.05))
        precise = d.chance(0.3)
        last_seen = LastSeen(
            date=d.partial(seen_day, 0.85, 0.13),
            place=place_ua if ua else place_ru,
            latitude=round(lat + jitter[0], 4) if precise else None,
            longitude=round(lon + jitter[1], 4) if precise else None,
            circumstances=d.any(CIRCUMSTANCES_UA if ua else CIRCUMSTANCES_RU) if d.chance(0.8) else None,
        )
        description = PhysicalDescription()
        if d.chance(0.65):
            description = PhysicalDescription(
                height_cm=int(d.rng.gauss(178 if sex is Sex.MALE else 165, 7)),
                build=d.any(BUILDS_UA if ua else BUILDS_RU),
                hair=d.any(HAIR_UA if ua else HAIR_RU),
                eyes=d.any(EYES_UA if ua else EYES_RU),
                distinguishing_marks=d.any(MARKS_UA if ua else MARKS_RU) if d.chance(0.5) else None,
                dental_notes=d.any(DENTAL_UA if ua else DENTAL_RU) if d.chance(0.4) else None,
            )
        return MissingPerson(
            name=name,
            sex=sex,
            alternative_names=tuple(alternatives),
            birth_date=birth,
            birth_place=d.any(CITIES_UA if ua else CITIES_RU),
            citizenship="UA" if ua else "RU",
            service_number=f"{d.any(SERVICE_NUMBER_LETTERS)}{d.any(SERVICE_NUMBER_LETTERS)}-{d.digits(6)}"
            if military
            else None,
            rank=d.common(RANKS_UA if ua else RANKS_RU) if military else None,
            unit=d.any(self.units_ua if ua else self.units_ru) if military else None,
            branch=d.common(BRANCHES_UA if ua else BRANCHES_RU) if military else None,
            description=description,
            last_seen=last_seen,
        )

    # -- relatives ----------------------------------------------------------------------------------

    def _relatives(self, person: MissingPerson, nation: _Nation) -> tuple[DemoRelative, ...]:
        d = self.draw
        ua = nation.ukrainian
        fathers = FATHERS_UA if ua else FATHERS_RU
        female_names = FEMALE_NAMES_UA if ua else FEMALE_NAMES_RU
        surnames = SURNAMES_UA if ua else SURNAMES_RU
        surname_m = _masculine_surname(person.name.last, ua)
        surname_f = _feminine_surname(surname_m, ua)
        # The person's own father, read back from the patronymic, so the family hangs together.
        father, son_form, daughter_form = next(
            (row for row in fathers if person.name.patronymic in row[1:]), d.common(fathers)
        )

        def male() -> str:
            return d.common(MALE_NAMES)[0 if ua else 1]

        options = [
            ("mother", f"{surname_f} {d.common(female_names)} {d.common(fathers)[2]}"),
            ("father", f"{surname_m} {father} {d.common(fathers)[1]}"),
            ("sister", f"{surname_f} {d.common(female_names)} {daughter_form}"),
            ("brother", f"{surname_m} {male()} {son_form}"),
        ]
        if person.sex is Sex.MALE:
            options.append(("wife", f"{surname_f} {d.common(female_names)} {d.common(fathers)[2]}"))
        else:
            options.append(("husband", f"{d.common(surnames)} {male()} {d.common(fathers)[1]}"))
        # Mothers and wives file most reports; weight them first.
        weights = [5, 2, 1, 1, 4]
        count = d.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        chosen: list[tuple[str, str]] = []
        while len(chosen) < count:
            pick = d.rng.choices(options, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        city = person.birth_place or d.any(CITIES_UA if ua else CITIES_RU)
        relatives = []
        for index, (relationship, full_name) in enumerate(chosen):
            if ua:
                phone = f"+380 00 {d.digits(3)} {d.digits(2)} {d.digits(2)}"
                handle = translitua.translit(full_name.split()[0])
                street = "вул. Вигадана"
            else:
                phone = f"+7 000 {d.digits(3)}-{d.digits(2)}-{d.digits(2)}"
                handle = iuliia.ICAO_DOC_9303.translate(full_name.split()[0])
                street = "ул. Вымышленная"
            email = f"{handle.lower()}.{d.digits(4)}@example.org" if d.chance(0.6) else None
            address = f"{street}, {d.rng.randrange(1, 120)}, кв. {d.rng.randrange(1, 200)}, {city}"
            relatives.append(
                DemoRelative(
                    full_name=full_name,
                    relationship=Relationship(relationship),
                    is_reporter=index == 0,
                    phone=phone,
                    email=email,
                    address=address if d.chance(0.7) else None,
                )
            )
        return tuple(relatives)

    # -- evidence ---------------------------------------------------------------------------------------

    def _pool(self, nation: _Nation) -> dict[str, SourceRef]:
        if nation.ukrainian:
            keys: tuple[str, ...] = (
                "coordination", "mod", "bureau", "ombudsman", "enlistment", "commander", "icrc", "redcross",
                "exchange_list", "dead_list", "regional_media", "anonymous_channel", "captivity_video",
                "hotline", "letter",
            )  # fmt: skip
            return dict(zip(keys, self.shared_ua, strict=True))
        keys = (
            "mod", "enlistment", "ombudsman", "icrc", "exchange_list", "dead_list", "regional_media",
            "anonymous_channel",
        )  # fmt: skip
        pool = dict(zip(keys, self.shared_ru, strict=True))
        # Russian families learn of captivity from Ukrainian lists and of remains from their ministry.
        pool |= {
            "coordination": pool["ombudsman"],
            "bureau": pool["mod"],
            "commander": pool["enlistment"],
            "captivity_video": self.shared_ua[12],
            "hotline": self.shared_ua[13],
            "letter": self.shared_ua[14],
            "redcross": pool["icrc"],
        }
        return pool


class _Case:
    """One case being written: the person, its sources and the facts in date order."""

    def __init__(
        self,
        gen: _Generator,
        person: MissingPerson,
        nation: _Nation,
        relatives: tuple[DemoRelative, ...],
        *,
        for_family: bool = False,
    ):
        self.gen = gen
        self.d = gen.draw
        self.person = person
        self.nation = nation
        self.relatives = relatives
        self.pool = gen._pool(nation)
        self.for_family = for_family  # the demo family's own case: what it shows must be theirs to see
        self.facts: list[EvidenceFact] = []
        self.official: list[tuple[PersonStatus, PartialDate | None]] = []
        seen = person.last_seen.date
        assert seen is not None
        self.t0 = seen.earliest

    # sources of this case only
    def relative_source(self) -> SourceRef:
        relative = self.relatives[0]
        word = RELATIONSHIP_WORDS[relative.relationship][0 if self.nation.ukrainian else 1]
        grade = self.d.any(RELATIVE_GRADES)
        return self.gen._source(SourceKind.RELATIVE, f"{word}: {relative.full_name}", *grade)

    def comrade_source(self) -> SourceRef:
        """A fellow serviceman who was there; for a civilian, a neighbour who saw it."""
        grade = self.d.any(COMRADE_GRADES)
        if self.person.service_number is None:
            word = "Сусід, очевидець" if self.nation.ukrainian else "Сосед, очевидец"
            surname = self.d.common(SURNAMES_UA if self.nation.ukrainian else SURNAMES_RU, SURNAME_EXPONENT)
            return self.gen._source(SourceKind.OTHER, f"{word} {surname}", *grade)
        callsign = self.d.any(CALLSIGNS)
        prefix = "Побратим, позивний" if self.nation.ukrainian else "Сослуживец, позывной"
        return self.gen._source(SourceKind.FELLOW_SERVICEMAN, f"{prefix} «{callsign}»", *grade)

    def after(self, start: dt.date, min_days: int, max_days: int) -> dt.date:
        """A day between `start + min_days` and `start + max_days`, never after today."""
        first = min(start + dt.timedelta(days=min_days), self.gen.today)
        return self.d.date_between(first, min(start + dt.timedelta(days=max_days), self.gen.today))

    def add(
        self,
        claim: Claim,
        day: dt.date,
        source: SourceRef,
        *,
        notice: PersonStatus | None = None,
        place: str | None = None,
        precise: bool = False,
        born: PartialDate | None = None,
    ) -> EvidenceFact:
        event = PartialDate.from_date(day) if precise else self.d.partial(day, 0.7, 0.25)
        reported = min(day + dt.timedelta(days=self.d.rng.randrange(0, 45)), self.gen.today)
        visible = source.kind in FAMILY_VISIBLE_KINDS or claim is Claim.OFFICIAL_NOTICE
        text = self.text(claim, notice, source.kind)
        fact = EvidenceFact(
            id=self.gen.ids.next_fact(),
            claim=claim,
            event_date=event,
            reported_date=PartialDate.from_date(reported),
            source=source,
            place=place,
            text=text,
            visibility=Visibility.FAMILY if visible else Visibility.INTERNAL,
            official_status=notice,
            birth_date=born,
        )
        self.facts.append(fact)
        return fact

    def text(self, claim: Claim, notice: PersonStatus | None, kind: SourceKind) -> str:
        lang = 0 if self.nation.ukrainian else 1
        if notice is not None:
            return f"{NOTICE_TEXT[lang]}: {STATUS_WORDS[notice][lang]}."
        specific = CLAIM_TEXTS_BY_KIND.get((claim, kind))
        return specific[lang] if specific else self.d.any(CLAIM_TEXTS[claim][lang])

    def declare(self, status: PersonStatus, day: dt.date) -> None:
        """Add an official status, with every intermediate step the table requires, all at `day`."""
        current = self.official[-1][0] if self.official else S.MISSING
        since = PartialDate.from_date(day)
        self.official.extend((step, since) for step in transition_path(current, status))

    def place(self) -> str:
        ua_name, ru_name, _, _ = self.d.any(FRONT_PLACES)
        return ua_name if self.nation.ukrainian else ru_name

    # -- storylines --------------------------------------------------------------------------------

    def write(self, storyline: str) -> None:
        p, d = self.pool, self.d
        t0 = self.t0
        weak_capture = (p["captivity_video"], p["anonymous_channel"], p["hotline"])
        if storyline == "still_missing":
            if d.chance(0.5):
                self.add(Claim.SEEN_AT_PLACE, t0, self.comrade_source(), place=self.person.last_seen.place)
            if d.chance(0.4):
                self.add(Claim.NO_INFORMATION, self.after(t0, 30, 300), d.any((p["mod"], p["enlistment"])))
            if d.chance(0.2):
                self.add(Claim.DEAD, self.after(t0, 0, 60), p["letter"])  # graded E5: kept, discounted
        elif storyline == "reported_captured":
            self.add(Claim.CAPTURED, self.after(t0, 0, 40), d.any((*weak_capture, self.comrade_source())))
            if d.chance(0.3):
                self.declare(S.REPORTED_CAPTURED, self.after(t0, 60, 200))
        elif storyline == "confirmed_captured":
            day = self.after(t0, 0, 40)
            if self.for_family or d.chance(0.5):
                self.add(Claim.CAPTURED, self.after(day, 30, 200), p["icrc"])
            else:
                self.add(Claim.CAPTURED, day, p["captivity_video"])
                self.add(Claim.CAPTURED, day, self.comrade_source())
            roll = d.rng.random()
            if roll < 0.4:
                self.declare(S.CONFIRMED_CAPTURED, self.after(day, 60, 300))
            elif roll < 0.6:
                self.declare(S.REPORTED_CAPTURED, self.after(day, 30, 200))
        elif storyline == "released":
            day = self.after(t0, 0, 30)
            self.add(Claim.CAPTURED, day, d.any((p["captivity_video"], self.relative_source())))
            release = self.after(day, 90, 600)
            self.add(Claim.OFFICIAL_NOTICE, release, p["coordination"], notice=S.RELEASED, precise=True)
            self.add(Claim.RELEASED, release, p["exchange_list"])  # the published exchange list names him
            if d.chance(0.7):
                self.declare(S.RELEASED, release)
        elif storyline == "reported_dead":
            self.add(Claim.DEAD, self.after(t0, 0, 10), d.any((self.comrade_source(), p["dead_list"])))
            if d.chance(0.2):
                self.declare(S.REPORTED_DEAD, self.after(t0, 30, 200))
        elif storyline == "confirmed_dead":
            day = self.after(t0, 0, 5)
            if d.chance(0.6):
                self.add(Claim.OFFICIAL_NOTICE, day, p["mod"], notice=S.CONFIRMED_DEAD)
                self.declare(S.CONFIRMED_DEAD, self.after(day, 20, 120))
            else:
                self.add(Claim.DEAD, day, self.comrade_source(), place=self.person.last_seen.place)
                self.add(Claim.DEAD, day, self.relative_source())
        elif storyline == "remains_identified":
            day = self.after(t0, 0, 5)
            self.add(Claim.DEAD, day, self.comrade_source())
            found = self.after(day, 60, 500)
            self.add(Claim.REMAINS_FOUND, found, p["ombudsman"], place=self.place())
            if d.chance(0.7):
                self.add(Claim.OFFICIAL_NOTICE, found, p["ombudsman"], notice=S.REMAINS_IDENTIFIED)
                self.declare(S.REMAINS_IDENTIFIED, self.after(found, 10, 60))
        elif storyline == "remains_returned":
            day = self.after(t0, 0, 5)
            found = self.after(day, 60, 400)
            self.add(Claim.OFFICIAL_NOTICE, found, p["ombudsman"], notice=S.REMAINS_IDENTIFIED)
            handed = self.after(found, 14, 90)
            self.add(Claim.OFFICIAL_NOTICE, handed, p["ombudsman"], notice=S.REMAINS_RETURNED, precise=True)
            self.declare(S.REMAINS_RETURNED, handed)
            if d.chance(0.3):
                self.declare(S.CLOSED, self.after(handed, 10, 60))
        elif storyline == "found_alive":
            day = self.after(t0, 20, 300)
            self.add(Claim.ALIVE, day, d.any((p["icrc"], p["redcross"])))
            self.add(Claim.OFFICIAL_NOTICE, day, p["bureau"], notice=S.FOUND_ALIVE)
            if d.chance(0.6):
                self.declare(S.FOUND_ALIVE, self.after(day, 5, 60))
                if d.chance(0.3):
                    self.declare(S.CLOSED, self.after(day, 60, 120))
        elif storyline == "alive_after_dead":
            death = self.after(t0, 0, 10)
            if self.for_family or d.chance(0.5):
                self.add(Claim.OFFICIAL_NOTICE, death, p["mod"], notice=S.CONFIRMED_DEAD, precise=True)
                self.declare(S.CONFIRMED_DEAD, self.after(death, 10, 60))
            else:
                self.add(Claim.DEAD, death, p["dead_list"], precise=True)
            # More than two months later, so "certainly after" holds even at month precision.
            later = self.after(death, 70, 400)
            claim = d.any((Claim.CAPTURED, Claim.ALIVE, Claim.WOUNDED))
            choices = (p["captivity_video"], self.relative_source(), p["redcross"])
            source = choices[1] if self.for_family else d.any(choices)
            self.add(claim, later, source, precise=True)
        elif storyline == "notices_disagree":
            death = self.after(t0, 0, 10)
            self.add(Claim.OFFICIAL_NOTICE, death, p["mod"], notice=S.CONFIRMED_DEAD, precise=True)
            self.declare(S.CONFIRMED_DEAD, self.after(death, 10, 40))
            later = self.after(death, 70, 400)
            self.add(
                Claim.OFFICIAL_NOTICE, later, p["coordination"], notice=S.CONFIRMED_CAPTURED, precise=True
            )
            if d.chance(0.5):
                self.declare(S.CONFIRMED_CAPTURED, self.after(later, 5, 30))
        elif storyline == "two_places":
            day = self.after(t0, 0, 3)
            here, there = self.place(), self.place()
            while there == here:
                there = self.place()
            self.add(Claim.SEEN_AT_PLACE, day, self.comrade_source(), place=here, precise=True)
            self.add(Claim.CAPTURED, day, p["captivity_video"], place=there, precise=True)
        elif storyline == "birth_dates_differ":
            born = self.person.birth_date
            assert born is not None
            wrong = PartialDate(born.year + d.any((-2, -1, 1, 2)))
            self.add(Claim.CAPTURED, self.after(t0, 0, 30), p["exchange_list"], born=wrong)
            self.add(Claim.NO_INFORMATION, self.after(t0, 30, 90), self.relative_source(), born=born)
        else:
            raise ValueError(f"unknown storyline {storyline!r}")


RELATIONSHIP_WORDS = {
    "mother": ("Мати", "Мать"),
    "father": ("Батько", "Отец"),
    "wife": ("Дружина", "Жена"),
    "husband": ("Чоловік", "Муж"),
    "sister": ("Сестра", "Сестра"),
    "brother": ("Брат", "Брат"),
}
FAMILY_STORYLINES = ("confirmed_captured", "alive_after_dead", "still_missing")
# Most families agree to list matching when filing. The demo family's second case has not, so the tour
# shows what a family reads before agreeing.
LIST_CONSENT_SHARE = 0.85
FAMILY_LIST_CONSENT = (True, False, True)
RELATIVE_GRADES = ((_R.B, _C.POSSIBLY_TRUE), (_R.C, _C.POSSIBLY_TRUE), (_R.F, _C.CANNOT_BE_JUDGED))
COMRADE_GRADES = ((_R.C, _C.PROBABLY_TRUE), (_R.C, _C.POSSIBLY_TRUE), (_R.D, _C.DOUBTFUL))
CALLSIGNS = (
    "Сокіл", "Грім", "Лис", "Тінь", "Вовк", "Борода", "Кіт", "Малий", "Док", "Старий", "Сєвер", "Мамай",
    "Орел", "Бізон", "Танкіст", "Кум", "Шаман", "Турист", "Поет", "Весна",
)  # fmt: skip
# What a family sees in its portal: official word, the humanitarian organisations, what relatives said.
# Media rumours and comrades' accounts stay internal until a caseworker has weighed them.
FAMILY_VISIBLE_KINDS = frozenset(
    {SourceKind.OFFICIAL_BODY, SourceKind.HUMANITARIAN_ORGANISATION, SourceKind.RELATIVE}
)
NOTICE_TEXT = ("Офіційне повідомлення", "Официальное уведомление")
STATUS_WORDS = {
    S.MISSING: ("зник безвісти", "пропал без вести"),
    S.REPORTED_CAPTURED: ("ймовірно перебуває в полоні", "предположительно в плену"),
    S.CONFIRMED_CAPTURED: ("перебування в полоні підтверджено", "нахождение в плену подтверждено"),
    S.RELEASED: ("звільнений з полону під час обміну", "освобождён из плена в ходе обмена"),
    S.REPORTED_DEAD: ("ймовірно загинув", "предположительно погиб"),
    S.CONFIRMED_DEAD: ("загибель підтверджено", "гибель подтверждена"),
    S.REMAINS_IDENTIFIED: ("останки ідентифіковано за ДНК", "останки идентифицированы по ДНК"),
    S.REMAINS_RETURNED: ("останки передано родині", "останки переданы семье"),
    S.FOUND_ALIVE: ("знайдений живим", "найден живым"),
    S.CLOSED: ("справу закрито", "дело закрыто"),
}
# What a source of that kind typically says, where it differs from the general wording below.
CLAIM_TEXTS_BY_KIND: dict[tuple[Claim, SourceKind], tuple[str, str]] = {
    (Claim.CAPTURED, SourceKind.MEDIA): (
        "Родина впізнала його на відео з полону.",
        "Семья узнала его на видео из плена.",
    ),
    (Claim.CAPTURED, SourceKind.FELLOW_SERVICEMAN): (
        "Побратим бачив, як його взяли в полон.",
        "Сослуживец видел, как его взяли в плен.",
    ),
    (Claim.CAPTURED, SourceKind.PUBLISHED_LIST): (
        "Прізвище є у списку полонених.",
        "Фамилия есть в списке пленных.",
    ),
    (Claim.CAPTURED, SourceKind.RELATIVE): (
        "Впізнали на фото з полону, яке надіслали знайомі.",
        "Узнали на фото из плена, присланном знакомыми.",
    ),
    (Claim.CAPTURED, SourceKind.OTHER): (
        "Бачив, як його забрали військові.",
        "Видел, как его увели военные.",
    ),
    (Claim.CAPTURED, SourceKind.HUMANITARIAN_ORGANISATION): (
        "Підтверджено під час візиту до місця утримання.",
        "Подтверждено при посещении места содержания.",
    ),
    (Claim.DEAD, SourceKind.FELLOW_SERVICEMAN): (
        "Побратим повідомив, що бачив загибель.",
        "Сослуживец сообщил, что видел гибель.",
    ),
    (Claim.DEAD, SourceKind.PUBLISHED_LIST): (
        "Ім'я у списку загиблих з відкритих джерел.",
        "Имя в списке погибших из открытых источников.",
    ),
    (Claim.DEAD, SourceKind.RELATIVE): (
        "Родині повідомили про загибель знайомі з підрозділу.",
        "Семье сообщили о гибели знакомые из части.",
    ),
    (Claim.DEAD, SourceKind.OTHER): (
        "Повідомили про загибель без підтвердження.",
        "Сообщили о гибели без подтверждения.",
    ),
}
CLAIM_TEXTS: dict[Claim, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Claim.CAPTURED: (
        ("Родина впізнала його на відео з полону.", "Побратим бачив, як його взяли в полон.",
         "Прізвище є у списку полонених."),
        ("Семья узнала его на видео из плена.", "Сослуживец видел, как его взяли в плен.",
         "Фамилия есть в списке пленных."),
    ),
    Claim.RELEASED: (
        ("Прізвище є у списку обміну.",),
        ("Фамилия есть в списке обмена.",),
    ),
    Claim.ALIVE: (
        ("Зателефонував родині.", "Живий, підтверджено під час візиту."),
        ("Позвонил семье.", "Жив, подтверждено при посещении."),
    ),
    Claim.WOUNDED: (
        ("Перебуває в госпіталі з пораненням.",),
        ("Находится в госпитале с ранением.",),
    ),
    Claim.DEAD: (
        ("Побратим повідомив, що бачив загибель.", "Ім'я у списку загиблих з відкритих джерел."),
        ("Сослуживец сообщил, что видел гибель.", "Имя в списке погибших из открытых источников."),
    ),
    Claim.REMAINS_FOUND: (
        ("Останки виявлено під час пошукових робіт; збіг ДНК з родичами.",),
        ("Останки обнаружены в ходе поисковых работ; совпадение ДНК с родственниками.",),
    ),
    Claim.SEEN_AT_PLACE: (
        ("Востаннє бачили на позиції.", "Бачили під час відходу з позиції."),
        ("Последний раз видели на позиции.", "Видели при отходе с позиции."),
    ),
    Claim.NO_INFORMATION: (
        ("Відомостей немає; запит на розгляді.",),
        ("Сведений нет; запрос на рассмотрении.",),
    ),
    Claim.OFFICIAL_NOTICE: (("Офіційне повідомлення.",), ("Официальное уведомление.",)),
}  # fmt: skip


def _requests(case: _Case, gen: _Generator, *, overdue: bool = False) -> tuple[DemoRequest, ...]:
    """Status-change requests where the evidence says more than the authority: of every age.

    With `overdue`, one request that has certainly been waiting past its deadline (for the tour).
    """
    d, today = gen.draw, gen.today
    derived = derive_evidence_status(case.facts, today)
    official = case.official[-1][0] if case.official else S.MISSING
    if derived.status is official or not derived.fact_ids or not (overdue or d.chance(0.65)):
        return ()
    evidence_known = max(
        (f.reported_date.latest for f in case.facts if f.reported_date is not None), default=case.t0
    )
    start = max(evidence_known, today - dt.timedelta(days=420))
    submitted = d.date_between(start, today - dt.timedelta(days=1)) if start < today else today
    if overdue:
        submitted = max(evidence_known, today - dt.timedelta(days=d.rng.randrange(60, 100)))
    authorities = AUTHORITIES_UA if case.nation.ukrainian else AUTHORITIES_RU
    age = (today - submitted).days
    outcome, answered, note = RequestOutcome.PENDING, None, None
    if age > 20 and not overdue:
        roll = d.rng.random()
        if roll < 0.45:
            pass  # still waiting: overdue once past 30 days
        elif roll < 0.65:
            outcome, note = (
                RequestOutcome.REFUSED,
                "Підстав недостатньо." if case.nation.ukrainian else "Оснований недостаточно.",
            )
        elif roll < 0.8:
            outcome = RequestOutcome.PARTIAL
        elif roll < 0.95:
            outcome = RequestOutcome.GRANTED
        else:
            outcome = RequestOutcome.WITHDRAWN
        if outcome is not RequestOutcome.PENDING:
            answered = submitted + dt.timedelta(days=d.rng.randrange(7, min(age, 90)))
    if outcome is RequestOutcome.GRANTED and answered is not None:
        case.declare(derived.status, answered)
    request = DemoRequest(
        requested_status=derived.status,
        authority=d.any(authorities),
        evidence_ids=derived.fact_ids,
        submitted_on=submitted,
        deadline=default_deadline(submitted),
        outcome=outcome,
        outcome_on=answered,
        note=note,
    )
    return (request,)


def _duplicate(original: DemoCase) -> MissingPerson:
    """The same person reported again by another relative, spelt the way that relative spells it."""
    name = original.person.name
    ukrainian = original.person.citizenship == "UA"
    if ukrainian:
        first = next((ru for uk, ru in MALE_NAMES if uk == name.first), name.first)
    else:
        first = {"Артём": "Артем", "Пётр": "Петр", "Наталья": "Наталия", "Юлия": "Юлья"}.get(
            name.first, name.first
        )
    # Where the given name has no second spelling, the second report leaves out the patronymic.
    patronymic = name.patronymic if first != name.first else None
    born = original.person.birth_date
    return replace(
        original.person,
        name=PersonName(name.last, first, patronymic, name.script),
        alternative_names=(),
        birth_date=PartialDate(born.year) if born is not None else None,
        description=PhysicalDescription(),
    )


def _record(person: MissingPerson, stream: str) -> PersonRecord:
    """The generated person's record. A field the domain's person does not carry (the record's own,
    such as a soldier's call sign) gets one of the examples the record model documents for a third
    of the soldiers, so every field shows in the demo. Drawn from a stream of its own per person
    (`stream`), so a new field leaves every other drawn value as it was."""
    record = PersonRecord.of(person)
    if person.rank is None:
        return record
    draw = random.Random(stream)
    extra = {
        name: draw.choice(info.examples)
        for name, info in PersonRecord.model_fields.items()
        if name not in record.model_fields_set and info.examples and draw.random() < 1 / 3
    }
    return PersonRecord.model_validate({**field_values(record), **extra}) if extra else record


def generate_demo_dataset(
    n_persons: int = 2000, seed: int = DEFAULT_SEED, today: dt.date | None = None
) -> DemoDataset:
    """A synthetic registry of `n_persons` missing persons; the same seed and `today` give the same data."""
    if n_persons < 1:
        raise ValueError(f"n_persons must be at least 1, not {n_persons}")
    today = today or dt.date.today()
    if today < WAR_START + dt.timedelta(days=90):
        raise ValueError(f"today ({today}) leaves no time for the cases to unfold after {WAR_START}")
    gen = _Generator(seed, today)
    d = gen.draw
    storylines = [name for name, _ in STORYLINES]
    weights = [weight for _, weight in STORYLINES]
    family = gen.users[3].username
    # A stream of its own, so the consent draws leave every other drawn value as it was.
    consent_draw = random.Random(seed + 1)
    cases: list[DemoCase] = []
    for index in range(n_persons):
        nation = _Nation(ukrainian=d.chance(0.65))
        duplicate_of = None
        if index < len(FAMILY_STORYLINES):
            # The demo family's own cases, written for the tour: a divergence with an overdue request,
            # a contradiction between items the family can see, and a fresh unverified report.
            nation = _Nation(ukrainian=True)
            person = gen._person(nation, military=True, seen_before=today - dt.timedelta(days=400))
            storyline = FAMILY_STORYLINES[index]
        elif index >= 10 and d.chance(0.01):
            original = d.any([case for case in cases[-200:] if case.duplicate_of is None])
            nation = _Nation(ukrainian=original.person.citizenship == "UA")
            person, duplicate_of = _duplicate(original), original.reference
            storyline = "still_missing"
        else:
            person = gen._person(nation, military=d.chance(0.85))
            storyline = d.rng.choices(storylines, weights=weights)[0]
        relatives = gen._relatives(person, nation)
        if index < 3:  # the demo family account reported the first cases
            relatives = (replace(relatives[0], username=family), *relatives[1:])
        case = _Case(gen, person, nation, relatives, for_family=index < len(FAMILY_STORYLINES))
        case.write(storyline)
        if index == 0:
            case.official.clear()  # the authority has not moved: the evidence is ahead of it
        requests = _requests(case, gen, overdue=index == 0)
        official = case.official[-1][0] if case.official else S.MISSING
        if official is not S.CLOSED and (index == 2 or (index > 3 and d.chance(0.03))):
            state, caseworker = CaseState.UNVERIFIED, None  # filed by a family, not yet checked
        else:
            state = CaseState.CLOSED if official is S.CLOSED else CaseState.OPEN
            caseworker = gen.users[1].username if d.chance(0.75) else None
        reported_on = min(case.t0 + dt.timedelta(days=d.rng.randrange(1, 60)), today)
        agreed = consent_draw.random() < LIST_CONSENT_SHARE
        if index < len(FAMILY_LIST_CONSENT):
            agreed = FAMILY_LIST_CONSENT[index]
        cases.append(
            DemoCase(
                reference=f"KT-{reported_on.year}-{index + 1:05d}",
                state=state,
                person=person,
                relatives=relatives,
                evidence=tuple(case.facts),
                official_history=tuple(case.official),
                requests=requests,
                caseworker=caseworker,
                reported_on=reported_on,
                duplicate_of=duplicate_of,
                list_matching_consent=agreed,
                record=_record(person, f"{seed}:{index}"),
            )
        )
    return DemoDataset(seed, today, gen.users, tuple(gen.sources), tuple(cases))


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m kintrace.services.demo_data [N] [SEED]`: generate, time it and print what it holds."""
    import sys
    import time

    args = list(sys.argv[1:] if argv is None else argv)
    n = int(args[0]) if args else 2000
    seed = int(args[1]) if len(args) > 1 else DEFAULT_SEED
    started = time.perf_counter()
    dataset = generate_demo_dataset(n, seed=seed)
    elapsed = time.perf_counter() - started
    print(f"generated {n} persons (seed {seed}, today {dataset.today}) in {elapsed:.2f} s")
    for key, value in dataset.summary().items():
        print(f"  {key:<32} {value:>7}")


if __name__ == "__main__":
    main()
