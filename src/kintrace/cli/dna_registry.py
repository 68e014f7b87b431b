"""DNA in the registry from the terminal: `kintrace dna import-profiles`, `kintrace dna run`,
`kintrace dna export-profiles`, `kintrace dna strength`, `kintrace dna incident list|create|add-case|joint`,
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

FREQUENCIES_ENV = "KINTRACE_DNA_FREQUENCIES"  # named in messages; read through kintrace.settings

Frequencies = typer.Option(
    None,
    "--frequencies",
    help="Allele frequency table (CSV marker,allele,frequency); default KINTRACE_DNA_FREQUENCIES.",
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
    from kintrace.settings import current

    path = path or current().dna_frequencies
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
    profile (all against all), with a progress bar on standard error."""
    from kintrace.cli.duplicates import _progress as progress_bars
    from kintrace.services import dna_direct, dna_matching
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    master, markers = _master(), _markers(frequencies)
    try:
        with _session_scope(database_url) as session:
            with progress_bars() as progress:
                result = dna_matching.compare(
                    session, SYSTEM, master, markers, reason=reason, progress=progress
                )
            direct = dna_direct.compare_effects(session, SYSTEM, master, markers, reason=reason)
            direct.add(dna_direct.compare_fragments(session, SYSTEM, master, markers, reason=reason))
    except ServiceError as error:
        raise _fail(str(error)) from None
    console.print(f"{result.pairs} comparison(s), {result.candidates} candidate identification(s)")
    _print_direct(direct)
    for case_id, why in sorted(result.skipped.items()):
        err_console.print(f"case {case_id} not scored: {why}", highlight=False)


