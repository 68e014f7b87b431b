"""Signed checkpoints of the audit chain, kept outside the database.

A hash chain alone cannot tell a rewritten log from a genuine one: whoever can write the database
can recompute every hash after an edit, append a correctly chained forged row, or cut the newest
rows (or all of them). A checkpoint writes down, outside the database, how many rows the chain had
and the hash of its newest row, signed with HMAC-SHA256 under a key that is never stored in the
database. `verify_with_anchor` then finds any rewrite, forgery or truncation of the rows that
existed when the last checkpoint was taken.

The anchor file is JSON lines, one checkpoint each: `seq`, `rows`, `head_id`, `head_hash`, `at`,
`key_id` (a fingerprint of the key, never the key), `prev_sig` (the signature of the checkpoint
before it, so lines cannot be dropped from the middle of the file) and `sig`. Keep a copy of the
file where the database's administrators cannot write (another machine, write-once storage).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kintrace.settings import Settings, current
from kintrace.store.audit import GENESIS, chain_hash, content_of
from kintrace.store.models import AuditEntry

KEY_ENV = "KINTRACE_AUDIT_ANCHOR_KEY"
KEY_FILE_ENV = "KINTRACE_AUDIT_ANCHOR_KEY_FILE"
ANCHOR_FILE_ENV = "KINTRACE_AUDIT_ANCHOR_FILE"
INTERVAL_ENV = "KINTRACE_AUDIT_CHECKPOINT_INTERVAL_S"
MIN_KEY_BYTES = 32
_SIGNED_FIELDS = ("seq", "rows", "head_id", "head_hash", "at", "key_id", "prev_sig")


class AnchorError(ValueError):
    """The anchor key or file cannot be used; the message says what to fix."""


def load_key(config: Settings | None = None) -> bytes:
    """The signing key: KINTRACE_AUDIT_ANCHOR_KEY (text) or the file named by ..._KEY_FILE."""
    config = config or current()
    advice = (
        f"set {KEY_ENV} to a random value of at least {MIN_KEY_BYTES} characters, or {KEY_FILE_ENV} to a "
        "file holding one (python -c 'import secrets; print(secrets.token_urlsafe(48))'); keep it out of "
        "the database and its backups"
    )
    if config.audit_anchor_key_file is not None:
        path = config.audit_anchor_key_file
        try:
            key = path.read_bytes().strip()
        except OSError as error:
            raise AnchorError(f"{KEY_FILE_ENV}={path}: cannot read the key file ({error.strerror})") from None
    elif config.audit_anchor_key is not None:
        key = config.audit_anchor_key.get_secret_value().strip().encode("utf-8")
    else:
        raise AnchorError(f"no audit anchor key is configured; {advice}")
    if len(key) < MIN_KEY_BYTES or len(set(key)) < 10:
        raise AnchorError(f"the audit anchor key is too short or too simple to be secret; {advice}")
    return key


def key_id(key: bytes) -> str:
    """A short fingerprint that tells which key signed a checkpoint (for key rotation)."""
    return hashlib.sha256(b"kintrace-anchor-key-id:" + key).hexdigest()[:16]


def _signature(key: bytes, fields: Mapping[str, Any]) -> str:
    signed = json.dumps(
        {name: fields[name] for name in _SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")
    )
    return hmac.new(key, signed.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    rows: int
    head_id: int
    head_hash: str
    at: str
    key_id: str
    prev_sig: str
    sig: str

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*_SIGNED_FIELDS, "sig")}

    def describe(self) -> str:
        return f"checkpoint #{self.seq} of {self.at} ({self.rows} rows, head row {self.head_id})"


def read_anchor(path: Path) -> list[Checkpoint]:
    """The checkpoints in the file, in order (none when it does not exist yet)."""
    if not path.exists():
        return []
    found: list[Checkpoint] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(Checkpoint(**{name: data[name] for name in (*_SIGNED_FIELDS, "sig")}))
        except (ValueError, KeyError, TypeError):
            raise AnchorError(f"{path}, line {number}: not a checkpoint") from None
    return found


def check_anchor(checkpoints: list[Checkpoint], key: bytes) -> None:
    """Every signature is right and the lines follow each other; AnchorError naming the line otherwise."""
    prev_sig = ""
    for index, point in enumerate(checkpoints, start=1):
        if point.key_id != key_id(key):
            raise AnchorError(
                f"{point.describe()} (line {index}) was signed with another key ({point.key_id}); "
                f"this key is {key_id(key)}"
            )
        if not hmac.compare_digest(point.sig, _signature(key, point.as_dict())):
            raise AnchorError(f"{point.describe()} (line {index}): the signature does not match")
        if point.seq != index or point.prev_sig != prev_sig:
            raise AnchorError(
                f"{point.describe()} (line {index}): a checkpoint before it is missing or moved"
            )
        prev_sig = point.sig


def _head(session: Session) -> tuple[int, int, str]:
    """Row count, newest id and newest hash of the chain as stored now."""
    rows = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (rows, last[0], last[1]) if last is not None else (0, 0, GENESIS)


def _walk_from(session: Session, start_id: int, start_hash: str) -> str | None:
    """Check the chain from row `start_id` (whose hash must be `start_hash`) to the head; None if it holds."""
    expected_id, expected_prev = start_id + 1, start_hash
    if start_id:
        stored = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == start_id))
        if stored != start_hash:
            return f"row {start_id} no longer has the hash the last checkpoint recorded"
    query = (
        select(*AuditEntry.__table__.c)
        .where(AuditEntry.id > start_id)
        .order_by(AuditEntry.id)
        .execution_options(yield_per=5000)
    )
    for entry in session.execute(query):
        if entry.id != expected_id or entry.prev_hash != expected_prev:
            return f"row {entry.id} does not follow row {expected_id - 1}"
        if chain_hash(entry.prev_hash, content_of(entry)) != entry.hash:
            return f"row {entry.id}: its content does not match its hash"
        expected_id, expected_prev = entry.id + 1, entry.hash
    return None


def write_checkpoint(
    session: Session, path: Path, key: bytes, *, if_changed: bool = False
) -> Checkpoint | None:
    """Append a signed checkpoint of the chain's head to the anchor file.

    The rows added since the previous checkpoint are checked first, so a checkpoint never blesses
    a log that was already changed; AnchorError then. With `if_changed`, nothing is written when
    the head is the one of the previous checkpoint (returns None).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The lock serialises the server's schedule and `kintrace audit checkpoint` on one file.
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            previous = read_anchor(path)
            check_anchor(previous, key)
            last = previous[-1] if previous else None
            rows, head_id, head_hash = _head(session)
            if last is not None and if_changed and (last.head_id, last.head_hash) == (head_id, head_hash):
                return None
            problem = _walk_from(session, last.head_id if last else 0, last.head_hash if last else GENESIS)
            if problem is not None:
                raise AnchorError(
                    f"not writing a checkpoint: the audit log changed since {last_desc(last)}: {problem}"
                )
            fields: dict[str, Any] = {
                "seq": (last.seq if last else 0) + 1,
                "rows": rows,
                "head_id": head_id,
                "head_hash": head_hash,
                "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "key_id": key_id(key),
                "prev_sig": last.sig if last else "",
            }
            point = Checkpoint(**fields, sig=_signature(key, fields))
            handle.seek(0, os.SEEK_END)
            handle.write(json.dumps(point.as_dict(), sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            return point
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def last_desc(point: Checkpoint | None) -> str:
    return point.describe() if point is not None else "the first row"


@dataclass(frozen=True)
class AnchoredResult:
    ok: bool
    message: str
    rows_checked: int = 0
    checkpoints: int = 0
    broken_id: int | None = None
    checkpoint: Checkpoint | None = None


def verify_with_anchor(session: Session, checkpoints: list[Checkpoint], key: bytes) -> AnchoredResult:
    """Walk the whole chain and hold it against every checkpoint.

    Finds what the chain alone cannot: rows rewritten and re-chained (a checkpoint's head row has
    another hash now), forged rows slipped in before a checkpoint (ids move, so the head row
    differs) and truncation (fewer rows than a checkpoint counted).
    """
    try:
        check_anchor(checkpoints, key)
    except AnchorError as error:
        return AnchoredResult(False, f"anchor file rejected: {error}")
    at_id = {point.head_id: point for point in checkpoints if point.head_id}
    expected_prev, expected_id, checked = GENESIS, 1, 0
    query = select(*AuditEntry.__table__.c).order_by(AuditEntry.id).execution_options(yield_per=5000)
    for entry in session.execute(query):
        if entry.id != expected_id or entry.prev_hash != expected_prev:
            return AnchoredResult(
                False,
                f"audit log broken at row {entry.id}: it does not follow row {expected_id - 1}",
                checked,
                len(checkpoints),
                entry.id,
            )
        if chain_hash(entry.prev_hash, content_of(entry)) != entry.hash:
            return AnchoredResult(
                False,
                f"audit log broken at row {entry.id}: its content does not match its hash",
                checked,
                len(checkpoints),
                entry.id,
            )
        checked += 1
        point = at_id.get(entry.id)
        if point is not None and (entry.hash != point.head_hash or checked != point.rows):
            return AnchoredResult(
                False,
                f"audit log rewritten: row {entry.id} does not match {point.describe()}: the rows up to it "
                "were changed and re-chained, or rows were forged or removed before it",
                checked,
                len(checkpoints),
                entry.id,
                point,
            )
        expected_prev, expected_id = entry.hash, entry.id + 1
    if checkpoints and checked < checkpoints[-1].rows:
        last = checkpoints[-1]
        return AnchoredResult(
            False,
            f"audit log truncated: it holds {checked} rows but {last.describe()} recorded {last.rows}; "
            f"rows {checked + 1} to {last.head_id} are gone",
            checked,
            len(checkpoints),
            checked + 1,
            last,
        )
    newest = checkpoints[-1].describe() if checkpoints else "no checkpoint yet"
    after = checked - (checkpoints[-1].rows if checkpoints else 0)
    return AnchoredResult(
        True,
        f"audit log intact: {checked} rows, matching {len(checkpoints)} checkpoint(s), newest {newest}; "
        f"{after} row(s) after it are covered by the chain only",
        checked,
        len(checkpoints),
    )
