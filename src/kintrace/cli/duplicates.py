"""`kintrace cases duplicates`: the engine's candidate duplicate cases, strongest first, as a table.

The same stored pairs as the desk's /desk/duplicates and GET /api/v1/duplicates (linked, merged and
dismissed pairs left out). `--refresh` first recomputes every pair with the engine (a progress bar per
step) and stores them, with the bundled model as filings' checks use; `--train` fits the model on the
registry itself for that run, as `kintrace dedupe` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

from kintrace.cli.registry import DatabaseUrl, _fail, _session_scope, console, err_console


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar per step of the engine (training, scoring), on standard error."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, object] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:

        def report(step: str, done: int, total: int) -> None:
            group = step.split(":")[0]
            if group not in tasks:
                tasks[group] = progress.add_task(group, total=total)
            progress.update(tasks[group], completed=done, total=total, description=step)  # type: ignore[arg-type]

        yield report


def cases_duplicates(
    refresh: bool = typer.Option(
        False, "--refresh", help="Recompute every pair with the engine and store them, then list them."
    ),
    engine: str = typer.Option(
        "duckdb", "--engine", help="With --refresh: duckdb (embedded) or spark (see `kintrace link`)."
    ),
    train: bool = typer.Option(
        False,
        "--train/--no-train",
        help="With --refresh: train on the registry (as `kintrace dedupe`) or use the bundled model.",
    ),
    case: str | None = typer.Option(None, "--case", help="Only the pairs of this case (its reference)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """List possible duplicate cases with the engine's reasons (linked, merged, dismissed left out)."""
    from rich.table import Table

    from kintrace.services import cases as case_service
    from kintrace.services import duplicate_candidates
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError, ValidationFailed

    try:
        if not refresh and (engine != "duckdb" or train):
            raise ValidationFailed(
                "engine", "--engine and --train choose how --refresh computes; add --refresh"
            )
        with _session_scope(database_url) as session:
            case_id = case_service.get_case_by_reference(session, SYSTEM, case).id if case else None
            if refresh:
                with _progress() as progress:
                    run = duplicate_candidates.refresh(
                        session, SYSTEM, engine=engine, train=train, progress=progress
                    )
                err_console.print(
                    f"recomputed: {run.pairs} pair(s) over {run.cases} case(s) in {run.seconds:.1f} s"
                )
            else:
                last = duplicate_candidates.last_run(session, SYSTEM)
                when = f"on {last.finished_at:%Y-%m-%d %H:%M} UTC" if last else "never (add --refresh)"
                err_console.print(f"the whole registry was last computed {when}")
            found = duplicate_candidates.stored_candidates(session, SYSTEM, case_id=case_id)
            cases = duplicate_candidates.cases_of(session, SYSTEM, found)
            references = {i: c.reference for i, c in cases.items()}
    except ServiceError as error:
        raise _fail(str(error)) from None
    table = Table(title=f"{len(found)} possible duplicate pair(s), strongest first")
    for column in ("case", "other case", "probability", "band", "reasons"):
        table.add_column(column, overflow="fold")
    for c in found:
        table.add_row(
            references[c.case_id],
            references[c.other_case_id],
            f"{c.probability:.3f}",
            c.band.value,
            c.summary,
        )
    console.print(table)


def register(cases_app: typer.Typer) -> None:
    cases_app.command("duplicates")(cases_duplicates)
