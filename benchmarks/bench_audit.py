"""What sealing the audit values, anchoring the chain and backing up cost, measured end to end.

On SQLite files of their own, in one run: seed the synthetic demo dataset (every audit row sealed
under its record's key), then write the very same audit records twice more into empty logs: once
as the registry does now (sealed, `audit.append_bulk`), once as a bare hash chain of plain JSON (what
the log cost before sealing; the baseline). Then the chain's own verify, a signed checkpoint,
verify against the anchor, `backup` and `restore` of the seeded registry.

`python -m benchmarks audit` runs it; KINTRACE_BENCH_AUDIT_N sets the number of missing persons
(default 10000).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kintrace.services import backup, demo, users
from kintrace.services.access import SYSTEM
from kintrace.services.demo_data import generate_demo_dataset
from kintrace.store import audit, audit_anchor, audit_personal
from kintrace.store.db import make_engine
from kintrace.store.migrations import upgrade
from kintrace.store.models import AuditEntry

RESULTS = Path(__file__).parent / "results" / "audit.json"
N_PERSONS = int(os.environ.get("KINTRACE_BENCH_AUDIT_N", "10000"))
TODAY = dt.date(2025, 5, 1)
KEY = b"benchmark-anchor-key-0123456789-abcdefghijkl"


def _timed(step: str, times: dict[str, float], work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    times[step] = time.perf_counter() - start
    return result


def _records(session: Session) -> list[audit.AuditRecord]:
    """The seeded log's records, unsealed: the same writes, to be chained again."""
    found = []
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        opened = audit_personal.open_entry(session, entry)
        found.append(
            audit.AuditRecord(
                entry.actor_id,
                entry.actor_name,
                entry.action,
                entry.entity,
                entry.entity_id,
                opened.before if isinstance(opened.before, dict) else None,
                opened.after if isinstance(opened.after, dict) else None,
            )
        )
    return found


def _bare_chain(session: Session, records: Iterable[audit.AuditRecord]) -> None:
    """The log as it was written before sealing: plain JSON values in the chained content."""
    columns = [column.key for column in AuditEntry.__table__.c]
    last_id, last_hash, rows = 0, audit.GENESIS, []
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for record in records:
        entry = AuditEntry(
            id=last_id + 1,
            at=at,
            actor_id=record.actor_id,
            actor_name=record.actor_name,
            action=record.action,
            entity=record.entity,
            entity_id=None if record.entity_id is None else str(record.entity_id),
            before=None if record.before is None else audit.canonical_json(record.before),
            after=None if record.after is None else audit.canonical_json(record.after),
            prev_hash=last_hash,
        )
        entry.hash = audit.chain_hash(last_hash, audit.content_of(entry))
        last_id, last_hash = entry.id, entry.hash
        rows.append({key: getattr(entry, key) for key in columns})
        if len(rows) >= 5000:
            session.execute(insert(AuditEntry), rows)
            rows.clear()
    if rows:
        session.execute(insert(AuditEntry), rows)


def _size(path: Path) -> int:
    """The database's bytes, its write-ahead log included."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kintrace-audit-"))
    urls = {name: f"sqlite:///{folder / f'{name}.db'}" for name in ("seeded", "sealed", "bare", "restored")}
    for name in ("seeded", "sealed", "bare"):
        upgrade(urls[name])
    dataset = generate_demo_dataset(n_persons=N_PERSONS, today=TODAY)
    hasher = functools.cache(users.hash_password)
    for user in dataset.users:  # argon2 is slow on purpose; keep it out of the figures
        hasher(user.password)
    times: dict[str, float] = {}
    with Session(make_engine(urls["seeded"])) as session:
        _timed(
            "seed demo (sealed audit)",
            times,
            lambda: demo.seed_demo(session, SYSTEM, dataset, password_hasher=hasher),
        )
        session.commit()
        records = _records(session)
    with Session(make_engine(urls["bare"])) as session:
        _timed("audit rows: bare chain (baseline)", times, lambda: _bare_chain(session, records))
        session.commit()
    with Session(make_engine(urls["sealed"])) as session:
        _timed("audit rows: sealed chain", times, lambda: audit.append_bulk(session, records))
        session.commit()
    anchor = folder / "anchor.jsonl"
    with Session(make_engine(urls["seeded"])) as session:
        _timed("audit verify", times, lambda: audit.verify(session))
        _timed("audit checkpoint (first)", times, lambda: audit_anchor.write_checkpoint(session, anchor, KEY))
        _timed(
            "audit verify --anchor",
            times,
            lambda: audit_anchor.verify_with_anchor(session, audit_anchor.read_anchor(anchor), KEY),
        )
        rows = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    archive = folder / "backup.tar.gz"
    _timed("backup", times, lambda: backup.backup(urls["seeded"], archive, folder / "attachments"))
    _timed(
        "restore", times, lambda: backup.restore(archive, urls["restored"], folder / "restored-attachments")
    )
    sizes = {name: _size(folder / f"{name}.db") for name in ("bare", "sealed", "seeded")}
    sizes["backup archive"] = archive.stat().st_size
    shutil.rmtree(folder, ignore_errors=True)
    ratio = times["audit rows: sealed chain"] / times["audit rows: bare chain (baseline)"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{N_PERSONS} persons, {rows} audit rows; sealing costs {ratio:.2f}x the bare chain")
    for step, seconds in times.items():
        print(f"{step:<36}{seconds:>10.2f} s")
    for name, size in sizes.items():
        print(f"{name:<36}{size / 1e6:>10.1f} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "persons": N_PERSONS,
                "audit_rows": rows,
                "seconds": times,
                "sealed_to_bare_chain": ratio,
                "bytes": sizes,
                "peak_rss_mb": round(peak_mb),
                "database": "sqlite",
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
