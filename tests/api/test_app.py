"""The landing page, security headers and the OpenAPI description."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from tests.factories import PASSWORD

from kintrace.domain.vocabulary import Role


def test_landing_page_is_self_contained(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "kintrace" in page.text and 'href="/docs"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/cases")  # even a 401 carries them
    assert response.status_code == 401
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/api/v1/nothing-here",
    }


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in spec["paths"] and "/api/v1/auth/login" in spec["paths"]


def test_interactive_docs_are_served_by_kintrace_itself(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/v1/openapi.json" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text  # no CDN: isolated networks
    assert '"validatorUrl": null' in docs.text
    assets = re.findall(r'(?:src|href)="(/static/swagger-ui/[^"]+)"', docs.text)
    assert len(assets) == 3 and all(client.get(asset).status_code == 200 for asset in assets)
    assert "cdn" not in docs.headers["Content-Security-Policy"]


def test_cookies_are_not_secure_only_on_plain_http_loopback(app: Any, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    body = {"email": user.email, "password": PASSWORD}
    with TestClient(app, base_url="http://127.0.0.1:8000") as local:
        cookie = local.post("/api/v1/auth/login", json=body).headers["set-cookie"]
        assert "Secure" not in cookie
    with TestClient(app, base_url="http://registry.example.org") as remote:
        assert "Secure" in remote.post("/api/v1/auth/login", json=body).headers["set-cookie"]


def test_malformed_json_is_a_problem_about_the_body(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login", content=b'{"email": "x", ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert "not valid JSON at character" in response.json()["errors"][0]["message"]


def test_wrong_method_is_a_problem_with_allow(client: TestClient) -> None:
    response = client.put("/api/v1/auth/login", json={})
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert response.headers["content-type"] == "application/problem+json"


def test_the_landing_page_speaks_the_readers_language(client: TestClient) -> None:
    assert (
        "Відкрита система пошуку зниклих безвісти." in client.get("/", headers={"accept-language": "uk"}).text
    )
    assert (
        "Открытая система поиска пропавших без вести."
        in client.get("/", headers={"accept-language": "ru"}).text
    )
    english = client.get("/", headers={"accept-language": "en-GB"}).text
    assert "The open system for tracing missing persons." in english and 'href="/statistics"' in english


def test_a_server_with_lists_warms_the_matching_engine_at_start(app: Any, session: Any, caplog: Any) -> None:
    """So a caseworker's first edit of a case (matched against every stored list) waits no longer
    than the later ones (benchmarks/bench_lists.py measures both)."""
    import logging
    import time

    from tests.services.test_list_matching import KOVAL, make_list

    make_list(session, "Полонені", [KOVAL])
    session.commit()
    logs = caplog.at_level(logging.INFO, logger="kintrace.services.list_matching")
    with logs, TestClient(app, base_url="https://testserver") as started:
        assert started.get("/").status_code == 200  # the start was not held up
        deadline = time.monotonic() + 120
        while "warmed up" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
    assert "list matching engine warmed up" in caplog.text


def test_a_server_with_reference_profiles_builds_the_arrival_tables_at_start(
    app: Any, session: Any, factories: Any, caplog: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """So the first remains profile to arrive is scored as fast as the later ones."""
    import logging
    import time

    from tests.services.dna_helpers import frequency_file, long_csv, markers, reference, trio
    from tests.services.helpers import actor

    from kintrace.domain.dna_samples import DonorSex, Kinship
    from kintrace.services import dna_family_tables, dna_profiles

    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    worker, analyst = (actor(factories.UserFactory(role=r)) for r in (Role.CASEWORKER, Role.ANALYST))
    case = factories.CaseFactory()
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    reference(session, worker, case, father, "REF-F", Kinship.FATHER, DonorSex.MALE)
    export = long_csv(tmp_path, {"REF-F": trio().father})
    dna_profiles.import_profiles(session, analyst, app.state.genetic_key, markers(tmp_path), export)
    session.commit()
    dna_family_tables.forget_all()
    logs = caplog.at_level(logging.INFO, logger="kintrace.services.dna_family_tables")
    strength_logs = caplog.at_level(logging.INFO, logger="kintrace.services.dna_strength")
    with logs, strength_logs, TestClient(app, base_url="https://testserver") as started:
        assert started.get("/").status_code == 200
        deadline = time.monotonic() + 120
        while "reference strength of" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
    dna_family_tables.forget_all()
    assert "arrival tables of 1 families built" in caplog.text
    # Then, in the same thread, the family's reference strength (not computed before).
    assert "reference strength of 1 families computed" in caplog.text
