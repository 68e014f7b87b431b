"""Who is acting, and what they may see.

The rule: a family account sees only the cases it reported or was linked to; any other case answers
"not found", so its existence does not leak. Caseworkers and admins read and write everything;
analysts read everything and change nothing but duplicate links.

This module is the one visibility policy; every read path (API, web pages, exports, status and
request views, notifications) asks it rather than deciding for itself:

- Evidence: a family sees, on its cases, family-visible items that it reported itself or that staff
  recorded or published. Another family's report (on a shared or merged case) stays hidden, text and
  source alike, until a caseworker publishes it (`evidence_visibility_clause`, `visible_item_ids`).
- Sources: a family may cite only sources it recorded itself; any other id reads as missing
  (`may_cite_source`). Staff may cite any source, except that one a family recorded is cited only on
  that family's cases (so one family's relative is never attached to another family's case).
- Status explanations: a family reads a rule's own sentence, not the stored text that may name
  hidden items and sources (`rule_text_for`).
- Contacts: a relative's phone, e-mail, address and notes belong to the family account that entered
  them or whose record it is; other families see the name only, and cannot change the record
  (`may_see_contacts`).
- Photos of the missing person: staff see all; a family the ones it gave and those staff added
  (`redaction.photo_shown`).

`services/redaction` applies these rules to what a read returns, in one place for every door.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from kintrace.domain.status import RULES as STATUS_RULES
from kintrace.domain.vocabulary import Role, Visibility
from kintrace.services.errors import Forbidden, NotFound
from kintrace.store.models import Case, CaseMember, EvidenceItem, Relative, Source, User

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
# A family account that wrote nothing itself: what every family of a case may read.
ANY_FAMILY = Actor(user_id=None, role=Role.FAMILY, name="any family")


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


def _by_family_account() -> ColumnElement[bool]:
    """The item was recorded by a family account (not by staff or the system)."""
    return exists(select(User.id).where(User.id == EvidenceItem.created_by_id, User.role == Role.FAMILY))


def evidence_visibility_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause over `EvidenceItem` keeping the items the actor may read (case access apart)."""
    if actor.is_staff:
        return true()
    return and_(
        EvidenceItem.visibility == Visibility.FAMILY,
        or_(
            EvidenceItem.created_by_id == actor.user_id,
            EvidenceItem.published_at.is_not(None),
            ~_by_family_account(),
        ),
    )


def visible_item_ids(session: Session, actor: Actor, ids: Iterable[int]) -> set[int]:
    """Those of the item ids the actor may read (their cases apart: callers checked the case)."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    query = select(EvidenceItem.id).where(EvidenceItem.id.in_(wanted), evidence_visibility_clause(actor))
    return set(session.scalars(query))


def can_see_item(session: Session, actor: Actor, item: EvidenceItem) -> bool:
    return actor.is_staff or item.id in visible_item_ids(session, actor, [item.id])


def may_see_contacts(actor: Actor, relative: Relative) -> bool:
    """Contact details of a relative: staff, and the family account that entered them or is that relative."""
    if actor.is_staff:
        return True
    if actor.user_id is None:
        return False
    return actor.user_id in (relative.user_id, relative.created_by_id)


def rule_text_for(actor: Actor, rule: str | None, stored: str | None, hidden: int) -> str | None:
    """A status rule's explanation as the actor may read it.

    The stored text may name items and sources the actor may not read; a family reads the rule's own
    sentence instead, told how many of the items behind it it does not see.
    """
    if actor.is_staff or rule is None or rule not in STATUS_RULES:
        return stored
    return STATUS_RULES[rule] + (f" ({hidden} internal item(s) not shown.)" if hidden else "")


def _is_family_account(session: Session, user_id: int | None) -> bool:
    user = None if user_id is None else session.get(User, user_id)
    return user is not None and user.role is Role.FAMILY


def may_cite_source(session: Session, actor: Actor, source: Source, case_id: int) -> bool:
    """Whether the actor may cite this source on this case (see the module's rule)."""
    if actor.is_family:
        return actor.user_id is not None and source.created_by_id == actor.user_id
    if _is_family_account(session, source.created_by_id):
        assert source.created_by_id is not None
        return session.get(CaseMember, (case_id, source.created_by_id)) is not None
    return True


def can_see_case(session: Session, actor: Actor, case_id: int) -> bool:
    if actor.is_staff:
        return True
    if actor.user_id is None:
        return False
    return session.get(CaseMember, (case_id, actor.user_id)) is not None


def visible_case(session: Session, actor: Actor, case_id: int, *options: ORMOption) -> Case:
    """The case if the actor may see it; otherwise NotFound, exactly as for a missing id.

    `options` (selectinload ...) load what the caller reads of the case with it (services/case_file)."""
    case = (
        session.scalars(select(Case).where(Case.id == case_id).options(*options)).one_or_none()
        if options
        else session.get(Case, case_id)
    )
    if case is None or not can_see_case(session, actor, case_id):
        raise NotFound("case", case_id)
    return case
