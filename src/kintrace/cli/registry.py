"""Registry commands (serve, demo, db, users, cases, audit). Filled in by the registry work."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the registry commands to the root app."""
