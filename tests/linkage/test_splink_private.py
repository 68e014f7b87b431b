"""Splink's private attributes kintrace relies on (`splink_private`) still exist in the installed
Splink: an upgrade that renames one fails here, by name, not as a silently wrong model."""

from __future__ import annotations

import pandas as pd

from kintrace.linkage import splink_private
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import build_features
from kintrace.linkage.io import records_from_frame
from kintrace.linkage.settings import settings


def test_every_private_attribute_used_exists() -> None:
    from splink import Linker

    frame = records_from_frame(
        pd.DataFrame({"record_id": ["a", "b"], "last_name": ["Иванов", "Петров"], "birth_date": ["1990", ""]})
    )
    features = build_features(frame)
    linker = Linker(duckdb_api().register(features), settings("dedupe_only"))
    owners = {"Linker": linker, "Settings": linker._settings_obj}
    comparison = linker._settings_obj.comparisons[0]
    owners["Comparison"] = comparison
    owners["ComparisonLevel"] = comparison.comparison_levels[1]
    missing = [
        f"{owner}.{name}"
        for owner, names in splink_private.USED.items()
        for name in names
        if not hasattr(owners[owner], name)
    ]
    assert not missing, f"Splink no longer has {missing}: update kintrace/linkage/splink_private.py"


def test_the_adapter_reads_and_writes_what_it_says() -> None:
    from splink import Linker

    features = build_features(records_from_frame(pd.DataFrame({"record_id": ["a"], "last_name": ["Иванов"]})))
    linker = Linker(duckdb_api().register(features), settings("dedupe_only"))
    splink_private.set_prior(linker, 0.25)
    assert splink_private.prior(linker) == 0.25
    saved = splink_private.snapshot(linker)
    splink_private.restore(linker, saved)
    names = [c.output_column_name for c in splink_private.comparisons(linker)]
    assert names[:5] == ["surname", "given_name", "patronymic", "birth_date", "unit"]
    level = next(iter(splink_private.comparisons(linker))).comparison_levels[1]
    assert splink_private.m_is_trained(level) in (True, False)
