"""The linkage model: train on the data itself (or on reviewed pairs), then score candidate pairs.

Training is unsupervised: u probabilities from random pairs, m probabilities by expectation
maximisation over several blocking passes (each pass learns the fields it does not block on).
Training reads at most `sample_rows` records from each side, because the parameters settle long
before a million rows and EM over all of them would cost more than the prediction; term
frequencies always come from the full data at prediction time.

Prediction runs in chunks of the list so a multi-million-row list never materialises all its
candidate pairs at once, and keeps only pairs above the review threshold.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kintrace.linkage import splink_private
from kintrace.linkage.blocking import CHUNK_COLUMN, blocked_pairs_sql
from kintrace.linkage.clusters import CLUSTER_COLUMN, list_clusters
from kintrace.linkage.defaults import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD
from kintrace.linkage.engines import register_frame
from kintrace.linkage.extras import PREFIX, Extra, both_sides_have, extras_for
from kintrace.linkage.extras import from_json as extras_from_json
from kintrace.linkage.extras import to_json as extras_to_json
from kintrace.linkage.features import ALL_RULES, FeatureRules
from kintrace.linkage.namesakes import (
    NAME_ALONE_LINK,
    NAME_ALONE_PARTIAL,
    NAME_ALONE_REVIEW,
    NAMESAKE_LIMIT,
    expected_namesakes,
    full_name_agrees,
    rests_on_name_alone,
)
from kintrace.linkage.pruning import names_floor, with_names_reach
from kintrace.linkage.reasons import add_reasons, comparison_names, reason_columns, reason_columns_of
from kintrace.linkage.settings import LinkType, settings, training_blocking_rules
from kintrace.linkage.typos import with_corrected_surnames

if TYPE_CHECKING:
    from splink import Linker
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.database_api import DatabaseAPISubClass


CASES = "cases"
LIST = "list"

Progress = Callable[[str, int, int], None]


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass
class TrainedModel:
    """A trained Splink model (its settings dict) and the rules its features were built with."""

    splink_model: dict[str, Any]
    rules: FeatureRules = field(default_factory=FeatureRules)
    link_type: LinkType = "link_only"
    # The identifying columns beyond names, dates and units the model compares (`extras`).
    extras: tuple[Extra, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kintrace_rules": asdict(self.rules),
            "link_type": self.link_type,
            "extras": extras_to_json(self.extras),
            "splink": self.splink_model,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainedModel:
        if "splink" not in data or "comparisons" not in data["splink"]:
            raise ValueError("not a kintrace linkage model: expected keys 'splink' with 'comparisons'")
        return cls(
            data["splink"],
            FeatureRules(**data.get("kintrace_rules", {})),
            data.get("link_type", "link_only"),
            extras_from_json(data.get("extras", [])),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TrainedModel:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    def for_inputs(self, n_cases: int, n_records: int | None, link_type: LinkType) -> TrainedModel:
        """This model's m and u for other inputs: the prior (the chance two random records match)
        belongs to the sizes of the inputs, so it is set afresh, assuming half of the smaller side
        has its man on the other side."""
        n_r = n_records if n_records is not None else n_cases
        pairs = n_cases * n_r if link_type == "link_only" else n_cases * (n_cases - 1) / 2
        prior = min(0.5, 0.5 * min(n_cases, n_r) / max(pairs, 1))
        splink = {**self.splink_model, "link_type": link_type, "probability_two_random_records_match": prior}
        return TrainedModel(splink, self.rules, link_type, self.extras)


BUNDLED_MODEL = Path(__file__).with_name("bundled_model.json")
# Below this many records on the smaller side EM has too few pairs to learn from; use the bundled
# model (trained on benchmarks/linkage_data, see benchmarks/linkage_data/train_bundled_model.py).
MIN_TRAINING_ROWS = 500


def bundled_model() -> TrainedModel:
    return TrainedModel.load(BUNDLED_MODEL)


def fit(
    api: DatabaseAPISubClass,
    cases: pd.DataFrame,
    records: pd.DataFrame | None = None,
    *,
    model: TrainedModel | None = None,
    labels: pd.DataFrame | None = None,
    extras: Sequence[Extra] | None = None,
    progress: Progress = _no_progress,
) -> TrainedModel:
    """The model to score these inputs with: `model` if given, the bundled one for inputs too small
    to train on (it compares no extra columns), else one trained on the inputs themselves (EM, plus
    the reviewed pairs if any), comparing the `extras` both inputs give (by default the recognised
    ones among the features' columns)."""
    link_type: LinkType = "link_only" if records is not None else "dedupe_only"
    n_records = len(records) if records is not None else None
    smaller = min(len(cases), n_records if n_records is not None else len(cases))
    if model is None and smaller >= MIN_TRAINING_ROWS:
        if extras is None:
            extras = extras_for(c.removeprefix(PREFIX) for c in cases.columns if c.startswith(PREFIX))
        used = both_sides_have(extras, cases, records)
        return train(api, cases, records, labels=labels, extras=used, progress=progress)
    chosen = model if model is not None else bundled_model()
    return chosen.for_inputs(len(cases), n_records, link_type)


def _quiet_splink() -> None:
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _sample(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    return frame if len(frame) <= rows else frame.sample(n=rows, random_state=seed)


def _register(api: DatabaseAPISubClass, frame: pd.DataFrame, name: str) -> Any:
    return register_frame(api, frame, name)


def splink_settings_for(
    model: TrainedModel, api: DatabaseAPISubClass, counted_columns: bool = False
) -> dict[str, Any]:
    """The trained model as a Splink settings dict in the engine's own SQL dialect.

    A saved Splink model carries SQL written for the engine that trained it (DuckDB quotes names
    with "..." and calls jaro_winkler_similarity; Spark reads "..." as a string and calls
    jaro_winkler), so the settings are rebuilt for the engine at hand from `settings.py` and the
    trained m and u probabilities are copied in, level by level. With `counted_columns` the blocks
    use the columns counted over both inputs (see `_with_counted_columns`), which the inputs must
    then carry.
    """
    prior = model.splink_model["probability_two_random_records_match"]
    fresh: dict[str, Any] = (
        settings(model.link_type, model.rules, prior, counted_columns, model.extras)
        .get_settings(api.sql_dialect.sql_dialect_str)
        .as_dict()
    )
    trained = {
        (c["output_column_name"], level.get("label_for_charts")): level
        for c in model.splink_model["comparisons"]
        for level in c["comparison_levels"]
    }
    for comparison in fresh["comparisons"]:
        for level in comparison["comparison_levels"]:
            source = trained.get((comparison["output_column_name"], level.get("label_for_charts")))
            if source is None:
                raise ValueError(
                    f"the model has no level {level.get('label_for_charts')!r} for "
                    f"{comparison['output_column_name']!r}: it was trained with other settings"
                )
            for key in ("m_probability", "u_probability"):
                if key in source:
                    level[key] = source[key]
    return fresh


def _linker(
    api: DatabaseAPISubClass,
    cases: pd.DataFrame,
    records: pd.DataFrame | None,
    model: dict[str, Any] | Any,
) -> Linker:
    from splink import Linker

    inputs = [_register(api, cases, CASES)]
    if records is not None:
        inputs.append(_register(api, records, LIST))
    return Linker(inputs if len(inputs) > 1 else inputs[0], model, log_level=logging.ERROR)


def train(
    api: DatabaseAPISubClass,
    cases: pd.DataFrame,
    records: pd.DataFrame | None = None,
    *,
    rules: FeatureRules = ALL_RULES,
    labels: pd.DataFrame | None = None,
    extras: Sequence[Extra] = (),
    sample_rows: int = 200_000,
    seed: int = 1,
    progress: Progress = _no_progress,
) -> TrainedModel:
    """Train on feature frames (`features.build_features`). `records=None` trains a dedupe model.

    `labels` (columns case_id, record_id, is_match) are pairs reviewers decided: the confirmed ones
    re-estimate the m probabilities after EM.
    """
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException

    _quiet_splink()
    link_type: LinkType = "link_only" if records is not None else "dedupe_only"
    cases_s = _sample(cases, sample_rows, seed)
    records_s = _sample(records, sample_rows, seed + 1) if records is not None else None
    linker = _linker(api, cases_s, records_s, settings(link_type, rules, extras=extras))
    steps = 3 + len(training_blocking_rules(rules)) + (1 if labels is not None else 0)
    done = 0
    progress("training: prior", done, steps)
    deterministic: list[str | BlockingRuleCreator] = [
        block_on("last_key", "first_canon", "birth_date"),
        block_on("last_key", "first_canon", "patr_canon", "unit"),
    ]
    # ValueError: more exact agreements than the recall allows (tiny inputs); fall back below.
    with contextlib.suppress(ValueError):
        linker.training.estimate_probability_two_random_records_match(
            deterministic, recall=DETERMINISTIC_RECALL
        )
    if not splink_private.prior(linker) > 0:
        # No exact agreement at all: assume half the smaller side has its man on the other side.
        n_l, n_r = len(cases_s), len(records_s) if records_s is not None else len(cases_s)
        splink_private.set_prior(linker, 0.5 * min(n_l, n_r) / max(n_l * n_r, 1))
    done += 1
    progress("training: u from random pairs", done, steps)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=seed)
    done += 1
    for rule in training_blocking_rules(rules):
        progress("training: EM", done, steps)
        # Splink's EM session strips the blocked-on comparisons from the linker's own settings before
        # it finds out there are no pairs, so keep a copy to put back.
        before = splink_private.snapshot(linker)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except (EMTrainingException, ValueError):
            # No pair shares these keys (a list without units, say), or EM drove a level no pair of
            # this pass reaches to m = 0, which Splink 5 refuses (below 1e-300): the other passes
            # learn instead.
            splink_private.restore(linker, before)
        done += 1
    _borrow_untrained_m(linker)
    if labels is not None:
        progress("training: reviewed pairs", done, steps)
        _train_from_labels(linker, api, labels, link_type)
        done += 1
    # After the reviewed pairs too: a level none of them reached must not become proof against.
    _floor_m(linker)
    _swapped_as_exact(linker)
    progress("training: done", steps, steps)
    return TrainedModel(linker.misc.save_model_to_json(), rules, link_type, tuple(extras))


M_FLOOR = 0.005
# The share of true links whose surname, given name and full birth date all agree exactly (or whose
# full name and unit do): lists give a full date for about half their men, so about 0.4.
DETERMINISTIC_RECALL = 0.4


def _borrow_untrained_m(linker: Linker) -> None:
    """A comparison no EM pass could learn (no pair in the data shares a training key: a list with
    neither dates nor units) takes its m probabilities from the bundled model."""
    bundled = {
        (c["output_column_name"], lv.get("label_for_charts")): lv.get("m_probability")
        for c in bundled_model().splink_model["comparisons"]
        for lv in c["comparison_levels"]
    }
    for comparison in splink_private.comparisons(linker):
        levels = [lv for lv in comparison.comparison_levels if not lv.is_null_level]
        if any(splink_private.m_is_trained(lv) for lv in levels):
            continue
        for level in levels:
            level.m_probability = bundled.get((comparison.output_column_name, level.label_for_charts))


def _floor_m(linker: Linker) -> None:
    """Give every level some probability among matches before it is used.

    A level no training pair reached (a true match whose birth date conflicts outright is rare) comes
    out of EM with m unset or 0, which would either ignore the evidence or make it infinitely
    damning; flooring at 0.5% and renormalising keeps such evidence strong but finite.
    """
    for comparison in splink_private.comparisons(linker):
        # A "swapped" level is no share of its own: it repeats the exact level (`_swapped_as_exact`).
        levels = [
            lv
            for lv in comparison.comparison_levels
            if not lv.is_null_level and lv.label_for_charts != "swapped"
        ]
        values = [
            max(lv.m_probability or 0.0, M_FLOOR) if splink_private.m_is_trained(lv) else M_FLOOR
            for lv in levels
        ]
        total = sum(values)
        for level, value in zip(levels, values, strict=True):
            level.m_probability = value / total


def _swapped_as_exact(linker: Linker) -> None:
    """Names written the other way round are the same agreement as names written the right way: the
    "swapped" level takes its comparison's "exact" m and u (random pairs almost never agree crosswise,
    so its own u would be a guess, and the given-name comparison already counts the other half)."""
    for comparison in splink_private.comparisons(linker):
        by_label = {lv.label_for_charts: lv for lv in comparison.comparison_levels if not lv.is_null_level}
        if "swapped" in by_label and "exact" in by_label:
            by_label["swapped"].m_probability = by_label["exact"].m_probability
            by_label["swapped"].u_probability = by_label["exact"].u_probability


def _train_from_labels(
    linker: Linker, api: DatabaseAPISubClass, labels: pd.DataFrame, link_type: LinkType
) -> None:
    confirmed = labels[labels["is_match"].astype(bool)]
    if confirmed.empty:
        return
    table = pd.DataFrame(
        {
            "source_dataset_l": CASES,
            "unique_id_l": confirmed["case_id"].astype(str).to_numpy(),
            "source_dataset_r": LIST if link_type == "link_only" else CASES,
            "unique_id_r": confirmed["record_id"].astype(str).to_numpy(),
        }
    )
    registered = linker.table_management.register_labels_table(api.register(table))
    linker.training.estimate_m_from_pairwise_labels(registered)


# Other men of the full name expected on the list, for pairs that rest on the name alone (`namesakes`).
NAMESAKES_COLUMN = "namesakes_expected"

OUTPUT_COLUMNS = ["case_id", "record_id", "match_probability", "match_weight", "band"]
# After the reasons: which list cluster (one man's rows) the row is in, and for a pair resting on the
# name alone how many namesakes are expected on the list.
TRAILING_COLUMNS = [CLUSTER_COLUMN, NAMESAKES_COLUMN]


def predict(
    api: DatabaseAPISubClass,
    model: TrainedModel,
    cases: pd.DataFrame,
    records: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    chunks: int | None = None,
    labels: pd.DataFrame | None = None,
    progress: Progress = _no_progress,
) -> pd.DataFrame:
    """Scored pairs at or above `review_threshold`, banded, with reasons (see `OUTPUT_COLUMNS`)."""
    cases, records = _with_extras(cases, model), _with_extras(records, model)
    parts = list(predict_chunks(api, model, cases, records, review_threshold, chunks, progress))
    pairs = pd.concat(parts, ignore_index=True) if parts else _empty_output()
    progress("in-list duplicates", 0, 1)
    as_dedupe = TrainedModel(model.splink_model, model.rules, "dedupe_only", model.extras)
    dedupe_settings = splink_settings_for(as_dedupe, api)
    clusters, row_pairs = list_clusters(api, dedupe_settings, records, pairs)
    pairs = pairs.merge(clusters[["record_id", CLUSTER_COLUMN]], on="record_id", how="left")
    progress("in-list duplicates", 1, 1)
    alone = rests_on_name_alone(pairs) & (pairs["match_probability"] >= threshold)
    pairs[NAMESAKES_COLUMN] = np.nan
    if alone.any():
        exact = full_name_agrees(pairs[alone])
        lam = expected_namesakes(pairs[alone], cases, records, clusters).where(exact, np.inf)
        pairs.loc[alone, NAMESAKES_COLUMN] = lam
        template = np.where(
            ~exact, NAME_ALONE_PARTIAL, np.where(lam > NAMESAKE_LIMIT, NAME_ALONE_REVIEW, NAME_ALONE_LINK)
        )
        note = [t.format(lam=v) for t, v in zip(template, lam, strict=True)]
        pairs.loc[alone, "reasons"] = (
            pairs.loc[alone, "reasons"].astype(str) + "; " + pd.Series(note, index=lam.index)
        )
    return band(pairs, threshold, review_threshold, labels, row_pairs)


def _with_extras(frame: pd.DataFrame, model: TrainedModel) -> pd.DataFrame:
    """A saved model may compare a column these inputs lack: it is then missing on every record."""
    lacking = [e.feature for e in model.extras if e.feature not in frame.columns]
    return frame.assign(**{c: None for c in lacking}) if lacking else frame


def default_chunks(n_cases: int, n_records: int) -> int:
    # Each chunk joins every case again, so fewer chunks are faster (5M x 500k took 540 s in chunks
    # of a million list rows against 660 s in chunks of 250,000, with Splink's own blocking); memory
    # stays within DuckDB's limit, which spills to disk beyond it.
    return max(1, int(np.ceil(n_records / 1_000_000)))


def _with_counted_columns(
    cases: pd.DataFrame, records: pd.DataFrame | None, model: TrainedModel, review_threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The columns that count over both inputs at once: which names could reach review, and which
    surname spellings are probable typos."""
    floor = names_floor(model.splink_model, review_threshold)
    cases, records = with_names_reach(cases, records, model.splink_model, floor)
    return with_corrected_surnames(cases, records, correct=model.rules.typo_correction)


def predict_chunks(
    api: DatabaseAPISubClass,
    model: TrainedModel,
    cases: pd.DataFrame,
    records: pd.DataFrame,
    review_threshold: float,
    chunks: int | None = None,
    progress: Progress = _no_progress,
) -> Iterator[pd.DataFrame]:
    """Yield scored pairs (case_id, record_id, probability, weight, reasons) one list chunk at a time.

    The candidate pairs of each chunk come from `blocking` (the union of the blocking rules, without
    Splink's rule-by-rule exclusions); Splink scores them."""
    from splink import Linker

    _quiet_splink()
    cases, records = _with_extras(cases, model), _with_extras(records, model)
    cases, flagged = _with_counted_columns(cases, records, model, review_threshold)
    assert flagged is not None
    n = chunks or default_chunks(len(cases), len(records))
    # Consecutive list rows share a chunk; each chunk is paired with every case.
    chunk_of = np.arange(len(flagged)) * n // max(len(flagged), 1) + 1
    flagged = flagged.copy(deep=False)  # shares the columns: only the chunk is added
    flagged[CHUNK_COLUMN] = chunk_of.astype(str).astype(object)
    settings_dict = splink_settings_for(model, api, counted_columns=True)
    rules = [rule["blocking_rule"] for rule in settings_dict["blocking_rules_to_generate_predictions"]]
    case_table, list_table = _register(api, cases, CASES), _register(api, flagged, LIST)
    linker = Linker([case_table, list_table], settings_dict, log_level=logging.ERROR, validate_settings=False)
    for i in range(1, n + 1):
        progress("scoring candidate pairs", i - 1, n)
        sql = blocked_pairs_sql(rules, case_table.physical_name, list_table.physical_name, CASES, LIST, i)
        pairs = api.query_sql(sql, output_type="splink_df")
        linker.table_management.register_blocked_pairs_for_predict(pairs)
        scored = linker.inference.predict(threshold_match_probability=review_threshold, warning_mode="never")
        frame = scored.as_pandas_dataframe()
        scored.drop_table_from_database_and_remove_from_cache()
        pairs.drop_table_from_database_and_remove_from_cache()
        yield _tidy(frame, model.splink_model)
    progress("scoring candidate pairs", n, n)


def predict_dedupe(
    api: DatabaseAPISubClass,
    model: TrainedModel,
    cases: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Cluster duplicate cases: `record_id, cluster_id, cluster_size` for every case."""
    _quiet_splink()
    cases = _with_extras(cases, model)
    cases, _ = _with_counted_columns(cases, None, model, threshold)
    linker = _linker(api, cases, None, splink_settings_for(model, api, counted_columns=True))
    scored = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        scored, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    out = pd.DataFrame(
        {"record_id": clusters["unique_id"].astype(str), "cluster_id": clusters["cluster_id"].astype(str)}
    )
    out["cluster_size"] = out.groupby("cluster_id")["record_id"].transform("size")
    return out.sort_values(["cluster_id", "record_id"]).reset_index(drop=True)


def _tidy(frame: pd.DataFrame, splink_model: dict[str, Any]) -> pd.DataFrame:
    if frame.empty:
        return _empty_output()
    # Splink puts the alphabetically first dataset on the left; make cases the left side always.
    flip = frame["source_dataset_l"] != CASES
    case_id = frame["unique_id_l"].where(~flip, frame["unique_id_r"]).astype(str)
    record_id = frame["unique_id_r"].where(~flip, frame["unique_id_l"]).astype(str)
    frame = add_reasons(frame, splink_model)
    out = pd.DataFrame(
        {
            "case_id": case_id,
            "record_id": record_id,
            "match_probability": frame["match_probability"].astype(float),
            "match_weight": frame["match_weight"].astype(float),
        }
    )
    for col in reason_columns(comparison_names(splink_model)):
        out[col] = frame[col]
    return out


def _empty_output() -> pd.DataFrame:
    cols = ["case_id", "record_id", "match_probability", "match_weight", *reason_columns()]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})


def band(
    pairs: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    labels: pd.DataFrame | None = None,
    row_pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Band scored pairs: `link` at/above `threshold`, `review` above `review_threshold`.

    A link is only a link when it is the case's one clear candidate man. The list rows that pass the
    threshold for one case are grouped by list cluster (rows of one man, `clusters`); the strongest
    cluster wins unless a rival cluster of another man comes within 10:1 of it, and then all of them
    go to review (namesakes competing for one man). A rival is another man when the evidence
    between the two rows is against their being one (`row_pairs`: id_l, id_r, match_weight from
    `clusters.score_row_pairs`: all the evidence, or that beside the names, below 0; without it
    every other cluster is another man). A rival that may be
    the same man (his other entry, too thin to merge) keeps its own band. Every row of the winning
    cluster among the case's candidates is a link, also one that alone would have been review.
    A pair that rests on the name alone is a link only when few namesakes are expected on the list
    (`namesakes`). Reviewers' decisions (labels) override the model.
    """
    if not 0 <= review_threshold <= threshold <= 1:
        raise ValueError(f"need 0 <= review threshold ({review_threshold}) <= threshold ({threshold}) <= 1")
    pairs = pairs[pairs["match_probability"] > review_threshold].copy()
    if CLUSTER_COLUMN not in pairs.columns:
        pairs[CLUSTER_COLUMN] = pairs["record_id"]
    pairs[CLUSTER_COLUMN] = pairs[CLUSTER_COLUMN].fillna(pairs["record_id"])
    if NAMESAKES_COLUMN not in pairs.columns:
        pairs[NAMESAKES_COLUMN] = np.nan
    too_common = pairs[NAMESAKES_COLUMN].astype(float) > NAMESAKE_LIMIT
    is_link = (pairs["match_probability"] >= threshold) & ~too_common
    pairs["band"] = "review"
    if is_link.any():
        linked = _linked_clusters(pairs[is_link], row_pairs)
        keys = pd.Series(list(zip(pairs["case_id"], pairs[CLUSTER_COLUMN], strict=True)), index=pairs.index)
        state = keys.map(linked)
        # The winner's every row; a compatible rival's rows only where they pass on their own.
        chosen = (state == "winner") | ((state == "compatible") & is_link)
        pairs.loc[chosen, "band"] = "link"
        promoted = chosen & ~is_link
        if promoted.any():
            pairs.loc[promoted, "reasons"] = (
                pairs.loc[promoted, "reasons"].fillna("").astype(str)
                + "; another entry of the linked man on the list (list cluster "
                + pairs.loc[promoted, CLUSTER_COLUMN].astype(str)
                + ")"
            )
    if labels is not None and not labels.empty:
        pairs = _apply_labels(pairs, labels)
    pairs = pairs.sort_values(["case_id", "match_probability"], ascending=[True, False])
    return pairs[OUTPUT_COLUMNS + reason_columns_of(pairs) + TRAILING_COLUMNS].reset_index(drop=True)


# A rival within this many bits (10:1) of the best candidate makes the case undecided.
RIVAL_BITS = float(np.log2(10))


def _linked_clusters(links: pd.DataFrame, row_pairs: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """(case, cluster) -> "winner" or "compatible" for the clusters that stay links."""
    best = links.groupby(["case_id", CLUSTER_COLUMN], sort=False)["match_weight"].max().reset_index()
    best = best.sort_values(["case_id", "match_weight"], ascending=[True, False])
    counts = best.groupby("case_id", sort=False)["match_weight"].transform("size")
    out: dict[tuple[str, str], str] = {
        (c, k): "winner"
        for c, k in zip(best.loc[counts == 1, "case_id"], best.loc[counts == 1, CLUSTER_COLUMN], strict=True)
    }
    crowded = best[counts > 1]
    if crowded.empty:
        return out
    weight: dict[frozenset[str], float] = {}
    if row_pairs is not None and not row_pairs.empty:
        other = (
            row_pairs["other_weight"] if "other_weight" in row_pairs.columns else row_pairs["match_weight"]
        )
        # The weaker of all the evidence and the evidence beside the names decides.
        least = np.minimum(row_pairs["match_weight"].astype(float), other.astype(float))
        weight = {
            frozenset((str(a), str(b))): float(w)
            for a, b, w in zip(row_pairs["id_l"], row_pairs["id_r"], least, strict=True)
        }
    rows_of = links.groupby(["case_id", CLUSTER_COLUMN], sort=False)["record_id"].agg(list).to_dict()

    def different(case: str, a: str, b: str) -> bool:
        between = [weight.get(frozenset((x, y))) for x in rows_of[(case, a)] for y in rows_of[(case, b)]]
        known = [w for w in between if w is not None]
        return not known or max(known) < 0

    for case, group in crowded.groupby("case_id", sort=False):
        clusters = list(group[CLUSTER_COLUMN])
        weights = list(group["match_weight"])
        top = clusters[0]
        rivals = [k for k in clusters[1:] if different(case, top, k)]
        close = [
            k
            for k, w in zip(clusters[1:], weights[1:], strict=True)
            if k in rivals and weights[0] - w < RIVAL_BITS
        ]
        if close:
            continue  # another man within 10:1: everyone to review
        out[(case, top)] = "winner"
        for k in clusters[1:]:
            if k not in rivals:
                out[(case, k)] = "compatible"
    return out


def _apply_labels(pairs: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    decided = {
        (str(c), str(r)): bool(m)
        for c, r, m in zip(labels["case_id"], labels["record_id"], labels["is_match"], strict=True)
    }
    keys = list(zip(pairs["case_id"], pairs["record_id"], strict=True))
    verdict = pd.Series([decided.get(k) for k in keys], index=pairs.index, dtype=object)
    pairs.loc[verdict == True, "band"] = "link"  # noqa: E712 - object series of True/False/None
    return pairs[verdict != False]  # noqa: E712
