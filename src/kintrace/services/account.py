"""A person's own account: contact details, language, and deleting the account.

Families use shared phones and change numbers; they must be able to keep their e-mail, phone and
language current, and to leave. Deleting an account ends the access, not the search: the cases it
reported stay open with the caseworkers (a missing person is still missing), the account's name,
e-mail and phone are erased, and, if asked, the contact details it entered on its cases too.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kintrace.services import auditing, logins
from kintrace.services.access import Actor
from kintrace.services.errors import Forbidden, ValidationFailed
from kintrace.store.models import (
    ApiToken,
    CaseMember,
    Notification,
    NotificationPreference,
    Relative,
    User,
    utcnow,
)

LANGUAGES = ("uk", "ru", "en")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# International format as people write it: +380 67 123 45 67, (067) 123-45-67.
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,24}$")
# Fixed texts so the web pages can translate them (kintrace.web.labels lists them).
NOT_AN_EMAIL = "is not an e-mail address"
NOT_A_PHONE = "is not a phone number (digits, spaces, brackets and dashes; + for the country code)"
NOT_A_LANGUAGE = "is not one of uk, ru, en"
WRONG_PASSWORD = "this is not your current password"
EMAIL_TAKEN = "another account already uses this e-mail address"


def _own(session: Session, actor: Actor) -> User:
    if actor.user_id is None:
        raise Forbidden("sign in to change your account")
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise Forbidden("this account is closed")
    return user


def _clean_email(value: str | None) -> str | None:
    email = (value or "").strip().lower()
    if not email:
        return None
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValidationFailed("email", NOT_AN_EMAIL)
    return email


def _clean_phone(value: str | None) -> str | None:
    phone = " ".join((value or "").split())
    if not phone:
        return None
    if not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 7:
        raise ValidationFailed("phone", NOT_A_PHONE)
    return phone


def update_settings(
    session: Session, actor: Actor, *, email: str | None, phone: str | None, language: str | None
) -> User:
    """Change one's own e-mail, phone and language (e-mails from kintrace are then written in it)."""
    user = _own(session, actor)
    before = auditing.snapshot(user)
    new_email = _clean_email(email)
    new_phone = _clean_phone(phone)
    if language is not None and language not in LANGUAGES:
        raise ValidationFailed("language", NOT_A_LANGUAGE)
    if new_email is None and user.email:
        raise ValidationFailed("email", NOT_AN_EMAIL)  # sign-in and password resets need one
    if new_email and new_email != user.email:
        taken = session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.id != user.id, (func.lower(User.email) == new_email) | (User.username == new_email))
        )
        if taken:
            raise ValidationFailed("email", EMAIL_TAKEN)
        # A family signs in with its e-mail, which is also its user name: keep the two together.
        if user.username == (user.email or "").lower():
            user.username = new_email
        user.email = new_email
    user.phone = new_phone
    if language is not None:
        user.language = language
        # The news already chosen by e-mail is written in the new language from now on.
        session.execute(
            update(NotificationPreference)
            .where(NotificationPreference.user_id == user.id)
            .values(language=language)
        )
    auditing.record(session, actor, "user.settings", user, before=before)
    return user


def delete_account(session: Session, actor: Actor, password: str, *, erase_contacts: bool) -> None:
    """Close one's own account for good, after the password confirms it is the owner.

    The cases stay (with the caseworkers); the account loses every access, its sessions, tokens,
    news and choices; its name, e-mail and phone are erased, and so is the audit log's copy of them.
    With `erase_contacts`, the phone, e-mail and address it entered on relatives are erased too.
    """
    from kintrace.services.users import authenticate  # users imports this module's neighbours

    user = _own(session, actor)
    if authenticate(session, user.username, password) is None:
        raise ValidationFailed("password", WRONG_PASSWORD)
    user_id = user.id
    logins.close_all(session, user_id)
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id).values(revoked_at=utcnow()))
    session.execute(delete(CaseMember).where(CaseMember.user_id == user_id))
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user_id))
    session.execute(delete(Notification).where(Notification.user_id == user_id))
    erased_relatives = 0
    if erase_contacts:
        relatives = session.scalars(
            select(Relative).where((Relative.created_by_id == user_id) | (Relative.user_id == user_id))
        ).all()
        for relative in relatives:
            before = auditing.snapshot(relative)
            relative.phone = relative.email = relative.address = None
            auditing.record(session, actor, "relative.erase_contacts", relative, before=before)
            auditing.erase_record(session, actor, relative)
            erased_relatives += 1
    user.username = f"deleted-{user_id}"
    user.display_name = "—"
    user.email = None
    user.phone = None
    user.password_hash = "!"  # matches no password
    user.active = False
    session.flush()
    auditing.record_event(
        session,
        actor,
        action="user.delete",
        entity="users",
        entity_id=str(user_id),
        values={"contacts_erased": erased_relatives},
    )
    auditing.erase_record(session, actor, user)
