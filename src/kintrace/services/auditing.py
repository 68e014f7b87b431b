"""The one way services write the audit log: every write names its actor, action and values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from kintrace.services.access import Actor
from kintrace.store import audit
from kintrace.store.models import AuditEntry

# Never copy secrets into the log, even hashed.
_SECRET_COLUMNS = frozenset({"password_hash", "token_sha256"})


def snapshot(obj: Any) -> dict[str, Any]:
    return audit.snapshot(obj, exclude=_SECRET_COLUMNS)


def record(
    session: Session,
    actor: Actor,
    action: str,
    obj: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    deleted: bool = False,
) -> AuditEntry:
    """Audit a write to `obj` (flushed first so it has its id). `after` defaults to its current values."""
    session.flush()
    entity = obj.__tablename__
    identity = obj.__mapper__.primary_key_from_instance(obj)
    entity_id = "/".join(str(part) for part in identity)
    if after is None and not deleted:
        after = snapshot(obj)
    return audit.append(
        session,
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def record_document(
    session: Session, actor: Actor, *, kind: str, subject: str, sha256: str, size: int
) -> AuditEntry:
    """Audit a document handed out (a report, a dossier, a letter): its SHA-256 lets a copy be checked."""
    return audit.append(
        session,
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=f"document.{kind}",
        entity="documents",
        entity_id=subject,
        before=None,
        after={"sha256": sha256, "bytes": size},
    )
