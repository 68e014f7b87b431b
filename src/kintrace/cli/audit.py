"""`kintrace audit ...`: verify the chain (against its anchor), write a checkpoint, erase personal data."""

from __future__ import annotations

from pathlib import Path

import typer

from kintrace.cli.registry import DatabaseUrl, _fail, _session_scope, console

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)

AnchorFile = typer.Option(
    None,
    "--anchor",
    envvar="KINTRACE_AUDIT_ANCHOR_FILE",
    help="The anchor file of signed checkpoints (default KINTRACE_AUDIT_ANCHOR_FILE).",
    show_envvar=False,
)


@audit_app.command("verify")
def audit_verify(anchor: Path | None = AnchorFile, database_url: str | None = DatabaseUrl) -> None:
    """Walk the audit chain; exit 1 naming the first row that was edited, removed or inserted.

    With --anchor (needs KINTRACE_AUDIT_ANCHOR_KEY or _KEY_FILE) the chain is also held against every
    signed checkpoint, which finds rewriting, forged rows and truncation up to the newest checkpoint."""
    from kintrace.store import audit
    from kintrace.store.audit_anchor import AnchorError, load_key, read_anchor, verify_with_anchor

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
