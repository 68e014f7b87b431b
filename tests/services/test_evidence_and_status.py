from __future__ import annotations

import datetime as dt

import pytest
from tests.services.helpers import actor, person

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import (
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    Role,
    SourceKind,
    StatusTrack,
    Visibility,
)
from kintrace.services import cases, contradictions, evidence, sources, status
from kintrace.services.access import SYSTEM
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed

TODAY = dt.date(2025, 6, 1)


def _source(session, kind=SourceKind.RELATIVE, grade=(Reliability.C, Credibility.POSSIBLY_TRUE), name="Мати"):
    return sources.create_source(session, SYSTEM, sources.SourceInput(kind, name, *grade))


def _captured(source_id, when="2024-03", visibility=Visibility.INTERNAL):
    return evidence.EvidenceInput(
        Claim.CAPTURED, source_id, PartialDate.parse(when), PartialDate.parse(when), visibility=visibility
    )


def test_one_report_gives_reported_and_a_well_graded_source_confirms(session):
    case = cases.create_case(session, SYSTEM, person())
    weak = _source(session)
    evidence.add_evidence(session, SYSTEM, case.id, _captured(weak.id), today=TODAY)
    assert case.evidence_status is PersonStatus.REPORTED_CAPTURED
    strong = _source(session, SourceKind.OFFICIAL_BODY, (Reliability.A, Credibility.CONFIRMED), "ICRC")
    item = evidence.add_evidence(session, SYSTEM, case.id, _captured(strong.id), today=TODAY)
    assert case.evidence_status is PersonStatus.CONFIRMED_CAPTURED
    history = status.status_history(session, SYSTEM, case.id, StatusTrack.EVIDENCE)
    assert [h.status for h in history] == [
        PersonStatus.MISSING,
        PersonStatus.REPORTED_CAPTURED,
        PersonStatus.CONFIRMED_CAPTURED,
    ]
    assert history[-1].rule and item.id in history[-1].fact_ids
    view = status.status_view(session, SYSTEM, case.id, today=TODAY)
    assert view.official is PersonStatus.MISSING and view.divergence and "captured" in view.divergence
    evidence.delete_evidence(session, SYSTEM, item.id, today=TODAY)
    assert case.evidence_status is PersonStatus.REPORTED_CAPTURED


def test_regrading_a_source_recomputes_its_cases(session):
    case = cases.create_case(session, SYSTEM, person())
    src = _source(session, SourceKind.MEDIA, name="Канал")
    evidence.add_evidence(session, SYSTEM, case.id, _captured(src.id), today=TODAY)
    assert case.evidence_status is PersonStatus.REPORTED_CAPTURED
    sources.update_source(
        session,
        SYSTEM,
        src.id,
        sources.SourceInput(SourceKind.MEDIA, "Канал", Reliability.A, Credibility.CONFIRMED),
    )
    assert case.evidence_status is PersonStatus.CONFIRMED_CAPTURED


def test_official_status_follows_the_transition_table(session, factories):
    case = cases.create_case(session, SYSTEM, person())
    caseworker = actor(factories.UserFactory(role=Role.CASEWORKER))
    status.set_official_status(
        session, caseworker, case.id, PersonStatus.REPORTED_CAPTURED, since=PartialDate(2024, 3)
    )
    with pytest.raises(ValidationFailed) as illegal:
        status.set_official_status(session, caseworker, case.id, PersonStatus.REMAINS_RETURNED)
    assert illegal.value.field == "status" and "reported_captured" in illegal.value.message
    with pytest.raises(Forbidden):
        status.set_official_status(
            session, actor(factories.UserFactory(role=Role.ANALYST)), case.id, PersonStatus.CONFIRMED_CAPTURED
        )
    history = status.status_history(session, SYSTEM, case.id, StatusTrack.OFFICIAL)
    assert [(h.previous_status, h.status) for h in history][-1] == (
        PersonStatus.MISSING,
        PersonStatus.REPORTED_CAPTURED,
    )


def test_family_sees_only_family_visible_evidence(session, factories):
    family_user = factories.UserFactory(role=Role.FAMILY)
    family = actor(family_user)
    case = cases.create_case(session, family, person())
    src = _source(session)
    shown = evidence.add_evidence(session, SYSTEM, case.id, _captured(src.id, visibility=Visibility.FAMILY))
    hidden = evidence.add_evidence(session, SYSTEM, case.id, _captured(src.id, "2024-04"))
    assert [i.id for i in evidence.list_evidence(session, family, case.id)] == [shown.id]
    with pytest.raises(NotFound):
        evidence.get_evidence(session, family, hidden.id)
    view = status.status_view(session, family, case.id, today=TODAY)
    assert hidden.id not in view.derivation.fact_ids
    stranger = actor(factories.UserFactory(role=Role.FAMILY))
    with pytest.raises(NotFound):
        evidence.get_evidence(session, stranger, shown.id)


