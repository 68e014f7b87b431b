"""Name search on the stored cross-script keys: any script, any word order, initials, ranked with a reason."""

from __future__ import annotations

import itertools

from tests.services.helpers import actor, person

from kintrace.domain.person import PersonName
from kintrace.domain.vocabulary import Role
from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.services.name_search import How, Part, parse_query, search_by_name


def _names(session, query, who=SYSTEM):
    found = []
    for hit in search_by_name(session, who, query).hits:
        row = cases.get_case(session, SYSTEM, hit.case_id).person
        found.append(" ".join(p for p in (row.last_name, row.first_name) if p))
    return found


def test_latin_finds_cyrillic_and_back(session):
    cases.create_case(session, SYSTEM, person("Мельник", "Ольга", "Петрівна"))
    cases.create_case(session, SYSTEM, person("Коваленко", "Ігор", None))
    assert _names(session, "Melnik") == ["Мельник Ольга"]
    assert _names(session, "Melnyk") == ["Мельник Ольга"]
    assert _names(session, "Мельник") == ["Мельник Ольга"]
    assert _names(session, "Kovalenko") == ["Коваленко Ігор"]


def test_given_name_first_or_last_and_initials(session):
    cases.create_case(session, SYSTEM, person("Кравчук", "Ольга", "Іванівна"))
    cases.create_case(session, SYSTEM, person("Кравчук", "Петро", "Іванович"))
    cases.create_case(session, SYSTEM, person("Ольгович", "Кравець", None))
    assert _names(session, "Kravchuk Olga") == ["Кравчук Ольга"]
    assert _names(session, "Ольга Кравчук") == ["Кравчук Ольга"]
    assert _names(session, "Кравчук О.") == ["Кравчук Ольга"]
    assert _names(session, "Кравчук О. І.") == ["Кравчук Ольга"]
    assert sorted(_names(session, "Кравчук")) == ["Кравчук Ольга", "Кравчук Петро"]


def test_a_russian_and_ukrainian_spelling_of_one_surname_meet(session):
    cases.create_case(session, SYSTEM, person("Бондар", "Андрій", None))
    assert _names(session, "Бондарь") == ["Бондар Андрій"]
    assert _names(session, "Bondar Andrei") == ["Бондар Андрій"]


def test_aliases_are_searched_and_follow_an_edit(session):
    alias = PersonName("Shevchenko", "Andrii", None, "Latn")
    case = cases.create_case(session, SYSTEM, person("Шевченко", "Андрій", None, alternative_names=(alias,)))
    assert [hit.case_id for hit in search_by_name(session, SYSTEM, "Shevchenko").hits] == [case.id]
    cases.update_person(session, SYSTEM, case.id, person("Кузьменко", "Андрій", None))
    session.flush()
    assert search_by_name(session, SYSTEM, "Shevchenko").hits == []
    assert [hit.case_id for hit in search_by_name(session, SYSTEM, "Kuzmenko").hits] == [case.id]


def test_the_beginning_of_a_word_still_finds_the_name(session):
    wanted = cases.create_case(session, SYSTEM, person("Шевченко", "Андрій", None))
    assert [hit.case_id for hit in search_by_name(session, SYSTEM, "шевч").hits] == [wanted.id]
    assert [hit.case_id for hit in search_by_name(session, SYSTEM, "Shevch").hits] == [wanted.id]
    (hit,) = search_by_name(session, SYSTEM, "шевч").hits
    assert hit.matches[0].how is How.BEGINNING


def test_ranked_by_how_well_the_name_matches_with_the_reason(session):
    other_spelling = cases.create_case(session, SYSTEM, person("Бондарь", "Ольга", None))
    same_writing = cases.create_case(session, SYSTEM, person("Бондар", "Ольга", None))
    longer = cases.create_case(session, SYSTEM, person("Бондаренко", "Ольга", None))
    hits = search_by_name(session, SYSTEM, "Бондар О.").hits
    assert [hit.case_id for hit in hits] == [same_writing.id, other_spelling.id, longer.id]
    assert hits[0].reason == "surname: Бондар; initial О."
    assert hits[1].reason == "surname spelled differently: Бондар ~ Бондарь; initial О."
    assert hits[2].reason == "surname begins with Бондар: Бондаренко; initial О."
    (melnik,) = search_by_name(session, SYSTEM, "Melnik").hits or [None]
    assert melnik is None  # nobody of that name: no hit, not a guess
    cases.create_case(session, SYSTEM, person("Мельник", "Ольга", None))
    (melnik,) = search_by_name(session, SYSTEM, "Melnik").hits
    assert melnik.reason == "surname spelled differently: Melnik ~ Мельник"
    assert melnik.matches[0].part is Part.SURNAME and melnik.matches[0].how is How.SPELLING


def test_a_family_finds_only_its_own_cases(session, factories):
    family = actor(factories.UserFactory(role=Role.FAMILY))
    own = cases.create_case(session, family, person("Мельник", "Ольга", None))
    cases.create_case(session, SYSTEM, person("Мельник", "Олег", None))
    assert [hit.case_id for hit in search_by_name(session, family, "Melnik").hits] == [own.id]
    assert len(search_by_name(session, SYSTEM, "Melnik").hits) == 2
    listed = cases.list_cases(session, family, cases.CaseFilter(name="Мельник"))
    assert [case.id for case in listed.items] == [own.id] and listed.total == 1


