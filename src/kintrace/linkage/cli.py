"""`kintrace link` and `kintrace dedupe` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the linkage commands to the root app."""
