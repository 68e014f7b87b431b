"""Backup and restore of the whole registry: the database and the attachments' files, in one archive.

The archive (tar, gzip) holds `manifest.json`, the database (`database.sqlite3`, a copy made with
SQLite's online backup API, or `database.pgdump`, pg_dump's custom format) and `attachments/xx/<sha256>`
for every file the database refers to. The manifest lists the SHA-256 and size of each part and the
row count of every table, so a restore checks the archive before it touches anything and checks the
database after. Both backups run beside a working server: SQLite's backup copies one consistent
snapshot, and on PostgreSQL the row counts and pg_dump read the same exported snapshot.

Restore refuses a target that holds any row unless forced. Keys are never in the archive: the
audit anchor key lives outside the database; the audit values' keys (audit_keys) are in it, so an
erasure done after a backup is undone by restoring that backup: keep backups no longer than needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

import kintrace
from kintrace.services.errors import ServiceError
from kintrace.store.db import make_engine
from kintrace.store.models import Attachment, DnaConsent, PublishedList

FORMAT = "kintrace-backup/1"
MANIFEST = "manifest.json"
_BLOB = re.compile(r"^attachments/([0-9a-f]{2})/([0-9a-f]{64})$")
_CHUNK = 1024 * 1024


class BackupError(ServiceError):
    """The backup or restore cannot go on; the message says what and where."""


@dataclass
class BackupReport:
    path: Path
    kind: str
    tables: dict[str, int]
    files: int
    missing: list[str] = field(default_factory=list)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {backend} database; kintrace supports SQLite and PostgreSQL")
    return backend


def _counts(conn: Connection) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    return {
        name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one()) for name in names
    }


# --- PostgreSQL: libpq arguments, never the password on the command line ----------------------------


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore, and the environment holding the password."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", str(url.host)]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    options = url.query.get("options")
    if options:
        env["PGOPTIONS"] = options if isinstance(options, str) else " ".join(options)
    return args, env


def _pg_schema(url: URL) -> str | None:
    """The schema a `-csearch_path=...` option selects (the tests keep one schema per worker)."""
    options = url.query.get("options")
    text_options = options if isinstance(options, str) else " ".join(options or ())
    found = re.search(r"search_path=([A-Za-z0-9_]+)", text_options)
    return found.group(1) if found else None


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed; install the PostgreSQL client of the server's version "
            "(Debian: apt-get install postgresql-client)"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


# --- backup ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """What the backed-up copy holds, read in the copy's own snapshot."""

    counts: dict[str, int]
    blobs: list[str]  # SHA-256 of every attachment it refers to
    revision: str | None


def _read_snapshot(conn: Connection) -> _Snapshot:
    counts = _counts(conn)
    blobs = set(conn.execute(select(Attachment.sha256)).scalars()) if "attachments" in counts else set()
    if "published_lists" in counts:  # a published list's original file is kept the same way
        blobs |= set(conn.execute(select(PublishedList.sha256)).scalars())
    if "dna_consents" in counts and "form_sha256" in {
        c["name"] for c in inspect(conn).get_columns("dna_consents")
    }:
        # A signed DNA consent form, in the same store (a database before migration 0023 has none).
        forms = select(DnaConsent.form_sha256).where(DnaConsent.form_sha256.is_not(None))
        blobs |= {sha for sha in conn.execute(forms).scalars() if sha}
    revision = (
        conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if "alembic_version" in counts
        else None
    )
    return _Snapshot(counts, sorted(blobs), revision)


def _dump_sqlite(url: URL, target: Path) -> _Snapshot:
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupError(f"no SQLite database at {source_path!r}")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        # The online backup API: one consistent snapshot, while the server keeps writing.
        source.backup(copy)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {source_path}: {error}") from None
    finally:
        source.close()
        copy.close()
    engine = make_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return _read_snapshot(conn)
    finally:
        engine.dispose()