def test_family_adds_only_family_visible_relative_reports(session, factories):
    family = actor(factories.UserFactory(role=Role.FAMILY))
    case = cases.create_case(session, family, person())
    own = sources.create_source(session, family, sources.SourceInput(SourceKind.RELATIVE, "Я, мати"))
    official = _source(session, SourceKind.OFFICIAL_BODY, name="Штаб")
    with pytest.raises(ValidationFailed) as wrong_source:
        evidence.add_evidence(session, family, case.id, _captured(official.id, visibility=Visibility.FAMILY))
    assert wrong_source.value.field == "source_id"
    with pytest.raises(ValidationFailed) as internal:
        evidence.add_evidence(session, family, case.id, _captured(own.id))
    assert internal.value.field == "visibility"
    evidence.add_evidence(session, family, case.id, _captured(own.id, visibility=Visibility.FAMILY))


def test_domain_errors_name_the_field(session):
    case = cases.create_case(session, SYSTEM, person())
    src = _source(session)
    bad = evidence.EvidenceInput(Claim.OFFICIAL_NOTICE, src.id, PartialDate(2024, 3), PartialDate(2024, 4))
    with pytest.raises(ValidationFailed) as error:
        evidence.add_evidence(session, SYSTEM, case.id, bad)
    assert error.value.field == "official_status"
    with pytest.raises(ValidationFailed) as missing_source:
        evidence.add_evidence(session, SYSTEM, case.id, _captured(999_999))
    assert missing_source.value.field == "source_id"


def test_contradictions_name_both_items(session):
    case = cases.create_case(session, SYSTEM, person())
    src_a = _source(session, name="Побратим")
    src_b = _source(session, SourceKind.MEDIA, name="Телеграм")
    dead = evidence.add_evidence(
        session,
        SYSTEM,
        case.id,
        evidence.EvidenceInput(Claim.DEAD, src_a.id, PartialDate(2024, 3, 1), PartialDate(2024, 3, 5)),
    )
    alive = evidence.add_evidence(
        session,
        SYSTEM,
        case.id,
        evidence.EvidenceInput(Claim.ALIVE, src_b.id, PartialDate(2024, 6, 1), PartialDate(2024, 6, 2)),
    )
    found = contradictions.case_contradictions(session, SYSTEM, case.id)
    assert any({c.first_id, c.second_id} == {dead.id, alive.id} for c in found)


def test_attachments_are_stored_by_sha256_and_type_checked(session, tmp_path):
    case = cases.create_case(session, SYSTEM, person())
    item = evidence.add_evidence(session, SYSTEM, case.id, _captured(_source(session).id))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    first = evidence.add_attachment(
        session, SYSTEM, item.id, filename="../photo.png", data=png, root=tmp_path
    )
    second = evidence.add_attachment(session, SYSTEM, item.id, filename="copy.png", data=png, root=tmp_path)
    assert first.sha256 == second.sha256 and first.filename == "photo.png" and first.media_type == "image/png"
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one file: stored once
    assert evidence.get_attachment(session, SYSTEM, first.id, root=tmp_path)[1] == png
    with pytest.raises(ValidationFailed) as exe:
        evidence.add_attachment(
            session, SYSTEM, item.id, filename="x.exe", data=b"MZ\x90\x00\x03", root=tmp_path
        )
    assert exe.value.field == "file"
    with pytest.raises(ValidationFailed) as lying:
        evidence.add_attachment(
            session, SYSTEM, item.id, filename="x.pdf", data=png, media_type="application/pdf", root=tmp_path
        )
    assert lying.value.field == "media_type"


def test_no_evidence_on_a_merged_case(session):
    from kintrace.services import duplicates

    keep = cases.create_case(session, SYSTEM, person())
    gone = cases.create_case(session, SYSTEM, person())
    duplicates.merge_cases(session, SYSTEM, keep.id, gone.id)
    with pytest.raises(Conflict):
        evidence.add_evidence(session, SYSTEM, gone.id, _captured(_source(session).id))


def test_family_sees_only_sources_cited_to_it(session, factories):
    family = actor(factories.UserFactory(role=Role.FAMILY))
    case = cases.create_case(session, family, person())
    cited = _source(session, name="Побратим Іван")
    informant = _source(session, name="Інформатор")
    evidence.add_evidence(session, SYSTEM, case.id, _captured(cited.id, visibility=Visibility.FAMILY))
    evidence.add_evidence(session, SYSTEM, case.id, _captured(informant.id, "2024-04"))
    assert sources.get_source(session, family, cited.id) is cited
    with pytest.raises(NotFound):
        sources.get_source(session, family, informant.id)
    with pytest.raises(Forbidden):
        sources.list_sources(session, family)
