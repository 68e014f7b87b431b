"""`kintrace backup` / `kintrace restore`: a round trip loses nothing, on SQLite and on PostgreSQL.

The registry is filled through the services with everything an export/import round trip used to
lose (accounts, tokens, family links, caseworker assignments, duplicate links, merges and their
undoing, attachments' files and names, created_at, sources, phone numbers, the audit log and its
keys); after backup and restore into an empty database, every table is compared row by row and
every attachment file byte by byte.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tarfile
import threading
import uuid
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from argon2 import PasswordHasher
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from tests.services.helpers import person
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.domain.dates import PartialDate
from kintrace.domain.dna_samples import DonorSex
from kintrace.domain.vocabulary import Claim, RequestOutcome, Role, SourceKind, Visibility
from kintrace.services import (
    cases,
    dna_consent_forms,
    dna_samples,
    duplicates,
    evidence,
    requests,
    sources,
    users,
)
from kintrace.services.access import SYSTEM, actor_for
from kintrace.services.backup import BackupError, backup, restore
from kintrace.services.cases import RelativeInput
from kintrace.services.demo import seed_demo
from kintrace.services.demo_data import generate_demo_dataset
from kintrace.store import audit
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import current_head, upgrade

runner = CliRunner()
TODAY = dt.date(2025, 6, 1)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real argon2 at its cheapest: these tests are about copying rows, not hashing cost.
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _fill(url: str, attachments: Path) -> None:
    engine = make_engine(url)
    # The demo's published lists keep their files in the attachment store too.
    with (
        mock.patch.dict(os.environ, {"KINTRACE_ATTACHMENTS_DIR": str(attachments)}),
        session_scope(engine) as session,
    ):
        seed_demo(
            session, SYSTEM, generate_demo_dataset(n_persons=25, today=TODAY), password_hasher=lambda p: p
        )
    with session_scope(engine) as session:
        _fill_the_rest(session, attachments)
    engine.dispose()


def _fill_the_rest(session: Session, attachments: Path) -> None:
    worker = users.create_user(
        session,
        SYSTEM,
        username="bk-worker",
        password="a long password 1",
        role=Role.CASEWORKER,
        email="worker@example.org",
    )
    family = users.create_user(
        session,
        SYSTEM,
        username="bk-family",
        password="a long password 2",
        role=Role.FAMILY,
        display_name="Родина Вигадана",
    )
    users.create_api_token(session, SYSTEM, worker.id, "kept")
    revoked, _ = users.create_api_token(session, SYSTEM, worker.id, "revoked")
    users.revoke_api_token(session, SYSTEM, revoked.id)
    first = cases.create_case(session, SYSTEM, person(last="Бекапенко"), assigned_caseworker_id=worker.id)
    second = cases.create_case(session, SYSTEM, person(last="Бекапенко", first="Андрей"))
    third = cases.create_case(session, SYSTEM, person(last="Інший"))
    cases.link_family_user(session, SYSTEM, first.id, family.id)
    cases.add_relative(
        session,
        SYSTEM,
        first.id,
        RelativeInput(
            full_name="Бекапенко Ольга",
            relationship="mother",
            phone="+380 44 000 00 01",
            email="olha@example.org",
            address="Київ",
            user_id=family.id,
        ),
    )
    duplicates.link_duplicates(session, SYSTEM, first.id, second.id, note="same birth date")
    merge = duplicates.merge_cases(session, SYSTEM, first.id, second.id, note="one person", today=TODAY)
    duplicates.undo_merge(session, SYSTEM, merge.id, today=TODAY)
    duplicates.merge_cases(session, SYSTEM, first.id, second.id, note="again", today=TODAY)
    source = sources.create_source(session, SYSTEM, sources.SourceInput(SourceKind.MEDIA, "Вигадана газета"))
    item = evidence.add_evidence(
        session,
        SYSTEM,
        third.id,
        evidence.EvidenceInput(
            Claim.CAPTURED,
            source.id,
            event_date=PartialDate(2024, 3),
            text="seen",
            visibility=Visibility.FAMILY,
        ),
        today=TODAY,
    )
    evidence.add_attachment(session, SYSTEM, item.id, filename="фото 1.png", data=PNG, root=attachments)
    evidence.add_attachment(session, SYSTEM, item.id, filename="copy.png", data=PNG, root=attachments)
    evidence.add_attachment(
        session, SYSTEM, item.id, filename="note.txt", data="лист".encode(), root=attachments
    )
    submitted = requests.submit_request(
        session,
        SYSTEM,
        third.id,
        requests.RequestInput(
            requested_status="reported_captured",
            authority="Вигаданий орган",
            evidence_ids=[item.id],
            submitted_on=TODAY - dt.timedelta(days=40),
        ),
        today=TODAY,
    )
    requests.record_answer(session, SYSTEM, submitted.id, received_on=TODAY, outcome=RequestOutcome.GRANTED)
    # A DNA reference whose signed consent form is in the attachment store too.
    donor = cases.add_relative(
        session, SYSTEM, third.id, RelativeInput(full_name="Інша Марія", relationship="mother")
    )
    sample = dna_samples.add_reference(
        session,
        SYSTEM,
        third.id,
        dna_samples.ReferenceInput(
            code="BK-REF-1",
            relative_id=donor.id,
            kinship=None,
            donor_sex=DonorSex.FEMALE,
            collected_on=TODAY,
            collector="Вигаданий збирач",
            laboratory="Вигадана лабораторія",
            consent_on=TODAY,
        ),
    )
    form = b"%PDF-1.4\n% synthetic signed consent\n%%EOF\n"
    dna_consent_forms.attach_form(
        session, SYSTEM, sample.id, filename="згода.pdf", data=form, root=attachments
    )
    assert actor_for(family).is_family


def _tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url)
    metadata = MetaData()
    try:
        with engine.connect() as conn:
            metadata.reflect(conn)
            found = {}
            for table in metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                found[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
            return found
    finally:
        engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_everything_was_there(tables: dict[str, list[tuple[Any, ...]]]) -> None:
    for name in (
        "users",
        "api_tokens",
        "case_members",
        "duplicate_links",
        "merges",
        "attachments",
        "sources",
        "relatives",
        "status_history",
        "status_requests",
        "request_answers",
        "audit_log",
        "audit_keys",
        "alembic_version",
    ):
        assert tables[name], f"the fixture wrote no {name}"


def _assert_same(source_url: str, target_url: str, source_files: Path, target_files: Path) -> None:
    before, after = _tables(source_url), _tables(target_url)
    _assert_everything_was_there(before)
    assert sorted(before) == sorted(after)
    for name in before:
        assert after[name] == before[name], f"table {name} differs after the round trip"
    # Two evidence attachments (one stored twice), the demo's two published lists' original files and
    # a signed DNA consent form.
    assert _files(target_files) == _files(source_files) and len(_files(source_files)) == 5


def test_sqlite_round_trip_through_the_cli_keeps_every_row_and_file(tmp_path):
    source_url, source_files = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "files"
    upgrade(source_url)
    _fill(source_url, source_files)
    archive = tmp_path / "backups" / "kintrace.tar.gz"
    made = runner.invoke(
        app, ["backup", str(archive), "--attachments-dir", str(source_files), "--database-url", source_url]
    )
    assert made.exit_code == 0 and "5 attachment file(s)" in made.output, made.output

    target_url, target_files = (
        f"sqlite:///{tmp_path / 'restored' / 'kintrace.db'}",
        tmp_path / "restored-files",
    )
    done = runner.invoke(
        app, ["restore", str(archive), "--attachments-dir", str(target_files), "--database-url", target_url]
    )
    assert done.exit_code == 0, done.output
    _assert_same(source_url, target_url, source_files, target_files)
    assert runner.invoke(app, ["audit", "verify", "--database-url", target_url]).exit_code == 0

    again = runner.invoke(
        app, ["restore", str(archive), "--attachments-dir", str(target_files), "--database-url", target_url]
    )
    assert again.exit_code == 1 and "not empty" in again.output and "--force" in again.output
    forced = runner.invoke(
        app,
        [
            "restore",
            str(archive),
            "--force",
            "--attachments-dir",
            str(target_files),
            "--database-url",
            target_url,
        ],
    )
    assert forced.exit_code == 0, forced.output
    _assert_same(source_url, target_url, source_files, target_files)
    exists = runner.invoke(app, ["backup", str(archive), "--database-url", source_url])
    assert exists.exit_code == 1 and "exists" in exists.output


def test_a_changed_archive_is_refused_before_anything_is_touched(tmp_path):
    source_url, files = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "files"
    upgrade(source_url)
    _fill(source_url, files)
    archive = tmp_path / "b.tar.gz"
    backup(source_url, archive, files)
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(forged, "w:gz") as copy:
        for member in original:
            data = original.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("attachments/"):
                data = data[:-1] + b"X"
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    target = tmp_path / "target.db"
    with pytest.raises(BackupError, match="does not match its SHA-256"):
        restore(forged, f"sqlite:///{target}", tmp_path / "target-files")
    assert not target.exists() and not (tmp_path / "target-files").exists()


def test_a_missing_attachment_file_is_reported_and_the_rest_backed_up(tmp_path):
    source_url, files = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "files"
    upgrade(source_url)
    _fill(source_url, files)
    lost = next(p for p in files.rglob("*") if p.is_file())
    lost.unlink()
    made = runner.invoke(
        app,
        ["backup", str(tmp_path / "b.tar.gz"), "--attachments-dir", str(files), "--database-url", source_url],
    )
    assert made.exit_code == 3 and lost.name in made.output and (tmp_path / "b.tar.gz").exists()


def test_sqlite_backup_while_a_writer_commits_is_consistent(tmp_path):
    url, files = f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "files"
    upgrade(url)
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        engine = make_engine(url)
        try:
            while not stop.is_set():
                with session_scope(engine) as session:
                    case_id = cases.create_case(session, SYSTEM, person()).id
                written.append(case_id)  # counted once committed
        except BaseException as error:  # surfaced below: a writer that failed proves nothing
            errors.append(error)
        finally:
            engine.dispose()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for attempt in range(3):
            while len(written) < 5 * (attempt + 1) and writer.is_alive():
                stop.wait(0.01)
            backup(url, tmp_path / f"b{attempt}.tar.gz", files)
    finally:
        stop.set()
        writer.join()
    assert not errors and written
    seen = []
    for attempt in range(3):
        target = f"sqlite:///{tmp_path / f'r{attempt}.db'}"
        restored = restore(
            tmp_path / f"b{attempt}.tar.gz", target, tmp_path / "r-files"
        )  # counts checked inside
        engine = make_engine(target)
        with session_scope(engine) as session:
            assert audit.verify(session).ok
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()
        seen.append(restored.tables["cases"])
    assert seen == sorted(seen) and seen[0] >= 5 and seen[-1] <= len(written)


@pytest.fixture
def pg_databases() -> Any:
    server = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    if not server or not server.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (KINTRACE_TEST_DATABASE_URL)")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    names = [f"kt_backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("live", "restored")]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(server)
    try:
        yield [base.set(database=name, query={}).render_as_string(hide_password=False) for name in names]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_round_trip_keeps_every_row_and_file(pg_databases, tmp_path):
    source_url, target_url = pg_databases
    source_files, target_files = tmp_path / "files", tmp_path / "restored-files"
    upgrade(source_url)
    _fill(source_url, source_files)
    archive = tmp_path / "pg.tar.gz"
    report = backup(source_url, archive, source_files)
    assert report.kind == "postgresql" and report.files == 5 and not report.missing
    upgrade(target_url)  # migrated but without a row: still an empty target
    restored = restore(archive, target_url, target_files)
    assert restored.revision == current_head()
    _assert_same(source_url, target_url, source_files, target_files)
    engine = make_engine(target_url)
    with session_scope(engine) as session:
        assert audit.verify(session).ok
    engine.dispose()

    with pytest.raises(BackupError, match="not empty"):
        restore(archive, target_url, target_files)
    restore(archive, target_url, target_files, force=True)
    _assert_same(source_url, target_url, source_files, target_files)
    with pytest.raises(BackupError, match="holds a postgresql database"):
        restore(archive, f"sqlite:///{tmp_path / 'x.db'}", target_files)