def export_profiles(
    out: Path = typer.Argument(..., help="CSV file to write (long layout), readable by its owner only."),
    reason: str = typer.Option(..., "--reason", help="Why the genotypes leave the registry (audited)."),
    case_id: int | None = typer.Option(None, "--case", help="Every live profile of this case."),
    samples: list[str] = typer.Option([], "--sample", help="A sample's code; repeat for several."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Write profiles' genotypes to a file for another laboratory or a DVI tool, with a reason.

    Only a case's samples or named samples, never every profile; each one read is audited."""
    import os

    from kintrace.services import dna_profiles
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    master = _master()
    try:
        with _session_scope(database_url) as session:
            made = dna_profiles.export_profiles(
                session, SYSTEM, master, reason, case_id=case_id, sample_codes=tuple(samples)
            )
    except ServiceError as error:
        raise _fail(f"nothing exported: {error}") from None
    # Genotypes on disk: created for the owner alone before a byte is written.
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(made.csv_text)
    console.print(f"exported {len(made.samples)} profile(s) to {out}", highlight=False)


def strength(
    case: int | None = typer.Option(
        None, "--case", help="One case (its id); default every family not current."
    ),
    frequencies: Path | None = Frequencies,
    database_url: str | None = DatabaseUrl,
) -> None:
    """Compute families' reference strength (exclusion power, P(LR >= 10^4 | true)) and, for a weak
    family, which relative to ask next; stored for the desk, the API and the report."""
    from sqlalchemy import select

    from kintrace.services import dna_strength
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError
    from kintrace.store.models import DnaReferenceStrength

    master, markers = _master(), _markers(frequencies)
    try:
        with _session_scope(database_url) as session:
            if case is None:
                done = dna_strength.compute_stale(session, SYSTEM, master, markers)
                console.print(f"computed {done} famil{'y' if done == 1 else 'ies'}")
                ids = list(session.scalars(select(DnaReferenceStrength.case_id)))
            else:
                dna_strength.compute(session, SYSTEM, master, markers, case)
                ids = [case]
            for case_id, found in sorted(dna_strength.strengths(session, ids, markers).items()):
                console.print(_strength_line(case_id, found), highlight=False)
    except ServiceError as error:
        raise _fail(str(error)) from None


def _strength_line(case_id: int, found: object) -> str:
    from kintrace.services.dna_strength import Strength

    assert isinstance(found, Strength)
    row = found.row
    if row is None:
        return f"case {case_id}: {found.state.value.replace('_', ' ')}"
    if row.p_true is None:
        return f"case {case_id}: not computed: {row.not_computed}"
    line = (
        f"case {case_id}: P(LR >= 10^4 | true) {row.p_true:.3f}, exclusion power {row.exclusion_power:.4f} "
        f"({row.simulations} simulations, seed {row.seed}, {row.markers} markers)"
    )
    if found.weak and found.suggestions:
        best = found.suggestions[0]
        relative = best.kinship.value.replace("_", " ")
        line += f"; weak: ask a {relative}: from {row.p_true:.2f} to {best.p_true:.2f}"
    return line


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


incident_app = typer.Typer(
    help="Incidents (a grave, a crash): their families and the joint identification of their remains.",
    no_args_is_help=True,
)


@incident_app.command("list")
def incident_list(database_url: str | None = DatabaseUrl) -> None:
    """Every incident with its number of remains and of families considered."""
    from kintrace.services import dna_incidents
    from kintrace.services.access import SYSTEM

    with _session_scope(database_url) as session:
        for row in dna_incidents.list_incidents(session, SYSTEM):
            incident = row.incident
            console.print(
                f"{incident.id} · {incident.name} · {incident.kind.value} · {incident.occurred_on or '-'} · "
                f"{row.remains} remains · {row.cases} families",
                highlight=False,
            )


@incident_app.command("create")
def incident_create(
    name: str = typer.Argument(..., help="The incident's name (unique)."),
    kind: str = typer.Option("other", "--kind", help="mass_grave, crash, shelling or other."),
    place: str | None = typer.Option(None, "--place"),
    occurred_on: str | None = typer.Option(None, "--date", help="YYYY, YYYY-MM or YYYY-MM-DD."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Record an incident (remains registered with its name join it)."""
    from kintrace.domain.dates import PartialDate, PartialDateError
    from kintrace.domain.dna_samples import IncidentKind
    from kintrace.services import dna_incidents
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    try:
        chosen = IncidentKind(kind)
    except ValueError:
        raise _fail(f"--kind: {kind!r} is not mass_grave, crash, shelling or other", code=2) from None
    try:
        occurred = None if not occurred_on else PartialDate.parse(occurred_on)
    except PartialDateError as error:
        raise _fail(f"--date: {error}", code=2) from None
    try:
        with _session_scope(database_url) as session:
            made = dna_incidents.create_incident(
                session, SYSTEM, dna_incidents.IncidentInput(name, chosen, place, occurred)
            )
            made_id = made.id
    except ServiceError as error:
        raise _fail(str(error)) from None
    console.print(f"incident {made_id}: {name}", highlight=False)


@incident_app.command("add-case")
def incident_add_case(
    incident_id: int = typer.Argument(...),
    case_id: int = typer.Argument(...),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Consider a family (its case) for the incident."""
    from kintrace.services import dna_incidents
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    try:
        with _session_scope(database_url) as session:
            dna_incidents.add_case(session, SYSTEM, incident_id, case_id)
    except ServiceError as error:
        raise _fail(str(error)) from None
    console.print(f"case {case_id} considered for incident {incident_id}", highlight=False)


@incident_app.command("joint")
def incident_joint(
    incident_id: int = typer.Argument(...),
    frequencies: Path | None = Frequencies,
    database_url: str | None = DatabaseUrl,
) -> None:
    """The joint identification of the incident's remains (computed now, not stored; reads audited):
    the likeliest assignments with LR and posterior, each body's likeliest family."""
    import json

    from kintrace.services import dna_incidents
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    master, markers = _master(), _markers(frequencies)
    try:
        with _session_scope(database_url) as session:
            result = dna_incidents.joint_identification(session, SYSTEM, master, markers, incident_id)
    except ServiceError as error:
        raise _fail(str(error)) from None
    document = {
        "incident_id": result.incident_id,
        "method": result.method,
        "why_pairwise": result.why_pairwise,
        "assignments": result.assignments,
        "prior": result.prior,
        "remains": {str(k): v for k, v in result.remains.items()},
        "cases": result.cases,
        "not_used": result.not_used,
        "rows": [
            {
                "rank": row.rank,
                "pairs": {str(k): v for k, v in row.pairs.items()},
                "log10_lr": row.log10_lr,
                "posterior": row.posterior,
            }
            for row in result.rows
        ],
        "marginals": [
            {"remains_sample_id": r, "case_id": c, "posterior": p} for (r, c), p in result.marginals.items()
        ],
        "pairwise": [
            {"remains_sample_id": r, "case_id": c, "log10_lr": lr} for (r, c), lr in result.pairwise.items()
        ],
    }
    console.print_json(json.dumps(document))


def register(app: typer.Typer, engine_app: typer.Typer) -> None:
    """`kintrace dna`: the engine's commands and the registry's, in a group of its own (the engine's
    Typer app is left as it is), and `kintrace keys`."""
    dna_group = typer.Typer(no_args_is_help=True)
    dna_group.registered_commands = [*engine_app.registered_commands]
    dna_group.command("import-profiles")(import_profiles)
    dna_group.command("run")(run)
    dna_group.command("export-profiles")(export_profiles)
    dna_group.add_typer(incident_app, name="incident")
    dna_group.command("strength")(strength)
    app.add_typer(
        dna_group,
        name="dna",
        help="DNA kinship: pedigree likelihood ratios, matching, joint identification; the registry's "
        "profiles (import-profiles, run, export-profiles, strength).",
    )
    app.add_typer(keys_app, name="keys")
