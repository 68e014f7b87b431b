"""The registry's tables (SQLAlchemy 2, typed). Enums are stored as their string values and
partial dates as ISO text ("2023", "2023-05", "2023-05-17"), read back as PartialDate (store/types),
so a row reads the same in any tool."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from kintrace.domain.dates import PartialDate
from kintrace.domain.dna_samples import (
    CandidateState,
    ConsentScope,
    CustodyStep,
    DonorSex,
    IncidentKind,
    Kinship,
    MatchBasis,
    SampleKind,
)
from kintrace.domain.lists import ListKind, PairBand, PairDecision, SearchResult
from kintrace.domain.relationships import Relationship
from kintrace.domain.vocabulary import (
    AppealDemand,
    AppealState,
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    Sex,
    SourceKind,
    StatusTrack,
    Visibility,
)
from kintrace.store.types import PartialDateType

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARTIAL_DATE = PartialDateType()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment in UTC, read back with its offset on every database.

    SQLite has no time zone type: it returns naive datetimes, which the API would send without an
    offset (not an RFC 3339 date-time). Values are stored as UTC and always read back as aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def str_enum(enum_type: type[enum.Enum], length: int = 32) -> Enum:
    """A VARCHAR column holding the enum's value (not its name), no database enum type."""
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))  # the account's own choice (uk, ru, en)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is kept, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # NULL: never expires (tokens made before expiry existed); new tokens always get one.
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()


class PasswordReset(Base):
    """A one-time link to set a new password, sent to the account's e-mail; only its SHA-256 is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class LoginSession(Base):
    """A signed-in browser or API session; signing out revokes it, so an old cookie stops working.

    The cookie carries a random key; only its SHA-256 is kept here.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Case(Base):
    __tablename__ = "cases"
    # Status with state: the dashboard's counts by status (merged cases left out) read the index alone.
    __table_args__ = (
        Index("ix_cases_official_status_state", "official_status", "state"),
        Index("ix_cases_evidence_status_state", "evidence_status", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The natural key used by import/export and by people on the phone ("KT-000123").
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState), default=CaseState.OPEN, index=True)
    assigned_caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    official_status: Mapped[PersonStatus] = mapped_column(
        str_enum(PersonStatus), default=PersonStatus.MISSING
    )
    official_since: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    evidence_status: Mapped[PersonStatus] = mapped_column(
        str_enum(PersonStatus), default=PersonStatus.MISSING
    )
    evidence_since: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    evidence_rule: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    # The family's agreement that the case be matched against published lists; without it, never.
    list_matching_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    list_matching_basis: Mapped[str | None] = mapped_column(String(300))  # how it was given
    list_matching_consent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    list_matching_consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[MissingPerson] = relationship(back_populates="case", uselist=False)
    relatives: Mapped[list[Relative]] = relationship(back_populates="case", order_by="Relative.id")
    members: Mapped[list[CaseMember]] = relationship(back_populates="case")
    assigned_caseworker: Mapped[User | None] = relationship(foreign_keys=[assigned_caseworker_id])


class CaseMember(Base):
    """A family account that may see a case: its reporter, or a relative linked to it."""

    __tablename__ = "case_members"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[str] = mapped_column(String(16))  # "reporter" or "linked"
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="members")


class MissingPerson(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    script: Mapped[str] = mapped_column(String(16), default="Cyrl")
    sex: Mapped[Sex] = mapped_column(str_enum(Sex), default=Sex.UNKNOWN)
    birth_date: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    birth_place: Mapped[str | None] = mapped_column(String(200))
    citizenship: Mapped[str | None] = mapped_column(String(64))
    service_number: Mapped[str | None] = mapped_column(String(64), index=True)
    rank: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(64))
    branch: Mapped[str | None] = mapped_column(String(100))
    call_sign: Mapped[str | None] = mapped_column(String(100))  # позивний: the name he went by in his unit
    height_cm: Mapped[int | None] = mapped_column(Integer)
    build: Mapped[str | None] = mapped_column(String(100))
    hair: Mapped[str | None] = mapped_column(String(100))
    eyes: Mapped[str | None] = mapped_column(String(100))
    distinguishing_marks: Mapped[str | None] = mapped_column(Text)
    dental_notes: Mapped[str | None] = mapped_column(Text)
    last_seen_date: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    last_seen_place: Mapped[str | None] = mapped_column(String(300))
    last_seen_latitude: Mapped[float | None] = mapped_column(Float)
    last_seen_longitude: Mapped[float | None] = mapped_column(Float)
    circumstances: Mapped[str | None] = mapped_column(Text)
    # Every spelling of the name, case-folded in Python: SQLite's lower() folds ASCII only, and
    # name search must find "иванов" in "Иванов" on both databases.
    search_text: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="person")
    name_keys: Mapped[list[PersonNameKey]] = relationship(cascade="all, delete-orphan")
    aliases: Mapped[list[PersonAlias]] = relationship(
        back_populates="person", order_by="PersonAlias.id", cascade="all, delete-orphan"
    )


