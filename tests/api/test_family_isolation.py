"""One family never learns another family's relatives, contacts or reports (issue 11, findings 1, 4, 5)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kintrace.domain.vocabulary import Role, SourceKind

SECRET_RELATIVE = "Мать: Бондаренко Галина Ивановна"
SECRET_TEXT = "Сосед видел его в Херсоне, телефон соседа +380 00 123 4567"


def family_case(factories: Any, user: Any, relation: str = "reporter", case: Any = None) -> Any:
    case = case or factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=user, relation=relation)
    return case


def report(
    client: TestClient, headers: dict[str, str], case_id: int, source: str, text: str
) -> dict[str, Any]:
    """A family's own report, as the portal records it: the relative as the source, family-visible."""
    made = client.post("/api/v1/sources", json={"kind": "relative", "name": source}, headers=headers)
    assert made.status_code == 201, made.text
    body = {"source_id": made.json()["id"], "claim": "seen_at_place", "text": text, "visibility": "family"}
    item = client.post(f"/api/v1/cases/{case_id}/evidence", json=body, headers=headers)
    assert item.status_code == 201, item.text
    return dict(item.json())


def _without_ids(problem: dict[str, Any], *ids: int) -> str:
    """The problem's status, title, detail and field errors with the asked-for id blanked out."""
    text = repr([problem.get(key) for key in ("status", "title", "detail", "errors")])
    for number in ids:
        text = text.replace(f" {number}", " N")
    return text


