"""Identifying columns beyond names, dates and units: recognised ones and `--extra COLUMN:KIND`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.linkage import model as lm
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.extras import Extra, extras_for, parse_extra
from kintrace.linkage.features import build_features
from kintrace.linkage.io import read_records, records_from_frame

DATA = Path(__file__).parents[1] / "data" / "linkage"


def test_parse_extra() -> None:
    assert parse_extra("Occupation:Category") == Extra("occupation", "category")
    assert parse_extra("postcode:exact") == Extra("postcode", "exact")
    for bad in ("occupation", "occupation:fuzzy", ":text", "last_name:text", "a b:text"):
        with pytest.raises(ValueError, match="--extra"):
            parse_extra(bad)


def test_recognised_columns_are_read_and_keyed_across_scripts(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "record_id,last_name,service_number,place_of_birth,sex,rank,father_name,mother_name,note\n"
        "A,Петренко,АВ-123456,Житомир,чол,солдат,Саша,Коваленко,x\n"
        "B,Petrenko,AB 123456,Zhytomyr,M,Солдат,Aleksandr,Kovalenko,y\n",
        encoding="utf-8",
    )
    rows = read_records(path)
    assert "note" not in rows.columns and "service_number" in rows.columns
    extras = extras_for(rows.columns)
    assert [e.column for e in extras] == [
        "service_number",
        "place_of_birth",
        "sex",
        "rank",
        "father_name",
        "mother_name",
    ]
    f = build_features(rows).set_index("unique_id")
    a, b = f.loc["A"], f.loc["B"]
    for column in (
        "x_service_number",
        "x_place_of_birth",
        "x_sex",
        "x_rank",
        "x_father_name",
        "x_mother_name",
    ):
        assert a[column] is not None and a[column] == b[column], column
    assert a["x_service_number"] == "AB123456" and a["x_sex"] == "m"


def test_a_requested_column_is_read_only_when_asked(tmp_path: Path) -> None:
    frame = pd.DataFrame({"record_id": ["A"], "last_name": ["Ли"], "occupation": ["Driver "]})
    assert "occupation" not in records_from_frame(frame).columns
    rows = records_from_frame(frame, extra_columns=["occupation"])
    f = build_features(rows, extras=extras_for(rows.columns, [Extra("occupation", "category")]))
    assert f["x_occupation"].tolist() == ["driver"]


def _with_service_numbers(
    frame: pd.DataFrame, owner: dict[str, int], share: float, seed: int
) -> pd.DataFrame:
    """Service numbers from the man's id, on a share of the records."""
    import random

    rng = random.Random(seed)
    out = frame.copy()
    out["service_number"] = [
        f"ВС-{100000 + owner[r]}" if rng.random() < share else "" for r in out["record_id"]
    ]
    return out


@pytest.fixture(scope="module")
def trained_with_service_numbers() -> tuple[lm.TrainedModel, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from benchmarks.linkage_data.generator import generate

    cases, records, truth, owner = generate(600, 1800, seed=11)
    cases = _with_service_numbers(cases, owner, 0.6, 1)
    records = _with_service_numbers(records, owner, 0.6, 2)
    cf = build_features(records_from_frame(cases))
    lf = build_features(records_from_frame(records))
    model = lm.fit(duckdb_api(), cf, lf)
    return model, cf, lf, truth


def test_the_service_number_is_learned_and_weighs_in(
    trained_with_service_numbers: tuple[lm.TrainedModel, pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    model, cf, lf, truth = trained_with_service_numbers
    assert Extra("service_number", "service_number") in model.extras
    comparison = next(
        c for c in model.splink_model["comparisons"] if c["output_column_name"] == "service_number"
    )
    exact = next(lv for lv in comparison["comparison_levels"] if lv.get("label_for_charts") == "exact")
    assert exact["m_probability"] / exact["u_probability"] > 1000
    pairs = lm.predict(duckdb_api(), model, cf, lf)
    assert {"service_number_level", "service_number_bf"} <= set(pairs.columns)
    links = pairs[pairs["band"] == "link"]
    true = set(zip(truth["case_id"], truth["record_id"], strict=True))
    by_number = links[links["service_number_level"] == "exact"]
    assert len(by_number) > 50
    assert all(k in true for k in zip(by_number["case_id"], by_number["record_id"], strict=True))
    # A different service number is evidence against.
    assert (pairs.loc[pairs["service_number_level"] == "different", "service_number_bf"] < 1).all()


def test_saved_model_keeps_its_extras(
    tmp_path: Path,
    trained_with_service_numbers: tuple[lm.TrainedModel, pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    model = trained_with_service_numbers[0]
    model.save(tmp_path / "m.json")
    assert lm.TrainedModel.load(tmp_path / "m.json") == model


def test_cli_rejects_a_malformed_extra(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "link",
            str(DATA / "cases.csv"),
            str(DATA / "list.csv"),
            "--out",
            str(tmp_path / "p.csv"),
            "--extra",
            "occupation",
        ],
    )
    assert result.exit_code == 2 and "COLUMN:KIND" in result.output
