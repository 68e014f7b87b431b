"""Schemathesis against the OpenAPI description: every operation, valid and invalid requests.

Zero 5xx, zero response-schema violations, and every status code and content type answered is
documented. Bounded for `make test`: a fixed seed and a small example budget per operation. The app
runs over a database of its own (SQLite by default, a PostgreSQL schema with the test URL) that
commits for real, as a deployment would; a caseworker's API token authenticates every request.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from kintrace.api.app import OPENAPI_URL
from kintrace.domain.person import MissingPerson, PersonName
from kintrace.domain.vocabulary import Role
from kintrace.server.app import create_app
from kintrace.services import cases as case_service
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM, actor_for
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import upgrade

pytestmark = pytest.mark.db

# Examples per operation and generation mode: ~51 operations x 2 modes keep this near a minute or two.
EXAMPLES = int(os.environ.get("KINTRACE_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def own_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'kintrace.db'}"
        upgrade(url)
        yield url
        return
    schema = f"kt_fuzz_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def bearer(own_url: str) -> dict[str, str]:
    """A caseworker's token, and a few cases so that small ids find rows."""
    with session_scope(own_url) as session:
        user = user_service.create_user(
            session, SYSTEM, username="fuzzer", password="a long fuzzing password", role=Role.CASEWORKER
        )
        for first in ("Тарас", "Іван", "Олег"):
            case_service.create_case(session, SYSTEM, MissingPerson(PersonName("Коваленко", first)))
        _row, token = user_service.create_api_token(session, actor_for(user), user.id, "fuzz")
    return {"Authorization": f"Bearer {token}"}


class _Target:
    """The ASGI app under test. The description is read when the module is imported (schemathesis
    parametrizes then); the app over the test's database replaces the first one in a fixture.
    (schemathesis.pytest.from_fixture does not run under pytest 9.)"""

    def __init__(self) -> None:
        self.app: Any = create_app("sqlite://", secrets.token_urlsafe(48))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


TARGET = _Target()
schema = schemathesis.openapi.from_asgi(OPENAPI_URL, TARGET)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(scope="module", autouse=True)
def app_over_own_database(own_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # A server as deployed for DNA work: with its allele frequency table (without one, the DNA
    # operations that compute, e.g. an incident's joint result, answer 503 by design).
    from tests.services.dna_helpers import frequency_file

    before = os.environ.get("KINTRACE_DNA_FREQUENCIES")
    os.environ["KINTRACE_DNA_FREQUENCIES"] = str(frequency_file(tmp_path_factory.mktemp("freqs")))
    description_only = TARGET.app
    TARGET.app = create_app(own_url, secrets.token_urlsafe(48))
    yield
    TARGET.app.state.engine.dispose()
    TARGET.app = description_only
    if before is None:
        os.environ.pop("KINTRACE_DNA_FREQUENCIES", None)
    else:
        os.environ["KINTRACE_DNA_FREQUENCIES"] = before


@schema.parametrize()
@seed(20261203)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_description(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)
