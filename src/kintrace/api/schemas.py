"""Request and response bodies of the REST API (Pydantic v2; responses read ORM rows directly)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    computed_field,
    field_validator,
)

from kintrace.domain.errors import InvalidValue
from kintrace.domain.records import LongText, PartialDate, PersonRecord, view
from kintrace.domain.relationships import NOTE_MAX, Relationship
from kintrace.domain.text import normalised
from kintrace.domain.vocabulary import (
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    SourceKind,
    StatusTrack,
    Visibility,
)
from kintrace.http.deps import MAX_ID
from kintrace.services.cases import MAX_DAYS_PENDING

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
# Free texts: generous for what people write, bounded so one request cannot store megabytes that every
# later page then carries (a case page once weighed 44 MB).
MAX_NOTE = 5_000
NoteText = Annotated[str, StringConstraints(max_length=MAX_NOTE)]
RelationshipNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)]

# Row ids are 32-bit integers on PostgreSQL; anything outside cannot name a row (422, not a 500).
# MAX_ID (kintrace.http.deps) bounds them, in bodies here as in paths.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Pages and day counts beyond these mean nothing and would overflow offsets and date arithmetic.
MAX_DAYS = MAX_DAYS_PENDING

T = TypeVar("T")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    # A misspelt field name is an error, not silently dropped data.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: object, info: ValidationInfo) -> object:
        """Every text in NFC, without NUL characters or lone surrogates (refused naming the field)."""
        if isinstance(value, str):
            try:
                return normalised(value, info.field_name or "body")
            except InvalidValue as error:
                raise ValueError(error.message) from None
        return value


class Page(Out, Generic[T]):
    items: list[T]
    total: int = Field(description="Items matching the filters, over all pages")
    page: int
    per_page: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        """Pages at this page size (at least 1, even when nothing matches)."""
        return max(1, -(-self.total // self.per_page))


# -- users and auth -----------------------------------------------------------------------------


class UserOut(Out):
    id: int
    username: str
    display_name: str
    email: str | None
    phone: str | None = None
    language: str | None = None
    role: Role
    active: bool
    created_at: dt.datetime


class AccountSettingsIn(In):
    """One's own contact details and language; a field left out keeps its value."""

    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    language: Literal["uk", "ru", "en"] | None = None


class AccountDeleteIn(In):
    password: Annotated[str, StringConstraints(max_length=1000)]
    erase_contacts: bool = Field(
        False, description="Also erase the phones, e-mails and addresses this account entered on relatives."
    )


class UserCreate(In):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64)]
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    role: Role
    password: Annotated[str, StringConstraints(max_length=1024)]


class UserUpdate(In):
    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None
    ) = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    role: Role | None = None
    active: bool | None = None
    password: Annotated[str, StringConstraints(max_length=1024)] | None = None


class LoginIn(In):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)] = Field(
        description="The account's e-mail address (a username is accepted too)"
    )
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Send as the X-CSRF-Token header on unsafe requests")


class TokenCreate(In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="Lifetime in days; default KINTRACE_TOKEN_DAYS (90)"
    )


class TokenOut(Out):
    id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None = Field(None, description="After this the token no longer works")
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The bearer token. Shown this once; only its hash is stored.")


# -- persons ----------------------------------------------------------------------------------
# Views of the record model (domain/records.py): its fields, types and limits, listed there once.

PersonIn = PersonRecord


class AliasOut(Out):
    id: int
    last_name: str
    first_name: str | None
    patronymic: str | None
    script: str


class PersonUpdate(
    view("PersonFieldsUpdate", PersonRecord, base=In, optional=True)  # type: ignore[misc]
):
    """Only the fields sent are changed; send null to clear one (aliases, when sent, replace them all)."""


class PersonOut(
    view(  # type: ignore[misc]
        "PersonFieldsOut",
        PersonRecord,
        base=Out,
        id=(int, ...),
        case_id=(int, ...),
        first_name=(str | None, ...),
        aliases=(list[AliasOut], ...),
    )
):
    """The missing person as recorded."""