def test_the_case_list_pages_the_ranked_hits_and_keeps_its_filters(session):
    made = [cases.create_case(session, SYSTEM, person("Мельник", first, None)) for first in ("Ольга", "Олег")]
    made.append(cases.create_case(session, SYSTEM, person("Мельников", "Ігор", None)))
    first = cases.list_cases(session, SYSTEM, cases.CaseFilter(name="Мельник"), per_page=2)
    second = cases.list_cases(session, SYSTEM, cases.CaseFilter(name="Мельник"), page=2, per_page=2)
    assert first.total == second.total == 3
    assert [c.id for c in first.items] == [made[1].id, made[0].id]
    assert [c.id for c in second.items] == [made[2].id]
    assert first.hits[made[1].id].reason == "surname: Мельник"
    cases.set_case_state(session, SYSTEM, made[1].id, cases.CaseState.CLOSED)
    closed = cases.list_cases(session, SYSTEM, cases.CaseFilter(name="Melnik", state=cases.CaseState.CLOSED))
    assert [c.id for c in closed.items] == [made[1].id]


def test_queries_without_a_name_find_nothing():
    assert parse_query("%") == [] and parse_query("  ") == [] and parse_query("12 ,") == []
    assert [word.typed for word in parse_query("Кравчук О.П.")] == ["Кравчук", "О.", "П."]


def test_a_key_range_holds_every_key_that_begins_with_the_prefix():
    from sqlalchemy import column

    from kintrace.services.name_search import _starts

    clause = _starts(column("key"), "w:kravz")
    compiled = clause.compile(compile_kwargs={"literal_binds": True})
    assert str(compiled) == "key >= 'w:kravz' AND key < 'w:kraw'"
    assert "w:kravz" >= "w:kravz" and "w:kravzzik" < "w:kraw"


def test_written_as_typed_counts_alike_from_the_stored_words_and_for_a_word_too_long_to_store(session):
    from kintrace.services.name_keys import WRITTEN_MAX

    long_surname = "Мельник" + "ь" * (WRITTEN_MAX - 6)  # too long to store as written: read from the name
    short = cases.create_case(session, SYSTEM, person("Мельник", "Ольга", None))
    long = cases.create_case(session, SYSTEM, person(long_surname, "Ольга", None))
    hit = search_by_name(session, SYSTEM, "Мельник").hits[0]  # the long one sounds alike: after it
    assert hit.case_id == short.id and hit.score == How.SPELLING.value + 2
    hit = search_by_name(session, SYSTEM, long_surname).hits[0]
    assert hit.case_id == long.id and hit.score == How.SPELLING.value + 2
    (hit,) = search_by_name(session, SYSTEM, "Ольга").hits[:1]
    assert hit.score == How.SPELLING.value + 1  # written as typed, not as a surname


def _answers(session, who, query, **kwargs):
    found = search_by_name(session, who, query, **kwargs)
    return found.total, [(hit.case_id, hit.score, hit.reason) for hit in found.hits]


def test_a_page_read_from_the_top_tier_alone_equals_the_full_ranking(session, factories, monkeypatch):
    """The shortcut for common names (the page from the persons of the highest score, the count from
    the index rows) gives the answers of ranking every person found, merged and hidden cases apart."""
    from kintrace.services import duplicates, name_search

    spellings = [("Мельник", "Ольга"), ("Мельник", "Олег"), ("Мельников", "Ігор"), ("Мельниченко", "Ольга")]
    spellings += [("Бондар", "Мельник"), ("Мельнік", "Ірина"), ("Кравець", "Ольга")]
    made = [
        cases.create_case(session, SYSTEM, person(last, first, "Петрівна" if i % 2 else "Іванович")).id
        for i, (last, first) in enumerate(spellings * 4)
    ]
    latin = PersonName("Melnyk", "Olha", None, "Latn")
    with_alias = person("Мельник", "Ольга", None, alternative_names=(latin,))
    made.append(cases.create_case(session, SYSTEM, with_alias).id)
    duplicates.merge_cases(session, SYSTEM, made[0], made[7])  # made[7] (Мельник Ольга) is merged
    cases.set_case_state(session, SYSTEM, made[14], cases.CaseState.CLOSED)
    family = actor(factories.UserFactory(role=Role.FAMILY))
    cases.create_case(session, family, person("Мельник", "Оксана", None))
    session.flush()
    queries = ["Мельник", "мельн", "Melnyk", "Ольга", "Петрівна", "Мельник Ольга", "Мельник О.", "Кравець"]
    pages = [{"limit": 3}, {"limit": 3, "offset": 3}, {"limit": 5, "offset": 9}, {"limit": 50}, {}]
    closed = [cases.Case.state == cases.CaseState.CLOSED]
    top_pages = []
    real_top_page = name_search._top_page

    def counted(*args, **kwargs):
        page = real_top_page(*args, **kwargs)
        top_pages.append(page is not None)
        return page

    monkeypatch.setattr(name_search, "_top_page", counted)
    for who, query, page, where in itertools.product((SYSTEM, family), queries, pages, (None, closed, [])):
        monkeypatch.setattr(name_search, "TOP_TIER_MIN_ROWS", 10**9)
        full = _answers(session, who, query, where=where, **page)
        monkeypatch.setattr(name_search, "TOP_TIER_MIN_ROWS", 0)
        for dense in (1, 10**9):  # from the persons holding the rarest key, and among the newest cases
            monkeypatch.setattr(name_search, "TOP_TIER_DENSE", dense)
            shortcut = _answers(session, who, query, where=where, **page)
            assert shortcut == full, (who, query, page, where, dense)
    assert any(top_pages) and not all(top_pages)  # the shortcut answered some pages, not all
    total, hits = _answers(session, SYSTEM, "Мельник", limit=3)
    assert made[7] not in [case_id for case_id, _, _ in hits] and total == len(
        search_by_name(session, SYSTEM, "Мельник").hits
    )
