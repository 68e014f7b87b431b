"""Registry commands: serve, demo, db upgrade, users, cases import/export, audit verify.

Heavy imports (SQLAlchemy, the services, FastAPI, uvicorn) happen inside the commands so that
`kintrace --help` stays fast. Every command takes --database-url (default: KINTRACE_DATABASE_URL,
else the SQLite file under var/).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DatabaseUrl = typer.Option(
    None,
    "--database-url",
    help="SQLAlchemy URL; default KINTRACE_DATABASE_URL or sqlite:///var/kintrace.db.",
)

db_app = typer.Typer(help="The registry database: migrations.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts of caseworkers, analysts, admins and families.", no_args_is_help=True)
cases_app = typer.Typer(help="Bulk import and export of cases (CSV, JSON).", no_args_is_help=True)
notifications_app = typer.Typer(help="News for families: e-mail delivery.", no_args_is_help=True)

DEMO_URL = "sqlite:///var/kintrace.db"


def _url(url: str | None) -> str:
    from kintrace.store.db import database_url

    return url or database_url()


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _require_schema(engine: Engine) -> None:
    """Stop with a hint when the database is not migrated to the newest revision."""
    from alembic.migration import MigrationContext

    from kintrace.store.migrations import current_head

    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != current_head():
        raise _fail(
            f"the database is at revision {current or 'none'}, not {current_head()}; run: kintrace db upgrade"
        )


@contextmanager
def _session_scope(url: str | None) -> Iterator[Session]:
    """One transaction on a migrated database; the engine is disposed of when the block ends."""
    from kintrace.store.db import make_engine, session_scope

    engine = make_engine(_url(url))
    try:
        _require_schema(engine)
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Option("head", help="Target revision."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Migrate the database to the newest schema (creates a SQLite file if needed)."""
    from kintrace.store.migrations import upgrade

    url = _url(database_url)
    upgrade(url, revision)
    console.print(f"database at revision {revision}: {_redacted(url)}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name (lower case)."),
    role: str = typer.Option(..., "--role", help="family, caseworker, analyst or admin."),
    password: str | None = typer.Option(
        None, "--password", help="Default KINTRACE_NEW_PASSWORD, else asked for (twice, hidden)."
    ),
    display_name: str | None = typer.Option(None, "--display-name"),
    email: str | None = typer.Option(None, "--email"),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Create an account."""
    from kintrace.domain.vocabulary import Role
    from kintrace.services import users
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError
    from kintrace.settings import current

    try:
        chosen = Role(role)
    except ValueError:
        raise _fail(f"--role: {role!r} is not one of {', '.join(Role)}") from None
    if password is None:
        given = current().new_password
        password = (
            given.get_secret_value()
            if given is not None
            else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        )
    try:
        with _session_scope(database_url) as session:
            user = users.create_user(
                session,
                SYSTEM,
                username=username,
                password=password,
                role=chosen,
                display_name=display_name,
                email=email,
            )
            console.print(f"created {user.role.value} account {user.username!r} (id {user.id})")
    except ServiceError as error:
        raise _fail(str(error)) from None


@users_app.command("token")
def users_token(
    username: str = typer.Argument(...),
    name: str = typer.Option("cli", "--name", help="What the token is for."),
    days: int | None = typer.Option(
        None, "--days", help="Lifetime in days (default KINTRACE_TOKEN_DAYS, else 90)."
    ),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Create an API token for an account; it is printed once (stdout) and stored only hashed.

    Its id and expiry go to stderr, so that `$(kintrace users token NAME)` captures the token alone.
    """
    from kintrace.services import users
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    try:
        with _session_scope(database_url) as session:
            user = users.get_user_by_username(session, username)
            if user is None:
                raise _fail(f"no account {username!r}")
            row, token = users.create_api_token(session, SYSTEM, user.id, name, days=days)
            token_id, expires = row.id, row.expires_at
    except ServiceError as error:
        raise _fail(str(error)) from None
    console.print(token, highlight=False)
    stamp = expires.isoformat(timespec="seconds") if expires is not None else "never"
    err_console.print(
        f"token {token_id} for {username!r} expires {stamp}; "
        f"revoke it with: kintrace users revoke-token {token_id}",
        highlight=False,
    )


