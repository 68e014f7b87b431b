"""API test fixtures: the app on the test's database connection (rolled back after each test)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from kintrace.domain.vocabulary import Role
from kintrace.server.app import create_app
from kintrace.services import users as user_service
from kintrace.services.access import actor_for
from kintrace.store.models import User

SECRET_KEY = secrets.token_urlsafe(48)


@pytest.fixture
def app(database_url: str, connection: Any) -> Iterator[FastAPI]:
    app = create_app(database_url, SECRET_KEY)
    # Every request's session joins the test's outer transaction, so the test sees the app's writes
    # and nothing outlives the test.
    app.state.sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # https, so the Secure session cookie travels as it would in production.
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def make_user(factories: Any) -> Any:
    def make(role: Role = Role.CASEWORKER, **kwargs: Any) -> User:
        user: User = factories.UserFactory(role=role, **kwargs)
        return user

    return make


@pytest.fixture
def token_for(session: Session, connection: Any) -> Any:
    """Bearer headers for a user, the token made through the users service.

    In a session of its own: the audit log caches its head per transaction, and the test's session
    stays open while the app appends to the log.
    """

    def make(user: User) -> dict[str, str]:
        session.flush()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as own:
            _row, token = user_service.create_api_token(
                own, actor_for(own.get_one(User, user.id)), user.id, "test"
            )
            own.commit()
        return {"Authorization": f"Bearer {token}"}

    return make
