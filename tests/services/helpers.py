"""Small builders for service tests: accounts of each role, and a domain person."""

from __future__ import annotations

from kintrace.domain.dates import PartialDate
from kintrace.domain.person import LastSeen, MissingPerson, PersonName
from kintrace.domain.vocabulary import Role, Sex
from kintrace.services.access import Actor
from kintrace.store.models import User


def actor(user: User) -> Actor:
    return Actor(user.id, user.role, user.username)


def person(
    last: str = "Шевченко", first: str = "Андрій", patronymic: str | None = "Петрович", **extra: object
) -> MissingPerson:
    fields: dict[str, object] = {
        "name": PersonName(last, first, patronymic),
        "sex": Sex.MALE,
        "birth_date": PartialDate(1990, 5),
        "last_seen": LastSeen(date=PartialDate(2024, 2, 17), place="Авдіївка"),
    }
    fields.update(extra)
    return MissingPerson(**fields)  # type: ignore[arg-type]


def accounts(factories: object) -> dict[Role, User]:
    make = factories.UserFactory  # type: ignore[attr-defined]
    return {role: make(role=role) for role in Role}
