"""`kintrace link` and `kintrace dedupe` commands.

Splink, pandas and the engines are imported inside the commands so `kintrace --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kintrace.linkage.defaults import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD

if TYPE_CHECKING:
    import pandas as pd

    from kintrace.linkage.extras import Extra

StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Stop at the first birth date that cannot be read, instead of treating it as unknown.",
    ),
]
ExtraOption = Annotated[
    list[str] | None,
    typer.Option(
        "--extra",
        metavar="COLUMN:KIND",
        help="Compare another identifying column, KIND exact, category (exact with term frequencies) or "
        "text (fuzzy); repeatable. service_number, place_of_birth, sex, rank, father_name and "
        "mother_name are compared without asking, when both files have them.",
    ),
]
EngineOption = Annotated[
    str, typer.Option("--engine", help="duckdb (embedded) or spark (local, or a cluster: see engines.py).")
]


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar per step; the model reports (step, done, total)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bars: dict[str, object] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
        redirect_stderr=False,
    ) as progress:

        def report(step: str, done: int, total: int) -> None:
            group = step.split(":")[0]
            if group not in bars:
                bars[group] = progress.add_task(step, total=total)
            progress.update(bars[group], completed=done, total=total, description=step)  # type: ignore[arg-type]

        yield report


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=2)


def _warn_unreadable(frame: pd.DataFrame, source: Path) -> None:
    from kintrace.linkage.io import unreadable_summary

    summary = unreadable_summary(frame, str(source))
    if summary:
        typer.secho(f"warning: {summary}", fg=typer.colors.YELLOW, err=True)


def _parse_extras(extra: list[str] | None) -> list[Extra]:
    from kintrace.linkage.extras import parse_extra

    try:
        return [parse_extra(e) for e in extra or []]
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _check_engine(engine: str) -> None:
    from kintrace.linkage.engines import ENGINES

    if engine not in ENGINES:
        raise _fail(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")


def link(
    cases: Annotated[
        Path,
        typer.Argument(
            metavar="CASES.csv", help="Cases: record_id,last_name,first_name,patronymic,birth_date,unit"
        ),
    ],
    records: Annotated[
        Path, typer.Argument(metavar="LIST.csv", help="The published list, same columns (others ignored).")
    ],
    out: Annotated[Path, typer.Option("--out", help="PAIRS.csv to write.")],
    engine: EngineOption = "duckdb",
    threshold: Annotated[
        float, typer.Option("--threshold", help="Match probability at or above which a pair is a link.")
    ] = DEFAULT_THRESHOLD,
    review_threshold: Annotated[
        float, typer.Option("--review-threshold", help="Pairs above this (and below a link) go to review.")
    ] = DEFAULT_REVIEW_THRESHOLD,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="Reviewed pairs CSV case_id,record_id,is_match: they override the model's bands, and "
            "the confirmed ones train its m probabilities when the inputs are large enough to train on.",
        ),
    ] = None,
    model_in: Annotated[
        Path | None,
        typer.Option("--model", help="Score with a saved model (from --model-out) instead of training."),
    ] = None,
    model_out: Annotated[
        Path | None, typer.Option("--model-out", help="Save the trained model (JSON).")
    ] = None,
    strict: StrictOption = False,
    extra: ExtraOption = None,
) -> None:
    """Link a published list to cases: every candidate pair with its probability, band and reasons."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import make_api
    from kintrace.linkage.extras import extras_for
    from kintrace.linkage.features import build_features
    from kintrace.linkage.io import InputError, read_labels, read_records

    _check_engine(engine)
    requested = _parse_extras(extra)
    asked = [e.column for e in requested]
    if not 0 <= review_threshold <= threshold <= 1:
        raise _fail(f"need 0 <= --review-threshold ({review_threshold}) <= --threshold ({threshold}) <= 1")
    try:
        saved = lm.TrainedModel.load(model_in) if model_in is not None else None
        asked += [e.column for e in saved.extras] if saved is not None else []
        case_rows = read_records(cases, strict=strict, extra_columns=asked)
        list_rows = read_records(records, strict=strict, extra_columns=asked)
        reviewed = read_labels(labels) if labels is not None else None
    except (InputError, ValueError, OSError) as exc:
        raise _fail(str(exc)) from None
    _warn_unreadable(case_rows, cases)
    _warn_unreadable(list_rows, records)
    extras = extras_for([*case_rows.columns, *list_rows.columns], requested)
    if saved is not None:
        extras = tuple(dict.fromkeys([*extras, *saved.extras]))
    with _progress() as progress:
        progress("features", 0, 2)
        case_features = build_features(case_rows, extras=extras)
        progress("features", 1, 2)
        list_features = build_features(list_rows, extras=extras)
        progress("features", 2, 2)
        api = make_api(engine)  # type: ignore[arg-type]
        trained = lm.fit(
            api, case_features, list_features, model=saved, labels=reviewed, extras=extras, progress=progress
        )
        pairs = lm.predict(
            api,
            trained,
            case_features,
            list_features,
            threshold=threshold,
            review_threshold=review_threshold,
            labels=reviewed,
            progress=progress,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    pairs.to_csv(out, index=False, float_format="%.6g")
    if model_out is not None:
        trained.save(model_out)
    counts = pairs["band"].value_counts()
    typer.echo(
        f"{len(case_rows)} cases x {len(list_rows)} list rows: {counts.get('link', 0)} links, "
        f"{counts.get('review', 0)} to review -> {out}"
    )


def dedupe(
    cases: Annotated[
        Path,
        typer.Argument(
            metavar="CASES.csv", help="Cases: record_id,last_name,first_name,patronymic,birth_date,unit"
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="CLUSTERS.csv to write: record_id,cluster_id,cluster_size.")
    ],
    engine: EngineOption = "duckdb",
    threshold: Annotated[
        float, typer.Option("--threshold", help="Match probability at or above which two cases are one man.")
    ] = DEFAULT_THRESHOLD,
    strict: StrictOption = False,
    extra: ExtraOption = None,
) -> None:
    """Find cases that describe the same man: a cluster id per case."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import make_api
    from kintrace.linkage.extras import extras_for
    from kintrace.linkage.features import build_features
    from kintrace.linkage.io import InputError, read_records

    _check_engine(engine)
    requested = _parse_extras(extra)
    if not 0 <= threshold <= 1:
        raise _fail(f"--threshold must be a probability, not {threshold}")
    try:
        case_rows = read_records(cases, strict=strict, extra_columns=[e.column for e in requested])
    except InputError as exc:
        raise _fail(str(exc)) from None
    _warn_unreadable(case_rows, cases)
    with _progress() as progress:
        extras = extras_for(case_rows.columns, requested)
        features = build_features(case_rows, extras=extras)
        api = make_api(engine)  # type: ignore[arg-type]
        trained = lm.fit(api, features, None, extras=extras, progress=progress)
        clusters = lm.predict_dedupe(api, trained, features, threshold=threshold)
    out.parent.mkdir(parents=True, exist_ok=True)
    clusters.to_csv(out, index=False)
    duplicated = int((clusters["cluster_size"] > 1).sum())
    typer.echo(
        f"{len(case_rows)} cases in {clusters['cluster_id'].nunique()} clusters; "
        f"{duplicated} cases have a duplicate -> {out}"
    )


def register(app: typer.Typer) -> None:
    """Attach the linkage commands to the root app."""
    app.command("link")(link)
    app.command("dedupe")(dedupe)
