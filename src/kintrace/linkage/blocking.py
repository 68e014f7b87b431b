"""Candidate pairs for linking a list to cases: the union of the blocking rules' pairs.

Splink generates the pairs rule by rule and keeps a pair of rule k only if none of rules 0..k-1
found it, so every pair of every rule is tested against the full conditions of all the rules
before it. With a score of rules that each find the man despite a typo, a swap or a missing field,
that chain is most of the work at millions of rows (at 1M x 100k it was 27 s of 37 s of
prediction). Here each rule's join runs once, on its own conditions, and the pairs are made unique
by grouping: exactly the same pairs, each with the first rule that found it, as Splink gives.

The SQL is the rules' own, in the engine's dialect, so DuckDB and Spark both run it; Splink then
scores the pairs (`register_blocked_pairs_for_predict`).
"""

from __future__ import annotations

from collections.abc import Sequence

# Splink's join keys: source dataset and unique id, as its own blocking writes them.
KEY_SEPARATOR = "-__-"

# The column that puts each list record in one chunk of the prediction ("1".."n").
CHUNK_COLUMN = "list_chunk"


def blocked_pairs_sql(
    rules: Sequence[str],
    left_table: str,
    right_table: str,
    left_name: str,
    right_name: str,
    chunk: int | None = None,
) -> str:
    """SQL for the distinct pairs (match_key, join_key_l, join_key_r) any rule finds, linking
    `left_table` (registered as `left_name`) to the records of `right_table` in `chunk`."""
    if not rules:
        raise ValueError("no blocking rules: every pair would be a candidate")
    in_chunk = f" AND r.{CHUNK_COLUMN} = '{int(chunk)}'" if chunk is not None else ""
    joins = "\nUNION ALL\n".join(
        f"SELECT {i} AS rule, l.unique_id AS id_l, r.unique_id AS id_r "
        f"FROM {left_table} AS l INNER JOIN {right_table} AS r ON ({rule}){in_chunk}"
        for i, rule in enumerate(rules)
    )
    return (
        f"SELECT CAST(min(rule) AS STRING) AS match_key, "
        f"concat('{left_name}{KEY_SEPARATOR}', id_l) AS join_key_l, "
        f"concat('{right_name}{KEY_SEPARATOR}', id_r) AS join_key_r "
        f"FROM (\n{joins}\n) AS found GROUP BY id_l, id_r"
    )
