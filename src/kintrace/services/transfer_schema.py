"""The whole-case-file document ("kintrace-cases/2"): its records, and reading one checked.

The layout is documented in `kintrace.services.transfer`. Reading is pure (no database): every
record is checked before anything is written, and the first bad field raises ValidationFailed naming
the case reference and the JSON path of the field ("case UA-7: cases[6].evidence[2].event_date").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NoReturn, TypeVar

from kintrace.domain import requests as request_rules
from kintrace.domain.dates import PartialDate, PartialDateError
from kintrace.domain.errors import DomainError
from kintrace.domain.evidence import EvidenceFact, SourceRef
from kintrace.domain.records import PersonRecord
from kintrace.domain.relationships import NOTE_MAX, Relationship, relationship_from_text
from kintrace.domain.status import check_transition
from kintrace.domain.vocabulary import (
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    SourceKind,
    Visibility,
)
from kintrace.services.attachments import ALLOWED_TYPES
from kintrace.services.errors import ValidationFailed

FORMAT = "kintrace-cases/2"
E = TypeVar("E", bound=StrEnum)

# An evidence item named by a history entry or a request: its index in the same case's "evidence"
# list, or "REFERENCE#index" for an item of another case in the file (a case merged into this one).
FactRef = int | tuple[str, int]
_CROSS_REF = re.compile(r"^(?P<reference>.+)#(?P<index>\d+)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

# The person's fields are the record model's; its aliases travel as "alternative_names" (last, first,
# patronymic, script), as files of the first formats wrote them.
PERSON_FIELDS: tuple[str, ...] = (
    *(name for name in PersonRecord.model_fields if name != "aliases"),
    "alternative_names",
)
CONTACT_FIELDS: tuple[str, ...] = ("phone", "email", "address", "notes")


@dataclass(frozen=True)
class SourceData:
    kind: SourceKind
    name: str
    reliability: Reliability
    credibility: Credibility
    notes: str | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The natural key: who said it and how they are graded (a regraded source is another record)."""
        return (self.kind.value, self.name, self.reliability.value, self.credibility.value)


@dataclass(frozen=True)
class AttachmentData:
    sha256: str
    filename: str
    media_type: str
    size_bytes: int


@dataclass(frozen=True)
class EvidenceData:
    claim: Claim
    event_date: PartialDate | None
    reported_date: PartialDate | None
    place: str | None
    text: str
    visibility: Visibility
    official_status: PersonStatus | None
    birth_date: PartialDate | None
    source: SourceData
    attachments: tuple[AttachmentData, ...]

    @property
    def key(self) -> tuple[object, ...]:
        """The natural key within a case: what was claimed, when, where, by whom, in what words."""
        return (self.source.key, self.claim.value, self.event_date, self.reported_date, self.place, self.text)


@dataclass(frozen=True)
class RelativeData:
    full_name: str
    relationship: Relationship
    relationship_note: str | None
    is_reporter: bool
    contacts: Mapping[str, str | None] | None  # None: the file does not carry contact details

    @property
    def key(self) -> tuple[str, str]:
        return (self.full_name, self.relationship.value)


@dataclass(frozen=True)
class HistoryData:
    status: PersonStatus
    previous_status: PersonStatus | None
    since: PartialDate | None
    rule: str | None
    rule_text: str | None
    facts: tuple[FactRef, ...]
    reason: str | None
    changed_at: dt.datetime | None

    @property
    def key(self) -> tuple[object, ...]:
        return (
            self.status.value,
            None if self.previous_status is None else self.previous_status.value,
            self.since,
        )


@dataclass(frozen=True)
class AnswerData:
    received_on: dt.date
    outcome: RequestOutcome
    text: str

    @property
    def key(self) -> tuple[object, ...]:
        return (self.received_on, self.outcome.value, self.text)


