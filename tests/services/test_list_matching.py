"""Published lists matched inside the registry: consent, open cases only, one candidate per man on the
list, rejected namesakes that never return, the search log, incremental matching of one case, re-runs
that keep every decision, and reviewers' decisions as the engine's labelled pairs."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from tests.services.helpers import person

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import ListKind, PairBand, PairDecision, SearchResult
from kintrace.domain.person import PersonName, Script
from kintrace.domain.vocabulary import CaseState, Claim, Role, SourceKind
from kintrace.services import cases, list_matching, list_scoring
from kintrace.services.access import SYSTEM, Actor
from kintrace.services.errors import Forbidden
from kintrace.services.list_frames import case_record_id, case_rows, entry_rows, records_frame
from kintrace.services.name_keys import name_keys
from kintrace.store.models import (
    AuditEntry,
    ListCheck,
    ListEntry,
    ListEntryKey,
    ListPair,
    PublishedList,
    Source,
)

Row = dict[str, str | None]


def _fingerprint(row: Row) -> str:
    text = "|".join(
        (row.get(k) or "").casefold() for k in ("last_name", "first_name", "patronymic", "birth_date")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def make_list(session, title: str, rows: list[Row]) -> PublishedList:
    """A published list with its entries and their name keys, inserted as the importer stores them."""
    publisher = Source(kind=SourceKind.OFFICIAL_BODY, name=f"publisher of {title}")
    session.add(publisher)
    session.flush()
    published = PublishedList(
        title=title,
        publisher_id=publisher.id,
        kind=ListKind.PRISONERS,
        claim=Claim.CAPTURED,
        filename=f"{title}.csv",
        media_type="text/csv",
        sha256=hashlib.sha256(title.encode()).hexdigest(),
        size_bytes=1,
        entry_count=len(rows),
    )
    session.add(published)
    session.flush()
    for number, row in enumerate(rows, start=2):
        born = row.get("birth_date")
        entry = ListEntry(
            list_id=published.id,
            row_number=number,
            raw=dict(row),
            fingerprint=_fingerprint(row),
            **{**row, "birth_date": None if born is None else PartialDate.parse(born)},
        )
        session.add(entry)
        session.flush()
        keys = name_keys(row.get("last_name"), row.get("first_name"), row.get("patronymic"))
        session.add_all(ListEntryKey(entry_id=entry.id, key=k) for k in keys)
    session.flush()
    return published


def consenting_case(session, last: str, first: str, patronymic: str | None, born: PartialDate | None, **kw):
    case = cases.create_case(session, SYSTEM, person(last, first, patronymic, birth_date=born, **kw))
    case.list_matching_consent = True
    session.flush()
    return case


def pairs_of(session, list_id: int) -> list[ListPair]:
    return list(session.scalars(select(ListPair).where(ListPair.list_id == list_id).order_by(ListPair.id)))


def check_of(session, case_id: int, list_id: int) -> ListCheck | None:
    return session.get(ListCheck, (case_id, list_id))


KOVAL = {
    "last_name": "Коваленко",
    "first_name": "Олександр",
    "patronymic": "Іванович",
    "birth_date": "1991-03-14",
    "unit": "в/ч А1234",
}
KOVAL_LATIN = {
    "last_name": "Kovalenko",
    "first_name": "Oleksandr",
    "patronymic": "Ivanovych",
    "birth_date": "1991-03-14",
    "unit": "A1234",
}
OTHERS = [
    {
        "last_name": "Бондаренко",
        "first_name": "Сергій",
        "patronymic": "Петрович",
        "birth_date": "1985-07-02",
        "unit": None,
    },
    {
        "last_name": "Ткаченко",
        "first_name": "Василь",
        "patronymic": "Миколайович",
        "birth_date": "1979-11-30",
        "unit": None,
    },
]


def test_a_man_listed_twice_is_one_cluster_and_one_candidate_with_reasons(session):
    case = consenting_case(
        session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14), unit="А1234"
    )
    published = make_list(session, "Обмін 1", [KOVAL, *OTHERS, KOVAL_LATIN])
    summary = list_matching.match_list(session, SYSTEM, published.id)
    entries = {
        e.row_number: e for e in session.scalars(select(ListEntry).where(ListEntry.list_id == published.id))
    }
    assert (
        entries[2].cluster_id == entries[5].cluster_id == entries[2].id
    )  # the first entry names the cluster
    assert entries[3].cluster_id == entries[3].id != entries[4].cluster_id
    pairs = pairs_of(session, published.id)
    assert [(p.case_id, p.band) for p in pairs] == [(case.id, PairBand.LINK)]
    assert pairs[0].entry_id in (entries[2].id, entries[5].id) and not pairs[0].name_only
    reasons = pairs[0].reasons["fields"]
    assert reasons["birth_date"]["level"] == "exact" and reasons["birth_date"]["bf"] > 1
    assert reasons["surname"]["level"] in ("exact", "swapped", "phonetic")
    assert summary.clusters == 3 and summary.cases_checked == 1 and summary.links == 1
    assert session.get(PublishedList, published.id).matched_at is not None
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "list.match")) == "list.match"


def test_a_case_without_consent_or_not_open_is_never_matched(session):
    without = cases.create_case(
        session, SYSTEM, person("Коваленко", "Олександр", "Іванович", birth_date=PartialDate(1991, 3, 14))
    )
    closed = consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))
    closed.state = CaseState.CLOSED
    unverified = consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))
    unverified.state = CaseState.UNVERIFIED
    published = make_list(session, "Полонені", [KOVAL, *OTHERS])
    summary = list_matching.match_list(session, SYSTEM, published.id)
    assert summary.cases_checked == 0 and pairs_of(session, published.id) == []
    for case in (without, closed, unverified):
        assert check_of(session, case.id, published.id) is None
        list_matching.match_case(session, SYSTEM, case.id)
        assert check_of(session, case.id, published.id) is None
    assert pairs_of(session, published.id) == []


def test_every_consented_open_case_gets_a_search_log_line(session):
    found = consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))
    nobody = consenting_case(session, "Шевчук", "Андрій", "Олегович", PartialDate(1970, 1, 1))
    published = make_list(session, "Список", [KOVAL, *OTHERS])
    list_matching.match_list(session, SYSTEM, published.id)
    assert check_of(session, found.id, published.id).result is SearchResult.UNDER_REVIEW
    assert check_of(session, nobody.id, published.id).result is SearchResult.NO_CANDIDATE


def test_a_rejected_namesake_never_returns_after_a_reimport_or_on_another_list(session):
    case = consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))
    first = make_list(session, "Перший", [KOVAL, *OTHERS])
    list_matching.match_list(session, SYSTEM, first.id)
    (pair,) = pairs_of(session, first.id)
    pair.decision = PairDecision.REJECTED
    session.flush()
    list_matching.match_list(session, SYSTEM, first.id)
    assert [(p.id, p.decision) for p in pairs_of(session, first.id)] == [(pair.id, PairDecision.REJECTED)]
    assert check_of(session, case.id, first.id).result is SearchResult.REJECTED
    again = make_list(session, "Перший, перевиданий", [*OTHERS, KOVAL])  # the same man, another list
    list_matching.match_list(session, SYSTEM, again.id)
    assert pairs_of(session, again.id) == []
    list_matching.match_case(session, SYSTEM, case.id)
    assert pairs_of(session, again.id) == []
    assert check_of(session, case.id, again.id).result is SearchResult.NO_CANDIDATE


def test_a_rerun_keeps_every_decision_and_adds_nothing(session):
    consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))
    consenting_case(session, "Бондаренко", "Сергій", "Петрович", PartialDate(1985, 7, 2))
    published = make_list(session, "Список", [KOVAL, *OTHERS])
    list_matching.match_list(session, SYSTEM, published.id)
    before = [(p.id, p.case_id, p.entry_id, p.band) for p in pairs_of(session, published.id)]
    assert len(before) == 2
    accepted = pairs_of(session, published.id)[0]
    accepted.decision = PairDecision.ACCEPTED
    session.flush()
    second = list_matching.match_list(session, SYSTEM, published.id)
    assert [(p.id, p.case_id, p.entry_id, p.band) for p in pairs_of(session, published.id)] == before
    assert session.get(ListPair, accepted.id).decision is PairDecision.ACCEPTED
    assert second.new_pairs == 0 and second.kept_decisions == 1
    assert check_of(session, accepted.case_id, published.id).result is SearchResult.FOUND


def test_a_new_case_is_matched_incrementally_against_every_stored_list(session):
    published = make_list(session, "Список", [KOVAL, *OTHERS])
    other = make_list(session, "Інший", OTHERS)
    list_matching.match_list(session, SYSTEM, published.id)
    assert pairs_of(session, published.id) == []
    latin = PersonName("Kovalenko", "Oleksandr", "Ivanovych", Script.LATIN)
    case = cases.create_case(session, SYSTEM, person(name=latin, birth_date=PartialDate(1991, 3, 14)))
    case.list_matching_consent = True
    session.flush()
    # The staff edit is the hook: the case is matched on the spot, the write stands.
    cases.update_person(
        session, SYSTEM, case.id, person(name=latin, birth_date=PartialDate(1991, 3, 14), unit="A1234")
    )
    (pair,) = pairs_of(session, published.id)
    assert pair.case_id == case.id and pair.decision is PairDecision.PENDING
    assert check_of(session, case.id, published.id).result is SearchResult.UNDER_REVIEW
    assert check_of(session, case.id, other.id).result is SearchResult.NO_CANDIDATE
    summary = list_matching.match_case(session, SYSTEM, case.id)
    assert summary.new_pairs == 0 and len(pairs_of(session, published.id)) == 1


def test_an_alias_finds_the_entry_written_under_it(session):
    alias = PersonName("Kowalenko", "Aleksander", None, Script.LATIN)
    case = consenting_case(
        session, "Шевчук", "Андрій", None, PartialDate(1991, 3, 14), alternative_names=(alias,)
    )
    published = make_list(
        session,
        "Латиницею",
        [
            {
                "last_name": "Kowalenko",
                "first_name": "Aleksander",
                "patronymic": None,
                "birth_date": "1991-03-14",
                "unit": None,
            },
            *OTHERS,
        ],
    )
    list_matching.match_case(session, SYSTEM, case.id)
    assert [p.case_id for p in pairs_of(session, published.id)] == [case.id]


def test_matching_is_for_staff(session):
    published = make_list(session, "Список", OTHERS)
    family = Actor(user_id=None, role=Role.FAMILY, name="family")
    with pytest.raises(Forbidden):
        list_matching.match_list(session, family, published.id)


def test_a_reviewers_decision_changes_the_engines_outcome_as_documented(session):
    """Labels override the model's bands (`linkage.model.band`): a confirmed pair is a link, a
    rejected one is dropped."""
    from kintrace.linkage.engines import make_api

    case = consenting_case(session, "Коваленко", "Олександр", None, None)
    published = make_list(
        session,
        "Без дат",
        [
            {
                "last_name": "Коваленко",
                "first_name": "О.",
                "patronymic": None,
                "birth_date": None,
                "unit": None,
            },
            *OTHERS,
        ],
    )
    (entry,) = entry_rows(session, published.id)[:1]
    api = make_api("duckdb")
    case_features, entry_features = list_scoring.features(
        records_frame(case_rows(session, [case.id]), "case"),
        records_frame(entry_rows(session, published.id), "list"),
    )
    model = list_scoring.fit(api, case_features, entry_features, None)

    def band(labels):
        pairs = list_scoring.predict(api, model, case_features, entry_features, labels)
        found = pairs[(pairs["case_id"] == case_record_id(case.id)) & (pairs["record_id"] == entry[0])]
        return None if found.empty else found["band"].iloc[0]

    import pandas as pd

    assert band(None) == "review"
    assert (
        band(
            pd.DataFrame({"case_id": [case_record_id(case.id)], "record_id": [entry[0]], "is_match": [True]})
        )
        == "link"
    )
    assert (
        band(
            pd.DataFrame({"case_id": [case_record_id(case.id)], "record_id": [entry[0]], "is_match": [False]})
        )
        is None
    )
    list_matching.match_list(session, SYSTEM, published.id)
    (pair,) = pairs_of(session, published.id)
    pair.decision = PairDecision.ACCEPTED
    session.flush()
    labels = list_matching.decided_labels(session, published.id, {case.id: [case_record_id(case.id)]}, {})
    assert labels is not None and labels.to_dict("records") == [
        {"case_id": case_record_id(case.id), "record_id": entry[0], "is_match": True}
    ]


def test_a_failing_match_never_undoes_the_case_write(session, monkeypatch, caplog):
    make_list(session, "Список", [KOVAL, *OTHERS])
    case = consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))

    def broken(*args, **kwargs):
        raise RuntimeError("the engine is down")

    monkeypatch.setattr(list_matching, "match_case", broken)
    edited = person("Коваленко", "Олександр", "Іванович", birth_date=PartialDate(1991, 3, 14), unit="А1234")
    with caplog.at_level("ERROR", logger="kintrace.services.list_matching"):
        cases.update_person(session, SYSTEM, case.id, edited)
    session.flush()
    assert session.get(type(case), case.id).person.unit == "А1234"
    assert "matching case" in caplog.text and "the engine is down" in caplog.text


def test_the_engine_is_warmed_on_two_identical_records_and_only_a_registry_with_lists_asks_for_it(
    session, connection
):
    from sqlalchemy.orm import sessionmaker

    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    assert list_matching.holds_lists(factory) is False
    make_list(session, "Полонені", [KOVAL])
    assert list_matching.holds_lists(factory) is True
    assert list_matching.warm_up() > 0  # raises if the engine did not link the two records
