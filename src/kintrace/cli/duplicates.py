"""`kintrace cases duplicates`: the engine's candidate duplicate cases, strongest first, as a table.

The same pairs as the desk's /desk/duplicates and GET /api/v1/duplicates (linked, merged and dismissed
pairs left out). By default the model is trained on the registry itself, as `kintrace dedupe` does;
`--no-train` scores with the bundled model, as the pages do.
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
    engine: str = typer.Option(
        "duckdb", "--engine", help="duckdb (embedded) or spark (see `kintrace link`)."
    ),
    train: bool = typer.Option(
        True,
        "--train/--no-train",
        help="Train on the registry (as `kintrace dedupe`) or use the bundled model.",
    ),
    case: str | None = typer.Option(None, "--case", help="Only the pairs of this case (its reference)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """List possible duplicate cases with the engine's reasons (linked, merged, dismissed left out)."""
    from rich.table import Table

    from kintrace.services import cases as case_service
    from kintrace.services import duplicate_candidates
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    try:
        with _session_scope(database_url) as session, _progress() as progress:
            case_id = case_service.get_case_by_reference(session, SYSTEM, case).id if case else None
            found = duplicate_candidates.find_duplicates(
                session, SYSTEM, case_id=case_id, engine=engine, train=train, progress=progress
            )
            references = {
                i: case_service.get_case(session, SYSTEM, i).reference
                for c in found
                for i in (c.case_id, c.other_case_id)
            }
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
