"""`POST /api/v1/lists/{list_id}/match`: staff run a match and read its summary; a missing list is 404."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.services.test_list_matching import KOVAL, OTHERS, consenting_case, make_list

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import Role


def test_staff_match_a_list_and_read_the_summary(
    client: TestClient, session: Any, make_user: Any, token_for: Any
) -> None:
    consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))
    published = make_list(session, "Обмін", [KOVAL, *OTHERS])
    worker = token_for(make_user(Role.CASEWORKER))
    answer = client.post(f"/api/v1/lists/{published.id}/match", headers=worker)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["list_ids"] == [published.id] and body["entries"] == 3 and body["cases_checked"] == 1
    assert body["links"] + body["reviews"] == 1 and body["new_pairs"] == 1
    assert client.post("/api/v1/lists/999999/match", headers=worker).status_code == 404
    family = token_for(make_user(Role.FAMILY))
    assert client.post(f"/api/v1/lists/{published.id}/match", headers=family).status_code == 403
