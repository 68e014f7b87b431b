"""What every `kintrace dna` command shares: the one-line error on stderr and the progress bar."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

EXIT_BAD_INPUT = 2


def stderr() -> Console:
    """The console for progress and messages, so that stdout stays free for data."""
    return Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` as one line on stderr; the caller raises the returned exit (code 2).

    A lab reads these errors to fix its files, so the line is never wrapped or taken as markup.
    """
    stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


def progress_bar(console: Console, label: str, unit: str) -> Progress:
    """A bar ``label [====] done/total unit elapsed remaining``; ``unit`` may use ``{task.description}``."""
    return Progress(
        TextColumn(f"[bold]{escape(label)}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
