"""The `kintrace` command: one root Typer app that gathers the registry, DNA and linkage commands.

Sub-command modules import their heavy dependencies (Numba, Splink, SQLAlchemy) inside the
commands, so `kintrace --help` stays fast.
"""

from __future__ import annotations

import typer

from kintrace.cli import dna_registry, duplicates, lists, registry, reports
from kintrace.dna.cli import app as dna_app
from kintrace.linkage.cli import register as register_linkage

app = typer.Typer(
    name="kintrace",
    help="Trace missing persons with their families: case registry, record linkage, DNA identification.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _settings_fit() -> None:
    """Every command starts from settings that can be used: a KINTRACE_ variable with a value of the
    wrong type or out of range stops it here, named, instead of failing halfway through."""
    from kintrace.settings import SettingsError, current

    try:
        current()
    except SettingsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


registry.register(app)
duplicates.register(registry.cases_app)  # `kintrace cases duplicates`
reports.register(app)
lists.register(app)  # `kintrace lists import/show/match`
dna_registry.register(app, dna_app)  # `kintrace dna` (the engine's commands and the registry's), `keys`
register_linkage(app)
