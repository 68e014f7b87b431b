"""factory_boy factories for registry rows (used by the store, services and API tests).

Bind them to the test's session first: use the `factories` fixture, or `bind(session)`.
They write rows directly, bypassing the services (and so the audit log): test set-up, not use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import (
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    Sex,
    SourceKind,
    Visibility,
)
from kintrace.services.name_keys import name_keys, writing_keys
from kintrace.services.users import hash_password
from kintrace.store import models

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose; hash once per test run

_bound: dict[str, Session | None] = {"session": None}


def bind(session: Session | None) -> None:
    _bound["session"] = session


def _session() -> Session:
    session = _bound["session"]
    if session is None:
        raise RuntimeError("factories are not bound to a session: use the `factories` fixture")
    return session


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = _session
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Base):
    class Meta:
        model = models.User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="ru_RU")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.CASEWORKER
    password_hash = _PASSWORD_HASH
    active = True


class CaseFactory(_Base):
    class Meta:
        model = models.Case

    reference = factory.Sequence(lambda n: f"T-{n:06d}")
    state = CaseState.OPEN
    official_status = PersonStatus.MISSING
    evidence_status = PersonStatus.MISSING
    person = factory.RelatedFactory(f"{__name__}.PersonFactory", factory_related_name="case")


def _search_text(person: Any) -> str:
    return " ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p).casefold()


def _name_keys(person: Any) -> list[models.PersonNameKey]:
    # As services/persons.fill_row stores them, so name search finds the persons factories make.
    keys = name_keys(person.last_name, person.first_name, person.patronymic) | writing_keys(
        _search_text(person)
    )
    return [models.PersonNameKey(key=key) for key in sorted(keys)]


class PersonFactory(_Base):
    class Meta:
        model = models.MissingPerson

    case = factory.SubFactory(CaseFactory, person=None)
    last_name = factory.Faker("last_name_male", locale="ru_RU")
    first_name = factory.Faker("first_name_male", locale="ru_RU")
    patronymic = factory.Faker("middle_name_male", locale="ru_RU")
    script = "Cyrl"
    sex = Sex.MALE
    birth_date = factory.Sequence(lambda n: PartialDate(1970 + n % 30, 1 + n % 9))
    search_text = factory.LazyAttribute(_search_text)
    name_keys = factory.LazyAttribute(_name_keys)


class CaseMemberFactory(_Base):
    class Meta:
        model = models.CaseMember

    case = factory.SubFactory(CaseFactory)
    user = None
    relation = "reporter"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        case = kwargs.pop("case")
        user = kwargs.pop("user")
        kwargs["case_id"], kwargs["user_id"] = case.id, user.id
        return super()._create(model_class, *args, **kwargs)


class RelativeFactory(_Base):
    class Meta:
        model = models.Relative

    case = factory.SubFactory(CaseFactory)
    full_name = factory.Faker("name", locale="ru_RU")
    relationship_ = "mother"
    is_reporter = True
    phone = factory.Sequence(lambda n: f"+380 50 000 {n:04d}")


class SourceFactory(_Base):
    class Meta:
        model = models.Source

    kind = SourceKind.RELATIVE
    name = factory.Sequence(lambda n: f"Source {n}")
    reliability = Reliability.C
    credibility = Credibility.POSSIBLY_TRUE


class EvidenceFactory(_Base):
    class Meta:
        model = models.EvidenceItem

    case = factory.SubFactory(CaseFactory)
    source = factory.SubFactory(SourceFactory)
    claim = Claim.SEEN_AT_PLACE
    event_date = PartialDate(2024, 3)
    reported_date = PartialDate(2024, 4)
    place = "Бахмут"
    text = "Видели в районе вокзала"
    visibility = Visibility.FAMILY


class StatusRequestFactory(_Base):
    class Meta:
        model = models.StatusRequest

    case = factory.SubFactory(CaseFactory)
    requested_status = PersonStatus.CONFIRMED_CAPTURED
    authority = "Координационный штаб"
    evidence_ids = factory.LazyFunction(list)
    submitted_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=40))
    deadline = factory.LazyAttribute(lambda o: o.submitted_on + dt.timedelta(days=30))
    outcome = RequestOutcome.PENDING
