"""The model on a small hand-made Cyrillic/Latin set: the right men linked, the namesake not; the
features each name rule produces; banding; reviewed pairs; training on generated data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kintrace.linkage import model as lm
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import ALL_RULES, FeatureRules, build_features
from kintrace.linkage.io import read_records, records_from_frame
from kintrace.linkage.settings import COMPARISONS

DATA = Path(__file__).parents[1] / "data" / "linkage"
EXPECTED = {("C1", "L01"), ("C2", "L02"), ("C4", "L04"), ("C5", "L05"), ("C6", "L06")}


@pytest.fixture(scope="module")
def features() -> tuple[pd.DataFrame, pd.DataFrame]:
    return build_features(read_records(DATA / "cases.csv")), build_features(read_records(DATA / "list.csv"))


@pytest.fixture(scope="module")
def pairs(features: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    cases, records = features
    api = duckdb_api()
    model = lm.fit(api, cases, records)
    return lm.predict(api, model, cases, records)


def links(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    chosen = pairs[pairs["band"] == "link"]
    return set(zip(chosen["case_id"], chosen["record_id"], strict=True))


def test_links_the_right_men_across_scripts(pairs: pd.DataFrame) -> None:
    assert links(pairs) == EXPECTED


def test_namesake_is_not_linked(pairs: pd.DataFrame) -> None:
    namesake = pairs[(pairs["case_id"] == "C3") & (pairs["record_id"] == "L03")]
    assert namesake.empty or (namesake["band"] != "link").all()
    assert "C7" not in set(pairs["case_id"])


def test_reasons_say_which_fields_agreed(pairs: pd.DataFrame) -> None:
    c5 = pairs[pairs["case_id"] == "C5"].iloc[0]
    assert c5["surname_level"] == "exact" and c5["given_name_level"] == "exact"
    assert c5["birth_date_level"] == "swapped_day_month" and c5["birth_date_bf"] > 100
    assert "birth_date=swapped_day_month" in c5["reasons"]
    c6 = pairs[pairs["case_id"] == "C6"].iloc[0]
    assert c6["unit_level"] == "exact"
    for name in COMPARISONS:
        assert {f"{name}_level", f"{name}_bf"} <= set(pairs.columns)


def frame(rows: list[tuple[str, str, str, str, str, str]]) -> pd.DataFrame:
    cols = ["record_id", "last_name", "first_name", "patronymic", "birth_date", "unit"]
    return build_features(records_from_frame(pd.DataFrame(rows, columns=cols)))


def test_features_of_each_name_rule() -> None:
    f = frame(
        [
            ("a", "Щербаков", "Юра", "Алексеевич", "12.05.1990", "в/ч 12345"),
            ("b", "Shcherbakov", "Iurii", "Oleksiiovych", "1990-12-05", "military unit 12345"),
            ("c", "Юрий", "Щербаков", "", "1990", ""),  # first and last swapped
            ("d", "Щербаков", "Ю.", "О.", "05/1990", ""),  # initials; a Ukrainian patronymic initial
        ]
    ).set_index("unique_id")
    a, b, c, d = (f.loc[k] for k in "abcd")
    assert a["last_key"] == b["last_key"] == c["last_key"] == d["last_key"]
    assert a["first_canon"] == b["first_canon"] == c["first_canon"]  # diminutive, Latin, swapped
    assert a["patr_canon"] == b["patr_canon"]  # Russian and Ukrainian forms
    assert d["first_canon"] is None and d["first_is_initial"] == "1"
    assert d["patr_initial"] in a["patr_initials"]  # "О." abbreviates Алексеевич in Ukrainian
    assert (a["birth_date"], a["birth_date_swapped"]) == ("1990-05-12", "1990-12-05")
    assert a["birth_date_swapped"] == b["birth_date"]
    assert (c["birth_year"], c["birth_ym"], c["birth_date"]) == ("1990", None, None)
    assert (d["birth_ym"], d["birth_date"]) == ("1990-05", None)
    assert a["unit"] == b["unit"] == "12345" and c["unit"] is None


def test_switching_a_rule_off_removes_its_evidence() -> None:
    rows = [("a", "Щербаков", "Саша", "Алексеевич", "12.05.1990", "в/ч 12345")]
    on = frame(rows).iloc[0]
    off = build_features(
        records_from_frame(
            pd.DataFrame(
                rows, columns=["record_id", "last_name", "first_name", "patronymic", "birth_date", "unit"]
            )
        ),
        ALL_RULES.without("given_name_forms").without("units").without("date_tolerance"),
    ).iloc[0]
    assert on["first_canon"] == "aleksandr" and off["first_canon"] != "aleksandr"
    assert on["unit"] == "12345" and off["unit"] is None
    assert on["birth_date_swapped"] is not None and off["birth_date_swapped"] is None
    with pytest.raises(ValueError, match="unknown feature rule"):
        ALL_RULES.without("soundex")
    assert "cross_script_keys" in FeatureRules.names()


def scored(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["case_id", "record_id", "match_probability", "match_weight"])
    for col in ["reasons"] + [f"{n}_{s}" for n in COMPARISONS for s in ("level", "bf")]:
        out[col] = ""
    return out


def test_bands_and_rival_candidates() -> None:
    pairs = scored(
        [
            ("A", "1", 0.999, 12.0),  # clear winner over a weaker rival that also passes
            ("A", "2", 0.95, 4.0),
            ("B", "3", 0.97, 6.0),  # two near-equal candidates: both to review
            ("B", "4", 0.96, 5.5),
            ("C", "5", 0.5, 0.0),  # review band
            ("D", "6", 0.1, -3.0),  # dropped
        ]
    )
    banded = lm.band(pairs, threshold=0.9, review_threshold=0.2).set_index(["case_id", "record_id"])["band"]
    assert banded.to_dict() == {
        ("A", "1"): "link",
        ("A", "2"): "review",
        ("B", "3"): "review",
        ("B", "4"): "review",
        ("C", "5"): "review",
    }
    with pytest.raises(ValueError, match="review threshold"):
        lm.band(pairs, threshold=0.5, review_threshold=0.8)


def test_reviewers_decisions_override_the_model() -> None:
    pairs = scored([("A", "1", 0.99, 10.0), ("B", "2", 0.5, 0.0)])
    labels = pd.DataFrame({"case_id": ["A", "B"], "record_id": ["1", "2"], "is_match": [False, True]})
    banded = lm.band(pairs, labels=labels)
    assert list(zip(banded["case_id"], banded["band"], strict=True)) == [("B", "link")]


def test_model_round_trips_through_json(tmp_path: Path) -> None:
    model = lm.bundled_model()
    model.save(tmp_path / "m.json")
    again = lm.TrainedModel.load(tmp_path / "m.json")
    assert again == model
    sized = model.for_inputs(100, 1000, "link_only")
    assert sized.splink_model["probability_two_random_records_match"] == pytest.approx(0.5 * 100 / 100_000)
    with pytest.raises(ValueError, match="not a kintrace linkage model"):
        lm.TrainedModel.from_json({"comparisons": []})


def test_training_on_generated_lists_finds_the_men() -> None:
    from benchmarks.linkage_data.generator import generate

    cases, records, truth, _ = generate(600, 1800, seed=3)
    cf = build_features(records_from_frame(cases))
    lf = build_features(records_from_frame(records))
    api = duckdb_api()
    model = lm.train(api, cf, lf)
    m = {c["output_column_name"]: c for c in model.splink_model["comparisons"]}
    exact_date = next(
        lv for lv in m["birth_date"]["comparison_levels"] if lv.get("label_for_charts") == "exact"
    )
    assert exact_date["m_probability"] / exact_date["u_probability"] > 100
    surname = {lv.get("label_for_charts"): lv for lv in m["surname"]["comparison_levels"]}
    # Names written the other way round weigh what names written the right way do.
    for key in ("m_probability", "u_probability"):
        assert surname["swapped"][key] == surname["exact"][key]
    pairs = lm.predict(api, model, cf, lf)
    linked = links(pairs)
    true = set(zip(truth["case_id"], truth["record_id"], strict=True))
    assert len(linked & true) / len(linked) >= 0.97
    assert len(linked & true) / len(true) >= 0.6


def test_training_without_dates_or_units_borrows_what_it_cannot_learn() -> None:
    from benchmarks.linkage_data.generator import generate

    cases, records, _, _ = generate(500, 1000, seed=4)
    for frame in (cases, records):
        frame["birth_date"] = ""
        frame["unit"] = ""
    cf = build_features(records_from_frame(cases))
    lf = build_features(records_from_frame(records))
    model = lm.train(duckdb_api(), cf, lf)
    names = {c["output_column_name"]: c for c in model.splink_model["comparisons"]}
    assert set(names) == set(COMPARISONS)
    for comparison in names.values():
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 < level["m_probability"] <= 1
    exact = next(lv for lv in names["surname"]["comparison_levels"] if lv.get("label_for_charts") == "exact")
    assert exact["m_probability"] > 0.5  # learned from the bundled model, not left at the floor


def test_training_from_reviewed_pairs() -> None:
    from benchmarks.linkage_data.generator import generate

    cases, records, truth, _ = generate(500, 1200, seed=6)
    cf = build_features(records_from_frame(cases))
    lf = build_features(records_from_frame(records))
    labels = truth.rename(columns={"distinguishable": "is_match"}).assign(is_match=True)
    model = lm.train(duckdb_api(), cf, lf, labels=labels)
    names = {c["output_column_name"]: c for c in model.splink_model["comparisons"]}
    date_levels = {lv.get("label_for_charts"): lv for lv in names["birth_date"]["comparison_levels"]}
    # m from the confirmed pairs: the share of true links whose full dates agree, as the generator writes
    # them (about 0.45 of list dates are full and unchanged, less where the case lacks a full date).
    assert 0.2 < date_levels["exact"]["m_probability"] < 0.6
    assert date_levels["different"]["m_probability"] < 0.05


def _pair_levels(case: tuple[str, ...], listed: tuple[str, ...]) -> pd.Series | None:
    cases, records = frame([case]), frame([listed])
    api = duckdb_api()
    pairs = lm.predict(api, lm.fit(api, cases, records), cases, records, review_threshold=0.0)
    return None if pairs.empty else pairs.iloc[0]


def test_year_off_by_one_with_the_same_birthday_is_found_and_weighed() -> None:
    # A year computed from an age: the birthday agrees, the year is one out, and no other key but the
    # surname and that birthday is shared (the list gives an initial only).
    pair = _pair_levels(
        ("c", "Андрущенко", "Николай", "", "1980-08-01", ""), ("l", "Андрущенко", "Н.", "", "01.08.1979", "")
    )
    assert pair is not None and pair["birth_date_level"] == "same_day_year_off_by_one"
    assert pair["birth_date_bf"] > 1
    other_year = _pair_levels(
        ("c", "Андрущенко", "Николай", "", "1980-08-01", ""), ("l", "Андрущенко", "Н.", "", "01.08.1972", "")
    )
    assert other_year is None or other_year["birth_date_level"] == "different"


def test_partial_year_off_by_one_is_its_own_level() -> None:
    pair = _pair_levels(
        ("c", "Веселенко", "Богдан", "Михайлович", "1996", ""),
        ("l", "Веселенко", "Богдан", "Михайлович", "04.09.1995", ""),
    )
    assert pair is not None and pair["birth_date_level"] == "year_off_by_one_partial"


def test_initial_only_list_entry_meets_its_full_name() -> None:
    # No date, no unit: only the surname and the initial are shared, which the initial-only block finds.
    pair = _pair_levels(("c", "Сивокюк", "Евгений", "Ю.", "", ""), ("l", "Сивокюк", "Е.", "Юрьевич", "", ""))
    assert pair is not None and pair["given_name_level"] == "initial"


def test_name_only_blocks_skip_namesakes_whose_years_rule_them_out() -> None:
    # Blocks on names alone grow with the square of the population; they only score pairs whose
    # birth years leave the link open (one year missing, or at most one apart).
    case = ("c", "Иванов", "Александр", "Сергеевич", "1990-03-01", "")
    assert _pair_levels(case, ("l", "Иванов", "Александр", "Сергеевич", "1975-07-11", "")) is None
    open_year = _pair_levels(case, ("l", "Иванов", "Александр", "Сергеевич", "", ""))
    assert open_year is not None and open_year["surname_level"] == "exact"
    near_year = _pair_levels(case, ("l", "Иванов", "Александр", "Сергеевич", "1991-11-20", ""))
    assert near_year is not None


def test_typo_blocks_pair_only_near_surnames() -> None:
    # Given name and birth year shared: a mistyped surname is paired, a different surname is not.
    case = ("c", "Щербаков", "Юрий", "", "1990", "")
    typo = _pair_levels(case, ("l", "Щербакво", "Юрий", "", "1990", ""))
    assert typo is not None and typo["surname_level"] == "one_typo"
    # Same first letter, so only the surname-distance condition keeps this pair out.
    assert _pair_levels(case, ("l", "Шевченко", "Юрий", "", "1990", "")) is None


def test_latin_initials_of_two_letters_are_initials() -> None:
    # "Ye." abbreviates Yegor/Егор in a passport-style list; read as a name it would count as a
    # different given name (about 1/200) and push the true man out of review.
    f = frame([("l", "Tarnenko", "Ye.", "YU.", "", "")]).iloc[0]
    assert (f["first_is_initial"], f["patr_is_initial"]) == ("1", "1")
    pair = _pair_levels(
        ("c", "Tarnenko", "Yegor", "Yuriyevich", "09.12.1988", ""), ("l", "Tarnenko", "Ye.", "YU.", "", "")
    )
    assert pair is not None
    assert (pair["given_name_level"], pair["patronymic_level"]) == ("initial", "initial")


def test_swapped_day_and_month_against_a_partial_date() -> None:
    # The family knows "11/1986"; the list has 11.02.1986, day and month the other way round.
    pair = _pair_levels(
        ("c", "Комарук", "Александр", "Сергеевич", "1986-11", ""),
        ("l", "Комарук", "Александр", "", "11.02.1986", ""),
    )
    assert pair is not None and pair["birth_date_level"] == "swapped_year_month_partial"
    assert pair["birth_date_bf"] > 1


def test_surname_and_year_block_skips_men_with_another_given_name() -> None:
    # Same surname, same year: a diminutive or an initial of his name is scored, another name is not
    # (two different full given names put a pair below review whatever else agrees).
    case = ("c", "Иванов", "Александр", "", "1990", "")
    assert _pair_levels(case, ("l", "Иванов", "Пётр", "", "1990", "")) is None
    for first in ("Саша", "Олександр", "A."):
        assert _pair_levels(case, ("l", "Иванов", first, "", "1990", "")) is not None, first


def test_names_written_the_other_way_round_are_paired() -> None:
    pair = _pair_levels(("c", "Щербаков", "Юрий", "", "", ""), ("l", "Юрий", "Щербаков", "", "", ""))
    assert pair is not None and pair["surname_level"] == "exact"


def test_a_typo_in_a_rare_surname_weighs_more_than_one_in_a_common_surname() -> None:
    # Thirty Ивановs and one Щербаков on the cases side; the list mistypes each once. A random man
    # is thirty times likelier to be an Иванов, so "Иваноы" is thirty times weaker evidence than
    # "Щербакоы": the one-typo level is scaled by the surname's frequency against the exact level.
    given = ["Пётр", "Олег", "Иван", "Павел", "Роман", "Борис"]
    cases = frame(
        [(f"c{i}", "Иванов", given[i % 6], "", f"{1960 + i}-01-01", "") for i in range(30)]
        + [("s", "Щербаков", "Тарас", "", "1991-05-05", "")]
    )
    records = frame([("li", "Иваноы", "Пётр", "", "1960", ""), ("ls", "Щербакоы", "Тарас", "", "1991", "")])
    api = duckdb_api()
    model = lm.bundled_model().for_inputs(len(cases), len(records), "link_only")
    pairs = lm.predict(api, model, cases, records, review_threshold=0.0).set_index(["case_id", "record_id"])
    common, rare = pairs.loc[("c0", "li")], pairs.loc[("s", "ls")]
    assert common["surname_level"] == rare["surname_level"] == "one_typo"
    assert rare["surname_bf"] / common["surname_bf"] == pytest.approx(30, rel=1e-3)
    levels = {lv.get("label_for_charts"): lv for lv in _surname_levels(model)}
    typo, exact = levels["one_typo"], levels["exact"]
    # Against the exact level's u, the factor is the level's own m/u times u_exact / frequency.
    frequency = 1 / (len(cases) + len(records))
    expected = typo["m_probability"] / typo["u_probability"] * exact["u_probability"] / frequency
    assert rare["surname_bf"] == pytest.approx(expected, rel=1e-3)


def _surname_levels(model: lm.TrainedModel) -> list[dict]:
    (surname,) = [c for c in model.splink_model["comparisons"] if c["output_column_name"] == "surname"]
    return [lv for lv in surname["comparison_levels"] if not lv.get("is_null_level")]
