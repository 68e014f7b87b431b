"""Cases through the API: access rules, problem details naming the field, pagination and filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from kintrace.domain.vocabulary import CaseState, PersonStatus, RequestOutcome, Role

PERSON = {
    "last_name": "Коваленко",
    "first_name": "Андрій",
    "patronymic": "Петрович",
    "birth_date": "1994-07",
    "unit": "в/ч А1234",
    "last_seen_date": "2024-03-02",
    "last_seen_place": "Авдіївка",
}


def family_case(factories: Any, user: Any, **kwargs: Any) -> Any:
    case = factories.CaseFactory(**kwargs)
    factories.CaseMemberFactory(case=case, user=user, relation="reporter")
    return case


def test_family_sees_only_its_own_cases(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    family_a, family_b = make_user(Role.FAMILY), make_user(Role.FAMILY)
    case_a, case_b = family_case(factories, family_a), family_case(factories, family_b)
    headers = token_for(family_a)
    listed = client.get("/api/v1/cases", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [case_a.id] and listed["total"] == 1
    assert client.get(f"/api/v1/cases/{case_a.id}", headers=headers).status_code == 200
    other = client.get(f"/api/v1/cases/{case_b.id}", headers=headers)
    missing = client.get("/api/v1/cases/999999", headers=headers)
    # Someone else's case answers exactly like a case that does not exist.
    assert other.status_code == missing.status_code == 404
    assert other.json()["title"] == missing.json()["title"]
    for path in ("person", "relatives", "members"):
        assert client.get(f"/api/v1/cases/{case_b.id}/{path}", headers=headers).status_code == 404


def test_family_cannot_change_another_familys_case(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    family_a, family_b = make_user(Role.FAMILY), make_user(Role.FAMILY)
    case_b = family_case(factories, family_b, state=CaseState.UNVERIFIED)
    relative_b = factories.RelativeFactory(case=case_b, user_id=family_b.id)
    headers = token_for(family_a)
    attempts = [
        client.patch(f"/api/v1/cases/{case_b.id}/person", json={"last_name": "Іваненко"}, headers=headers),
        client.patch(f"/api/v1/cases/{case_b.id}", json={"state": "closed"}, headers=headers),
        client.post(
            f"/api/v1/cases/{case_b.id}/relatives",
            json={"full_name": "X", "relationship": "aunt"},
            headers=headers,
        ),
        client.patch(f"/api/v1/relatives/{relative_b.id}", json={"phone": "+1"}, headers=headers),
        client.delete(f"/api/v1/relatives/{relative_b.id}", headers=headers),
        client.post(f"/api/v1/cases/{case_b.id}/verify", headers=headers),
    ]
    assert [a.status_code for a in attempts] == [404] * len(attempts)
    assert client.get(f"/api/v1/cases/{case_b.id}/person", headers=token_for(family_b)).json()[
        "last_name"
    ] != ("Іваненко")


def test_family_files_an_unverified_case_and_a_caseworker_verifies_it(
    client: TestClient, make_user: Any, token_for: Any
) -> None:
    family, worker = make_user(Role.FAMILY), make_user(Role.CASEWORKER)
    body = {
        "person": PERSON,
        "reporter": {"full_name": "Коваленко Олена", "relationship": "mother", "phone": "+380"},
    }
    created = client.post("/api/v1/cases", json=body, headers=token_for(family))
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["state"] == "unverified" and case["reference"].startswith("KT-")
    assert case["person"]["unit"] == "А1234"  # "в/ч А1234" is stored as the number
    relatives = client.get(f"/api/v1/cases/{case['id']}/relatives", headers=token_for(family)).json()
    assert relatives[0]["phone"] == "+380" and relatives[0]["user_id"] == family.id
    assert client.post(f"/api/v1/cases/{case['id']}/verify", headers=token_for(family)).status_code == 403
    verified = client.post(f"/api/v1/cases/{case['id']}/verify", headers=token_for(worker))
    assert verified.status_code == 200 and verified.json()["state"] == "open"
    again = client.post(f"/api/v1/cases/{case['id']}/verify", headers=token_for(worker))
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"


def test_contact_details_of_another_family_are_withheld(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    mother, brother = make_user(Role.FAMILY), make_user(Role.FAMILY)
    case = family_case(factories, mother)
    factories.CaseMemberFactory(case=case, user=brother, relation="linked")
    factories.RelativeFactory(case=case, user_id=mother.id, full_name="Мать", phone="+380 1", email="m@x.org")
    factories.RelativeFactory(case=case, user_id=brother.id, full_name="Брат", phone="+380 2")
    seen_by_brother = {
        r["full_name"]: r
        for r in client.get(f"/api/v1/cases/{case.id}/relatives", headers=token_for(brother)).json()
    }
    assert seen_by_brother["Брат"]["phone"] == "+380 2"
    assert seen_by_brother["Мать"]["phone"] is None and seen_by_brother["Мать"]["email"] is None
    staff = client.get(
        f"/api/v1/cases/{case.id}/relatives", headers=token_for(make_user(Role.CASEWORKER))
    ).json()
    assert {r["phone"] for r in staff} == {"+380 1", "+380 2"}


def test_validation_problem_names_the_field(client: TestClient, make_user: Any, token_for: Any) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    bad_date = client.post(
        "/api/v1/cases", json={"person": {**PERSON, "birth_date": "1994-13"}}, headers=headers
    )
    assert bad_date.status_code == 422
    assert bad_date.headers["content-type"] == "application/problem+json"
    problem = bad_date.json()
    assert set(problem) >= {"type", "title", "status", "detail", "instance", "errors"}
    assert problem["status"] == 422 and problem["instance"] == "/api/v1/cases"
    assert problem["errors"][0]["field"] == "person.birth_date"
    assert "month 13" in problem["errors"][0]["message"]
    # A rule of the domain (not of the schema) also names the field the client sent.
    mixed_script = client.post(
        "/api/v1/cases", json={"person": {**PERSON, "last_name": "Koвaленко"}}, headers=headers
    )
    assert mixed_script.status_code == 422
    assert mixed_script.json()["errors"] == [
        {"field": "person.last_name", "message": mixed_script.json()["errors"][0]["message"]}
    ]
    bad_unit = client.post("/api/v1/cases", json={"person": {**PERSON, "unit": "штаб"}}, headers=headers)
    assert bad_unit.json()["errors"][0]["field"] == "person.unit"
    unknown_field = client.post("/api/v1/cases", json={"person": {**PERSON, "nmae": "x"}}, headers=headers)
    assert unknown_field.json()["errors"][0]["field"] == "person.nmae"
    bad_reporter = client.post(
        "/api/v1/cases",
        json={
            "person": PERSON,
            "reporter": {"full_name": "Олена", "relationship": "mother", "email": "nope"},
        },
        headers=headers,
    )
    assert bad_reporter.status_code == 422 and bad_reporter.json()["errors"][0]["field"] == "reporter.email"
    assert client.get("/api/v1/cases", params={"name": "Коваленко"}, headers=headers).json()["total"] == 0
    bad_query = client.get("/api/v1/cases?per_page=100000", headers=headers)
    assert bad_query.status_code == 422 and bad_query.json()["errors"][0]["field"] == "per_page"


def test_relationships_are_codes_and_other_needs_the_familys_words(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    case = factories.CaseFactory()
    url = f"/api/v1/cases/{case.id}/relatives"
    word = client.post(url, json={"full_name": "Олена", "relationship": "мама"}, headers=headers)
    assert word.status_code == 422 and word.json()["errors"][0]["field"] == "relationship"
    bare_other = client.post(url, json={"full_name": "Олена", "relationship": "other"}, headers=headers)
    assert bare_other.status_code == 422
    assert bare_other.json()["errors"][0]["field"] == "relationship_note"
    godmother = client.post(
        url,
        json={"full_name": "Олена", "relationship": "other", "relationship_note": "хрещена мати"},
        headers=headers,
    )
    assert godmother.status_code == 201, godmother.text
    assert godmother.json()["relationship"] == "other"
    assert godmother.json()["relationship_note"] == "хрещена мати"
    changed = client.patch(
        f"/api/v1/relatives/{godmother.json()['id']}",
        json={"relationship": "aunt", "relationship_note": None},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["relationship"], changed.json()["relationship_note"]) == ("aunt", None)


def test_partial_update_of_the_person(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    case = factories.CaseFactory()
    headers = token_for(make_user(Role.CASEWORKER))
    changed = client.patch(
        f"/api/v1/cases/{case.id}/person", json={"height_cm": 181, "eyes": "карие"}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["height_cm"] == 181 and changed.json()["last_name"] == case.person.last_name
    bad = client.patch(f"/api/v1/cases/{case.id}/person", json={"last_seen_latitude": 48.1}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "last_seen_longitude"


def test_pagination_and_filters(client: TestClient, factories: Any, make_user: Any, token_for: Any) -> None:
    headers = token_for(make_user(Role.ANALYST))
    cases = [factories.CaseFactory() for _ in range(7)]
    captured = factories.CaseFactory(
        official_status=PersonStatus.CONFIRMED_CAPTURED,
        person__last_name="Зайченко",
        person__first_name="Андрій",
    )
    waiting = cases[0]
    factories.StatusRequestFactory(
        case=waiting, submitted_on=dt.date.today() - dt.timedelta(days=90), outcome=RequestOutcome.PENDING
    )
    factories.StatusRequestFactory(case=cases[1], submitted_on=dt.date.today() - dt.timedelta(days=10))

    first = client.get("/api/v1/cases?per_page=3&page=1", headers=headers).json()
    second = client.get("/api/v1/cases?per_page=3&page=2", headers=headers).json()
    assert first["total"] == second["total"] >= 8 and len(first["items"]) == 3
    assert first["pages"] == -(-first["total"] // 3)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}

    by_status = client.get("/api/v1/cases?status=confirmed_captured", headers=headers).json()
    assert captured.id in [i["id"] for i in by_status["items"]]
    assert all(i["official_status"] == "confirmed_captured" for i in by_status["items"])

    by_name = client.get("/api/v1/cases", params={"name": "ЗАЙЧ"}, headers=headers).json()
    assert [i["id"] for i in by_name["items"]] == [captured.id]

    pending = client.get("/api/v1/cases?days_pending=60", headers=headers).json()
    assert [i["id"] for i in pending["items"]] == [waiting.id]


def test_aliases_are_replaced_by_a_person_update(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    created = client.post(
        "/api/v1/cases",
        json={
            "person": {
                **PERSON,
                "aliases": [{"last_name": "Kovalenko", "first_name": "Andrii", "script": "Latn"}],
            }
        },
        headers=headers,
    ).json()
    assert [a["last_name"] for a in created["person"]["aliases"]] == ["Kovalenko"]
    new_aliases = [{"last_name": "Kowalenko", "first_name": "Andrij", "script": "Latn"}]
    changed = client.patch(
        f"/api/v1/cases/{created['id']}/person", json={"aliases": new_aliases}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert [a["last_name"] for a in changed.json()["aliases"]] == ["Kowalenko"]
    found = client.get("/api/v1/cases", params={"name": "kowal"}, headers=headers).json()
    assert [i["id"] for i in found["items"]] == [created["id"]]
    wrong_script = client.patch(
        f"/api/v1/cases/{created['id']}/person",
        json={"aliases": [{"last_name": "Коваленко", "first_name": "Андрей", "script": "Latn"}]},
        headers=headers,
    )
    assert wrong_script.status_code == 422
    assert wrong_script.json()["errors"][0]["field"] == "aliases[0].last_name"


def test_the_call_sign_travels_through_the_api(client: TestClient, make_user: Any, token_for: Any) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    filed = client.post("/api/v1/cases", json={"person": {**PERSON, "call_sign": " Сокіл "}}, headers=headers)
    assert filed.status_code == 201, filed.text
    url = f"/api/v1/cases/{filed.json()['id']}/person"
    assert client.get(url, headers=headers).json()["call_sign"] == "Сокіл"
    too_long = client.patch(url, json={"call_sign": "С" * 101}, headers=headers)
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "call_sign"
    cleared = client.patch(url, json={"call_sign": None}, headers=headers)
    assert cleared.status_code == 200 and cleared.json()["call_sign"] is None
    assert cleared.json()["unit"] == "А1234"  # the rest is kept
