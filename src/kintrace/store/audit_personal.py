"""The audit log's personal data, sealed with keys that can be destroyed (crypto-shredding).

The before/after values of an audit row name people: relatives' names, phones and addresses, the
missing person's description, account e-mails. The chain must keep every row forever, yet a deleted
relative's details must be erasable. So the values are chained only as AES-256-GCM ciphertext under
a key of their own record (one key per `entity/entity_id`, e.g. `relatives/17`), and the keys live
in `audit_keys`, outside the chained content. Erasing a record destroys its key: the ciphertext in
the chain stays (its hash still verifies) but no one can read it again.

Sealed text is `sealed:v1:` + base64(nonce || ciphertext), with the row id and field as associated
data, so a sealed value cannot be moved to another row and still be read.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from kintrace.store.models import AuditKey

PREFIX = "sealed:v1:"
ERASED = "erased"  # what a value reads as once its key is destroyed


def subject_of(entity: str, entity_id: str | None) -> tuple[str, str]:
    return entity, entity_id or ""


def _aad(entry_id: int, field_name: str) -> bytes:
    return f"kintrace-audit:{entry_id}:{field_name}".encode()


def seal(key: bytes, plaintext: str, entry_id: int, field_name: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), _aad(entry_id, field_name))
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(key: bytes, text: str, entry_id: int, field_name: str) -> str:
    raw = base64.b64decode(text[len(PREFIX) :])
    return AESGCM(key).decrypt(raw[:12], raw[12:], _aad(entry_id, field_name)).decode("utf-8")


def is_sealed(text: str | None) -> bool:
    return text is not None and text.startswith(PREFIX)


# Records that name their case only through a parent row: the parent's key tells the case.
_PARENTS = {
    "person_aliases": ("person_id", "persons"),
    "attachments": ("evidence_id", "evidence"),
    "request_answers": ("request_id", "status_requests"),
}

_KEYS: Table = AuditKey.__table__  # type: ignore[assignment]  # a declarative class's Table

CaseHint = int | tuple[str, str] | None  # the case id, or the parent record whose case it is


def case_hint(entity: str, entity_id: str | None, *values: Mapping[str, Any] | None) -> CaseHint:
    """Which case a record belongs to, so that erasing a case finds every key of it."""
    if entity == "cases" and entity_id and entity_id.isdigit():
        return int(entity_id)
    parent = _PARENTS.get(entity)
    for found in values:
        if not found:
            continue
        if isinstance(found.get("case_id"), int):
            return int(found["case_id"])
        if parent is not None and isinstance(found.get(parent[0]), int):
            return (parent[1], str(found[parent[0]]))
    return None


@dataclass
class KeyRing:
    """The keys of the records being written, read or created in batches (bulk imports write millions)."""

    session: Session
    keys: dict[tuple[str, str], bytes] = field(default_factory=dict)
    cases: dict[tuple[str, str], int | None] = field(default_factory=dict)

    def _case(self, hint: CaseHint) -> int | None:
        if not isinstance(hint, tuple):
            return hint
        if hint not in self.cases:
            self.cases[hint] = self.session.scalar(
                select(AuditKey.case_id).where(AuditKey.entity == hint[0], AuditKey.entity_id == hint[1])
            )
        return self.cases[hint]

    def load(self, wanted: Mapping[tuple[str, str], CaseHint]) -> None:
        """Have a live key for every subject in `wanted` (subject -> its case), creating missing ones."""
        if len(self.keys) > 50_000:  # a bulk import touches millions of records: bound the cache
            self.keys.clear()
            self.cases.clear()
        missing = [subject for subject in wanted if subject not in self.keys]
        by_entity: dict[str, list[str]] = {}
        for entity, entity_id in missing:
            by_entity.setdefault(entity, []).append(entity_id)
        found: dict[tuple[str, str], bytes | None] = {}
        for entity, ids in by_entity.items():
            for start in range(0, len(ids), 500):
                rows = self.session.execute(
                    select(AuditKey.entity_id, AuditKey.key).where(
                        AuditKey.entity == entity, AuditKey.entity_id.in_(ids[start : start + 500])
                    )
                )
                found.update({(entity, entity_id): key for entity_id, key in rows})
        fresh: list[dict[str, Any]] = []
        for subject in missing:
            key = found.get(subject)
            if key is not None:
                self.keys[subject] = key
                continue
            key = AESGCM.generate_key(bit_length=256)
            self.keys[subject] = key
            if subject in found:
                # Erased earlier and written again: a new key; the old values stay unreadable.
                self.session.execute(
                    update(AuditKey)
                    .where(AuditKey.entity == subject[0], AuditKey.entity_id == subject[1])
                    .values(key=key, erased_at=None)
                )
            else:
                case_id = self._case(wanted[subject])
                self.cases[subject] = case_id
                fresh.append({"entity": subject[0], "entity_id": subject[1], "case_id": case_id, "key": key})
        if fresh:
            self.session.execute(insert(_KEYS), fresh)  # Core: no ORM bulk bookkeeping

    def seal_values(
        self,
        entry_id: int,
        subject: tuple[str, str],
        before: str | None,
        after: str | None,
    ) -> tuple[str | None, str | None]:
        key = self.keys[subject]
        return (
            None if before is None else seal(key, before, entry_id, "before"),
            None if after is None else seal(key, after, entry_id, "after"),
        )


@dataclass(frozen=True)
class OpenedEntry:
    """An audit row's values as written (None: nothing recorded; ERASED: its key was destroyed)."""

    before: dict[str, Any] | str | None
    after: dict[str, Any] | str | None


def open_entry(session: Session, entry: Any) -> OpenedEntry:
    """Read an audit row's before/after values back, unsealed where the key still exists."""
    key = session.scalar(
        select(AuditKey.key).where(
            AuditKey.entity == entry.entity, AuditKey.entity_id == (entry.entity_id or "")
        )
    )

    def read(text: str | None, name: str) -> dict[str, Any] | str | None:
        if text is None:
            return None
        if not is_sealed(text):
            return dict(json.loads(text))
        if key is None:
            return ERASED
        try:
            return dict(json.loads(unseal(key, text, entry.id, name)))
        except InvalidTag:
            return ERASED  # sealed under a key destroyed before this subject was written again

    return OpenedEntry(read(entry.before, "before"), read(entry.after, "after"))


def erase(session: Session, subjects: Iterable[tuple[str, str]]) -> int:
    """Destroy the keys of these records; their audit values become unreadable. Returns how many."""
    now = dt.datetime.now(dt.UTC)
    erased = 0
    for entity, entity_id in subjects:
        result = session.execute(
            update(AuditKey)
            .where(AuditKey.entity == entity, AuditKey.entity_id == entity_id, AuditKey.key.is_not(None))
            .values(key=None, erased_at=now)
        )
        erased += result.rowcount or 0  # type: ignore[attr-defined]
    return erased


def subjects_of_case(session: Session, case_id: int) -> list[tuple[str, str]]:
    """Every record of a case that has an audit key (the case, its person, relatives, evidence...)."""
    rows = session.execute(
        select(AuditKey.entity, AuditKey.entity_id).where(
            AuditKey.case_id == case_id, AuditKey.key.is_not(None)
        )
    )
    return [(entity, entity_id) for entity, entity_id in rows]
