"""Revision 0007 seals the values of an existing audit log and re-chains it; the downgrade unseals them."""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

import pytest

from kintrace.store import audit
from kintrace.store.migrations import downgrade, upgrade

PHONE = "+380 50 000 77 11"


def _old_log(path: str, rows: int) -> list[str]:
    """Rows as revision 0004 wrote them: plain JSON values inside the chained content."""
    db = sqlite3.connect(path)
    prev = audit.GENESIS
    hashes = []
    with db:
        for number in range(1, rows + 1):
            entry = SimpleNamespace(
                id=number,
                at="2025-01-01T00:00:00.000000Z",
                actor_id=None,
                actor_name="system",
                action="relative.create",
                entity="relatives",
                entity_id=str(number),
                before=None,
                after=audit.canonical_json({"case_id": 1, "phone": PHONE, "id": number}),
                prev_hash=prev,
            )
            entry.hash = prev = audit.chain_hash(prev, audit.content_of(entry))
            db.execute(
                "INSERT INTO audit_log VALUES (:id, :at, :actor_id, :actor_name, :action, :entity,"
                " :entity_id, :before, :after, :prev_hash, :hash)",
                vars(entry),
            )
            hashes.append(entry.hash)
    db.close()
    return hashes


def _log(path: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT id, after, hash FROM audit_log ORDER BY id").fetchall()


def _verify(url: str) -> audit.VerifyResult:
    from kintrace.store.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as session:
        result = audit.verify(session)
    engine.dispose()
    return result


def test_an_old_log_is_sealed_and_rechained_then_unsealed_on_downgrade(tmp_path):
    path = str(tmp_path / "old.db")
    url = f"sqlite:///{path}"
    upgrade(url, "0004")
    old_hashes = _old_log(path, 2500)  # more than one batch of the migration

    upgrade(url, "0007")
    sealed = _log(path)
    assert len(sealed) == 2500 and not any(PHONE in (after or "") for _, after, _ in sealed)
    assert [h for _, _, h in sealed] != old_hashes
    assert _verify(url).ok
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*), count(key) FROM audit_keys WHERE case_id = 1").fetchone() == (
            2500,
            2500,
        )

    downgrade(url, "0004")
    plain = _log(path)
    assert [h for _, _, h in plain] == old_hashes  # the same chain as before, hash for hash
    assert json.loads(plain[0][1])["phone"] == PHONE


def test_a_broken_old_log_stops_the_upgrade_naming_the_row(tmp_path):
    path = str(tmp_path / "broken.db")
    url = f"sqlite:///{path}"
    upgrade(url, "0004")
    _old_log(path, 5)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE audit_log SET actor_name = 'mallory' WHERE id = 3")
    with pytest.raises(RuntimeError, match="row 3"):
        upgrade(url, "0007")
