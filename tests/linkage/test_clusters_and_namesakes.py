"""The same man listed twice is one candidate, not two rivals; a link on the name alone needs a rare
full name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kintrace.linkage import model as lm
from kintrace.linkage.clusters import CLUSTER_COLUMN, competing_row_pairs, connected
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import build_features
from kintrace.linkage.io import records_from_frame
from kintrace.linkage.namesakes import NAMESAKE_LIMIT, expected_namesakes, full_name_agrees
from kintrace.linkage.settings import COMPARISONS

COLUMNS = ["record_id", "last_name", "first_name", "patronymic", "birth_date", "unit"]


def scored(rows: list[tuple[str, str, float, float, str]]) -> pd.DataFrame:
    out = pd.DataFrame(
        rows, columns=["case_id", "record_id", "match_probability", "match_weight", CLUSTER_COLUMN]
    )
    for col in ["reasons"] + [f"{n}_{s}" for n in COMPARISONS for s in ("level", "bf")]:
        out[col] = ""
    return out


def bands(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    return frame.set_index(["case_id", "record_id"])["band"].to_dict()


def test_rows_of_one_man_do_not_compete_and_all_are_kept() -> None:
    pairs = scored(
        [
            ("A", "1", 0.999, 14.0, "1"),  # the man, with his date
            ("A", "2", 0.998, 13.5, "1"),  # the man again, in Latin: same cluster
            ("A", "3", 0.5, 0.5, "1"),  # a third entry too thin to pass alone: kept as a link
            ("B", "4", 0.97, 6.0, "4"),  # two different men within 10:1: both to review
            ("B", "5", 0.96, 5.5, "5"),
        ]
    )
    banded = lm.band(pairs, threshold=0.9, review_threshold=0.2)
    assert bands(banded) == {
        ("A", "1"): "link",
        ("A", "2"): "link",
        ("A", "3"): "link",
        ("B", "4"): "review",
        ("B", "5"): "review",
    }
    promoted = banded[banded["record_id"] == "3"].iloc[0]
    assert "another entry of the linked man" in promoted["reasons"]


def test_a_rival_counts_only_when_the_evidence_says_another_man() -> None:
    pairs = scored([("A", "1", 0.999, 12.0, "1"), ("A", "2", 0.99, 11.0, "2")])
    maybe_same = pd.DataFrame({"id_l": ["1"], "id_r": ["2"], "match_weight": [6.0]})
    other_man = pd.DataFrame({"id_l": ["1"], "id_r": ["2"], "match_weight": [-4.0]})
    assert set(bands(lm.band(pairs, 0.9, 0.2, row_pairs=maybe_same)).values()) == {"link"}
    assert set(bands(lm.band(pairs, 0.9, 0.2, row_pairs=other_man)).values()) == {"review"}
    # Without the row pairs every other cluster is another man (the rule before clustering).
    assert set(bands(lm.band(pairs, 0.9, 0.2)).values()) == {"review"}


def test_a_common_full_name_alone_is_not_a_link() -> None:
    pairs = scored([("A", "1", 0.95, 5.0, "1"), ("B", "2", 0.95, 5.0, "2")])
    pairs["namesakes_expected"] = [NAMESAKE_LIMIT * 50, NAMESAKE_LIMIT / 10]
    assert bands(lm.band(pairs, 0.7, 0.2)) == {("A", "1"): "review", ("B", "2"): "link"}


def test_connected_rows_and_competing_pairs() -> None:
    ids = pd.Series(["a", "b", "c", "d"])
    edges = pd.DataFrame({"id_l": ["b", "c"], "id_r": ["c", "a"]})
    assert list(connected(ids, edges)) == ["a", "a", "a", "d"]
    pairs = pd.DataFrame({"case_id": ["X", "X", "X", "Y"], "record_id": ["3", "1", "2", "1"]})
    found = competing_row_pairs(pairs)
    assert set(zip(found["id_l"], found["id_r"], strict=True)) == {("1", "2"), ("1", "3"), ("2", "3")}


def features(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    return build_features(records_from_frame(pd.DataFrame(rows, columns=COLUMNS)))


def _crowd(n: int, start: int) -> list[tuple[str, ...]]:
    """Other men: rare surnames, so the names below are the only common ones."""
    rng = np.random.default_rng(start)
    syllables = ["ко", "ри", "ша", "ву", "ле", "ном", "дар", "сик", "тун", "ляк"]
    out: list[tuple[str, ...]] = []
    for i in range(n):
        surname = "".join(rng.choice(syllables, 3)).capitalize() + "енко"
        out.append((f"X{start + i}", surname, "Пётр", "Ильич", f"{1960 + i % 40}-0{1 + i % 9}-1{i % 9}", ""))
    return out


def test_expected_namesakes_grow_with_the_full_names_frequency() -> None:
    common = ("Иванов", "Александр", "Сергеевич", "", "")
    cases = features([("C1", *common), ("C2", "Щербатюк", "Ярослав", "Тарасович", "", ""), *_crowd(40, 100)])
    listed = [(f"L{i}", *common) for i in range(30)] + [
        ("L99", "Shcherbatiuk", "Iaroslav", "Tarasovych", "", "")
    ]
    records = features(listed + _crowd(300, 1000))
    pairs = pd.DataFrame({"case_id": ["C1", "C2"], "record_id": ["L0", "L99"]})
    lam = expected_namesakes(pairs, cases, records)
    assert lam.iloc[0] > 1  # thirty Ivanovs Aleksandr Sergeevich on the list
    assert lam.iloc[1] < NAMESAKE_LIMIT


@pytest.fixture(scope="module")
def listed_twice() -> pd.DataFrame:
    """A case whose man is on the list twice (Cyrillic with his date, Latin without), and a case
    whose only candidates are two different men of his name."""
    cases = features(
        [
            ("C1", "Щербатюк", "Ярослав", "Тарасович", "12.05.1990", "в/ч 12345"),
            ("C2", "Гринчишин", "Богдан", "Остапович", "1985", ""),
            *_crowd(30, 100),
        ]
    )
    records = features(
        [
            ("L1", "Щербатюк", "Ярослав", "Тарасович", "12.05.1990", "в/ч 12345"),
            ("L2", "Shcherbatiuk", "Iaroslav", "Tarasovych", "", "military unit 12345"),
            ("L3", "Гринчишин", "Богдан", "Остапович", "03.02.1985", "в/ч 55555"),
            ("L4", "Гринчишин", "Богдан", "Остапович", "1985-11-30", "в/ч 77777"),
            *_crowd(200, 1000),
        ]
    )
    api = duckdb_api()
    model = lm.fit(api, cases, records)
    return lm.predict(api, model, cases, records)


def test_the_man_listed_twice_is_linked_on_both_rows(listed_twice: pd.DataFrame) -> None:
    mine = listed_twice[listed_twice["case_id"] == "C1"]
    assert bands(mine) == {("C1", "L1"): "link", ("C1", "L2"): "link"}
    assert mine[CLUSTER_COLUMN].nunique() == 1


def test_two_different_men_still_compete(listed_twice: pd.DataFrame) -> None:
    theirs = listed_twice[listed_twice["case_id"] == "C2"]
    assert set(theirs["record_id"]) == {"L3", "L4"}
    assert set(theirs["band"]) == {"review"}
    assert theirs[CLUSTER_COLUMN].nunique() == 2


def test_only_an_exact_surname_counts_as_a_full_name() -> None:
    pairs = pd.DataFrame(
        {
            "surname_level": ["exact", "one_typo", "swapped", "exact"],
            "given_name_level": ["initial", "exact", "exact", "exact"],
            "patronymic_level": ["missing", "exact", "exact", "different"],
        }
    )
    assert list(full_name_agrees(pairs)) == [True, False, True, False]
