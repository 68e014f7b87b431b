"""Surnames a list probably mistyped, found by counting spellings across both inputs.

One typo (a letter dropped, added or changed, or two neighbours swapped) turns "Морозов" into
"Морнозов" and "Мельник" into "еМльник": a spelling that keeps every other letter of a common one and
is itself rare. Such a spelling is read as the common one for blocking: `last_block` holds the
corrected key, so every block the surname leads puts the mistyped record with the men of the
spelling it stands for, and nothing else changes (the comparisons still see the spelling as written
and score it "one_typo"). The counts come from both inputs together, because the right spelling is
often on the other side only.

Spellings one typo apart are found without comparing every pair: two such spellings always share
the spelling itself or one of its one-letter deletions (the symmetric-deletion neighbourhood).
"""

from __future__ import annotations

import jellyfish
import pandas as pd

# A spelling is read as another one typo away when the other is written at least this many times
# as often across both inputs.
MINORITY_RATIO = 4

# The surname key the blocks join on: the record's own, or the spelling its mistyped one stands for.
BLOCK_COLUMN = "last_block"


def _variants(key: str) -> set[str]:
    """The key and every spelling of it with one letter left out."""
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


def one_typo_apart(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1 (the comparison's "one_typo" level)."""
    return bool(jellyfish.damerau_levenshtein_distance(a, b) == 1)


def corrected_surnames(counts: pd.Series) -> dict[str, str]:
    """Each surname key that is probably a typo -> the key it stands for.

    A key is a typo of another when the two are one typo apart and the other is written at least
    MINORITY_RATIO times as often; of several such, the commonest (then the first alphabetically).
    Corrections are followed to their end: a typo of a minority spelling joins the group that
    spelling itself joins."""
    keys = [k for k in counts.index if isinstance(k, str) and k]
    if not keys:
        return {}
    pairs = pd.DataFrame(
        [(v, k) for k in keys for v in _variants(k)], columns=["variant", "key"]
    ).drop_duplicates()
    pairs["count"] = pairs["key"].map(counts).astype("int64")
    # Only a spelling written at least MINORITY_RATIO times can be another's correction.
    targets = pairs[pairs["count"] >= MINORITY_RATIO]
    joined = pairs.merge(targets, on="variant", suffixes=("", "_to"))
    joined = joined[
        (joined["count_to"] >= MINORITY_RATIO * joined["count"]) & (joined["key"] != joined["key_to"])
    ].drop_duplicates(["key", "key_to"])
    apart = pd.Series(
        [one_typo_apart(a, b) for a, b in zip(joined["key"], joined["key_to"], strict=True)],
        index=joined.index,
        dtype=bool,
    )
    best = (
        joined.loc[apart]
        .sort_values(["key", "count_to", "key_to"], ascending=[True, False, True])
        .drop_duplicates("key")
    )
    step = dict(zip(best["key"], best["key_to"], strict=True))
    out = {}
    for key, target in step.items():
        while target in step:  # each step is at least fourfold commoner, so this ends
            target = step[target]
        out[key] = target
    return out


def with_corrected_surnames(
    cases: pd.DataFrame, records: pd.DataFrame | None, correct: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Both frames with `last_block` (the surname key, corrected where it is a probable typo) and
    the initials blocking keys rebuilt on it ("Bondarnko I." meets "Бондаренко Игорь"). With
    `correct` off, `last_block` is the surname key as written."""
    frames = [cases] if records is None else [cases, records]
    counts = pd.concat([f["last_key"] for f in frames], ignore_index=True).value_counts()
    fixes = corrected_surnames(counts) if correct else {}
    out = []
    for frame in frames:
        flagged = frame.copy(deep=False)  # shares the columns: only the block keys are new
        fixed = frame["last_key"].map(fixes)
        block = fixed.where(fixed.notna(), frame["last_key"])
        flagged[BLOCK_COLUMN] = block.astype(object)
        last_first = block + "|" + frame["first_initial"]
        flagged["last_first_initial"] = last_first.astype(object)
        flagged["initial_key"] = last_first.where(frame["initial_key"].notna()).astype(object)
        for column in (BLOCK_COLUMN, "last_first_initial", "initial_key"):
            flagged[column] = flagged[column].where(flagged[column].notna(), None)
        out.append(flagged)
    return out[0], (out[1] if records is not None else None)
