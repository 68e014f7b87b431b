"""Per-field reasons for a scored pair: which level each field reached and its Bayes factor.

Splink 5 writes `gamma_<comparison>` (the level reached) and `mw_<comparison>` (its match weight,
log2 of the Bayes factor, plus `mw_tf_adj_<comparison>` where the level is term-frequency adjusted).
A reviewer reads labels ("surname=exact x412") rather than numbers, so labels come from the model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kintrace.linkage.settings import COMPARISONS


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison name -> gamma value -> level label, as Splink numbers levels (null is -1,
    then the highest level gets the largest gamma)."""
    out: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level", False)]
        table: dict[int, str] = {-1: "missing"}
        for rank, level in enumerate(non_null):
            table[len(non_null) - 1 - rank] = level.get("label_for_charts") or level["sql_condition"]
        out[comparison["output_column_name"]] = table
    return out


def add_reasons(pairs: pd.DataFrame, model: dict[str, Any]) -> pd.DataFrame:
    """Add `<field>_level`, `<field>_bf` and a one-line `reasons` summary to Splink predictions."""
    labels = level_labels(model)
    summary_parts: list[pd.Series] = []
    for name in comparison_names(model):
        gamma = pairs[f"gamma_{name}"].astype(int)
        weight = pairs[f"mw_{name}"].astype(float)
        tf_col = f"mw_tf_adj_{name}"
        if tf_col in pairs.columns:
            weight = weight + pairs[tf_col].astype(float).fillna(0.0)
        bf = np.exp2(weight)
        pairs[f"{name}_level"] = gamma.map(labels[name])
        pairs[f"{name}_bf"] = bf.round(4)
        informative = gamma != -1
        text = name + "=" + pairs[f"{name}_level"] + " x" + bf.map(_fmt_bf)
        summary_parts.append(text.where(informative, ""))
    joined = pd.concat(summary_parts, axis=1).agg(lambda row: "; ".join(p for p in row if p), axis=1)
    pairs["reasons"] = joined if len(pairs) else pd.Series([], dtype=object)
    return pairs


def comparison_names(model: dict[str, Any]) -> list[str]:
    """The model's comparisons in order: the five of every model, then its extra columns."""
    return [c["output_column_name"] for c in model["comparisons"]]


def reason_columns(names: Sequence[str] = COMPARISONS) -> list[str]:
    cols = ["reasons"]
    for name in names:
        cols += [f"{name}_level", f"{name}_bf"]
    return cols


def reason_columns_of(pairs: pd.DataFrame) -> list[str]:
    """The reasons columns a frame of pairs carries: the five comparisons and any extra ones."""
    extra = [c.removesuffix("_level") for c in pairs.columns if c.endswith("_level")]
    return reason_columns([*COMPARISONS, *(n for n in extra if n not in COMPARISONS)])


def _fmt_bf(value: float) -> str:
    if not np.isfinite(value) or value <= 0:
        return "0"
    if value >= 10:
        return f"{value:.0f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"1/{1 / value:.0f}" if math.isfinite(1 / value) else "0"