def _dump_postgresql(url: URL, target: Path) -> _Snapshot:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            # pg_dump reads the snapshot this transaction reads: counts, files and dump agree exactly.
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            snapshot = _read_snapshot(conn)
            args, env = _pg_args(url)
            schema = _pg_schema(url)
            command = [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
            ]
            command += [f"--schema={schema}"] if schema else []
            _run([*command, "--file", str(target), *args], env, "pg_dump")
            conn.rollback()
            return snapshot
    except SQLAlchemyError as error:
        raise BackupError(f"cannot read the database: {error.args[0] if error.args else error}") from None
    finally:
        engine.dispose()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(database_url: str, out: Path, attachments_dir: Path) -> BackupReport:
    """Write one archive of the database and its attachments to `out` (complete, or not at all)."""
    url = make_url(database_url)
    kind = _kind(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".kintrace-backup-") as work:
        database = Path(work) / ("database.sqlite3" if kind == "sqlite" else "database.pgdump")
        snapshot = _dump_sqlite(url, database) if kind == "sqlite" else _dump_postgresql(url, database)
        files: list[dict[str, Any]] = []
        missing: list[str] = []
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                archive.add(database, arcname=database.name)
                for sha in snapshot.blobs:
                    path = attachments_dir / sha[:2] / sha
                    if not path.is_file() or _sha256_file(path) != sha:
                        missing.append(sha)  # lost or corrupt already: said loudly, the rest is still saved
                        continue
                    name = f"attachments/{sha[:2]}/{sha}"
                    archive.add(path, arcname=name)
                    files.append({"path": name, "sha256": sha, "size": path.stat().st_size})
                manifest = {
                    "format": FORMAT,
                    "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "kintrace_version": kintrace.__version__,
                    "database": {
                        "kind": kind,
                        "path": database.name,
                        "sha256": _sha256_file(database),
                        "size": database.stat().st_size,
                    },
                    "tables": snapshot.counts,
                    "alembic_revision": snapshot.revision,
                    "files": files,
                    "missing_files": missing,
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return BackupReport(out, kind, snapshot.counts, len(files), missing)


# --- restore -----------------------------------------------------------------------------------------


@contextmanager
def _unpacked(archive_path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The archive's parts in a temporary folder, every one checked against the manifest."""
    if not archive_path.is_file():
        raise BackupError(f"{archive_path}: no such file")
    with tempfile.TemporaryDirectory(prefix=".kintrace-restore-") as work:
        root = Path(work)
        try:
            with tarfile.open(archive_path, "r:*") as archive:
                for member in archive:
                    name = member.name
                    if name not in (MANIFEST, "database.sqlite3", "database.pgdump") and not _BLOB.match(
                        name
                    ):
                        raise BackupError(f"{archive_path}: unexpected entry {name!r}; not a kintrace backup")
                    if not member.isfile():
                        raise BackupError(f"{archive_path}: {name} is not a plain file")
                    target = root / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source: IO[bytes] | None = archive.extractfile(member)
                    assert source is not None  # a plain file, checked above
                    with target.open("wb") as handle:
                        shutil.copyfileobj(source, handle, _CHUNK)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise BackupError(f"{archive_path}: cannot read the archive ({error})") from None
        try:
            manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BackupError(f"{archive_path}: no readable {MANIFEST}; not a kintrace backup") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive_path}: format {manifest.get('format')!r}, expected {FORMAT}")
        parts = [manifest["database"], *manifest["files"]]
        for part in parts:
            path = root / part["path"]
            if not path.is_file():
                raise BackupError(f"{archive_path}: {part['path']} is listed in the manifest but missing")
            if _sha256_file(path) != part["sha256"]:
                raise BackupError(
                    f"{archive_path}: {part['path']} does not match its SHA-256 in the manifest"
                )
        yield root, manifest


def _target_tables(database_url: str) -> dict[str, int]:
    """The target's tables and their row counts (alembic's version row does not count as data)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {name: 0 if name == "alembic_version" else n for name, n in _counts(conn).items()}
    except SQLAlchemyError as error:
        raise BackupError(
            f"cannot read the target database: {error.args[0] if error.args else error}"
        ) from None
    finally:
        engine.dispose()


def _restore_sqlite(url: URL, database: Path) -> None:
    target = url.database
    if not target or target == ":memory:":
        raise BackupError("restore needs a SQLite file, not an in-memory database")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database)
    destination = sqlite3.connect(target)
    try:
        # The backup API in reverse: the target becomes the archived database page for page,
        # under SQLite's own locking (WAL included), not a file copied over a live one.
        source.backup(destination)
    finally:
        source.close()
        destination.close()


def _restore_postgresql(url: URL, database: Path, clean: bool) -> None:
    args, env = _pg_args(url)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, *args, str(database)], env, "pg_restore")


@dataclass(frozen=True)
class RestoreReport:
    tables: dict[str, int]  # row counts of the restored database
    revision: str | None  # its schema revision (older than the code's: run `kintrace db upgrade`)


def restore(
    archive_path: Path, database_url: str, attachments_dir: Path, *, force: bool = False
) -> RestoreReport:
    """Restore an archive into the database and the attachments folder, checked before and after."""
    url = make_url(database_url)
    kind = _kind(url)
    with _unpacked(archive_path) as (root, manifest):
        if manifest["database"]["kind"] != kind:
            raise BackupError(
                f"{archive_path} holds a {manifest['database']['kind']} database; the target is {kind}"
            )
        tables: dict[str, int] = {}
        if kind == "postgresql" or (url.database and Path(url.database).exists()):
            tables = _target_tables(database_url)
            held = {name: n for name, n in tables.items() if n}
            if held and not force:
                listed = ", ".join(f"{name} ({n})" for name, n in sorted(held.items())[:5])
                raise BackupError(
                    f"the target database is not empty: {listed}; restore into an empty one, or pass --force "
                    "to replace what it holds"
                )
        database = root / manifest["database"]["path"]
        if kind == "sqlite":
            _restore_sqlite(url, database)
        else:
            # Tables without rows (a database after `kintrace db upgrade`) are replaced as well.
            _restore_postgresql(url, database, clean=bool(tables))
        for part in manifest["files"]:
            target = attachments_dir / part["path"].removeprefix("attachments/")
            if target.is_file() and _sha256_file(target) == part["sha256"]:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_suffix(".part")
            shutil.copyfile(root / part["path"], staged)
            staged.replace(target)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            restored = _counts(conn)
    finally:
        engine.dispose()
    differing = {name for name, n in manifest["tables"].items() if restored.get(name) != n}
    if differing:
        raise BackupError(
            f"restored, but these tables do not hold the archived row counts: {sorted(differing)}"
        )
    return RestoreReport(restored, manifest.get("alembic_revision"))
