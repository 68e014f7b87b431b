from __future__ import annotations

import pytest
from sqlalchemy import select

from kintrace.domain.vocabulary import Role
from kintrace.services import users
from kintrace.services.access import SYSTEM, actor_for
from kintrace.services.errors import Conflict, Forbidden, ValidationFailed
from kintrace.store.models import ApiToken, AuditEntry


def test_password_is_stored_as_argon2_and_authenticates(session):
    user = users.create_user(
        session, SYSTEM, username="Olena", password="s3cret-pass-phrase", role=Role.FAMILY
    )
    assert user.username == "olena"
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-pass-phrase" not in user.password_hash
    assert users.authenticate(session, "olena", "s3cret-pass-phrase") is user
    assert users.authenticate(session, "olena", "wrong-pass") is None
    assert users.authenticate(session, "nobody", "s3cret-pass-phrase") is None


def test_disabled_account_cannot_log_in(session):
    user = users.create_user(
        session, SYSTEM, username="petro", password="s3cret-pass-phrase", role=Role.CASEWORKER
    )
    users.update_user(session, SYSTEM, user.id, active=False)
    assert users.authenticate(session, "petro", "s3cret-pass-phrase") is None


def test_only_admins_create_accounts(session):
    caseworker = users.create_user(
        session, SYSTEM, username="cw", password="s3cret-pass-phrase", role=Role.CASEWORKER
    )
    with pytest.raises(Forbidden):
        users.create_user(
            session, actor_for(caseworker), username="x1", password="s3cret-pass-phrase", role=Role.ADMIN
        )


def test_bad_input_names_the_field(session):
    with pytest.raises(ValidationFailed) as short:
        users.create_user(session, SYSTEM, username="anna", password="short", role=Role.FAMILY)
    assert short.value.field == "password"
    with pytest.raises(ValidationFailed) as bad_name:
        users.create_user(session, SYSTEM, username="a b", password="long enough pass", role=Role.FAMILY)
    assert bad_name.value.field == "username"
    users.create_user(session, SYSTEM, username="anna", password="long enough pass", role=Role.FAMILY)
    with pytest.raises(Conflict):
        users.create_user(session, SYSTEM, username="ANNA", password="long enough pass", role=Role.FAMILY)


def test_api_token_is_shown_once_and_stored_hashed(session):
    user = users.create_user(
        session, SYSTEM, username="api", password="s3cret-pass-phrase", role=Role.ANALYST
    )
    row, token = users.create_api_token(session, actor_for(user), user.id, "laptop")
    stored = session.scalar(select(ApiToken.token_sha256).where(ApiToken.id == row.id))
    assert stored == users.token_digest(token) and token not in stored
    assert users.authenticate_token(session, token) is user
    assert users.authenticate_token(session, token + "x") is None
    users.revoke_api_token(session, actor_for(user), row.id)
    assert users.authenticate_token(session, token) is None


def test_audit_rows_never_hold_secrets(session):
    user = users.create_user(
        session, SYSTEM, username="quiet", password="s3cret-pass-phrase", role=Role.FAMILY
    )
    users.change_password(session, actor_for(user), user.id, "another-pass-phrase")
    _, token = users.create_api_token(session, actor_for(user), user.id, "phone")
    texts = " ".join((e.before or "") + (e.after or "") for e in session.scalars(select(AuditEntry)))
    assert (
        "argon2" not in texts
        and users.token_digest(token) not in texts
        and "another-pass-phrase" not in texts
    )


def test_weak_hash_is_upgraded_at_login_and_audited(session):
    from argon2 import PasswordHasher

    user = users.create_user(session, SYSTEM, username="old", password="s3cret-pass-phrase", role=Role.FAMILY)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
        "s3cret-pass-phrase"
    )
    assert users.authenticate(session, "old", "s3cret-pass-phrase") is user
    assert not users._hasher.check_needs_rehash(user.password_hash)
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.action == "user.rehash" and "argon2" not in (last.after or "")
