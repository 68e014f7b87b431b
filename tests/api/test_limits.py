"""Request limits (issue 11, finding 6): bodies are capped while they stream in, fields by length.

The live-server tests run the app the way `kintrace serve` does (uvicorn with its config) on a free
loopback port of KINTRACE_TEST_PORTS (default 18200-18299).
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.live import live_server

from kintrace.domain.vocabulary import Role
from kintrace.http.limits import DEFAULT_MAX_BODY_BYTES
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES


@pytest.fixture
def staff(make_user: Any, token_for: Any) -> dict[str, str]:
    headers: dict[str, str] = token_for(make_user(Role.CASEWORKER))
    return headers


def _case(client: TestClient, headers: dict[str, str]) -> int:
    body = {"person": {"last_name": "Коваленко", "first_name": "Іван"}}
    created = client.post("/api/v1/cases", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_a_json_body_over_the_limit_is_refused_413(client: TestClient, staff: dict[str, str]) -> None:
    case_id = _case(client, staff)
    text = "я" * DEFAULT_MAX_BODY_BYTES  # two bytes each in UTF-8: twice the limit
    answer = client.patch(f"/api/v1/cases/{case_id}/person", json={"circumstances": text}, headers=staff)
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("body-too-large")


@pytest.mark.parametrize(
    ("path", "field", "length"),
    [
        ("person", "circumstances", 20_001),
        ("person", "distinguishing_marks", 20_001),
        ("relatives", "notes", 5_001),
    ],
)
def test_long_texts_are_refused_naming_the_field(
    client: TestClient, staff: dict[str, str], path: str, field: str, length: int
) -> None:
    case_id = _case(client, staff)
    if path == "person":
        answer = client.patch(f"/api/v1/cases/{case_id}/person", json={field: "x" * length}, headers=staff)
    else:
        body = {"full_name": "Коваленко Марія", "relationship": "mother", field: "x" * length}
        answer = client.post(f"/api/v1/cases/{case_id}/relatives", json=body, headers=staff)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_evidence_text_is_limited(client: TestClient, staff: dict[str, str]) -> None:
    case_id = _case(client, staff)
    source = client.post(
        "/api/v1/sources", json={"kind": "published_list", "name": "Список"}, headers=staff
    ).json()
    body = {"source_id": source["id"], "claim": "captured", "text": "x" * 20_001}
    answer = client.post(f"/api/v1/cases/{case_id}/evidence", json=body, headers=staff)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "text"
    body["text"] = "x" * 20_000
    assert client.post(f"/api/v1/cases/{case_id}/evidence", json=body, headers=staff).status_code == 201


@pytest.mark.parametrize(
    ("person", "field"),
    [({"birth_date": "9999-12-31"}, "birth_date"), ({"birth_date": "1700"}, "birth_date")],
)
def test_implausible_birth_dates_are_refused(
    client: TestClient, staff: dict[str, str], person: dict[str, str], field: str
) -> None:
    body = {"person": {"last_name": "Коваленко", "first_name": "Іван", **person}}
    answer = client.post("/api/v1/cases", json=body, headers=staff)
    assert answer.status_code == 422
    assert field in answer.json()["errors"][0]["field"]


def test_a_request_submitted_in_year_one_is_refused(client: TestClient, staff: dict[str, str]) -> None:
    case_id = _case(client, staff)
    body = {"requested_status": "confirmed_dead", "authority": "Військкомат", "submitted_on": "0001-01-01"}
    answer = client.post(f"/api/v1/cases/{case_id}/requests", json=body, headers=staff)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "submitted_on"


def test_an_attachment_named_with_a_line_feed_downloads(
    client: TestClient, staff: dict[str, str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path))
    case_id = _case(client, staff)
    source = client.post(
        "/api/v1/sources", json={"kind": "published_list", "name": "Список"}, headers=staff
    ).json()
    item = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        json={"source_id": source["id"], "claim": "captured"},
        headers=staff,
    ).json()
    scan = b"%PDF-1.4\n" + secrets.token_bytes(64)
    uploaded = client.post(
        f"/api/v1/evidence/{item['id']}/attachments",
        files={"file": ("лист\nматері.pdf", scan, "application/pdf")},
        headers=staff,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert "\n" not in uploaded.json()["filename"]
    downloaded = client.get(f"/api/v1/attachments/{uploaded.json()['id']}", headers=staff)
    assert downloaded.status_code == 200 and downloaded.content == scan
    disposition = downloaded.headers["content-disposition"]
    assert "\n" not in disposition and "filename*=UTF-8''" in disposition


# -- through a real server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, str]]:
    """The server's host, port and a caseworker's bearer token."""
    with live_server(tmp_path_factory.mktemp("served")) as server:
        yield server


def _answer(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_the_server_does_not_name_itself(served: tuple[str, int, str]) -> None:
    with socket.create_connection(served[:2]) as sock:
        sock.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        head = _answer(sock).split(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 200")
    assert b"\r\nserver:" not in head


def test_a_declared_huge_upload_is_refused_before_it_is_read(served: tuple[str, int, str]) -> None:
    size = 300 * 1024 * 1024
    with socket.create_connection(served[:2]) as sock:
        sock.sendall(
            b"POST /api/v1/evidence/1/attachments HTTP/1.1\r\nHost: localhost\r\n"
            + f"Authorization: Bearer {served[2]}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode()
        )
        head = _answer(sock)
    assert head.startswith(b"HTTP/1.1 413")


def test_a_chunked_body_is_cut_off_at_the_limit(served: tuple[str, int, str]) -> None:
    """No Content-Length: the server counts what arrives and answers 413 as soon as it passes the limit."""
    limit = MAX_ATTACHMENT_BYTES + 256 * 1024
    chunk = b"x" * 65536
    sent = 0
    with socket.create_connection(served[:2]) as sock:
        sock.sendall(
            b"POST /api/v1/evidence/1/attachments HTTP/1.1\r\nHost: localhost\r\n"
            + f"Authorization: Bearer {served[2]}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=xyz\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        part = (
            b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        )
        sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        try:
            while sent < 4 * limit:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what we want
        head = _answer(sock)
    assert head.startswith(b"HTTP/1.1 413"), head[:80]
    assert sent < 4 * limit
