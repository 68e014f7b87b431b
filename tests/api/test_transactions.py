"""The app on its own engine (no test transaction around it): writes are committed before the answer."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kintrace.domain.vocabulary import Role
from kintrace.server.app import create_app
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine, session_scope
from kintrace.store.models import AuditEntry, Case


def test_a_write_is_committed_and_audited_before_the_response(fresh_sqlite_url: str) -> None:
    with session_scope(fresh_sqlite_url) as session:
        user_service.create_user(
            session, SYSTEM, username="worker", password="a long password", role=Role.CASEWORKER
        )
    app = create_app(fresh_sqlite_url, secrets.token_urlsafe(48))
    with TestClient(app, base_url="https://testserver") as client:
        csrf = client.post(
            "/api/v1/auth/login", json={"email": "worker", "password": "a long password"}
        ).json()["csrf_token"]
        body = {"person": {"last_name": "Мельник", "first_name": "Іван"}}
        created = client.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201
        # Read through a separate engine while the app is still running.
        with session_scope(fresh_sqlite_url) as session:
            case = session.get(Case, created.json()["id"])
            assert case is not None and case.person.last_name == "Мельник"
            actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
            assert "case.create" in actions
        failed = client.post(
            "/api/v1/cases",
            json={"person": {"last_name": "Мельник", "first_name": "I"}},
            headers={"X-CSRF-Token": csrf},
        )
        assert failed.status_code == 422
        with session_scope(fresh_sqlite_url) as session:
            assert session.scalar(select(func.count()).select_from(Case)) == 1
    app.state.engine.dispose()


def test_a_write_that_waits_out_the_sqlite_lock_is_told_to_retry(
    fresh_sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """503 with Retry-After and nothing saved, not a 500, when a long write holds SQLite's lock."""
    monkeypatch.setenv("KINTRACE_SQLITE_BUSY_TIMEOUT_MS", "200")
    with session_scope(fresh_sqlite_url) as session:
        user_service.create_user(
            session, SYSTEM, username="worker", password="a long password", role=Role.CASEWORKER
        )
    app = create_app(fresh_sqlite_url, secrets.token_urlsafe(48))
    holder = make_engine(fresh_sqlite_url)
    with TestClient(app, base_url="https://testserver") as client:
        csrf = client.post(
            "/api/v1/auth/login", json={"email": "worker", "password": "a long password"}
        ).json()["csrf_token"]
        with holder.connect() as conn:
            conn.begin()  # BEGIN IMMEDIATE: holds the write lock, as a long import does
            busy = client.post(
                "/api/v1/cases",
                json={"person": {"last_name": "Мельник", "first_name": "Іван"}},
                headers={"X-CSRF-Token": csrf},
            )
            conn.rollback()
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "10"
        assert busy.json()["type"].endswith("database-busy")
    with session_scope(fresh_sqlite_url) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
    holder.dispose()
    app.state.engine.dispose()