# -- relatives --------------------------------------------------------------------------------


class RelativeIn(In):
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    relationship: Relationship = Field(
        description="The relative's relationship to the missing person; 'other' needs relationship_note"
    )
    relationship_note: RelationshipNote | None = None
    is_reporter: bool = False
    user_id: Id | None = Field(None, description="The family account of this relative, if any")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    address: NoteText | None = None
    notes: NoteText | None = None


class RelativeUpdate(In):
    full_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None
    ) = None
    relationship: Relationship | None = None
    relationship_note: RelationshipNote | None = None
    is_reporter: bool | None = None
    user_id: Id | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    address: NoteText | None = None
    notes: NoteText | None = None


class MemberIn(In):
    user_id: Id
    relation: Literal["reporter", "linked"] = "linked"


class MemberOut(Out):
    case_id: int
    user_id: int
    relation: str
    created_at: dt.datetime


class RelativeOut(Out):
    id: int
    case_id: int
    user_id: int | None
    full_name: str
    relationship: Relationship = Field(validation_alias=AliasChoices("relationship_", "relationship"))
    relationship_note: str | None = Field(description="The family's own words on the relationship")
    is_reporter: bool
    phone: str | None = Field(description="Private: withheld from other families")
    email: str | None = Field(description="Private: withheld from other families")
    address: str | None = Field(description="Private: withheld from other families")
    notes: str | None


# -- sources and evidence -----------------------------------------------------------------------


class SourceIn(In):
    kind: SourceKind
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    reliability: Reliability = Field(Reliability.F, description="Admiralty A (completely reliable) .. F")
    credibility: Credibility = Field(
        Credibility.CANNOT_BE_JUDGED, description="Admiralty 1 (confirmed) .. 6 (cannot be judged)"
    )
    notes: NoteText | None = None


class SourceUpdate(In):
    kind: SourceKind | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = None
    reliability: Reliability | None = None
    credibility: Credibility | None = None
    notes: NoteText | None = None


class SourceOut(Out):
    id: int
    kind: SourceKind
    name: str
    reliability: Reliability
    credibility: Credibility
    notes: str | None


class SourceBrief(Out):
    """A source as shown beside an item: without the register's internal notes."""

    id: int
    kind: SourceKind
    name: str
    reliability: Reliability
    credibility: Credibility


class AttachmentOut(Out):
    id: int
    evidence_id: int
    sha256: str
    filename: str
    media_type: str
    size_bytes: int
    created_at: dt.datetime


class PhotoOut(Out):
    id: int
    case_id: int
    media_type: str
    width: int
    height: int
    caption: str | None
    created_at: dt.datetime


class EvidenceIn(In):
    source_id: Id
    claim: Claim
    event_date: PartialDate | None = None
    reported_date: PartialDate | None = None
    place: ShortText | None = None
    text: LongText = ""
    visibility: Visibility = Visibility.INTERNAL
    official_status: PersonStatus | None = Field(
        None, description="For official notices: the status declared"
    )
    birth_date: PartialDate | None = Field(None, description="When the item states a birth date")


class EvidenceUpdate(In):
    source_id: Id | None = None
    claim: Claim | None = None
    event_date: PartialDate | None = None
    reported_date: PartialDate | None = None
    place: ShortText | None = None
    text: LongText | None = None
    visibility: Visibility | None = None
    official_status: PersonStatus | None = None
    birth_date: PartialDate | None = None


class EvidenceOut(Out):
    id: int
    case_id: int
    source: SourceBrief
    claim: Claim
    event_date: PartialDate | None
    reported_date: PartialDate | None
    place: str | None
    text: str
    visibility: Visibility
    official_status: PersonStatus | None
    birth_date: PartialDate | None
    created_at: dt.datetime
    published_at: dt.datetime | None = Field(
        None, description="When a caseworker showed this family's report to the case's other families"
    )
    attachments: list[AttachmentOut]


# -- status tracks ------------------------------------------------------------------------------


