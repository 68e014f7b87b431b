"""Links that rest on the name alone, and how many namesakes could stand behind them.

When a case and a list row agree on surname, given name and patronymic and nothing else can be
compared (one side gives no birth date, one side no unit), the row is the man only if no other man
of that full name is on the list. With `lam` other men of that name expected on the list and a prior
`pi` that the case's man is on it at all, the chance the row is he is pi / (pi + (1 - pi) * lam):
for a link band meant to hold 98% precision, lam must stay below about 0.02 (pi = 0.5). Splink's
term frequencies weigh each name part on its own; here the whole name is counted too. A surname that
does not agree exactly (one typo, alike in sound) is no full name to count: such a pair is never a
link on the name alone.

`lam` is the list's size times the larger of two estimates of the full name's frequency among the
men behind both inputs:

- the product of the parts' frequencies, each counted over both inputs with the man himself counted
  once (a surname seen only on this case and this row is as rare as one in the inputs' size, not
  twice as common);
- the whole full name (surname key with the canonical given name and patronymic, so every script
  and form folds onto it) counted over both inputs: the other cases and the other list clusters that
  carry it (rows of one cluster are one man, `clusters`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kintrace.linkage.clusters import CLUSTER_COLUMN

# A link on the name alone needs fewer than this many other men of that full name expected on the
# list: (1 - 0.98) / 0.98 at a prior of one half.
NAMESAKE_LIMIT = 0.02

NAME_ALONE_LINK = "rests on the name alone (about {lam:.2g} namesakes expected on the list)"
NAME_ALONE_REVIEW = (
    "rests on the name alone, and about {lam:.2g} other men of this full name are expected on the "
    "list: not a link without more evidence"
)

NAME_ALONE_PARTIAL = (
    "rests on the name alone, and the surname does not agree exactly: not a link without more evidence"
)

_PARTS = ("last_key", "first_canon", "first_initial", "patr_canon", "patr_initial")


NAME_LEVELS = ("surname_level", "given_name_level", "patronymic_level")


def rests_on_name_alone(pairs: pd.DataFrame) -> pd.Series:
    """Pairs where nothing but the names could be compared: no birth date, no unit, no extra
    identifying column on both records."""
    others = [c for c in pairs.columns if c.endswith("_level") and c not in NAME_LEVELS]
    alone = pd.Series(True, index=pairs.index)
    for column in others:
        alone &= pairs[column] == "missing"
    return alone


def full_name_agrees(pairs: pd.DataFrame) -> pd.Series:
    """The surname agrees exactly (in any script), and the given name and patronymic agree in full
    or by initial where both give them (the namesakes are then counted by initial, or without the
    part)."""
    return (
        pairs["surname_level"].isin(["exact", "swapped"])
        & pairs["given_name_level"].isin(["exact", "initial"])
        & pairs["patronymic_level"].isin(["exact", "initial", "missing"])
    )


def _shares(columns: list[pd.Series], wanted: pd.Series, total: int) -> dict[str, float]:
    """(count - 1) / total for the `wanted` values, counted over `columns` (only the rows carrying
    one of them are counted: a million-row list is scanned once per column, not grouped)."""
    values = set(wanted.dropna())
    counts = pd.concat([c[c.isin(values)] for c in columns]).value_counts()
    return ((counts - 1).clip(lower=0.0) / max(total, 1)).to_dict()


def expected_namesakes(
    pairs: pd.DataFrame, cases: pd.DataFrame, records: pd.DataFrame, clusters: pd.DataFrame | None = None
) -> pd.Series:
    """For each pair, how many men other than the case's own are expected on the list bearing the
    full name both records share."""
    if pairs.empty:
        return pd.Series([], dtype=float, index=pairs.index)
    total = len(cases) + len(records)
    n_list = len(records)
    case_rows = cases.set_index("unique_id")[list(_PARTS)]
    list_rows = records.set_index("unique_id")[list(_PARTS)]
    left = case_rows.loc[pairs["case_id"].astype(str)].reset_index(drop=True)
    right = list_rows.loc[pairs["record_id"].astype(str)].reset_index(drop=True)

    # Parts: the man counted once; a part one side lacks multiplies by one.
    product = np.ones(len(pairs))
    surname = _shares([cases["last_key"], records["last_key"]], left["last_key"], total)
    floor = 1.0 / max(total, 1)  # the man himself, where his own count was taken out
    product *= np.maximum(left["last_key"].map(surname).fillna(1.0).to_numpy(dtype=float), floor)
    for canon, initial in (("first_canon", "first_initial"), ("patr_canon", "patr_initial")):
        full = left[canon].notna() & right[canon].notna()
        some = left[initial].notna() & right[initial].notna()
        by_full = left[canon].map(_shares([cases[canon], records[canon]], left[canon], total)).astype(float)
        by_initial = left[initial].map(_shares([cases[initial], records[initial]], left[initial], total))
        by_initial = by_initial.astype(float)
        factor = np.where(full, by_full.fillna(1.0), np.where(some, by_initial.fillna(1.0), 1.0))
        product *= np.maximum(factor, floor)

    # The whole name: other cases and other list clusters with it (only rows of these surnames).
    surnames = set(left["last_key"].dropna())
    cases = cases[cases["last_key"].isin(surnames)]
    records = records[records["last_key"].isin(surnames)]
    key_cases = _full_key(cases)
    key_list = _full_key(records)
    cluster_of = (
        clusters.set_index("record_id")[CLUSTER_COLUMN]
        if clusters is not None and not clusters.empty
        else pd.Series(dtype=object)
    )
    list_cluster = records["unique_id"].map(cluster_of).fillna(records["unique_id"])
    men_on_list = pd.DataFrame({"key": key_list, "cluster": list_cluster}).dropna().drop_duplicates()
    count = key_cases.value_counts().add(men_on_list["key"].value_counts(), fill_value=0)
    pair_key = _full_key(left)
    same_key = pair_key.notna() & (pair_key == _full_key(right))
    others = (pair_key.map(count).fillna(0.0) - 2).clip(lower=0.0)
    whole = np.where(same_key, others.to_numpy(dtype=float) / max(total, 1), 0.0)

    lam = n_list * np.maximum(product, whole)
    return pd.Series(lam, index=pairs.index, dtype=float)


def _full_key(frame: pd.DataFrame) -> pd.Series:
    key = frame["last_key"] + "|" + frame["first_canon"] + "|" + frame["patr_canon"]
    return key.where(frame["last_key"].notna() & frame["first_canon"].notna() & frame["patr_canon"].notna())
