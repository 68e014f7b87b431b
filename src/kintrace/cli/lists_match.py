"""`kintrace lists match [LIST_ID] [--engine spark] [--as USER]`: published lists against the cases.

Without LIST_ID every stored list is matched. The command acts as the system unless `--as` names a
staff account (the audit log then names that person).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kintrace.cli.registry import DatabaseUrl, _fail, _session_scope, console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kintrace.services.access import Actor


def _actor(session: Session, username: str | None) -> Actor:
    from kintrace.services.access import SYSTEM, actor_for
    from kintrace.services.users import get_user_by_username

    if username is None:
        return SYSTEM
    user = get_user_by_username(session, username)
    if user is None or not user.active:
        raise _fail(f"--as: no active account {username!r}", code=2)
    return actor_for(user)


def match(
    list_id: Annotated[
        int | None, typer.Argument(help="The list to match; every stored list without it.")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="duckdb (embedded) or spark (see linkage/engines.py).")
    ] = "duckdb",
    as_user: Annotated[
        str | None, typer.Option("--as", metavar="USER", help="Act as this staff account.")
    ] = None,
    database_url: str | None = DatabaseUrl,
) -> None:
    """Deduplicate a published list within itself and match it against every open case whose family
    agreed to list matching; pairs go to the review queue and every case checked to its search log."""
    from sqlalchemy import select

    from kintrace.linkage.cli import _progress
    from kintrace.linkage.engines import ENGINES
    from kintrace.services import list_matching
    from kintrace.services.errors import ServiceError
    from kintrace.store.models import PublishedList

    if engine not in ENGINES:
        raise _fail(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}", code=2)
    try:
        with _session_scope(database_url) as session:
            actor = _actor(session, as_user)
            ids = (
                [list_id]
                if list_id is not None
                else list(session.scalars(select(PublishedList.id).order_by(PublishedList.id)))
            )
            if not ids:
                console.print("no published lists stored")
                return
            for one in ids:
                with _progress() as progress:
                    summary = list_matching.match_list(session, actor, one, engine=engine, progress=progress)
                console.print(
                    f"list {one}: {summary.entries} entries ({summary.clusters} men) x "
                    f"{summary.cases_checked} cases: {summary.links} links, {summary.reviews} to review "
                    f"({summary.new_pairs} new, "
                    f"{summary.kept_decisions} decided kept) in {summary.seconds:.1f} s",
                    highlight=False,
                )
    except ServiceError as error:
        raise _fail(str(error)) from None
