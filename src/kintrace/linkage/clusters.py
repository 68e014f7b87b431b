"""The same man listed twice: rows of one list that are one person, found before links compete.

Published lists repeat people (two spellings, two scripts, once with a date and once without).
Without this, a case whose man is listed twice has two strong candidates, and the rule that sends
namesakes competing for one case to review would demote both. Here the rows that compete for any
case are scored against each other by Splink (dedupe, with the link model's own comparisons, m and
u, and the list's own term frequencies) and rows at or above `CLUSTER_THRESHOLD` join one cluster;
competition is then between clusters (different men), not between rows.

Only rows that are candidates of one case are compared: that is every pair competition can be
about, and it keeps a million-row list from a full self-join.

Two rows that do not join one cluster are not always two men: "Стульов С., 11.06.1988" and
"Stulʹov Sergej Dmitrievič" without a date share too little to be merged, and nothing says they are
different. Competition (`model.band`) therefore counts a rival only when the evidence between the two
rows is against their being one man: all of it (a match weight below 0), or what is not names (two
different birth dates or units: namesakes agree on their names by definition).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from kintrace.linkage.engines import register_frame

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPISubClass

# A wrong merge puts a namesake in the man's cluster and so hands him to the family too: merging
# needs at least this probability that the two rows are one man.
CLUSTER_THRESHOLD = 0.95

# The chance that two rows of a list are the same man: published lists repeat up to about a tenth of
# their men, so about 2 x 0.1 / n for a list of n rows.
REPEAT_SHARE = 0.1

CLUSTER_COLUMN = "list_cluster"


def competing_row_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs of list rows (`id_l` < `id_r`) that are candidates of one case."""
    by_case = pairs[["case_id", "record_id"]].drop_duplicates()
    crowded = by_case.groupby("case_id")["record_id"].transform("size") > 1
    by_case = by_case[crowded]
    if by_case.empty:
        return pd.DataFrame({"id_l": pd.Series([], dtype=object), "id_r": pd.Series([], dtype=object)})
    joined = by_case.merge(by_case, on="case_id", suffixes=("_l", "_r"))
    joined = joined[joined["record_id_l"] < joined["record_id_r"]]
    out = joined[["record_id_l", "record_id_r"]].drop_duplicates()
    return out.rename(columns={"record_id_l": "id_l", "record_id_r": "id_r"}).reset_index(drop=True)


def score_row_pairs(
    api: DatabaseAPISubClass,
    settings_dict: dict[str, Any],
    records: pd.DataFrame,
    row_pairs: pd.DataFrame,
) -> pd.DataFrame:
    """Splink's probability that each pair of list rows is one man (`id_l, id_r, match_probability,
    match_weight`: the weight of the evidence, without the prior; `other_weight`: the part of it
    that is not names).

    `settings_dict` is the link model as dedupe settings in the engine's dialect; `records` the whole
    list's features (so the term frequencies are the list's own)."""
    from splink import Linker

    if row_pairs.empty:
        return row_pairs.assign(
            match_probability=pd.Series([], dtype=float),
            match_weight=pd.Series([], dtype=float),
            other_weight=pd.Series([], dtype=float),
        )
    n = len(records)
    prior = min(0.5, 2 * REPEAT_SHARE / max(n, 1))
    settings_dict = {
        **settings_dict,
        "link_type": "dedupe_only",
        "probability_two_random_records_match": prior,
    }
    table = register_frame(api, records, "list_rows")
    linker = Linker(table, settings_dict, log_level=logging.ERROR, validate_settings=False)
    blocked = pd.DataFrame(
        {"match_key": "0", "join_key_l": row_pairs["id_l"], "join_key_r": row_pairs["id_r"]}
    ).astype(str)
    registered = register_frame(api, blocked, "row_pairs")
    linker.table_management.register_blocked_pairs_for_predict(registered)
    scored = linker.inference.predict(warning_mode="never")
    frame = scored.as_pandas_dataframe()
    scored.drop_table_from_database_and_remove_from_cache()
    names = ("surname", "given_name", "patronymic")
    others = [c for c in frame.columns if c.startswith("mw_") and not c.startswith("mw_tf_adj_")]
    others = [c for c in others if c.removeprefix("mw_") not in names]
    other_weight = frame[others].astype(float).fillna(0.0).sum(axis=1) if others else 0.0
    return pd.DataFrame(
        {
            "id_l": frame["unique_id_l"].astype(str),
            "id_r": frame["unique_id_r"].astype(str),
            "match_probability": frame["match_probability"].astype(float),
            # The evidence alone: Splink's match weight includes the prior, which for two rows of a
            # long list is far below even odds and would make every pair look like two men.
            "match_weight": frame["match_weight"].astype(float) - math.log2(prior / (1 - prior)),
            # The evidence beside the names (date, unit): below 0 when they disagree.
            "other_weight": other_weight,
        }
    )


def connected(ids: pd.Series, edges: pd.DataFrame) -> pd.Series:
    """Cluster id per id (the smallest id in its cluster), joining every edge (`id_l`, `id_r`)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])  # path halving
            x = parent[x]
        return x

    for a, b in zip(edges["id_l"], edges["id_r"], strict=True):
        ra, rb = root(str(a)), root(str(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    values = [root(str(x)) for x in ids]
    return pd.Series(values, index=ids.index, dtype=object)


def list_clusters(
    api: DatabaseAPISubClass,
    settings_dict: dict[str, Any],
    records: pd.DataFrame,
    pairs: pd.DataFrame,
    threshold: float = CLUSTER_THRESHOLD,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`record_id, list_cluster, cluster_probability` for every list row among `pairs` (rows that are
    one man share a cluster; `cluster_probability` is the strongest tie to another row of it, NaN
    for a row alone), and the scored row pairs (`score_row_pairs`)."""
    rows = pd.Series(pairs["record_id"].astype(str).unique(), dtype=object)
    row_pairs = competing_row_pairs(pairs)
    scored = score_row_pairs(api, settings_dict, records, row_pairs)
    # Rare names alone can outweigh two different birth dates; one man's rows do not disagree on
    # what is not a name, so such a pair stays two clusters (and competes).
    same = scored[(scored["match_probability"] >= threshold) & (scored["other_weight"] >= 0)]
    out = pd.DataFrame({"record_id": rows, CLUSTER_COLUMN: connected(rows, same)})
    strongest = pd.concat(
        [same[["id_l", "match_probability"]].set_axis(["record_id", "p"], axis=1),
         same[["id_r", "match_probability"]].set_axis(["record_id", "p"], axis=1)]
    ).groupby("record_id")["p"].max()  # fmt: skip
    out["cluster_probability"] = out["record_id"].map(strongest)
    return out, scored
