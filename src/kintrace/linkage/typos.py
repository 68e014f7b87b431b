"""Surnames a list probably mistyped, found by counting spellings across both inputs.

A vowel typed wrong, dropped, added or swapped with its neighbour leaves a surname's consonants
alone, so its skeleton (`features._skeleton`: "еМльник" and "Мельник" are both mlnk) still meets the
man. Blocking on the skeleton itself would pair every Мельник with every other a second time; a
mistyped spelling, though, is a small minority of its skeleton's group, so only the minority
spellings are paired on the skeleton, with every record of the group. The counts come from both
inputs together, because the right spelling is often on the other side only.
"""

from __future__ import annotations

import pandas as pd

# A spelling is a minority when its skeleton's group holds at least this many times as many records.
MINORITY_RATIO = 4

MINORITY_COLUMN = "skel_minor"


def with_minority_skeleton(
    cases: pd.DataFrame, records: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Both frames with `skel_minor`: the surname's skeleton where its spelling is a minority of that
    skeleton's group across both inputs, else NULL."""
    frames = [cases] if records is None else [cases, records]
    keys = pd.concat([f["last_key"] for f in frames], ignore_index=True)
    skels = pd.concat([f["last_skel"] for f in frames], ignore_index=True)
    key_count = keys.value_counts()
    skel_count = skels.value_counts()
    out = []
    for frame in frames:
        flagged = frame.copy(deep=False)
        n_key = frame["last_key"].map(key_count)
        n_skel = frame["last_skel"].map(skel_count)
        minority = frame["last_skel"].notna() & (n_key * MINORITY_RATIO <= n_skel)
        flagged[MINORITY_COLUMN] = frame["last_skel"].where(minority, None).astype(object)
        out.append(flagged)
    return out[0], (out[1] if records is not None else None)
