"""The one way services write the audit log: every write names its actor, action and values.

Also the one way its personal data is erased: destroying a record's key (crypto-shredding, see
kintrace.store.audit_personal) when the record is deleted, or on an administrator's request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import Role
from kintrace.services.access import Actor, require_role
from kintrace.services.errors import ValidationFailed
from kintrace.store import audit, audit_personal
from kintrace.store.models import AuditEntry

# Never copy secrets into the log, even hashed.
ENTITY_ID_LENGTH = 64  # audit_log.entity_id and audit_keys.entity_id
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
    """Audit a document handed out (a report, a dossier, a letter): its SHA-256 lets a copy be checked.

    The subject (a case id, an authority's name) is the row's entity id, cut to the column's 64
    characters; the whole subject is kept with the digest."""
    return audit.append(
        session,
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=f"document.{kind}",
        entity="documents",
        entity_id=subject[:ENTITY_ID_LENGTH],
        before=None,
        after={"sha256": sha256, "bytes": size, "subject": subject},
    )


def record_event(
    session: Session, actor: Actor, *, action: str, entity: str, entity_id: str, values: Mapping[str, Any]
) -> AuditEntry:
    """Audit an act on many records at once (a batch read of genotypes, a key rotation)."""
    return audit.append(
        session,
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=None,
        after=audit.snapshot_of(values),
    )


def _erase(session: Session, actor: Actor, subjects: list[tuple[str, str]], why: str) -> int:
    erased = audit_personal.erase(session, subjects)
    # The erasure itself is audited, naming only which records: nothing personal to keep.
    audit.append(
        session,
        actor_id=actor.user_id,
        actor_name=actor.name,
        action="audit.erase",
        entity="audit_keys",
        entity_id=why,
        after={"records": [f"{entity}/{entity_id}" for entity, entity_id in subjects], "erased": erased},
    )
    return erased


def erase_record(session: Session, actor: Actor, obj: Any) -> int:
    """Destroy the audit key of a deleted record (called by the service that deletes it)."""
    identity = obj.__mapper__.primary_key_from_instance(obj)
    subject = audit_personal.subject_of(obj.__tablename__, "/".join(str(part) for part in identity))
    return _erase(session, actor, [subject], f"{subject[0]}/{subject[1]}")


def erase_subjects(
    session: Session,
    actor: Actor,
    *,
    case_id: int | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
) -> int:
    """Erase the audit values of every record of a case, or of one record; admins only."""
    require_role(actor, Role.ADMIN, action="erase personal data from the audit log")
    if case_id is not None:
        subjects = audit_personal.subjects_of_case(session, case_id)
        return _erase(session, actor, subjects, f"cases/{case_id}") if subjects else 0
    if entity is None or entity_id is None:
        raise ValidationFailed("entity", "name a case, or an entity and its id")
    return _erase(session, actor, [audit_personal.subject_of(entity, entity_id)], f"{entity}/{entity_id}")
