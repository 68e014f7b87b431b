"""`kintrace dna ...` commands, gathered from the exact, joint-identification and matching modules."""

from __future__ import annotations

import typer

from kintrace.dna import cli_dvi, cli_exact, cli_familias, cli_scale

app = typer.Typer(no_args_is_help=True)
cli_exact.register(app)  # lr-cases
cli_dvi.register(app)  # dvi
cli_scale.register(app)  # match, power
cli_familias.register(app)  # familias
