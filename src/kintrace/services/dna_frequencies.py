"""The server's allele frequency table (KINTRACE_DNA_FREQUENCIES), read once per file and kept.

Both faces score with it: the API's DNA routes and reports, the desk's candidates and report, the
warm-up at start. Without one, DNA scoring is off: the API answers 503 naming the variable, the desk
lists no unscored families.
"""

from __future__ import annotations

from functools import lru_cache

from kintrace import settings
from kintrace.dna.markers import Marker, load_frequency_table

FREQUENCIES_ENV = "KINTRACE_DNA_FREQUENCIES"
NOT_CONFIGURED = f"No allele frequency table is configured ({FREQUENCIES_ENV})."


@lru_cache(maxsize=4)
def _table(path: str) -> dict[str, Marker]:
    return load_frequency_table(path)


def configured_markers() -> dict[str, Marker] | None:
    """The table the environment names, None when none is; raises DnaInputError for an unreadable one."""
    path = settings.current().dna_frequencies
    return _table(str(path)) if path is not None else None


def configured() -> bool:
    """Whether a table is named at all (readable or not)."""
    return settings.current().dna_frequencies is not None
