"""Published lists from the terminal: `kintrace lists import FILE ...` and `kintrace lists show [ID]`.

Commands act as the system unless `--as USERNAME` names a staff account (then the audit log names that
person). More commands (matching) attach to `lists_app` the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kintrace.cli.registry import DatabaseUrl, _fail, _session_scope, console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kintrace.services.access import Actor

lists_app = typer.Typer(
    help="Published lists (prisoners, exchanges, the dead): import and show.", no_args_is_help=True
)

ActingUser = typer.Option(None, "--as", help="Act as this staff account (default: the system).")


def acting_actor(session: Session, username: str | None) -> Actor:
    """The system, or the named staff account (a family account may not act on lists)."""
    from kintrace.services.access import SYSTEM, actor_for
    from kintrace.services.users import get_user_by_username

    if username is None:
        return SYSTEM
    user = get_user_by_username(session, username)
    if user is None or not user.active:
        raise _fail(f"--as: no active account {username!r}", code=2)
    return actor_for(user)


def _column_map(pairs: list[str]) -> dict[str, str] | None:
    """`--map "Прізвище=last_name"` repeated; None when none is given (the mapping is then guessed)."""
    if not pairs:
        return None
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise _fail(f"--map: {pair!r} is not HEADER=FIELD", code=2)
        mapping[header.strip()] = field.strip()
    return mapping


@lists_app.command("import")
def import_command(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="CSV, XLSX or PFIF XML."
    ),
    title: str = typer.Option(..., "--title", help="The list's title as published."),
    publisher: str = typer.Option(..., "--publisher", help="A source id, or the publisher's name."),
    published: str | None = typer.Option(None, "--published", help="Publication date (DD.MM.YYYY or ISO)."),
    kind: str = typer.Option(..., "--kind", help="prisoners, exchanged, dead, remains_repatriated, ..."),
    claim: str | None = typer.Option(None, "--claim", help="What each entry says (default: from --kind)."),
    mapping: list[str] = typer.Option([], "--map", help='"HEADER=FIELD", repeated (default: guessed).'),
    language: str | None = typer.Option(None, "--language", help="uk, ru, en, ..."),
    script: str | None = typer.Option(None, "--script", help="Cyrl or Latn."),
    reliability: str = typer.Option("F", "--reliability", help="A new publisher's Admiralty grade A-F."),
    match: bool = typer.Option(
        True,
        "--match/--no-match",
        help="Match the new list against the cases at once.",
    ),
    acting: str | None = ActingUser,
    database_url: str | None = DatabaseUrl,
) -> None:
    """Import a list: all or nothing (a bad row is named with its column), the same file only once."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from kintrace.domain.vocabulary import Reliability
    from kintrace.services.errors import ServiceError
    from kintrace.services.list_import import Publisher, import_list

    column_map = _column_map(mapping)
    try:
        grade = Reliability(reliability.upper())
    except ValueError:
        raise _fail(f"--reliability: {reliability!r} is not one of A-F", code=2) from None
    who: int | Publisher = int(publisher) if publisher.isdigit() else Publisher(publisher, grade)
    data = file.read_bytes()
    try:
        with (
            _session_scope(database_url) as session,
            Progress(
                TextColumn("importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as bar,
        ):
            task = bar.add_task("import", total=None)
            result = import_list(
                session,
                acting_actor(session, acting),
                data,
                file.name,
                title=title,
                publisher=who,
                published_on=published,
                kind=kind,
                claim=claim,
                language=language,
                script=script,
                column_map=column_map,
                progress=lambda n: bar.advance(task, n),
            )
    except ServiceError as error:
        raise _fail(f"{file.name}: {error}; nothing was imported") from None
    if not result.created:
        console.print(f"{file.name} was imported before as list {result.list_id}; nothing added")
        return
    console.print(f"list {result.list_id}: {result.entries} entries imported")
    for header, field in result.column_map.items():
        console.print(f"  {header} -> {field}", highlight=False)
    if match:
        from kintrace.cli import lists_match

        lists_match.match(result.list_id, as_user=acting, database_url=database_url)


@lists_app.command("show")
def show_command(
    list_id: int | None = typer.Argument(None, help="One list's summary and first entries."),
    entries: int = typer.Option(20, "--entries", min=1, max=500, help="How many entries to show."),
    acting: str | None = ActingUser,
    database_url: str | None = DatabaseUrl,
) -> None:
    """The lists held, or one list's summary and its first entries."""
    from rich.table import Table

    from kintrace.services import list_import
    from kintrace.services.errors import ServiceError

    try:
        with _session_scope(database_url) as session:
            actor = acting_actor(session, acting)
            if list_id is None:
                table = Table("id", "title", "publisher", "published", "kind", "entries", "imported")
                for found in list_import.list_lists(session, actor):
                    table.add_row(
                        str(found.id),
                        found.title,
                        f"{found.publisher.name} ({found.publisher.reliability.value})",
                        str(found.published_on or ""),
                        found.kind.value,
                        str(found.entry_count),
                        found.imported_at.strftime("%Y-%m-%d %H:%M"),
                    )
                console.print(table)
                return
            summary = list_import.list_summary(session, actor, list_id)
            page = list_import.list_entries(session, actor, list_id, per_page=entries)
            shown = summary.list
            console.print(f"[bold]{shown.title}[/] (list {shown.id})", highlight=False)
            console.print(
                f"  publisher {summary.publisher.name} ({summary.publisher.reliability.value}), "
                f"published {shown.published_on or 'unknown'}, "
                f"kind {shown.kind.value}, claim {shown.claim.value}\n"
                f"  file {shown.filename}, sha256 {shown.sha256}\n"
                f"  {summary.entries} entries, {summary.with_birth_date} with a birth date; "
                f"pairs: {summary.pairs_pending} pending, {summary.pairs_accepted} accepted",
                highlight=False,
            )
            rows = Table("row", "last name", "first name", "patronymic", "born", "unit")
            for entry in page.entries:
                rows.add_row(
                    str(entry.row_number),
                    entry.last_name or "",
                    entry.first_name or "",
                    entry.patronymic or "",
                    str(entry.birth_date or ""),
                    entry.unit or "",
                )
            console.print(rows)
    except ServiceError as error:
        raise _fail(str(error)) from None


def register(app: typer.Typer) -> None:
    from kintrace.cli import lists_match

    lists_app.command("match")(lists_match.match)  # `kintrace lists match`: see cli/lists_match.py
    app.add_typer(lists_app, name="lists")
