"""`kintrace backup OUT` and `kintrace restore IN`: the database and the attachments in one archive."""

from __future__ import annotations

from pathlib import Path

import typer

from kintrace.cli.registry import DatabaseUrl, _fail, _redacted, _url, console, err_console

AttachmentsDir = typer.Option(
    None,
    "--attachments-dir",
    help="Folder of the attachments' files (default KINTRACE_ATTACHMENTS_DIR or var/attachments).",
)


def _attachments(folder: Path | None) -> Path:
    from kintrace.services.attachments import attachments_root

    return folder or attachments_root()


def backup(
    out: Path = typer.Argument(
        ..., dir_okay=False, help="The archive to write (e.g. kintrace-2026-12-03.tar.gz)."
    ),
    attachments_dir: Path | None = AttachmentsDir,
    database_url: str | None = DatabaseUrl,
) -> None:
    """Back up the database and every attachment it refers to into one archive (safe while serving)."""
    from kintrace.services.backup import BackupError
    from kintrace.services.backup import backup as run_backup

    if out.exists():
        raise _fail(f"{out} exists; choose a new name (backups are never overwritten)")
    try:
        report = run_backup(_url(database_url), out, _attachments(attachments_dir))
    except BackupError as error:
        raise _fail(str(error)) from None
    rows = sum(report.tables.values())
    console.print(
        f"backed up {report.kind} database {_redacted(_url(database_url))}: {len(report.tables)} tables, "
        f"{rows} rows, {report.files} attachment file(s) -> {out}",
        highlight=False,
    )
    if report.missing:
        err_console.print(
            f"[bold red]warning:[/] {len(report.missing)} attachment file(s) the database refers to are "
            f"missing or corrupt and are not in the backup: {', '.join(report.missing[:5])}",
            highlight=False,
        )
        raise typer.Exit(3)


def restore(
    archive: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="An archive from `backup`."
    ),
    force: bool = typer.Option(False, "--force", help="Replace what a non-empty target database holds."),
    attachments_dir: Path | None = AttachmentsDir,
    database_url: str | None = DatabaseUrl,
) -> None:
    """Restore an archive: every part is checked against its SHA-256 first; an empty target unless --force.

    Stop the server first. Then run `kintrace audit verify --anchor FILE` on the restored database."""
    from kintrace.services.backup import BackupError
    from kintrace.services.backup import restore as run_restore

    try:
        restored = run_restore(archive, _url(database_url), _attachments(attachments_dir), force=force)
    except BackupError as error:
        raise _fail(str(error)) from None
    from kintrace.store.migrations import current_head

    console.print(
        f"restored {sum(restored.tables.values())} rows in {len(restored.tables)} tables "
        f"into {_redacted(_url(database_url))}",
        highlight=False,
    )
    if restored.revision != current_head():
        console.print(
            f"the backup's schema is revision {restored.revision}, this kintrace's is {current_head()}: "
            "run `kintrace db upgrade` before serving",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