def test_a_family_cannot_cite_another_familys_relative_and_cannot_tell_it_exists(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    """Finding 1: a foreign source id reads exactly like a missing one, whatever its kind."""
    owner, attacker = make_user(Role.FAMILY), make_user(Role.FAMILY)
    theirs, mine = family_case(factories, owner), family_case(factories, attacker)
    their_item = report(client, token_for(owner), theirs.id, SECRET_RELATIVE, "Жив, в плену")
    relative_id = their_item["source"]["id"]
    official = factories.SourceFactory(kind=SourceKind.OFFICIAL_BODY, name="Военкомат")
    missing_id = 9_999_999
    headers = token_for(attacker)
    answers, lookups = {}, set()
    for source_id in (relative_id, official.id, missing_id):
        body = {"source_id": source_id, "claim": "alive", "visibility": "family"}
        answer = client.post(f"/api/v1/cases/{mine.id}/evidence", json=body, headers=headers)
        assert answer.status_code == 422, answer.text
        assert "Бондаренко" not in answer.text
        answers[source_id] = _without_ids(answer.json(), source_id)
        looked_up = client.get(f"/api/v1/sources/{source_id}", headers=headers)
        assert "Бондаренко" not in looked_up.text
        lookups.add((looked_up.status_code, _without_ids(looked_up.json(), source_id)))
    assert len(set(answers.values())) == 1, answers
    assert len(lookups) == 1 and lookups.pop()[0] in (403, 404)
    # The owner still cites its own relative.
    again = client.post(
        f"/api/v1/cases/{theirs.id}/evidence",
        json={"source_id": relative_id, "claim": "alive", "visibility": "family"},
        headers=token_for(owner),
    )
    assert again.status_code == 201, again.text


def test_staff_cite_a_familys_source_only_on_that_familys_cases(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    owner, worker = make_user(Role.FAMILY), make_user(Role.CASEWORKER)
    theirs, unrelated = family_case(factories, owner), factories.CaseFactory()
    relative_id = report(client, token_for(owner), theirs.id, SECRET_RELATIVE, "Жив")["source"]["id"]
    body = {"source_id": relative_id, "claim": "alive", "visibility": "internal"}
    refused = client.post(f"/api/v1/cases/{unrelated.id}/evidence", json=body, headers=token_for(worker))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "source_id"
    allowed = client.post(f"/api/v1/cases/{theirs.id}/evidence", json=body, headers=token_for(worker))
    assert allowed.status_code == 201, allowed.text


def test_contacts_entered_by_a_linked_family_belong_to_that_family(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    """Finding 4: a linked family's contacts are its own; the reporter neither reads nor changes them."""
    reporter, linked, worker = make_user(Role.FAMILY), make_user(Role.FAMILY), make_user(Role.CASEWORKER)
    case = family_case(factories, reporter)
    family_case(factories, linked, "linked", case)
    body = {"full_name": "Бондаренко Галина", "relationship": "aunt", "phone": "+380 00 765 4321"}
    added = client.post(f"/api/v1/cases/{case.id}/relatives", json=body, headers=token_for(linked))
    assert added.status_code == 201 and added.json()["phone"] == "+380 00 765 4321"
    relative_id = added.json()["id"]

    def phones(user: Any) -> dict[int, Any]:
        listed = client.get(f"/api/v1/cases/{case.id}/relatives", headers=token_for(user))
        return {r["id"]: r["phone"] for r in listed.json()}

    assert phones(linked)[relative_id] == "+380 00 765 4321"
    assert phones(reporter)[relative_id] is None
    assert phones(worker)[relative_id] == "+380 00 765 4321"
    change = client.patch(
        f"/api/v1/relatives/{relative_id}", json={"phone": "+1"}, headers=token_for(reporter)
    )
    assert change.status_code == 403
    export = client.get("/api/v1/cases", headers=token_for(reporter))
    assert "765 4321" not in export.text
    # A family cannot tie a record to another account (nor learn which accounts exist).
    foreign = {**body, "user_id": reporter.id}
    tied = client.post(f"/api/v1/cases/{case.id}/relatives", json=foreign, headers=token_for(linked))
    ghost = {**body, "user_id": 9_999_999}
    missing = client.post(f"/api/v1/cases/{case.id}/relatives", json=ghost, headers=token_for(linked))
    assert tied.status_code == missing.status_code == 422
    assert _without_ids(tied.json(), reporter.id) == _without_ids(missing.json(), 9_999_999)


def test_after_a_merge_a_family_sees_another_familys_report_only_once_published(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    """Finding 5: the merged case's family report stays with its family until a caseworker publishes it."""
    first, second, worker = make_user(Role.FAMILY), make_user(Role.FAMILY), make_user(Role.CASEWORKER)
    target, merged = family_case(factories, first), family_case(factories, second)
    own = report(client, token_for(first), target.id, "Жена: Коваленко Ольга", "Звонил в марте")
    theirs = report(client, token_for(second), merged.id, SECRET_RELATIVE, SECRET_TEXT)
    merge = client.post(
        f"/api/v1/cases/{target.id}/merges", json={"merged_case_id": merged.id}, headers=token_for(worker)
    )
    assert merge.status_code == 201, merge.text

    def seen_by(user: Any) -> str:
        headers = token_for(user)
        pages = [
            client.get(f"/api/v1/cases/{target.id}/evidence", headers=headers),
            client.get(f"/api/v1/cases/{target.id}/status", headers=headers),
            client.get(f"/api/v1/cases/{target.id}/status/history", headers=headers),
            client.get(f"/api/v1/cases/{target.id}/contradictions", headers=headers),
            client.get(f"/api/v1/evidence/{theirs['id']}", headers=headers),
        ]
        return "\n".join(page.text for page in pages)

    submitted = client.post(
        f"/api/v1/cases/{target.id}/requests",
        json={
            "requested_status": "confirmed_captured",
            "authority": "Координационный штаб",
            "submitted_on": "2024-06-01",
            "evidence_ids": [own["id"], theirs["id"]],
        },
        headers=token_for(worker),
    )
    assert submitted.status_code == 201, submitted.text
    listed = client.get(f"/api/v1/cases/{target.id}/requests", headers=token_for(first)).json()
    assert listed[0]["evidence_ids"] == [own["id"]]  # the other family's report is not even counted
    before = seen_by(first)
    assert "Коваленко Ольга" in before and own["text"] in before
    assert "Бондаренко" not in before and "Херсоне" not in before
    hidden = client.get(f"/api/v1/evidence/{theirs['id']}", headers=token_for(first))
    assert hidden.status_code == 404
    assert "Херсоне" in seen_by(second) and "Коваленко Ольга" not in seen_by(second)
    assert (
        client.post(f"/api/v1/evidence/{theirs['id']}/publish", headers=token_for(first)).status_code == 403
    )
    published = client.post(f"/api/v1/evidence/{theirs['id']}/publish", headers=token_for(worker))
    assert published.status_code == 200 and published.json()["published_at"] is not None
    after = seen_by(first)
    assert "Бондаренко" in after and "Херсоне" in after


def test_a_family_cannot_probe_references_or_staff_accounts_when_filing(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    """Every foreign id a family may send is checked: filing a case with a chosen reference or caseworker."""
    family, worker = make_user(Role.FAMILY), make_user(Role.CASEWORKER)
    taken = factories.CaseFactory(reference="KT-SECRET-1")
    person = {"last_name": "Коваленко", "first_name": "Андрій"}
    headers = token_for(family)
    for probe in ({"reference": taken.reference}, {"reference": "KT-FREE-2"}):
        answer = client.post("/api/v1/cases", json={"person": person, **probe}, headers=headers)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "reference"
    answers = set()
    for user_id in (worker.id, family.id, 9_999_999):
        body = {"person": person, "assigned_caseworker_id": user_id}
        answer = client.post("/api/v1/cases", json=body, headers=headers)
        assert answer.status_code == 422
        answers.add(_without_ids(answer.json(), user_id))
    assert len(answers) == 1
