"""The review queue: strongest first, staff only; accepting makes the evidence item in the list's words,
recomputes the status, logs "found" and tells the family; rejecting keeps the pair out; unsure waits."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.services import list_helpers as lists
from tests.services.helpers import actor

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import PairBand, PairDecision, SearchResult
from kintrace.domain.vocabulary import Claim, PersonStatus, Role, Visibility
from kintrace.services import list_review, notifications
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.store.models import AuditEntry, Case, EvidenceItem, ListCheck, Notification


@pytest.fixture
def desk(session, factories):
    user = factories.UserFactory(role=Role.FAMILY)
    case, other_case = factories.CaseFactory(), factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=user, relation="reporter")
    exchange = lists.published_list(session)
    first = lists.entry(session, exchange, 2, event_date="2026-10-01")
    second = lists.entry(session, exchange, 3, ("КОВАЛЬ", "Іван", "Олегович"))
    return {
        "worker": actor(factories.UserFactory(role=Role.CASEWORKER)),
        "analyst": actor(factories.UserFactory(role=Role.ANALYST)),
        "family": actor(user),
        "case": case,
        "list": exchange,
        "strong": lists.pair(session, exchange, first, case),
        "weak": lists.pair(session, exchange, second, other_case, band=PairBand.REVIEW, weight=1.5),
    }


def test_the_queue_is_strongest_first_and_filters_by_list_and_band(session, desk):
    page = list_review.review_queue(session, desk["analyst"])
    assert [p.id for p in page.items] == [desk["strong"].id, desk["weak"].id]
    assert page.total == 2
    review = list_review.review_queue(session, desk["worker"], band=PairBand.REVIEW)
    assert [p.id for p in review.items] == [desk["weak"].id]
    other = lists.published_list(session, title="Another list", publisher="Another HQ")
    assert list_review.review_queue(session, desk["worker"], list_id=other.id).total == 0
    second_page = list_review.review_queue(session, desk["worker"], page=2, per_page=1)
    assert [p.id for p in second_page.items] == [desk["weak"].id] and second_page.pages == 2


def test_families_never_reach_the_queue_or_a_pair(session, desk):
    with pytest.raises(Forbidden):
        list_review.review_queue(session, desk["family"])
    with pytest.raises(Forbidden):
        list_review.get_pair(session, desk["family"], desk["strong"].id)
    with pytest.raises(Forbidden):
        list_review.decide(session, desk["family"], desk["strong"].id, PairDecision.ACCEPTED, "")


def test_an_analyst_reads_the_queue_but_does_not_decide(session, desk):
    assert list_review.get_pair(session, desk["analyst"], desk["strong"].id).id == desk["strong"].id
    with pytest.raises(Forbidden):
        list_review.decide(session, desk["analyst"], desk["strong"].id, PairDecision.ACCEPTED, "")


def test_a_missing_pair_is_not_found(session, desk):
    with pytest.raises(NotFound):
        list_review.get_pair(session, desk["worker"], 10**9)


@pytest.mark.parametrize(
    ("language", "published", "words"),
    [
        ("ru", "2026-10", "Есть в списке «Exchange of 2026-10-02» (Coordination HQ, 2026-10), запись 2: "),
        ("en", None, "Appears on list Exchange of 2026-10-02 (Coordination HQ, undated), entry 2: "),
        (None, None, "Appears on list Exchange of 2026-10-02 (Coordination HQ, undated), entry 2: "),
    ],
)
def test_the_evidence_text_is_written_in_the_lists_language(session, desk, language, published, words):
    desk["list"].language = language
    desk["list"].published_on = None if published is None else PartialDate.parse(published)
    pair = list_review.decide(session, desk["worker"], desk["strong"].id, PairDecision.ACCEPTED, "")
    assert session.get(EvidenceItem, pair.evidence_id).text == words + "ШЕВЧЕНКО Андрій Петрович"


def test_accepting_adds_the_item_in_the_lists_words_and_tells_the_family(session, desk):
    pair = list_review.decide(session, desk["worker"], desk["strong"].id, PairDecision.ACCEPTED, "")
    item = session.get(EvidenceItem, pair.evidence_id)
    assert item.text == (  # a Ukrainian list: its words in Ukrainian
        "Є у списку «Exchange of 2026-10-02» (Coordination HQ, 2026-10-02), запис 2: ШЕВЧЕНКО Андрій Петрович"
    )
    assert item.claim is Claim.RELEASED
    assert item.source_id == desk["list"].publisher_id
    assert item.event_date == PartialDate.parse("2026-10-01")  # the entry's own date before the list's
    assert item.visibility is Visibility.FAMILY
    case = session.get(Case, desk["case"].id)
    assert case.evidence_status is not PersonStatus.MISSING  # recomputed from the new item
    check = session.get(ListCheck, (desk["case"].id, desk["list"].id))
    assert check.result is SearchResult.FOUND
    told = session.scalars(select(Notification).where(Notification.case_id == desk["case"].id)).all()
    events = [n.event for n in told]
    assert notifications.LIST_FOUND in events and notifications.NEW_ITEM not in events
    found = next(n for n in told if n.event == notifications.LIST_FOUND)
    assert found.params["title"] == "Exchange of 2026-10-02" and found.params["claim"] == "released"
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"list_pair.decide", "evidence.create", "list_check.create"} <= actions


def test_without_an_entry_date_the_item_takes_the_lists_date(session, desk):
    pair = list_review.decide(session, desk["worker"], desk["weak"].id, PairDecision.ACCEPTED, "same unit")
    assert session.get(EvidenceItem, pair.evidence_id).event_date == PartialDate.parse("2026-10-02")
    assert pair.decision_reason == "same unit"


def test_rejecting_needs_a_reason_and_keeps_the_pair_out_of_the_queue(session, desk):
    with pytest.raises(ValidationFailed) as refused:
        list_review.decide(session, desk["worker"], desk["strong"].id, PairDecision.REJECTED, "  ")
    assert refused.value.field == "reason"
    pair = list_review.decide(
        session, desk["worker"], desk["strong"].id, PairDecision.REJECTED, "a namesake, born 1971"
    )
    assert pair.decision is PairDecision.REJECTED and pair.evidence_id is None
    assert desk["strong"].id not in [p.id for p in list_review.review_queue(session, desk["worker"]).items]
    rejected = list_review.review_queue(session, desk["worker"], decision=PairDecision.REJECTED)
    assert [p.id for p in rejected.items] == [desk["strong"].id]
    assert session.get(ListCheck, (desk["case"].id, desk["list"].id)).result is SearchResult.REJECTED
    assert session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == desk["case"].id)).all() == []


def test_unsure_needs_a_reason_and_leaves_the_case_under_review(session, desk):
    with pytest.raises(ValidationFailed):
        list_review.decide(session, desk["worker"], desk["strong"].id, PairDecision.UNSURE, None)
    list_review.decide(session, desk["worker"], desk["strong"].id, "unsure", "ask the family about the unit")
    unsure = list_review.review_queue(session, desk["worker"], decision=PairDecision.UNSURE)
    assert [p.id for p in unsure.items] == [desk["strong"].id]
    assert session.get(ListCheck, (desk["case"].id, desk["list"].id)).result is SearchResult.UNDER_REVIEW


def test_an_unknown_decision_names_the_field(session, desk):
    with pytest.raises(ValidationFailed) as refused:
        list_review.decide(session, desk["worker"], desk["strong"].id, "pending", "x")
    assert refused.value.field == "decision"


def test_changing_a_decision_needs_a_reason_and_unaccepting_removes_the_item(session, desk):
    pair = list_review.decide(session, desk["worker"], desk["strong"].id, PairDecision.ACCEPTED, "")
    item_id = pair.evidence_id
    with pytest.raises(ValidationFailed):
        list_review.decide(session, desk["worker"], pair.id, PairDecision.REJECTED, "")
    with pytest.raises(Conflict):
        list_review.decide(session, desk["worker"], pair.id, PairDecision.ACCEPTED, "again")
    list_review.decide(
        session, desk["worker"], pair.id, PairDecision.REJECTED, "the family says no: born 1971"
    )
    assert session.get(EvidenceItem, item_id) is None and pair.evidence_id is None
    assert session.get(Case, desk["case"].id).evidence_status is PersonStatus.MISSING
    assert session.get(ListCheck, (desk["case"].id, desk["list"].id)).result is SearchResult.REJECTED
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "list_pairs")))
    assert actions == ["list_pair.decide", "list_pair.redecide"]