@dataclass(frozen=True)
class RequestData:
    path: str
    requested_status: PersonStatus
    authority: str
    evidence: tuple[FactRef, ...]
    submitted_on: dt.date
    deadline: dt.date | None
    outcome: RequestOutcome
    outcome_on: dt.date | None
    note: str | None
    answers: tuple[AnswerData, ...]

    @property
    def key(self) -> tuple[object, ...]:
        return (self.requested_status.value, self.authority, self.submitted_on)


@dataclass(frozen=True)
class CaseFile:
    """One case of the document, checked; `path` is where it sits ("cases[6]") for later errors."""

    path: str
    reference: str
    state: CaseState
    merged_into: str | None
    person: Mapping[str, Any]  # the person's raw fields, parsed by transfer.parse_record
    relatives: tuple[RelativeData, ...]
    evidence: tuple[EvidenceData, ...]
    official_history: tuple[HistoryData, ...]
    evidence_history: tuple[HistoryData, ...]
    requests: tuple[RequestData, ...]
    # The evidence-based status as last derived where the file was written; derived again on import.
    evidence_status: PersonStatus
    evidence_since: PartialDate | None
    evidence_rule: str | None

    def fail(self, path: str, message: str) -> NoReturn:
        raise ValidationFailed(f"case {self.reference}: {path}", message)


