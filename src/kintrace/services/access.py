"""Who is acting, and what they may see.

The rule: a family account sees only the cases it reported or was linked to, and on them only
family-visible evidence; any other case answers "not found", so its existence does not leak.
Caseworkers and admins read and write everything; analysts read everything and change nothing
but duplicate links.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select, true
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import Role, Visibility
from kintrace.services.errors import Forbidden, NotFound
from kintrace.store.models import Case, CaseMember, EvidenceItem, User

STAFF = frozenset({Role.CASEWORKER, Role.ANALYST, Role.ADMIN})
WRITERS = frozenset({Role.CASEWORKER, Role.ADMIN})


@dataclass(frozen=True)
class Actor:
    """The person (or the system) a service call acts for; written into every audit row."""

    user_id: int | None
    role: Role
    name: str

    @property
    def is_family(self) -> bool:
        return self.role is Role.FAMILY

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def can_write_cases(self) -> bool:
        return self.role in WRITERS


# Command-line work (migrations, imports, seeding) acts as the system with admin rights.
SYSTEM = Actor(user_id=None, role=Role.ADMIN, name="system")


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role, name=user.username)


def require_role(actor: Actor, *roles: Role, action: str = "do this") -> None:
    if actor.role not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise Forbidden(f"{actor.name} ({actor.role.value}) may not {action}; needs one of: {allowed}")


def require_writer(actor: Actor, action: str = "change cases") -> None:
    require_role(actor, *sorted(WRITERS), action=action)


def require_staff(actor: Actor, action: str = "do this") -> None:
    require_role(actor, *sorted(STAFF), action=action)


def case_visibility_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause over `Case` keeping the cases the actor may see."""
    if actor.is_staff:
        return true()
    return exists(
        select(CaseMember.case_id).where(CaseMember.case_id == Case.id, CaseMember.user_id == actor.user_id)
    )


def evidence_visibility_clause(actor: Actor) -> ColumnElement[bool]:
    if actor.is_staff:
        return true()
    return EvidenceItem.visibility == Visibility.FAMILY


def can_see_case(session: Session, actor: Actor, case_id: int) -> bool:
    if actor.is_staff:
        return True
    if actor.user_id is None:
        return False
    return session.get(CaseMember, (case_id, actor.user_id)) is not None


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case if the actor may see it; otherwise NotFound, exactly as for a missing id."""
    case = session.get(Case, case_id)
    if case is None or not can_see_case(session, actor, case_id):
        raise NotFound("case", case_id)
    return case
