"""Evidence as the rules see it: who said what about the person, when, and how much to trust it.

The store and services build these from rows and hand them to `status` and `contradictions`.
Sources are graded on the Admiralty (NATO STANAG 2511) scale: reliability of the source A-F and
credibility of the item 1-6.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from kintrace.domain.dates import PartialDate
from kintrace.domain.errors import InvalidValue
from kintrace.domain.vocabulary import Claim, Credibility, PersonStatus, Reliability, SourceKind, Visibility

E = TypeVar("E", bound=StrEnum)


def coerce_enum(enum: type[E], value: object, field: str) -> E:
    """`enum(value)`, or InvalidValue naming `field` and the allowed values."""
    try:
        return enum(str(value)) if not isinstance(value, enum) else value
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidValue(f"{value!r} is not one of {allowed}", field=field) from None


_STRONG_RELIABILITY = frozenset({Reliability.A, Reliability.B})
_STRONG_CREDIBILITY = frozenset({Credibility.CONFIRMED, Credibility.PROBABLY_TRUE})


@dataclass(frozen=True)
class SourceRef:
    """Who said it, graded. `name` is the body, outlet, list or person as the caseworker recorded it."""

    id: int
    kind: SourceKind
    name: str
    reliability: Reliability = Reliability.F  # F: reliability cannot be judged
    credibility: Credibility = Credibility.CANNOT_BE_JUDGED

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", coerce_enum(SourceKind, self.kind, "kind"))
        object.__setattr__(self, "reliability", coerce_enum(Reliability, self.reliability, "reliability"))
        object.__setattr__(self, "credibility", coerce_enum(Credibility, self.credibility, "credibility"))
        if not self.name or not self.name.strip():
            raise InvalidValue("a source needs a name", field="name")

    @property
    def grade(self) -> str:
        """The Admiralty grade as written in reports, e.g. "B2"."""
        return f"{self.reliability.value}{self.credibility.value}"

    @property
    def is_well_graded(self) -> bool:
        """Graded at least B2: usually reliable (A/B) and the item confirmed or probably true (1/2).

        For an official body this is "an official body graded at least B2"; for anyone else the same
        bar applies, so a fellow serviceman graded A1 confirms as well as a ministry graded B2.
        """
        return self.reliability in _STRONG_RELIABILITY and self.credibility in _STRONG_CREDIBILITY

    @property
    def is_discounted(self) -> bool:
        """Graded unreliable (E) or the item improbable (5): kept on file, never moves a status."""
        return self.reliability is Reliability.E or self.credibility is Credibility.IMPROBABLE

    @property
    def identity(self) -> str:
        """The name folded for comparison: the same outlet entered twice is still one source."""
        return re.sub(r"[\W_]+", " ", self.name.casefold()).strip()

    def independent_of(self, other: SourceRef) -> bool:
        """Two sources are independent when they are different records AND not the same name.

        Different ids alone are not enough: the same channel or list is often entered twice. Kind
        alone is not enough either: two relatives may be two independent witnesses.
        """
        return self.id != other.id and self.identity != other.identity

    def __str__(self) -> str:
        return f"{self.name} ({self.kind.value}, {self.grade})"


@dataclass(frozen=True)
class EvidenceFact:
    """One evidence item: a claim about the person, its dates, its source.

    `event_date` is when the thing happened (captured on, seen on); `reported_date` is when the
    source said it. For an official notice `official_status` is the status it declares, its event
    date the date of what it declares (the death, the capture, the release) and its reported date the
    day it was issued. `birth_date` is set when the item states one (a list, a document).
    """

    id: int
    claim: Claim
    event_date: PartialDate | None
    reported_date: PartialDate | None
    source: SourceRef
    place: str | None = None
    text: str = ""
    visibility: Visibility = Visibility.INTERNAL
    official_status: PersonStatus | None = None
    birth_date: PartialDate | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "claim", coerce_enum(Claim, self.claim, "claim"))
        object.__setattr__(self, "visibility", coerce_enum(Visibility, self.visibility, "visibility"))
        if self.official_status is not None:
            object.__setattr__(
                self, "official_status", coerce_enum(PersonStatus, self.official_status, "official_status")
            )
        if self.claim is Claim.OFFICIAL_NOTICE and self.official_status is None:
            raise InvalidValue(
                "an official notice must say which status it declares", field="official_status"
            )
        if self.claim is not Claim.OFFICIAL_NOTICE and self.official_status is not None:
            raise InvalidValue(
                f"only an official notice declares a status; this item claims {self.claim.value}",
                field="official_status",
            )
        if (
            self.event_date is not None
            and self.reported_date is not None
            and self.reported_date.certainly_before(self.event_date)
        ):
            raise InvalidValue(
                f"reported on {self.reported_date}, before the event it reports ({self.event_date})",
                field="reported_date",
            )
        if self.place is not None and not self.place.strip():
            raise InvalidValue("leave it out (None) rather than blank", field="place")
        if (
            self.birth_date is not None
            and self.event_date is not None
            and self.event_date.certainly_before(self.birth_date)
        ):
            raise InvalidValue(
                f"states a birth date {self.birth_date} after the event date {self.event_date}",
                field="birth_date",
            )

    @property
    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """The earliest and latest day the event may have happened; None where unbounded.

        With an event date, its span. Without one, the report date bounds it from above: whatever
        was reported on 2023-05-10 happened on or before that day.
        """
        if self.event_date is not None:
            return self.event_date.earliest, self.event_date.latest
        if self.reported_date is not None:
            return None, self.reported_date.latest
        return None, None

    def certainly_after(self, other: EvidenceFact) -> bool:
        """True when every day this event may have happened is after every day `other` may have."""
        mine, theirs = self.window[0], other.window[1]
        return mine is not None and theirs is not None and mine > theirs

    @property
    def sort_date(self) -> PartialDate | None:
        """The date the timeline orders by: the event date, else the report date."""
        return self.event_date if self.event_date is not None else self.reported_date

    def label(self) -> str:
        """How explanations name the item: "item 12 (dead, 2023-05-10, Міноборони (official_body, B2))"."""
        what = self.claim.value.replace("_", " ")
        if self.official_status is not None:
            what = f"official notice: {self.official_status.value.replace('_', ' ')}"
        when = str(self.sort_date) if self.sort_date is not None else "undated"
        return f"item {self.id} ({what}, {when}, {self.source})"
