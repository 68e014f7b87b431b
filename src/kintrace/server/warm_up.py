"""What a server builds once at start, in the background, so the first user does not wait for it.

- The list matching engine, when lists are stored: every staff edit of a case matches it against
  them at once, and the first run of a process loads the engine (about a second).
- The families' arrival tables, when reference profiles are stored and a frequency table is
  configured: the first profile to arrive would otherwise decrypt every reference and build every
  family's rows (a minute at 100,000 families) before it is scored. Then, in the same thread, the
  reference strength of the families whose stored figures are not current (at most
  ``STRENGTHS_AT_START``; the rest, and families that change while the server runs, are computed on
  demand: the desk's button, the API, `kintrace dna strength`).
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from kintrace.dna.markers import DnaInputError
from kintrace.server import background
from kintrace.services import dna_family_tables, dna_strength, list_matching
from kintrace.services.dna_frequencies import configured_markers

STRENGTHS_AT_START = 1000  # about a second each for a weak family: bounded, in the background


def install(app: FastAPI) -> None:
    def lists_stored() -> bool:
        try:
            return list_matching.holds_lists(app.state.sessionmaker)
        except SQLAlchemyError:  # a database not migrated yet: the server says so on its first request
            return False

    def references_stored() -> bool:
        try:
            markers = configured_markers()
            return markers is not None and dna_family_tables.holds_references(app.state.sessionmaker)
        except (DnaInputError, SQLAlchemyError):
            return False  # the DNA routes answer 503 naming the table; nothing to build

    def build_arrival_tables() -> None:
        markers = configured_markers()
        if markers is not None:
            dna_family_tables.warm_up_quietly(app.state.sessionmaker, app.state.genetic_key, markers)
            dna_strength.compute_in_background_quietly(
                app.state.sessionmaker, app.state.genetic_key, markers, limit=STRENGTHS_AT_START
            )

    background.at_start(app, "list-engine-warm-up", list_matching.warm_up_quietly, when=lists_stored)
    background.at_start(app, "dna-arrival-tables", build_arrival_tables, when=references_stored)