class StatusChangeOut(Out):
    id: int
    track: StatusTrack
    status: PersonStatus
    previous_status: PersonStatus | None
    since: PartialDate | None
    rule: str | None
    rule_text: str | None
    fact_ids: list[int]
    reason: str | None
    changed_by_id: int | None
    changed_at: dt.datetime


class TrackOut(BaseModel):
    track: StatusTrack
    status: PersonStatus
    since: PartialDate | None
    rule: str | None = Field(
        None, description="Evidence track: the id of the named rule that gave the status"
    )
    rule_text: str | None = Field(None, description="Evidence track: the rule in words")
    fact_ids: list[int] = Field([], description="Evidence track: the items the status rests on")
    history: list[StatusChangeOut]


class StatusOut(BaseModel):
    case_id: int
    official: TrackOut
    evidence: TrackOut
    divergence: str | None = Field(None, description="Set when the two tracks disagree")


class OfficialStatusIn(In):
    status: PersonStatus
    since: PartialDate | None = None
    reason: NoteText | None = None


# -- cases --------------------------------------------------------------------------------------


class CaseCreate(In):
    person: PersonIn
    reporter: RelativeIn | None = Field(None, description="The relative reporting the case")
    assigned_caseworker_id: Id | None = None
    reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None
    ) = Field(None, description="A reference of your own; assigned when omitted")


class CaseUpdate(In):
    state: CaseState | None = None
    assigned_caseworker_id: Id | None = None


class CaseSummary(Out):
    id: int
    reference: str
    state: CaseState
    official_status: PersonStatus
    evidence_status: PersonStatus
    last_name: str
    first_name: str | None
    patronymic: str | None
    birth_date: PartialDate | None
    updated_at: dt.datetime


class CaseOut(Out):
    id: int
    reference: str
    state: CaseState
    assigned_caseworker_id: int | None
    merged_into_id: int | None
    official_status: PersonStatus
    official_since: PartialDate | None
    evidence_status: PersonStatus
    evidence_since: PartialDate | None
    evidence_rule: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    person: PersonOut


# -- status-change requests -----------------------------------------------------------------------


class StatusRequestIn(In):
    requested_status: PersonStatus
    authority: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    evidence_ids: list[Id] = Field([], max_length=1000)
    submitted_on: dt.date
    deadline: dt.date | None = None
    note: NoteText | None = None


class AnswerIn(In):
    received_on: dt.date
    outcome: RequestOutcome
    text: LongText = ""


class AnswerOut(Out):
    id: int
    received_on: dt.date
    outcome: RequestOutcome
    text: str


class StatusRequestOut(Out):
    id: int
    case_id: int
    requested_status: PersonStatus
    authority: str
    evidence_ids: list[int]
    submitted_on: dt.date
    deadline: dt.date | None
    outcome: RequestOutcome
    outcome_on: dt.date | None
    note: str | None
    answers: list[AnswerOut]
    days_pending: int | None = Field(None, description="Days since submission while no final answer")
    overdue: bool = False
    days_overdue: int = 0


class OverdueOut(BaseModel):
    request: StatusRequestOut
    case_reference: str
    person_name: str
    days_overdue: int


# -- contradictions, duplicates, merges ---------------------------------------------------------------


class ContradictionOut(Out):
    rule: str
    rule_text: str
    severity: str = Field(description="conflict: both cannot be true; note: partial dates leave it open")
    explanation: str
    first_id: int
    second_id: int
    first_source: SourceBrief
    second_source: SourceBrief


class DuplicateLinkIn(In):
    other_case_id: Id
    note: NoteText | None = None


class DuplicateLinkOut(Out):
    id: int
    case_id: int
    other_case_id: int
    note: str | None
    created_at: dt.datetime


class MergeIn(In):
    merged_case_id: Id = Field(description="The case folded into this one")
    note: NoteText | None = None


class MergeOut(Out):
    id: int
    target_case_id: int
    merged_case_id: int
    previous_state: CaseState
    note: str | None
    merged_at: dt.datetime
    undone_at: dt.datetime | None
