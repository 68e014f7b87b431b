"""DNA in the registry from the terminal: `kintrace dna import-profiles`, `kintrace dna run`,
`kintrace keys new` and `kintrace keys rotate`.

The genetic master key comes from KINTRACE_GENETIC_KEY or KINTRACE_GENETIC_KEY_FILE, the allele
frequency table from --frequencies (default KINTRACE_DNA_FREQUENCIES). Commands act as the system
and every read of genotypes they make is audited with its reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kintrace.cli.registry import DatabaseUrl, _fail, _session_scope, console, err_console

if TYPE_CHECKING:
    from kintrace.dna.markers import Marker
    from kintrace.services.dna_direct import DirectResult
    from kintrace.services.genetic_crypto import MasterKey

FREQUENCIES_ENV = "KINTRACE_DNA_FREQUENCIES"

Frequencies = typer.Option(
    None,
    "--frequencies",
    envvar=FREQUENCIES_ENV,
    help="Allele frequency table (CSV marker,allele,frequency); default KINTRACE_DNA_FREQUENCIES.",
    show_envvar=False,
)

keys_app = typer.Typer(help="The genetic master key: make one, rotate to a new one.", no_args_is_help=True)


def _master() -> MasterKey:
    from kintrace.services.genetic_crypto import GeneticKeyError, master_key_from_env

    try:
        return master_key_from_env()
    except GeneticKeyError as error:
        raise _fail(str(error), code=2) from None


def _markers(path: Path | None) -> dict[str, Marker]:
    from kintrace.dna.markers import DnaInputError, load_frequency_table

    if path is None:
        raise _fail(f"name the allele frequency table with --frequencies or {FREQUENCIES_ENV}", code=2)
    try:
        return load_frequency_table(path)
    except DnaInputError as error:
        raise _fail(str(error)) from None


def import_profiles(
    path: Path = typer.Argument(..., help="A lab export: the long or the wide CSV layout."),
    frequencies: Path | None = Frequencies,
    layout: str = typer.Option("auto", "--layout", help="auto, long or wide."),
    homozygous: bool = typer.Option(
        False, "--single-allele-homozygous", help="Read a lone allele as a homozygote (15, -> 15/15)."
    ),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Import a lab export against the registered samples (all or nothing), encrypt the profiles, and
    score them on arrival against every family or every remains profile."""
    from kintrace.services import dna_arrival
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    if layout not in ("auto", "long", "wide"):
        raise _fail(f"--layout: {layout!r} is not auto, long or wide", code=2)
    master, markers = _master(), _markers(frequencies)
    try:
        with _session_scope(database_url) as session:
            result = dna_arrival.import_and_match(
                session,
                SYSTEM,
                master,
                markers,
                path,
                layout=layout,  # type: ignore[arg-type]
                single_allele="homozygous" if homozygous else "unknown",
            )
    except ServiceError as error:
        raise _fail(f"nothing imported: {error}") from None
    console.print(
        f"imported {len(result.imported.profiles)} profile(s); {result.matching.pairs} comparison(s), "
        f"{result.matching.candidates} candidate identification(s)",
        highlight=False,
    )
    _print_direct(result.direct)
    for case_id, why in sorted(result.matching.skipped.items()):
        err_console.print(f"case {case_id} not scored: {why}", highlight=False)


def run(
    frequencies: Path | None = Frequencies,
    reason: str = typer.Option("full all-against-all run", "--reason", help="Recorded in the audit log."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Score every remains profile against every family, every personal effect and every other remains
    profile (all against all)."""
    from kintrace.services import dna_direct, dna_matching
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    master, markers = _master(), _markers(frequencies)
    try:
        with _session_scope(database_url) as session:
            result = dna_matching.compare(session, SYSTEM, master, markers, reason=reason)
            direct = dna_direct.compare_effects(session, SYSTEM, master, markers, reason=reason)
            direct.add(dna_direct.compare_fragments(session, SYSTEM, master, markers, reason=reason))
    except ServiceError as error:
        raise _fail(str(error)) from None
    console.print(f"{result.pairs} comparison(s), {result.candidates} candidate identification(s)")
    _print_direct(direct)
    for case_id, why in sorted(result.skipped.items()):
        err_console.print(f"case {case_id} not scored: {why}", highlight=False)


def _print_direct(direct: DirectResult) -> None:
    if direct.pairs:
        console.print(
            f"direct matches: {direct.pairs} pair(s), {direct.candidates} candidate identification(s) "
            f"from personal effects, {direct.associations} association(s) of remains to review",
            highlight=False,
        )


@keys_app.command("new")
def new_key(path: Path = typer.Argument(..., help="File to create (readable by its owner only).")) -> None:
    """Make a new random master key file; point KINTRACE_GENETIC_KEY_FILE at it."""
    from kintrace.services.genetic_crypto import write_key_file

    try:
        key = write_key_file(path)
    except FileExistsError:
        raise _fail(f"{path} exists; a key file is never overwritten") from None
    console.print(f"wrote {path} (key {key.key_id})", highlight=False)


@keys_app.command("rotate")
def rotate(
    new_key_file: Path = typer.Option(..., "--new-key-file", help="The new master key (see `keys new`)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Re-wrap every profile's data key from the current master key to a new one (all or nothing).

    Afterwards set KINTRACE_GENETIC_KEY(_FILE) to the new key; keep the old one until a backup
    taken under it is no longer needed."""
    from kintrace.services import dna_profiles
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError
    from kintrace.services.genetic_crypto import GeneticKeyError, read_key_file

    old = _master()
    try:
        new = read_key_file(new_key_file)
        with _session_scope(database_url) as session:
            count = dna_profiles.rotate(session, SYSTEM, old, new)
    except (ServiceError, GeneticKeyError) as error:
        raise _fail(f"nothing rotated: {error}") from None
    console.print(f"re-wrapped {count} profile key(s) from {old.key_id} to {new.key_id}", highlight=False)


def register(app: typer.Typer, engine_app: typer.Typer) -> None:
    """`kintrace dna`: the engine's commands and the registry's, in a group of its own (the engine's
    Typer app is left as it is), and `kintrace keys`."""
    dna_group = typer.Typer(no_args_is_help=True)
    dna_group.registered_commands = [*engine_app.registered_commands]
    dna_group.command("import-profiles")(import_profiles)
    dna_group.command("run")(run)
    app.add_typer(
        dna_group,
        name="dna",
        help="DNA kinship: pedigree likelihood ratios, matching, joint identification; the registry's "
        "profiles (import-profiles, run).",
    )
    app.add_typer(keys_app, name="keys")
