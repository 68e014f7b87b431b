"""Pairs that names alone can never bring to review, and so need not be scored.

A block on names alone ("Иванов Александр", either birth year missing) pairs every namesake with
every other, and grows with the square of the inputs. Where a pair gives no birth year on one side and
no unit on one side, its match weight is the sum of its three name comparisons and nothing else. Each
record's best possible name weight is known before any pair is formed: each level's Bayes factor with
the record's own term frequency (Splink adjusts by the commoner of the two values, so a partner can
only lower it). If that best weight, at the prior of these inputs, cannot reach the review threshold,
no partner in a names-only block can, and the block skips the record.

The bound is exact in the model's own terms, so pruning never drops a pair that would have reached
review; it only stops Splink scoring pairs that could not. It prunes nothing on small inputs, where
the prior is high, and most of a names-only block at five million rows, where a common name is shared
by thousands of men who are other people.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

NAME_COMPARISONS = ("surname", "given_name", "patronymic")

# The bound is computed here and Splink's own term frequencies may differ in the last digits; half a
# bit of slack keeps every pair that could come within a whisker of the threshold.
SLACK_BITS = 0.5

# "1" where the record's best name weight reaches the floor, else "0".
NAMES_REACH_COLUMN = "names_reach"


def names_floor(splink_model: dict[str, Any], review_threshold: float) -> float:
    """The name weight (log2 Bayes factor) a pair needs to reach `review_threshold` at the model's
    prior, less the slack."""
    prior = float(splink_model["probability_two_random_records_match"])
    threshold = min(max(review_threshold, 1e-12), 1 - 1e-12)
    needed = math.log2(threshold / (1 - threshold)) - math.log2(prior / (1 - prior))
    return needed - SLACK_BITS


def _term_frequencies(frames: list[pd.DataFrame], column: str) -> dict[str, float]:
    values = pd.concat([f[column] for f in frames], ignore_index=True).dropna()
    if values.empty:
        return {}
    counts = values.value_counts()
    return (counts / counts.sum()).to_dict()


def _exact_u(levels: list[dict[str, Any]], column: str) -> float | None:
    """The u of the level that is a plain exact match on `column`, as Splink finds it."""
    quote = '["`]?'  # DuckDB quotes names with "...", Spark with `...`
    col = re.escape(column)
    plain = re.compile(rf"^\s*{quote}{col}_l{quote}\s*=\s*{quote}{col}_r{quote}\s*$", re.IGNORECASE)
    for level in levels:
        if plain.match(level.get("sql_condition", "")):
            return level.get("u_probability")
    return None


def _level_bound(
    level: dict[str, Any], levels: list[dict[str, Any]], frame: pd.DataFrame, tf: dict[str, dict[str, float]]
) -> np.ndarray:
    """log2 of this level's largest Bayes factor for each record (-inf where it cannot be reached).

    Splink scales a level by the value's frequency against the u of its comparison's exact level on
    that column, or against the level's own u where exact-match detection is off."""
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:
        return np.full(len(frame), -np.inf)
    base = math.log2(m / u)
    column = level.get("tf_adjustment_column")
    weight = float(level.get("tf_adjustment_weight", 1.0)) if column else 0.0
    if not column or weight == 0:
        return np.full(len(frame), base)
    u_base = u if level.get("disable_tf_exact_match_detection") else _exact_u(levels, column)
    if not u_base:
        raise ValueError(f"no exact match level on {column!r} to scale {level.get('label_for_charts')!r} by")
    own = frame[column].map(tf[column]).to_numpy(dtype=float)
    # A record without a value cannot reach a level that compares that value.
    return np.where(
        np.isnan(own), -np.inf, base + weight * (math.log2(u_base) - np.log2(np.where(own > 0, own, 1)))
    )


def names_bound(
    cases: pd.DataFrame, records: pd.DataFrame | None, splink_model: dict[str, Any]
) -> list[np.ndarray]:
    """Each record's best possible name weight (log2), per frame."""
    frames = [cases] if records is None else [cases, records]
    comparisons = [c for c in splink_model["comparisons"] if c["output_column_name"] in NAME_COMPARISONS]
    columns = {
        lv["tf_adjustment_column"]
        for c in comparisons
        for lv in c["comparison_levels"]
        if lv.get("tf_adjustment_column")
    }
    tf = {col: _term_frequencies(frames, col) for col in columns}
    out = []
    for frame in frames:
        total = np.zeros(len(frame))
        for comparison in comparisons:
            levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
            # A missing value is the null level, a factor of 1: the best is never below that.
            best = np.zeros(len(frame))
            for level in levels:
                best = np.maximum(best, _level_bound(level, levels, frame, tf))
            total += best
        out.append(total)
    return out


def with_names_reach(
    cases: pd.DataFrame, records: pd.DataFrame | None, splink_model: dict[str, Any], floor: float
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Both frames with `names_reach`: "1" where the record's best name weight reaches `floor`.
    A flag rather than the number: it is compared in every candidate pair, and comparing two short
    strings costs both engines far less than casting two to numbers."""
    out = []
    for frame, bound in zip((cases, records), names_bound(cases, records, splink_model), strict=False):
        flagged = frame.copy(deep=False)  # shares the columns: the flag is all that is added
        flagged[NAMES_REACH_COLUMN] = np.where(bound >= floor, "1", "0").astype(object)
        out.append(flagged)
    return out[0], (out[1] if records is not None else None)
