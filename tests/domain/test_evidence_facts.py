"""Evidence items and sources: grades, independence and the checks on construction."""

from __future__ import annotations

import pytest

from kintrace.domain.dates import PartialDate
from kintrace.domain.errors import InvalidValue
from kintrace.domain.evidence import EvidenceFact, SourceRef
from kintrace.domain.vocabulary import Claim, Credibility, PersonStatus, Reliability, SourceKind

from .helpers import CHANNEL, CHANNEL_AGAIN, COMRADE, MINISTRY, MOTHER, RUMOUR, fact


def test_grades_read_as_in_reports() -> None:
    assert MINISTRY.grade == "B2" and MINISTRY.is_well_graded
    assert COMRADE.grade == "C3" and not COMRADE.is_well_graded
    assert RUMOUR.is_discounted and not MOTHER.is_discounted


def test_independence_needs_a_different_record_and_a_different_name() -> None:
    assert MOTHER.independent_of(COMRADE)
    assert not MOTHER.independent_of(MOTHER)
    assert not CHANNEL.independent_of(CHANNEL_AGAIN)


def test_sources_take_stored_string_values() -> None:
    source = SourceRef(1, "official_body", "МВС", "A", "1")  # type: ignore[arg-type]
    assert source.kind is SourceKind.OFFICIAL_BODY and source.credibility is Credibility.CONFIRMED
    assert str(source) == "МВС (official_body, A1)"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "blog"}, "kind"),
        ({"reliability": "G"}, "reliability"),
        ({"credibility": "7"}, "credibility"),
    ],
)
def test_a_bad_grade_names_its_field(kwargs: dict[str, str], field: str) -> None:
    values: dict[str, object] = {
        "id": 1,
        "kind": "media",
        "name": "Канал",
        "reliability": "C",
        "credibility": "3",
    }
    with pytest.raises(InvalidValue) as error:
        SourceRef(**(values | kwargs))  # type: ignore[arg-type]
    assert error.value.field == field


def test_a_source_needs_a_name() -> None:
    with pytest.raises(InvalidValue) as error:
        SourceRef(1, SourceKind.MEDIA, " ", Reliability.C)
    assert error.value.field == "name"


def test_an_official_notice_must_declare_a_status_and_only_a_notice_may() -> None:
    with pytest.raises(InvalidValue) as error:
        EvidenceFact(1, Claim.OFFICIAL_NOTICE, None, None, MINISTRY)
    assert error.value.field == "official_status"
    with pytest.raises(InvalidValue) as error:
        EvidenceFact(1, Claim.DEAD, None, None, MINISTRY, official_status=PersonStatus.CONFIRMED_DEAD)
    assert error.value.field == "official_status"


def test_a_report_cannot_come_before_the_event() -> None:
    with pytest.raises(InvalidValue) as error:
        fact(1, Claim.CAPTURED, "2023-06-10", MOTHER, reported="2023-05")
    assert error.value.field == "reported_date"
    fact(1, Claim.CAPTURED, "2023-06-10", MOTHER, reported="2023-06")  # same month: may well be after


def test_a_stated_birth_date_cannot_follow_the_event() -> None:
    with pytest.raises(InvalidValue) as error:
        fact(1, Claim.CAPTURED, "2003", MOTHER, born="2004-01-02")
    assert error.value.field == "birth_date"


def test_a_bad_claim_names_its_field() -> None:
    with pytest.raises(InvalidValue) as error:
        EvidenceFact(1, "kidnapped", None, None, MOTHER)  # type: ignore[arg-type]
    assert error.value.field == "claim"


def test_the_window_of_an_event() -> None:
    dated = fact(1, Claim.CAPTURED, "2023-06", MOTHER)
    assert dated.window == (PartialDate(2023, 6).earliest, PartialDate(2023, 6).latest)
    assert fact(2, Claim.CAPTURED, None, MOTHER, reported="2023-06").window == (
        None,
        PartialDate(2023, 6).latest,
    )
    assert fact(3, Claim.CAPTURED, None, MOTHER).window == (None, None)
