"""Small builders for evidence in domain tests: one line per item, readable as a timeline."""

from __future__ import annotations

from kintrace.domain.dates import PartialDate
from kintrace.domain.evidence import EvidenceFact, SourceRef
from kintrace.domain.vocabulary import Claim, Credibility, PersonStatus, Reliability, SourceKind

MINISTRY = SourceRef(
    1, SourceKind.OFFICIAL_BODY, "Міністерство оборони", Reliability.B, Credibility.PROBABLY_TRUE
)
ICRC = SourceRef(2, SourceKind.HUMANITARIAN_ORGANISATION, "МККК", Reliability.A, Credibility.CONFIRMED)
MOTHER = SourceRef(3, SourceKind.RELATIVE, "Мати, Ганна Петренко", Reliability.C, Credibility.POSSIBLY_TRUE)
COMRADE = SourceRef(
    4, SourceKind.FELLOW_SERVICEMAN, "Побратим, позивний Сокіл", Reliability.C, Credibility.POSSIBLY_TRUE
)
CHANNEL = SourceRef(5, SourceKind.MEDIA, "Telegram-канал Сводки", Reliability.D, Credibility.POSSIBLY_TRUE)
# The same channel entered a second time by another caseworker: a different record, not a second source.
CHANNEL_AGAIN = SourceRef(
    6, SourceKind.MEDIA, "telegram канал  «Сводки»", Reliability.D, Credibility.POSSIBLY_TRUE
)
RUMOUR = SourceRef(7, SourceKind.OTHER, "Анонімний дзвінок", Reliability.E, Credibility.IMPROBABLE)


def fact(
    id: int,
    claim: Claim,
    event: str | None,
    source: SourceRef,
    *,
    reported: str | None = None,
    notice: PersonStatus | None = None,
    place: str | None = None,
    born: str | None = None,
) -> EvidenceFact:
    return EvidenceFact(
        id=id,
        claim=claim,
        event_date=PartialDate.parse(event) if event else None,
        reported_date=PartialDate.parse(reported) if reported else None,
        source=source,
        place=place,
        text="",
        official_status=notice,
        birth_date=PartialDate.parse(born) if born else None,
    )


def notice(id: int, status: PersonStatus, event: str | None, source: SourceRef = MINISTRY) -> EvidenceFact:
    return fact(id, Claim.OFFICIAL_NOTICE, event, source, notice=status)
