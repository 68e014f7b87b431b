"""The one case-file read shows each reader what every single-part read shows it, redacted once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.orm import Session
from tests.services.helpers import actor, person

from kintrace.domain.dates import PartialDate
from kintrace.domain.status import SINGLE_REPORT
from kintrace.domain.vocabulary import CaseState, Claim, Role, StatusTrack, Visibility
from kintrace.services import cases as case_service
from kintrace.services import contradictions as contradiction_service
from kintrace.services import evidence as evidence_service
from kintrace.services import photos as photo_service
from kintrace.services import requests as request_service
from kintrace.services import status as status_service
from kintrace.services.access import SYSTEM, Actor
from kintrace.services.case_file import case_file
from kintrace.services.errors import NotFound
from kintrace.services.redaction import contact_details
from kintrace.store.models import CaseMember, StatusChange


def _shared_case(session: Session, factories: Any) -> tuple[int, Actor, Actor, Actor]:
    """A case two families follow: each reported an item of its own and a relative with contacts;
    staff recorded an internal item and a family-visible one, and a request citing all of them."""
    first = actor(factories.UserFactory(role=Role.FAMILY))
    second = actor(factories.UserFactory(role=Role.FAMILY))
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    case = case_service.create_case(session, first, person())
    session.add(CaseMember(case_id=case.id, user_id=second.user_id, relation="linked"))
    ids = []
    for who, claim, visibility, date in (
        (first, Claim.ALIVE, Visibility.FAMILY, "2024-05"),
        (second, Claim.DEAD, Visibility.FAMILY, "2024-03"),
        (worker, Claim.CAPTURED, Visibility.INTERNAL, "2024-04"),
        (worker, Claim.SEEN_AT_PLACE, Visibility.FAMILY, "2024-02"),
    ):
        source = factories.SourceFactory(created_by_id=who.user_id)
        item = factories.EvidenceFactory(
            case=case,
            source=source,
            claim=claim,
            visibility=visibility,
            event_date=PartialDate.parse(date),
            reported_date=PartialDate.parse("2024-06"),
            created_by_id=who.user_id,
        )
        ids.append(item.id)
    for who, name in ((first, "Шевченко Марія"), (second, "Шевченко Ольга")):
        factories.RelativeFactory(
            case=case, full_name=name, user_id=who.user_id, created_by_id=who.user_id, email="x@example.org"
        )
    factories.StatusRequestFactory(case=case, evidence_ids=ids)
    session.add(
        StatusChange(
            case_id=case.id,
            track=StatusTrack.EVIDENCE,
            status=case.evidence_status,
            rule=SINGLE_REPORT,
            rule_text=f"rests on items {ids} from internal sources",
            fact_ids=ids,
        )
    )
    session.flush()
    return case.id, first, second, worker


def _png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (shade, shade, shade)).save(out, format="PNG")
    return out.getvalue()


def test_each_reader_sees_in_the_case_file_what_each_part_shows_it(
    session: Session, factories: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    case_id, first, second, worker = _shared_case(session, factories)
    photos = {
        who: photo_service.add_photo(session, who, case_id, _png(shade)).id
        for shade, who in ((10, first), (120, second), (240, worker))
    }
    for reader in (first, second, worker, SYSTEM):
        found = case_file(session, reader, case_id)
        assert [i.id for i in found.items] == [
            i.id for i in evidence_service.list_evidence(session, reader, case_id)
        ]
        assert found.status == status_service.status_view(session, reader, case_id)
        assert found.contradictions == contradiction_service.case_contradictions(session, reader, case_id)
        assert found.photos == photo_service.list_photos(session, reader, case_id)
        views = request_service.list_requests(session, reader, case_id)
        assert [v.request.id for v in found.requests] == [v.request.id for v in views]
        for view in views:
            expected = request_service.readable_evidence_ids(session, reader, view.request)
            assert found.request_items[view.request.id] == expected
        rows = case_service.list_relatives(session, reader, case_id)
        assert [(c.id, c.phone, c.email, c.address, c.notes) for c in found.relatives] == [
            (r.id, *contact_details(reader, r).values()) for r in rows
        ]
    # What a family may not read stays out: the other family's report, the internal item and the text
    # of the stored rule that names them, the other family's contacts.
    mine = case_file(session, first, case_id)
    assert len(mine.items) == 2 and len(case_file(session, worker, case_id).items) == 4
    assert all("internal sources" not in (entry.rule_text or "") for entry in mine.status.history)
    assert [card.full_name for card in mine.own_contacts] == ["Шевченко Марія"]
    assert {card.email for card in mine.relatives} == {"x@example.org", None}
    assert mine.links == [] and mine.awaiting == set()
    # Photos: a family sees its own and staff's, never the other family's, whichever way it asks.
    assert [p.id for p in mine.photos] == [photos[first], photos[worker]]
    assert photo_service.get_photo(session, first, photos[worker]).id == photos[worker]
    with pytest.raises(NotFound):
        photo_service.get_photo(session, first, photos[second])
    assert len(case_file(session, worker, case_id).photos) == 3


def test_a_case_the_reader_may_not_see_reads_as_missing(session: Session, factories: Any) -> None:
    case_id, _, _, _ = _shared_case(session, factories)
    stranger = actor(factories.UserFactory(role=Role.FAMILY))
    with pytest.raises(NotFound):
        case_file(session, stranger, case_id)
    with pytest.raises(NotFound):
        case_file(session, SYSTEM, case_id + 10_000)


def test_a_merged_case_shows_its_items_and_links_under_the_case_it_joined(
    session: Session, factories: Any
) -> None:
    target = case_service.create_case(session, SYSTEM, person())
    merged = factories.CaseFactory(state=CaseState.MERGED, merged_into_id=target.id)
    item = factories.EvidenceFactory(case=merged, visibility=Visibility.INTERNAL)
    session.flush()
    found = case_file(session, SYSTEM, target.id)
    assert [i.id for i in found.items] == [item.id]
    assert found.sources == [item.source]