@users_app.command("revoke-token")
def users_revoke_token(
    token_id: int = typer.Argument(..., help="The token's id (shown when it was made)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Revoke an API token: it stops working at once."""
    from kintrace.services import users
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    try:
        with _session_scope(database_url) as session:
            row = users.revoke_api_token(session, SYSTEM, token_id)
            console.print(f"token {row.id} ({row.name!r}) revoked")
    except ServiceError as error:
        raise _fail(str(error)) from None


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt.lower()
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "json"):
        raise _fail(f"cannot tell the format of {path.name}; pass --format csv or --format json")
    return suffix


@cases_app.command("import")
def cases_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or JSON file."),
    fmt: str | None = typer.Option(None, "--format", help="csv or json (default: from the file name)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Import cases: all or nothing, and the same file twice adds nothing (keyed by reference).

    JSON is the whole case file (format kintrace-cases/2: person, relatives, sources, evidence,
    both status histories, requests and answers); CSV is the flat person list."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from kintrace.services import transfer
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    chosen = _format_of(file, fmt)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(f"{file.name} is not UTF-8 text: {error}") from None
    try:
        plan = transfer.parse_text(text, chosen)
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
            task = bar.add_task("import", total=plan.steps)
            result = transfer.import_plan(session, SYSTEM, plan, progress=lambda n: bar.advance(task, n))
    except ServiceError as error:
        raise _fail(f"{file.name}: {error}; nothing was imported") from None
    console.print(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged")


@cases_app.command("export")
def cases_export(
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: standard output)."),
    include_contacts: bool = typer.Option(
        False,
        "--include-contacts",
        help="JSON only: carry relatives' phone, e-mail, address and notes (private; off by default).",
    ),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Export every case: JSON is the whole case file (kintrace-cases/2), CSV the flat person list."""
    import sys

    from kintrace.services import transfer
    from kintrace.services.access import SYSTEM
    from kintrace.services.errors import ServiceError

    if fmt not in transfer.FORMATS:
        raise _fail(f"--format: {fmt!r} is not one of {', '.join(transfer.FORMATS)}")
    # Streamed case by case; a file is written under a temporary name and renamed when complete,
    # so a failed export never leaves a truncated file that looks whole.
    partial = None if out is None else out.with_name(f".{out.name}.partial")
    try:
        with _session_scope(database_url) as session:
            if partial is None:
                transfer.write_export(session, SYSTEM, fmt, sys.stdout, include_contacts=include_contacts)
            else:
                with partial.open("w", encoding="utf-8") as handle:
                    count = transfer.write_export(
                        session, SYSTEM, fmt, handle, include_contacts=include_contacts
                    )
                partial.replace(out)  # type: ignore[arg-type]  # out is set with partial
                err_console.print(f"wrote {count} cases to {out}")
    except ServiceError as error:
        raise _fail(str(error)) from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


@notifications_app.command("send")
def notifications_send(
    smtp_url: str | None = typer.Option(None, "--smtp-url", help="The mail server, smtp://HOST:PORT."),
    sms_url: str | None = typer.Option(
        None,
        "--sms-url",
        help="An HTTP gateway for text messages (SMS or a messenger); default KINTRACE_SMS_URL.",
    ),
    sms_token: str | None = typer.Option(
        None, "--sms-token", help="Bearer token for the gateway; default KINTRACE_SMS_TOKEN."
    ),
    sender: str = typer.Option("kintrace@localhost", "--sender", help="The From address."),
    base_url: str | None = typer.Option(
        None, "--base-url", help="The portal's address, linked in each e-mail."
    ),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Queue news of overdue requests, then e-mail and text every pending notification once (each
    marked sent). The server does the same on its own schedule when KINTRACE_SMTP_URL or
    KINTRACE_SMS_URL is set."""
    import smtplib

    from kintrace.services.errors import ValidationFailed
    from kintrace.settings import current
    from kintrace.web.mailer import MailServer, send_news
    from kintrace.web.sms import SmsGateway, send_sms_news

    config = current()
    sms_url = sms_url or config.sms_url
    if sms_token is None and config.sms_token is not None:
        sms_token = config.sms_token.get_secret_value()
    if not smtp_url and not sms_url:
        raise _fail("give --smtp-url, --sms-url or both")
    try:
        server = MailServer.parse(smtp_url, "--smtp-url") if smtp_url else None
        gateway = SmsGateway.parse(sms_url, sms_token, "--sms-url") if sms_url else None
    except ValidationFailed as error:
        raise _fail(f"{error.field} {error.message}") from None
    if server is not None:
        try:
            with _session_scope(database_url) as session:
                sent = send_news(session, server, sender, base_url)
        except (OSError, smtplib.SMTPException) as error:
            raise _fail(f"mail server {server.host}:{server.port}: {error}") from None
        console.print(f"sent {sent} e-mail notification(s)", highlight=False)
    if gateway is not None:
        try:
            with _session_scope(database_url) as session:
                texted = send_sms_news(session, gateway, base_url)
        except OSError as error:
            raise _fail(f"text gateway {gateway.url}: {error}") from None
        console.print(f"sent {texted} text notification(s)", highlight=False)


def _serve(url: str, host: str, port: int, demo: bool) -> None:
    import uvicorn

    from kintrace.http.server_settings import InsecureSecretKey
    from kintrace.server.app import create_app
    from kintrace.server.news_schedule import NewsConfigError
    from kintrace.services.genetic_crypto import GeneticKeyError
    from kintrace.settings import SettingsError, current
    from kintrace.store.audit_anchor import AnchorError

    try:
        secret = current().secret_key
        app = create_app(url, secret.get_secret_value() if secret else None, demo=demo)
    except (InsecureSecretKey, AnchorError, GeneticKeyError, NewsConfigError, SettingsError) as error:
        raise _fail(f"refusing to start: {error}", code=2) from None
    uvicorn.Server(server_config(app, host, port)).run()


def server_config(app: Any, host: str, port: int, log_level: str = "info") -> Any:
    """How `kintrace serve` runs uvicorn (a uvicorn.Config)."""
    import uvicorn

    # No "Server: uvicorn" header: it tells an attacker which server to look up. proxy_headers off:
    # uvicorn would otherwise take X-Forwarded-For from loopback as the client's address, and a
    # rotating header would dodge the login brakes. The app reads the header itself, and only when
    # KINTRACE_TRUST_FORWARDED says a proxy sets it (kintrace.http.throttle).
    return uvicorn.Config(
        app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False
    )


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Run the web server (needs KINTRACE_SECRET_KEY)."""
    from kintrace.store.db import make_engine

    url = _url(database_url)
    _require_schema(make_engine(url))
    _serve(url, host, port, demo=False)


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Migrate and seed only."),
    persons: int = typer.Option(2000, "--persons", min=1, help="How many missing persons to invent."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    database_url: str | None = typer.Option(
        DEMO_URL, "--database-url", help="Database for the demo (default: the SQLite file under var/)."
    ),
) -> None:
    """Migrate, seed synthetic demo data (once), print the demo logins, and serve in demo mode."""
    from sqlalchemy import func, select

    from kintrace.services import users
    from kintrace.services.access import SYSTEM
    from kintrace.services.demo import seed_demo
    from kintrace.services.demo_data import generate_demo_dataset
    from kintrace.settings import current
    from kintrace.store.db import make_engine, session_scope
    from kintrace.store.migrations import upgrade
    from kintrace.store.models import Case

    url = database_url or DEMO_URL
    started = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    dataset = generate_demo_dataset(n_persons=persons)
    with session_scope(engine) as session:
        seeded = bool(session.scalar(select(func.count()).select_from(Case)))
    if seeded:
        console.print("the demo database already holds cases; not seeding again")
    else:
        with console.status("seeding demo data") as status, session_scope(engine) as session:
            result = seed_demo(
                session, SYSTEM, dataset, progress=lambda step: status.update(f"seeding {step}")
            )
        console.print(
            f"seeded {result.cases} cases, {result.evidence} evidence items, {result.requests} requests, "
            f"{result.audit_rows} audit rows in {time.perf_counter() - started:.1f} s"
        )
        for key, value in dataset.summary().items():
            console.print(f"  {key}: {value}")
        _seed_demo_dna(engine, _demo_dna_dir(url))
    console.print("\n[bold]demo logins[/] (password after the colon):")
    with session_scope(engine) as session:
        for user in dataset.users:
            # A database seeded by an older version may hold other passwords: print only those that work.
            if seeded and users.authenticate(session, user.username, user.password) is None:
                console.print(
                    f"  {user.role.value:<11} {user.username}: (seeded earlier with another password)"
                )
            else:
                console.print(f"  {user.role.value:<11} {user.username}: {user.password}", highlight=False)
    engine.dispose()
    if no_serve:
        return
    demo_freqs = _demo_dna_dir(url) / "dna_frequencies.csv"
    if current().dna_frequencies is None and demo_freqs.exists():
        # The served demo scores with it: the server reads its settings from the environment.
        os.environ["KINTRACE_DNA_FREQUENCIES"] = str(demo_freqs)
    console.print(f"\nserving the demo on http://{host}:{port}")
    _serve(url, host, port, demo=True)


def _demo_dna_dir(url: str) -> Path:
    """Beside the demo's SQLite file (var/ by default); under var/ for a server database."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database and database != ":memory:":
        return Path(database).parent / "demo_dna"
    return Path("var/demo_dna")


def _seed_demo_dna(engine: Engine, folder: Path) -> None:
    """Synthetic references and remains, encrypted under the demo's own key (var/genetic.key)."""
    from kintrace.services.access import SYSTEM
    from kintrace.services.demo_dna import seed_dna
    from kintrace.services.genetic_crypto import configured_key
    from kintrace.store.db import session_scope

    with session_scope(engine) as session:
        seeded = seed_dna(session, SYSTEM, configured_key(demo=True), folder)
    console.print(
        f"  DNA: {seeded.families} families with references, {seeded.remains} remains, "
        f"{seeded.candidates} candidate identifications waiting for the analysts"
        + (
            f"; a mass grave for joint identification: /desk/dna/incidents/{seeded.incident}"
            if seeded.incident
            else ""
        )
    )
    console.print(
        f"  DNA direct matches: {seeded.personal_effects} personal effect(s), "
        f"{seeded.direct_candidates} identity candidate(s), {seeded.associations} association(s) of remains"
    )
    console.print(f"  DNA consent forms on file: {seeded.consent_forms} (a synthetic PDF, staff-only)")


def register(app: typer.Typer) -> None:
    """Attach the registry commands to the root app."""
    app.command("serve")(serve)
    app.command("demo")(demo)
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(cases_app, name="cases")
    from kintrace.cli.audit import audit_app
    from kintrace.cli.backup import register as register_backup

    app.add_typer(audit_app, name="audit")
    register_backup(app)
    app.add_typer(notifications_app, name="notifications")