class PersonPhoto(Base):
    """A photo of the missing person, re-encoded on upload (no EXIF: a phone photo carries where it was
    taken); the bytes live in the attachment store by SHA-256."""

    __tablename__ = "person_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(300))
    # A family sees the photos it gave and those staff added (services/photos.py).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PersonAlias(Base):
    """An alternative spelling of the name (transliteration, maiden name, a list's typo)."""

    __tablename__ = "person_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    script: Mapped[str] = mapped_column(String(16), default="Cyrl")

    person: Mapped[MissingPerson] = relationship(back_populates="aliases")


class PersonNameKey(Base):
    """A cross-script key of a missing person's name (the linkage engine's), for name search."""

    __tablename__ = "person_name_keys"
    __table_args__ = (Index("ix_person_name_keys_key", "key", "person_id"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)


class Relative(Base):
    """A relative of the missing person; contact details are private (never shown to other families)."""

    __tablename__ = "relatives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    relationship_: Mapped[Relationship] = mapped_column("relationship", str_enum(Relationship, length=64))
    # The family's own words: required for "other" (a godmother), optional beside any other code.
    relationship_note: Mapped[str | None] = mapped_column(String(200))
    is_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Who entered the record: a family account that did owns its contact details (services/access.py).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    case: Mapped[Case] = relationship(back_populates="relatives")


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind))
    name: Mapped[str] = mapped_column(String(300))
    reliability: Mapped[Reliability] = mapped_column(str_enum(Reliability), default=Reliability.F)
    credibility: Mapped[Credibility] = mapped_column(
        str_enum(Credibility), default=Credibility.CANNOT_BE_JUDGED
    )
    notes: Mapped[str | None] = mapped_column(Text)
    # Who recorded it: a family account may cite only sources it recorded itself (services/access.py).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class EvidenceItem(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    claim: Mapped[Claim] = mapped_column(str_enum(Claim))
    event_date: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    reported_date: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    place: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.INTERNAL)
    official_status: Mapped[PersonStatus | None] = mapped_column(str_enum(PersonStatus))
    birth_date: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # A family's own report is shown to other families of the case only once a caseworker publishes it.
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()
    source: Mapped[Source] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="evidence", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Attachment(Base):
    """A file attached to an evidence item; the bytes live under var/attachments by SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    evidence: Mapped[EvidenceItem] = relationship(back_populates="attachments")


class StatusChange(Base):
    """One entry of a status track's history (official or evidence-based)."""

    __tablename__ = "status_history"
    __table_args__ = (Index("ix_status_history_case_track", "case_id", "track"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    track: Mapped[StatusTrack] = mapped_column(str_enum(StatusTrack))
    status: Mapped[PersonStatus] = mapped_column(str_enum(PersonStatus))
    previous_status: Mapped[PersonStatus | None] = mapped_column(str_enum(PersonStatus))
    since: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    rule: Mapped[str | None] = mapped_column(String(64))
    rule_text: Mapped[str | None] = mapped_column(Text)
    fact_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StatusRequest(Base):
    """A request to an authority to change a person's official status."""

    __tablename__ = "status_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    requested_status: Mapped[PersonStatus] = mapped_column(str_enum(PersonStatus))
    authority: Mapped[str] = mapped_column(String(300))
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    submitted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    outcome: Mapped[RequestOutcome] = mapped_column(
        str_enum(RequestOutcome), default=RequestOutcome.PENDING, index=True
    )
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()
    answers: Mapped[list[RequestAnswer]] = relationship(
        back_populates="request", order_by="RequestAnswer.id", cascade="all, delete-orphan"
    )


class RequestAnswer(Base):
    __tablename__ = "request_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("status_requests.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[RequestOutcome] = mapped_column(str_enum(RequestOutcome))
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    request: Mapped[StatusRequest] = relationship(back_populates="answers")


class Appeal(Base):
    """A collective appeal: many families' cases in one letter to one authority."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = mapped_column(String(300))
    demand: Mapped[AppealDemand] = mapped_column(str_enum(AppealDemand))
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="uk")  # the letter's: uk, ru or en
    state: Mapped[AppealState] = mapped_column(str_enum(AppealState), default=AppealState.DRAFT, index=True)
    answer_days: Mapped[int] = mapped_column(Integer, default=30)  # the authority's time to answer
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(100))
    reference_number: Mapped[str | None] = mapped_column(String(100))
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    signatories: Mapped[list[AppealCase]] = relationship(
        back_populates="appeal", order_by="AppealCase.id", cascade="all, delete-orphan"
    )
    answers: Mapped[list[AppealAnswer]] = relationship(
        back_populates="appeal", order_by="AppealAnswer.id", cascade="all, delete-orphan"
    )


class AppealCase(Base):
    """One case in an appeal, with the family's consent to be named and what came of it."""

    __tablename__ = "appeal_cases"
    __table_args__ = (UniqueConstraint("appeal_id", "case_id", name="uq_appeal_cases_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    requested_status: Mapped[PersonStatus | None] = mapped_column(str_enum(PersonStatus))
    signatory: Mapped[str] = mapped_column(String(200))  # who signs for the family, as they wish to be named
    consent_on: Mapped[dt.date] = mapped_column(Date)  # the family agreed to be named in the letter
    joined_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    joined_by_family: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[RequestOutcome] = mapped_column(str_enum(RequestOutcome), default=RequestOutcome.PENDING)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="signatories")
    case: Mapped[Case] = relationship()


class AppealAnswer(Base):
    __tablename__ = "appeal_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    reference_number: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    appeal: Mapped[Appeal] = relationship(back_populates="answers")


class DuplicateLink(Base):
    """Two cases that may describe the same person (kept apart until someone merges them)."""

    __tablename__ = "duplicate_links"
    __table_args__ = (UniqueConstraint("case_id", "other_case_id", name="uq_duplicate_links_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Merge(Base):
    """One merge of a case into another; undoing it restores the merged case as it was."""

    __tablename__ = "merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    merged_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    previous_state: Mapped[CaseState] = mapped_column(str_enum(CaseState))
    note: Mapped[str | None] = mapped_column(Text)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class DuplicateDismissal(Base):
    """Two cases a person judged "not the same person": the engine never proposes the pair again."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (UniqueConstraint("case_id", "other_case_id", name="uq_duplicate_dismissals_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The pair in order (case_id < other_case_id), as DuplicateLink keeps it.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DuplicateCandidate(Base):
    """A pair of cases the linkage engine scored as possibly one person, as its last run left it.

    Written by a full run (`duplicate_candidates.refresh`) and by one case's check (filing, an edit of
    the person), which replaces that case's rows; the desk, the API and the CLI read these rows
    instead of running the engine. A dismissal or a merge removes the pair's row; a linked pair keeps
    it (unlinked, it is proposed again) and is left out when read."""

    __tablename__ = "duplicate_candidates"
    __table_args__ = (
        UniqueConstraint("case_id", "other_case_id", name="uq_duplicate_candidates_pair"),
        Index("ix_duplicate_candidates_strength", "probability"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The pair in order (case_id < other_case_id), as DuplicateLink keeps it.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    band: Mapped[PairBand] = mapped_column(str_enum(PairBand))
    # [{"field": ..., "level": ..., "bayes_factor": ...}, ...] in the order the desk shows them.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DuplicateRun(Base):
    """A full run of the engine over the registry: when, by whom, how many cases and pairs."""

    __tablename__ = "duplicate_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    cases: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class NotificationPreference(Base):
    """How a family account wants to hear of one kind of event: on one case, or (case_id NULL) on all.

    A case's own choice wins over the all-cases one; with neither, the event shows in the portal only.
    """

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "case_id", "event", name="uq_notification_preferences_choice"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))  # "email" (and the portal), "portal" or "off"
    # The page's language when the choice was saved: e-mails are written in it.
    language: Mapped[str] = mapped_column(String(8), default="en")
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Notification(Base):
    """One event told to one family account: the portal's "what's new" and the e-mail outbox.

    `params` holds only what the recipient may see on the case (never internal items or other
    families' details); `dedupe_key` makes telling the same event twice impossible.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16))  # "email" or "portal"
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    """One write, hash-chained to the one before it (see kintrace.store.audit).

    `id` is assigned by the application as previous id + 1, so the chain cannot fork: two
    writers racing for the same id collide on the primary key instead.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # ISO-8601 UTC text, hashed as stored
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON text
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


class AuditKey(Base):
    """The key that seals one record's values in the audit log (see kintrace.store.audit_personal).

    Not part of the chained content: setting `key` to NULL (erasure) leaves the chain intact and
    the record's audit values unreadable.
    """

    __tablename__ = "audit_keys"

    entity: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no foreign key: outlives the case
    key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class DnaSample(Base):
    """A DNA sample: a reference from a relative of a case (with consent), or one from remains.

    `code` is the laboratory's sample id, the key its exports are matched on.
    """

    __tablename__ = "dna_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SampleKind] = mapped_column(str_enum(SampleKind), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    relative_id: Mapped[int | None] = mapped_column(ForeignKey("relatives.id"), index=True)
    kinship: Mapped[Kinship | None] = mapped_column(str_enum(Kinship))
    donor_sex: Mapped[DonorSex] = mapped_column(str_enum(DonorSex), default=DonorSex.UNKNOWN)
    collected_on: Mapped[dt.date | None] = mapped_column(Date)
    collector: Mapped[str | None] = mapped_column(String(200))
    laboratory: Mapped[str] = mapped_column(String(200))
    kit: Mapped[str | None] = mapped_column(String(100))
    # remains: the incident or site they were recovered from
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    recovered_on: Mapped[dt.date | None] = mapped_column(Date)
    body_number: Mapped[str | None] = mapped_column(String(64))  # remains: body or bag number
    effect_item: Mapped[str | None] = mapped_column(String(200))  # personal effect: what object
    handed_over_by: Mapped[str | None] = mapped_column(String(200))  # personal effect: who gave it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    relative: Mapped[Relative | None] = relationship()
    consent: Mapped[DnaConsent | None] = relationship(back_populates="sample", uselist=False)
    custody: Mapped[list[DnaCustodyEvent]] = relationship(
        back_populates="sample", order_by="(DnaCustodyEvent.on, DnaCustodyEvent.id)"
    )
    incident_record: Mapped[Incident | None] = relationship(back_populates="remains")

    @property
    def incident(self) -> str | None:
        """The incident's name (what the remains' free text held before incidents were records)."""
        return None if self.incident_record is None else self.incident_record.name


class Incident(Base):
    """One event with several dead and several families (a grave, a crash): its remains are
    identified jointly against the families considered for it (`IncidentCase`)."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind), default=IncidentKind.OTHER)
    place: Mapped[str | None] = mapped_column(String(300))
    occurred_on: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)  # "2022", "2022-03", "2022-03-16"
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    remains: Mapped[list[DnaSample]] = relationship(back_populates="incident_record", order_by="DnaSample.id")
    cases: Mapped[list[IncidentCase]] = relationship(
        back_populates="incident", order_by="IncidentCase.id", cascade="all, delete-orphan"
    )


class IncidentCase(Base):
    """A family (case) considered for an incident: staff add it (missing from that place and time)."""

    __tablename__ = "incident_cases"
    __table_args__ = (UniqueConstraint("incident_id", "case_id", name="uq_incident_cases_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="cases")
    case: Mapped[Case] = relationship()


class DnaConsent(Base):
    """A relative's consent to use their sample, for one scope; withdrawable at any time."""

    __tablename__ = "dna_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("dna_samples.id", ondelete="CASCADE"), unique=True)
    scope: Mapped[ConsentScope] = mapped_column(str_enum(ConsentScope))
    given_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawal_note: Mapped[str | None] = mapped_column(Text)
    # The signed consent form (PDF, JPEG or PNG): its bytes in the attachment store by SHA-256.
    # Staff-only, so not an evidence attachment (a family opens its case's evidence files).
    form_sha256: Mapped[str | None] = mapped_column(String(64))
    form_filename: Mapped[str | None] = mapped_column(String(255))
    form_media_type: Mapped[str | None] = mapped_column(String(100))
    form_size_bytes: Mapped[int | None] = mapped_column(Integer)
    form_uploaded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    sample: Mapped[DnaSample] = relationship(back_populates="consent")


class DnaCustodyEvent(Base):
    """One step of a sample's chain of custody: what, when, by whom."""

    __tablename__ = "dna_custody_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("dna_samples.id", ondelete="CASCADE"), index=True)
    step: Mapped[CustodyStep] = mapped_column(str_enum(CustodyStep))
    on: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    sample: Mapped[DnaSample] = relationship(back_populates="custody")


class DnaProfile(Base):
    """A sample's genotypes, AES-256-GCM encrypted under a data key of its own.

    The data key is stored wrapped by the master key; `wrapped_key` NULL means it was destroyed
    (consent withdrawn): the ciphertext stays but nobody can read it again (crypto-shredding).
    """

    __tablename__ = "dna_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("dna_samples.id", ondelete="CASCADE"), unique=True)
    n_markers: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    master_key_id: Mapped[str] = mapped_column(String(32))  # which master key wrapped it (a fingerprint)
    source: Mapped[str | None] = mapped_column(String(300))  # the export file it came from
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    shredded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    sample: Mapped[DnaSample] = relationship()


class DnaComparison(Base):
    """One remains profile scored against one family's references (the DNA search log and its results).

    LRs are kept as log10 so a strong match does not overflow; per-marker LRs as a JSON object.
    """

    __tablename__ = "dna_comparisons"
    # One row per remains, case and basis: a case may hold both a kinship and a personal-effect result
    # for one body (two lines of evidence, each reviewed; only one can be confirmed).
    __table_args__ = (
        UniqueConstraint("remains_sample_id", "case_id", "basis", name="uq_dna_comparisons_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remains_sample_id: Mapped[int] = mapped_column(
        ForeignKey("dna_samples.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    log10_lr: Mapped[float | None] = mapped_column(Float)  # None: excluded (LR 0)
    exclusions: Mapped[int] = mapped_column(Integer, default=0)  # markers whose LR is 0
    marker_lrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    references: Mapped[int] = mapped_column(Integer)  # how many reference profiles were used
    prior: Mapped[float] = mapped_column(Float)
    prior_name: Mapped[str] = mapped_column(String(200))
    posterior: Mapped[float] = mapped_column(Float)
    state: Mapped[CandidateState | None] = mapped_column(str_enum(CandidateState), index=True)
    compared_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_reason: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    family_told_on: Mapped[dt.date | None] = mapped_column(Date)
    family_told_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    basis: Mapped[MatchBasis] = mapped_column(str_enum(MatchBasis), default=MatchBasis.KINSHIP)
    # basis personal_effect: the effect whose profile gave the LR (the strongest of the case's effects)
    effect_sample_id: Mapped[int | None] = mapped_column(
        ForeignKey("dna_samples.id", ondelete="CASCADE"), index=True
    )

    remains: Mapped[DnaSample] = relationship(foreign_keys=[remains_sample_id])
    case: Mapped[Case] = relationship()
    effect: Mapped[DnaSample | None] = relationship(foreign_keys=[effect_sample_id])


class DnaAssociation(Base):
    """Two remains profiles scored as one person (fragments of one victim): a proposed association,
    reviewed by two analysts like an identification. Confirmed ones join fragments into groups.

    `first_sample_id` < `second_sample_id`: one row per pair.
    """

    __tablename__ = "dna_associations"
    __table_args__ = (
        UniqueConstraint("first_sample_id", "second_sample_id", name="uq_dna_associations_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_sample_id: Mapped[int] = mapped_column(ForeignKey("dna_samples.id", ondelete="CASCADE"), index=True)
    second_sample_id: Mapped[int] = mapped_column(
        ForeignKey("dna_samples.id", ondelete="CASCADE"), index=True
    )
    log10_lr: Mapped[float | None] = mapped_column(Float)  # None: excluded
    exclusions: Mapped[int] = mapped_column(Integer, default=0)
    shared_markers: Mapped[int] = mapped_column(Integer)  # typed in both fragments
    marker_lrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[CandidateState | None] = mapped_column(str_enum(CandidateState), index=True)
    compared_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_reason: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    first: Mapped[DnaSample] = relationship(foreign_keys=[first_sample_id])
    second: Mapped[DnaSample] = relationship(foreign_keys=[second_sample_id])


class DnaReferenceStrength(Base):
    """A family's reference strength as last computed, and which relative to ask next.

    Keyed by case; ``signature`` digests the references it was computed for (their profiles, import
    times, kinships, sexes, the missing person's sex), the frequency table and the simulation's
    settings: a row whose signature no longer matches the family's is stale and shown as not computed.
    ``suggestions`` is a list of ``{"kinship", "p_true"}``, best first (empty for a strong family).
    ``not_computed`` says why no figure exists (references contradicting each other, an impossible
    pedigree). Numbers only: no genotype.
    """

    __tablename__ = "dna_reference_strengths"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64))
    frequency_table: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    simulations: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[float] = mapped_column(Float)
    reference_samples: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"sample", "kinship"}]
    markers: Mapped[int] = mapped_column(Integer, default=0)
    exclusion_power: Mapped[float | None] = mapped_column(Float)
    p_true: Mapped[float | None] = mapped_column(Float)
    p_unrelated: Mapped[float | None] = mapped_column(Float)
    suggestions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    not_computed: Mapped[str | None] = mapped_column(Text)
    # The same reason's code and values ({"code", "params"}), so that pages can say it in any language.
    not_computed_code: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PublishedList(Base):
    """A published list (prisoners, an exchange, the dead, ...): a source of its own.

    `publisher_id` is the Source that published it, with its Admiralty grade; the original file is
    kept by SHA-256 in the attachment store, and the same file is never imported twice.
    """

    __tablename__ = "published_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    publisher_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    published_on: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    kind: Mapped[ListKind] = mapped_column(str_enum(ListKind), index=True)
    claim: Mapped[Claim] = mapped_column(str_enum(Claim))  # what each entry says (from the kind)
    language: Mapped[str | None] = mapped_column(String(16))  # uk, ru, en, ...
    script: Mapped[str | None] = mapped_column(String(16))  # Cyrl, Latn
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    column_map: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # header -> entry field
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    matched_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # the last full match

    publisher: Mapped[Source] = relationship()


class ListEntry(Base):
    """One row of a published list: every column as written, and the fields mapped from them.

    Rows that are the same man (listed twice: two spellings, two scripts) share `cluster_id`, the id
    of the cluster's first entry; a case is matched to the cluster. `fingerprint` identifies the man
    as listed (normalised name and dates), so a rejected namesake stays rejected after a re-import.
    """

    __tablename__ = "list_entries"
    __table_args__ = (UniqueConstraint("list_id", "row_number", name="uq_list_entries_list_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("published_lists.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # as in the file (the header is row 1)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)  # every column of the original row
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    birth_place: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(64))
    service_number: Mapped[str | None] = mapped_column(String(64))
    rank: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(16))
    event_date: Mapped[PartialDate | None] = mapped_column(PARTIAL_DATE)
    place: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    cluster_id: Mapped[int | None] = mapped_column(Integer, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)

    list: Mapped[PublishedList] = relationship()


class ListEntryKey(Base):
    """A blocking key of a list entry (the linkage engine's), so one case finds its candidates fast."""

    __tablename__ = "list_entry_keys"
    __table_args__ = (Index("ix_list_entry_keys_key", "key", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)


class ListPair(Base):
    """A candidate pair: a list entry (its cluster) and a case, with the engine's score and the decision.

    `reasons` holds each compared field's agreement level and Bayes factor, as the engine gave them.
    """

    __tablename__ = "list_pairs"
    __table_args__ = (
        UniqueConstraint("entry_id", "case_id", name="uq_list_pairs_entry_case"),
        Index("ix_list_pairs_queue", "decision", "match_weight"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("published_lists.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    band: Mapped[PairBand] = mapped_column(str_enum(PairBand))
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    name_only: Mapped[bool] = mapped_column(Boolean, default=False)  # rests on the name alone
    decision: Mapped[PairDecision] = mapped_column(str_enum(PairDecision), default=PairDecision.PENDING)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    list: Mapped[PublishedList] = relationship()
    entry: Mapped[ListEntry] = relationship()
    case: Mapped[Case] = relationship()


class ListCheck(Base):
    """The search log: a case checked against a list, when, and what came of it (the latest check)."""

    __tablename__ = "list_checks"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("published_lists.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    checked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    result: Mapped[SearchResult] = mapped_column(str_enum(SearchResult))

    list: Mapped[PublishedList] = relationship()


def row_values(obj: Any) -> dict[str, Any]:
    """The column values of a mapped object keyed by attribute name."""
    mapper = obj.__mapper__
    return {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}
