"""`kintrace audit ...`: verify the chain (against its anchor), write a checkpoint, erase personal data."""

from __future__ import annotations

from pathlib import Path

import typer

from kintrace.cli.registry import DatabaseUrl, _fail, _session_scope, console

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)

AnchorFile = typer.Option(
    None,
    "--anchor",
    help="The anchor file of signed checkpoints (default KINTRACE_AUDIT_ANCHOR_FILE).",
)


def _anchor(given: Path | None) -> Path | None:
    from kintrace.settings import current

    return given or current().audit_anchor_file


@audit_app.command("verify")
def audit_verify(anchor: Path | None = AnchorFile, database_url: str | None = DatabaseUrl) -> None:
    """Walk the audit chain; exit 1 naming the first row that was edited, removed or inserted.

    With --anchor (needs KINTRACE_AUDIT_ANCHOR_KEY or _KEY_FILE) the chain is also held against every
    signed checkpoint, which finds rewriting, forged rows and truncation up to the newest checkpoint."""
    from kintrace.store import audit
    from kintrace.store.audit_anchor import AnchorError, load_key, read_anchor, verify_with_anchor

    anchor = _anchor(anchor)
    if anchor is None:
        with _session_scope(database_url) as session:
            result = audit.verify(session)
        if not result.ok:
            raise _fail(result.describe())
        console.print(result.describe(), highlight=False)
        console.print("no anchor given: rewriting and truncation cannot be ruled out (see --anchor)")
        return
    try:
        key = load_key()
        checkpoints = read_anchor(anchor)
    except AnchorError as error:
        raise _fail(str(error)) from None
    if not checkpoints:
        raise _fail(f"{anchor} holds no checkpoint; write one with: kintrace audit checkpoint")
    with _session_scope(database_url) as session:
        anchored = verify_with_anchor(session, checkpoints, key)
    if not anchored.ok:
        raise _fail(anchored.message)
    console.print(anchored.message, highlight=False)


@audit_app.command("checkpoint")
def audit_checkpoint(anchor: Path | None = AnchorFile, database_url: str | None = DatabaseUrl) -> None:
    """Append a signed checkpoint of the chain's head to the anchor file (the server also does, hourly)."""
    from kintrace.store.audit_anchor import AnchorError, load_key, write_checkpoint

    anchor = _anchor(anchor)
    if anchor is None:
        raise _fail("--anchor: name the anchor file (or set KINTRACE_AUDIT_ANCHOR_FILE)")
    try:
        key = load_key()
        with _session_scope(database_url) as session:
            point = write_checkpoint(session, anchor, key)
    except AnchorError as error:
        raise _fail(str(error)) from None
    assert point is not None  # written unconditionally without if_changed
    console.print(f"wrote {point.describe()} to {anchor}: head {point.head_hash}", highlight=False)


@audit_app.command("erase")
def audit_erase(
    case: int | None = typer.Option(
        None, "--case", help="Erase the audit values of every record of this case."
    ),
    relative: int | None = typer.Option(None, "--relative", help="Erase the audit values of this relative."),
    entity: str | None = typer.Option(None, "--entity", help="Any table, with --id (e.g. users)."),
    entity_id: str | None = typer.Option(None, "--id", help="The record's id, with --entity."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Destroy the keys that seal records' personal data in the audit log (the chain stays intact).

    Backups taken before the erasure still hold the keys: they age out with the backup retention."""
    from kintrace.services import auditing
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    chosen = [
        name for name, value in (("--case", case), ("--relative", relative), ("--entity", entity)) if value
    ]
    if len(chosen) != 1:
        raise _fail("name exactly one of --case, --relative, or --entity with --id")
    if relative is not None:
        entity, entity_id = "relatives", str(relative)
    try:
        with _session_scope(database_url) as session:
            erased = auditing.erase_subjects(
                session, SYSTEM, case_id=case, entity=entity, entity_id=entity_id
            )
    except ServiceError as error:
        raise _fail(str(error)) from None
    if not erased:
        raise _fail("no audit values of that record are held (never written, or erased already)")
    console.print(f"erased the audit values of {erased} record(s); the chain is unchanged", highlight=False)