class _Reader:
    """A JSON object at a known path; every complaint names the case and the field's full path."""

    def __init__(self, reference: str, path: str, raw: object, fields: tuple[str, ...]) -> None:
        self.reference, self.path = reference, path
        if not isinstance(raw, dict):
            self._fail(path, "must be an object")
        self.raw: dict[str, Any] = raw
        for key in raw:
            if key not in fields:
                self.fail(key, f"unknown field (expected one of: {', '.join(fields)})")

    def _fail(self, path: str, message: str) -> NoReturn:
        label = f"case {self.reference}: {path}" if self.reference else path
        raise ValidationFailed(label, message)

    def fail(self, key: str, message: str) -> NoReturn:
        self._fail(f"{self.path}.{key}", message)

    def text(self, key: str, *, required: bool = False, keep_blank: bool = False) -> str | None:
        value = self.raw.get(key)
        if value is None or (value == "" and not keep_blank):
            if required:
                self.fail(key, "must not be empty")
            return None
        if not isinstance(value, str):
            self.fail(key, f"must be text, not {type(value).__name__}")
        if required and not value.strip():
            self.fail(key, "must not be blank")
        return value

    def enum(self, key: str, kind: type[E], default: E | None = None) -> E:
        value = self.raw.get(key)
        if value is None and default is not None:
            return default
        try:
            return kind(str(value)) if isinstance(value, str) else kind(value)  # type: ignore[arg-type]
        except ValueError:
            self.fail(key, f"{value!r} is not one of {', '.join(member.value for member in kind)}")

    def optional_enum(self, key: str, kind: type[E]) -> E | None:
        return None if self.raw.get(key) is None else self.enum(key, kind)

    def partial_date(self, key: str) -> PartialDate | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            return PartialDate.parse(value)
        except PartialDateError as error:
            self.fail(key, str(error))

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(key, f"{value!r} is not a date (YYYY-MM-DD)")

    def timestamp(self, key: str) -> dt.datetime | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(key, f"{value!r} is not an ISO 8601 date and time")
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

    def boolean(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return value

    def integer(self, key: str) -> int:
        value = self.raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(key, "must be a whole number, 0 or more")
        return value

    def items(self, key: str) -> Iterator[tuple[str, object]]:
        value = self.raw.get(key, [])
        if not isinstance(value, list):
            self.fail(key, "must be a list")
        for n, item in enumerate(value):
            yield f"{self.path}.{key}[{n}]", item

    def refs(self, key: str, own_count: int) -> tuple[FactRef, ...]:
        refs: list[FactRef] = []
        for path, item in self.items(key):
            if isinstance(item, int) and not isinstance(item, bool):
                if not 0 <= item < own_count:
                    self._fail(path, f"no evidence item {item} in this case (it has {own_count})")
                refs.append(item)
            elif isinstance(item, str) and (match := _CROSS_REF.match(item)):
                refs.append((match["reference"], int(match["index"])))
            else:
                self._fail(path, "an evidence index of this case, or 'REFERENCE#index' for another case")
        return tuple(refs)


def _source(reference: str, path: str, raw: object) -> SourceData:
    at = _Reader(reference, path, raw, ("kind", "name", "reliability", "credibility", "notes"))
    name = at.text("name", required=True) or ""
    data = SourceData(
        kind=at.enum("kind", SourceKind),
        name=name.strip(),
        reliability=at.enum("reliability", Reliability, Reliability.F),
        credibility=at.enum("credibility", Credibility, Credibility.CANNOT_BE_JUDGED),
        notes=at.text("notes"),
    )
    try:
        SourceRef(0, data.kind, data.name, data.reliability, data.credibility)
    except DomainError as error:
        at.fail(error.field or "name", error.message)
    return data


def _attachment(reference: str, path: str, raw: object) -> AttachmentData:
    at = _Reader(reference, path, raw, ("sha256", "filename", "media_type", "size_bytes"))
    digest = at.text("sha256", required=True) or ""
    if not _SHA256.match(digest):
        at.fail("sha256", "must be 64 lower-case hexadecimal digits (the SHA-256 of the file)")
    media_type = at.text("media_type", required=True) or ""
    if media_type not in ALLOWED_TYPES:
        at.fail("media_type", f"{media_type!r} is not one of {', '.join(sorted(ALLOWED_TYPES))}")
    filename = (at.text("filename", required=True) or "").strip()
    return AttachmentData(digest, filename, media_type, at.integer("size_bytes"))


_EVIDENCE_FIELDS = (
    "claim",
    "event_date",
    "reported_date",
    "place",
    "text",
    "visibility",
    "official_status",
    "birth_date",
    "source",
    "attachments",
)


def _evidence(reference: str, path: str, raw: object) -> EvidenceData:
    at = _Reader(reference, path, raw, _EVIDENCE_FIELDS)
    data = EvidenceData(
        claim=at.enum("claim", Claim),
        event_date=at.partial_date("event_date"),
        reported_date=at.partial_date("reported_date"),
        place=at.text("place"),
        text=at.text("text", keep_blank=True) or "",
        visibility=at.enum("visibility", Visibility, Visibility.INTERNAL),
        official_status=at.optional_enum("official_status", PersonStatus),
        birth_date=at.partial_date("birth_date"),
        source=_source(reference, f"{path}.source", at.raw.get("source")),
        attachments=tuple(_attachment(reference, p, item) for p, item in at.items("attachments")),
    )
    try:
        EvidenceFact(
            id=0,
            claim=data.claim,
            event_date=data.event_date,
            reported_date=data.reported_date,
            source=SourceRef(
                0, data.source.kind, data.source.name, data.source.reliability, data.source.credibility
            ),
            place=data.place,
            text=data.text,
            visibility=data.visibility,
            official_status=data.official_status,
            birth_date=data.birth_date,
        )
    except DomainError as error:
        at.fail(error.field or "claim", error.message)
    return data


def _relative(reference: str, path: str, raw: object, with_contacts: bool) -> RelativeData:
    fields = (
        "full_name",
        "relationship",
        "relationship_note",
        "is_reporter",
        *(CONTACT_FIELDS if with_contacts else ()),
    )
    at = _Reader(reference, path, raw, fields)
    email = at.text("email")
    if email is not None and "@" not in email:
        at.fail("email", f"{email!r} is not an e-mail address")
    # A file of an earlier version holds the family's free text ("мама"): read it, never refuse it.
    relationship, note = relationship_from_text(at.text("relationship", required=True) or "")
    written_note = " ".join((at.text("relationship_note") or "").split())
    if len(written_note) > NOTE_MAX:
        at.fail("relationship_note", f"must be at most {NOTE_MAX} characters")
    if note and written_note:  # an unknown word and a note: keep both
        note = f"{note}: {written_note}"[:NOTE_MAX]
    return RelativeData(
        full_name=(at.text("full_name", required=True) or "").strip(),
        relationship=relationship,
        relationship_note=note or written_note or None,
        is_reporter=at.boolean("is_reporter"),
        contacts={key: at.text(key) for key in CONTACT_FIELDS} if with_contacts else None,
    )


_HISTORY_FIELDS = ("status", "previous_status", "since", "rule", "rule_text", "facts", "reason", "changed_at")


def _history(
    reference: str, path: str, items: list[tuple[str, object]], own_count: int, *, legal_moves: bool
) -> tuple[HistoryData, ...]:
    """A track's history; each entry must follow from the one before (and, officially, be a legal move)."""
    entries: list[HistoryData] = []
    for entry_path, raw in items:
        at = _Reader(reference, entry_path, raw, _HISTORY_FIELDS)
        entry = HistoryData(
            status=at.enum("status", PersonStatus),
            previous_status=at.optional_enum("previous_status", PersonStatus),
            since=at.partial_date("since"),
            rule=at.text("rule"),
            rule_text=at.text("rule_text"),
            facts=at.refs("facts", own_count),
            reason=at.text("reason"),
            changed_at=at.timestamp("changed_at"),
        )
        expected = entries[-1].status if entries else None
        if entry.previous_status is not expected:
            shown = "none (the first entry)" if expected is None else expected.value
            at.fail("previous_status", f"must be {shown}, the status before it")
        if legal_moves and entry.previous_status is not None:
            try:
                check_transition(entry.previous_status, entry.status)
            except DomainError as error:
                at.fail("status", error.message)
        entries.append(entry)
    if not entries:
        raise ValidationFailed(f"case {reference}: {path}", "a track's history starts with its first status")
    return tuple(entries)


_REQUEST_FIELDS = (
    "requested_status",
    "authority",
    "evidence",
    "submitted_on",
    "deadline",
    "outcome",
    "outcome_on",
    "note",
    "answers",
)


def _request(reference: str, path: str, raw: object, own_count: int) -> RequestData:
    at = _Reader(reference, path, raw, _REQUEST_FIELDS)
    submitted = at.date("submitted_on", required=True)
    assert submitted is not None
    answers: list[AnswerData] = []
    for answer_path, item in at.items("answers"):
        answer = _Reader(reference, answer_path, item, ("received_on", "outcome", "text"))
        received = answer.date("received_on", required=True)
        assert received is not None
        if received < submitted:
            answer.fail("received_on", f"{received} is before the request was submitted ({submitted})")
        answers.append(
            AnswerData(
                received, answer.enum("outcome", RequestOutcome), answer.text("text", keep_blank=True) or ""
            )
        )
    data = RequestData(
        path=path,
        requested_status=at.enum("requested_status", PersonStatus),
        authority=(at.text("authority", required=True) or "").strip(),
        evidence=at.refs("evidence", own_count),
        submitted_on=submitted,
        deadline=at.date("deadline"),
        outcome=at.enum("outcome", RequestOutcome, RequestOutcome.PENDING),
        outcome_on=at.date("outcome_on"),
        note=at.text("note"),
        answers=tuple(answers),
    )
    try:
        request_rules.check_dates(submitted, data.deadline, data.outcome_on)
    except DomainError as error:
        at.fail("outcome_on" if error.field == "answered" else (error.field or "deadline"), error.message)
    if (data.outcome is RequestOutcome.PENDING) != (data.outcome_on is None):
        at.fail("outcome_on", "a settled request has the day it was settled; a pending one has none")
    return data


CASE_FIELDS = (
    "reference",
    "state",
    "merged_into",
    "person",
    "official_status",
    "official_since",
    "evidence_status",
    "evidence_since",
    "evidence_rule",
    "relatives",
    "evidence",
    "status_history",
    "requests",
)


def parse_case(path: str, raw: object, with_contacts: bool) -> CaseFile:
    reference = raw.get("reference") if isinstance(raw, dict) else None
    if not isinstance(reference, str) or not reference.strip():
        raise ValidationFailed(f"{path}.reference", "every case needs its reference (the natural key)")
    reference = reference.strip()
    at = _Reader(reference, path, raw, CASE_FIELDS)
    state = at.enum("state", CaseState, CaseState.OPEN)
    merged_into = at.text("merged_into")
    if (state is CaseState.MERGED) != (merged_into is not None):
        at.fail("merged_into", "a merged case names the case it was merged into, and only a merged case does")
    if not isinstance(at.raw.get("person"), dict):
        at.fail("person", "must be an object")
    person = _Reader(reference, f"{path}.person", at.raw["person"], PERSON_FIELDS).raw
    evidence = tuple(_evidence(reference, p, item) for p, item in at.items("evidence"))
    tracks = _Reader(
        reference, f"{path}.status_history", at.raw.get("status_history"), ("official", "evidence")
    )
    official = _history(
        reference,
        f"{path}.status_history.official",
        list(tracks.items("official")),
        len(evidence),
        legal_moves=True,
    )
    evidence_history = _history(
        reference,
        f"{path}.status_history.evidence",
        list(tracks.items("evidence")),
        len(evidence),
        legal_moves=False,
    )
    official_status = at.enum("official_status", PersonStatus, official[-1].status)
    if official_status is not official[-1].status or at.partial_date("official_since") != official[-1].since:
        at.fail("official_status", "must be the last entry of status_history.official (status and since)")
    return CaseFile(
        path=path,
        reference=reference,
        state=state,
        merged_into=merged_into,
        person=person,
        relatives=tuple(_relative(reference, p, item, with_contacts) for p, item in at.items("relatives")),
        evidence=evidence,
        official_history=official,
        evidence_history=evidence_history,
        requests=tuple(_request(reference, p, item, len(evidence)) for p, item in at.items("requests")),
        evidence_status=at.enum("evidence_status", PersonStatus, evidence_history[-1].status),
        evidence_since=at.partial_date("evidence_since"),
        evidence_rule=at.text("evidence_rule"),
    )


def parse_document(data: object) -> list[CaseFile]:
    """Every case of a "kintrace-cases/2" document, checked, with cross-case references resolved."""
    top = _Reader("", "", data, ("format", "contacts", "cases"))
    if top.raw.get("format") != FORMAT:
        raise ValidationFailed("format", f"{top.raw.get('format')!r} is not {FORMAT!r}")
    with_contacts = top.boolean("contacts")
    files: list[CaseFile] = []
    seen: dict[str, str] = {}
    for path, raw in top.items("cases"):
        path = path.lstrip(".")
        case = parse_case(path, raw, with_contacts)
        if case.reference in seen:
            case.fail(f"{path}.reference", f"{case.reference!r} repeats {seen[case.reference]}")
        seen[case.reference] = path
        files.append(case)
    sizes = {case.reference: len(case.evidence) for case in files}
    for case in files:
        if case.merged_into is not None and case.merged_into == case.reference:
            case.fail(f"{case.path}.merged_into", "a case cannot be merged into itself")
        _check_cross_refs(case, sizes)
    return files


def _check_cross_refs(case: CaseFile, sizes: Mapping[str, int]) -> None:
    places: list[tuple[str, tuple[FactRef, ...]]] = [
        (f"{case.path}.status_history.evidence[{n}].facts", entry.facts)
        for n, entry in enumerate(case.evidence_history)
    ]
    places += [(f"{request.path}.evidence", request.evidence) for request in case.requests]
    for path, refs in places:
        for ref in refs:
            if isinstance(ref, tuple) and not 0 <= ref[1] < sizes.get(ref[0], 0):
                case.fail(path, f"{ref[0]}#{ref[1]} is no evidence item of a case in this file")
