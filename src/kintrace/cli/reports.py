"""Reports for authorities and lawyers: `kintrace reports overdue` (CSV, or PDF with a plot)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from kintrace.cli.dna_registry import Frequencies, _markers, _master
from kintrace.cli.registry import DatabaseUrl, _fail, _session_scope, err_console

reports_app = typer.Typer(
    help="Reports for authorities, lawyers and courts (PDF, CSV).", no_args_is_help=True
)


@reports_app.command("overdue")
def overdue(
    out: Path = typer.Option(..., "--out", help="File to write; .pdf or .csv unless --format says."),
    fmt: str | None = typer.Option(None, "--format", help="pdf or csv (default: from --out's suffix)."),
    language: str = typer.Option("uk", "--language", help="uk, ru or en (the PDF's language)."),
    authority: str | None = typer.Option(None, "--authority", help="Only this authority (as written)."),
    today: str | None = typer.Option(None, "--as-of", help="Count days to this date (YYYY-MM-DD)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Unanswered status-change requests per authority: waiting, overdue, median and 90th percentile of
    days pending, the oldest ones, month by month. Records the document's SHA-256 in the audit log."""
    from kintrace.services import documents
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    kind = fmt or out.suffix.lstrip(".").lower()
    try:
        as_of = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise _fail(f"--as-of: {today!r} is not a date (YYYY-MM-DD)") from None
    try:
        with _session_scope(database_url) as session:
            made = documents.overdue(
                session, SYSTEM, fmt=kind, language=language, authority=authority, today=as_of
            )
    except ServiceError as error:
        raise _fail(str(error)) from None
    out.write_bytes(made.content)
    err_console.print(f"wrote {out} (sha256 {made.sha256}, recorded in the audit log)")


@reports_app.command("dossier")
def case_dossier(
    reference: str = typer.Argument(..., help="The case's reference (e.g. KT-2024-00012)."),
    out: Path = typer.Option(..., "--out", help="The PDF to write."),
    language: str = typer.Option("uk", "--language", help="uk, ru or en."),
    internal: bool = typer.Option(False, "--internal", help="Include internal items (never contacts)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """A case dossier for an authority, an ombudsman, a court or a tracing agency (PDF); its SHA-256
    is recorded in the audit log."""
    from kintrace.services import cases
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError
    from kintrace.web import dossier

    if language not in ("uk", "ru", "en"):
        raise _fail(f"--language: {language!r} is not one of uk, ru, en")
    try:
        with _session_scope(database_url) as session:
            case = cases.get_case_by_reference(session, SYSTEM, reference)
            made = dossier.dossier_document(session, SYSTEM, case.id, language, internal=internal)
    except ServiceError as error:
        raise _fail(str(error)) from None
    out.write_bytes(made.content)
    err_console.print(f"wrote {out} (sha256 {made.sha256}, recorded in the audit log)")


@reports_app.command("identification")
def identification(
    comparison_id: int = typer.Argument(..., help="The DNA comparison (candidate identification) id."),
    out: Path = typer.Option(..., "--out", help="The PDF to write."),
    language: str = typer.Option("en", "--language", help="uk, ru or en."),
    frequencies: Path | None = Frequencies,
    database_url: str | None = DatabaseUrl,
) -> None:
    """The identification report of a DNA comparison (PDF): hypotheses, references and pedigree, LR per
    marker and in total, prior and posterior, reference strength, review, method. No genotype is
    printed; the references read for the strength are audited, and the SHA-256 recorded."""
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError
    from kintrace.web import dna_report

    if language not in ("uk", "ru", "en"):
        raise _fail(f"--language: {language!r} is not one of uk, ru, en")
    master, markers = _master(), _markers(frequencies)
    try:
        with _session_scope(database_url) as session:
            made = dna_report.identification_report_document(
                session, SYSTEM, master, markers, comparison_id, language
            )
    except ServiceError as error:
        raise _fail(str(error)) from None
    out.write_bytes(made.content)
    err_console.print(f"wrote {out} (sha256 {made.sha256}, recorded in the audit log)")


def register(app: typer.Typer) -> None:
    app.add_typer(reports_app, name="reports")
