"""Scoring cases against a list with the linkage engine, and folding its answer onto the registry.

The engine is the one `kintrace link` runs (`build_features`, `make_api`, `fit`, `predict`); its
pairs are by record (a spelling of a case, one list row) and come back here as proposals by case and
list cluster (the rows that are one man), keeping the strongest row of the cluster as the entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kintrace.domain.lists import PairBand
from kintrace.services.list_frames import case_of_record

if TYPE_CHECKING:
    import pandas as pd
    from splink.internals.database_api import DatabaseAPISubClass

    from kintrace.linkage.model import TrainedModel

Progress = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Proposal:
    """The engine's best pair of one case and one man on the list (a cluster of entries)."""

    case_id: int
    cluster_id: int
    entry_id: int  # the cluster's strongest entry for this case
    match_probability: float
    match_weight: float
    band: PairBand
    reasons: dict[str, Any]
    name_only: bool
    entry_ids: frozenset[int]  # every entry of the cluster the engine paired with the case


def features(cases: pd.DataFrame, entries: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's features of both sides, with the identifying columns either side carries."""
    from kintrace.linkage.extras import extras_for
    from kintrace.linkage.features import build_features

    extras = extras_for([*cases.columns, *entries.columns])
    return build_features(cases, extras=extras), build_features(entries, extras=extras)


def fit(
    api: DatabaseAPISubClass,
    case_features: pd.DataFrame,
    entry_features: pd.DataFrame,
    labels: pd.DataFrame | None,
    progress: Progress = no_progress,
) -> TrainedModel:
    """`kintrace link`'s model for these inputs: trained on them (with reviewers' decisions as
    labelled pairs) when large enough, the bundled one otherwise."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.extras import PREFIX, extras_for

    extras = extras_for(c.removeprefix(PREFIX) for c in entry_features.columns if c.startswith(PREFIX))
    return lm.fit(api, case_features, entry_features, labels=labels, extras=extras, progress=progress)


def list_clusters(
    api: DatabaseAPISubClass, model: TrainedModel, entry_features: pd.DataFrame
) -> dict[int, int]:
    """Entry id -> cluster id (the smallest entry id of its cluster): the list's rows that are one man.

    The engine's dedupe (`predict_dedupe`) with the link model's own comparisons, at the engine's
    in-list threshold and prior (`linkage.clusters`)."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.clusters import CLUSTER_THRESHOLD, REPEAT_SHARE

    ids = [int(x) for x in entry_features["unique_id"]]
    if len(ids) < 2:
        return {i: i for i in ids}
    prior = min(0.5, 2 * REPEAT_SHARE / len(ids))
    splink = {**model.splink_model, "link_type": "dedupe_only", "probability_two_random_records_match": prior}
    as_dedupe = lm.TrainedModel(splink, model.rules, "dedupe_only", model.extras)
    found = lm.predict_dedupe(api, as_dedupe, entry_features, threshold=CLUSTER_THRESHOLD)
    first = found.assign(entry=found["record_id"].astype(int)).groupby("cluster_id")["entry"].transform("min")
    out = dict(zip(found["record_id"].astype(int), first.astype(int), strict=True))
    return {i: out.get(i, i) for i in ids}


def predict(
    api: DatabaseAPISubClass,
    model: TrainedModel,
    case_features: pd.DataFrame,
    entry_features: pd.DataFrame,
    labels: pd.DataFrame | None,
    progress: Progress = no_progress,
) -> pd.DataFrame:
    """The engine's pairs in the link and review bands, with reasons (`linkage.model.predict`)."""
    from kintrace.linkage import model as lm

    return lm.predict(api, model, case_features, entry_features, labels=labels, progress=progress)


def _reasons(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    levels = {}
    for name in fields:
        bf = row.get(f"{name}_bf")
        levels[name] = {
            "level": row.get(f"{name}_level"),
            "bf": None if bf is None or (isinstance(bf, float) and math.isnan(bf)) else float(bf),
        }
    namesakes = row.get("namesakes_expected")
    return {
        "fields": levels,
        "summary": str(row.get("reasons") or ""),
        "namesakes_expected": None
        if namesakes is None or (isinstance(namesakes, float) and not math.isfinite(namesakes))
        else float(namesakes),
    }


def proposals(pairs: pd.DataFrame, cluster_of: dict[int, int]) -> list[Proposal]:
    """One proposal per case and cluster: the strongest row, a link if any row of it is."""
    from kintrace.linkage.namesakes import rests_on_name_alone

    if pairs.empty:
        return []
    pairs = pairs.assign(name_only=rests_on_name_alone(pairs))
    fields = [c.removesuffix("_level") for c in pairs.columns if c.endswith("_level")]
    groups: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in pairs.to_dict("records"):
        entry = int(row["record_id"])
        key = (case_of_record(str(row["case_id"])), cluster_of.get(entry, entry))
        groups.setdefault(key, []).append(row)
    out: list[Proposal] = []
    for (case_id, cluster_id), rows in groups.items():
        best = max(rows, key=lambda r: (float(r["match_weight"]), -int(r["record_id"])))
        linked = any(r["band"] == PairBand.LINK.value for r in rows)
        out.append(
            Proposal(
                case_id=case_id,
                cluster_id=cluster_id,
                entry_id=int(best["record_id"]),
                match_probability=float(best["match_probability"]),
                match_weight=float(best["match_weight"]),
                band=PairBand.LINK if linked else PairBand.REVIEW,
                reasons=_reasons(best, fields),
                name_only=bool(best["name_only"]),
                entry_ids=frozenset(int(r["record_id"]) for r in rows),
            )
        )
    return out
