"""The record model: the missing person's record as one Pydantic model every door reads and writes.

`PersonRecord` lists the person's fields once, named as the persons table names its columns, with
their types, limits and enums. Everything else is derived from it: the API's request and response
bodies are views of it (`view`), the web forms read into it field by field, a transfer import
validates with it and an export is its dump, the demo builds it, and the store copies it onto the
ORM row by field name. Adding a field to the person means adding it here, to the ORM model and in a
migration.

The rules that need several fields (a name in one script, last seen after birth, both coordinates)
stay in `domain.person`; the record's model validator builds the domain's `MissingPerson` from it,
the one place they are called from, and takes back the canonical values the rules give (a unit as
its number, a name without stress marks). A broken rule is a validation error naming the record's
field (`problems`), so each door can name it as its user wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from kintrace.domain import dates
from kintrace.domain.errors import DomainError, InvalidValue
from kintrace.domain.person import LastSeen, MissingPerson, PersonName, PhysicalDescription, Script
from kintrace.domain.text import normalised
from kintrace.domain.vocabulary import Sex


def _partial_date(value: object) -> dates.PartialDate:
    if isinstance(value, dates.PartialDate):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        return dates.PartialDate.parse(value)
    except dates.PartialDateError as error:
        raise ValueError(str(error)) from None


# A date known to the year, the month or the day: read from its ISO text ("2023", "2023-05",
# "2023-05-17") once, where it enters, and held as the domain's PartialDate from there on (the store's
# PartialDateType writes it as that text); a dump writes it back as the same text, so read the fields
# themselves (`columns`, `dict(model)`) where the PartialDate is wanted.
PartialDate = Annotated[
    dates.PartialDate,
    PlainValidator(_partial_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "A date known to the year, month or day: YYYY, YYYY-MM or YYYY-MM-DD",
            "examples": ["2023-05"],
        }
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ScriptCode = Annotated[str, StringConstraints(min_length=4, max_length=16)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Words = Annotated[str, StringConstraints(max_length=100)]
# Free texts: generous for what people write, bounded so one request cannot store megabytes that every
# later page then carries (a case page once weighed 44 MB).
MAX_LONG_TEXT = 20_000
LongText = Annotated[str, StringConstraints(max_length=MAX_LONG_TEXT)]


class Record(BaseModel):
    """A record as it enters: unknown fields refused (a typo must not silently drop data), every text
    in NFC without NUL characters or lone surrogates."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            try:
                return normalised(value, info.field_name or "record")
            except InvalidValue as error:
                raise ValueError(error.message) from None
        return value


class AliasRecord(Record):
    """Another spelling of the person's name: a transliteration, a maiden name, a list's misspelling."""

    last_name: Name
    first_name: Name | None = None
    patronymic: Name | None = None
    script: ScriptCode = "Cyrl"

    def name(self) -> PersonName:
        return PersonName(self.last_name, self.first_name or "", self.patronymic, self.script)  # type: ignore[arg-type]


class PersonRecord(Record):
    """Everything the registry holds about who the missing person is, as the persons table holds it."""

    last_name: Name
    first_name: Name
    patronymic: Name | None = None
    script: ScriptCode = Field(
        "Cyrl", description="ISO 15924 script of the names as written (Cyrl, Latn, ...)"
    )
    sex: Sex = Sex.UNKNOWN
    birth_date: PartialDate | None = None
    birth_place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    citizenship: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        None, description="ISO 3166-1 alpha-2 code, e.g. UA"
    )
    service_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    rank: Words | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = Field(
        None, description='Military unit; "в/ч 12345" is stored as "12345"'
    )
    branch: Words | None = None
    call_sign: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        None,
        description="The name a soldier was known by in his unit (позивний)",
        examples=["Сокіл", "Грім", "Кобзар", "Лис", "Тайфун", "Бард", "Сокол", "Гром"],
    )
    height_cm: Annotated[int, Field(ge=40, le=250)] | None = None
    build: Words | None = None
    hair: Words | None = None
    eyes: Words | None = None
    distinguishing_marks: LongText | None = None
    dental_notes: LongText | None = None
    last_seen_date: PartialDate | None = None
    last_seen_place: ShortText | None = None
    last_seen_latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    last_seen_longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    circumstances: LongText | None = None
    aliases: list[AliasRecord] = Field(default_factory=list, description="Other spellings of the name")

    # The domain's person the rules built, kept: name keys and duplicate checks read it again.
    _domain: MissingPerson | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Self:
        """The domain's rules, called from here alone; the record keeps the canonical values they give.

        `of` passes the domain person the record is made from (context "person"): it has passed them."""
        given = (info.context or {}).get("person")
        person = given if isinstance(given, MissingPerson) else self._build()
        name = person.name
        self.__dict__.update(
            last_name=name.last,
            first_name=name.first,
            patronymic=name.patronymic,
            script=Script(name.script).value,
            unit=person.unit,
        )
        for alias, spelling in zip(self.aliases, person.alternative_names, strict=True):
            alias.__dict__.update(
                last_name=spelling.last, first_name=spelling.first, patronymic=spelling.patronymic
            )
        self._domain = person
        return self

    def person(self) -> MissingPerson:
        """The domain's view of the record, for its rules, name keys and duplicate checks."""
        return self._domain if self._domain is not None else self._build()

    def _build(self) -> MissingPerson:
        try:
            name = PersonName(self.last_name, self.first_name, self.patronymic, self.script)  # type: ignore[arg-type]
        except DomainError as error:
            raise _rule_broken(error, "") from None
        aliases = []
        for n, alias in enumerate(self.aliases):
            try:
                aliases.append(alias.name())
            except DomainError as error:
                raise _rule_broken(error, f"aliases[{n}]") from None
        try:
            return MissingPerson(
                name=name,
                sex=self.sex,
                alternative_names=tuple(aliases),
                birth_date=self.birth_date,
                birth_place=self.birth_place,
                citizenship=self.citizenship,
                service_number=self.service_number,
                rank=self.rank,
                unit=self.unit,
                branch=self.branch,
                description=PhysicalDescription(
                    height_cm=self.height_cm,
                    build=self.build,
                    hair=self.hair,
                    eyes=self.eyes,
                    distinguishing_marks=self.distinguishing_marks,
                    dental_notes=self.dental_notes,
                ),
                last_seen=LastSeen(
                    date=self.last_seen_date,
                    place=self.last_seen_place,
                    latitude=self.last_seen_latitude,
                    longitude=self.last_seen_longitude,
                    circumstances=self.circumstances,
                ),
            )
        except DomainError as error:
            raise _rule_broken(error, "") from None

    @classmethod
    def of(cls, person: MissingPerson) -> PersonRecord:
        """The record of a domain person (callers that build the domain's dataclass: tests, the demo)."""
        looks, seen = person.description, person.last_seen
        return cls.model_validate(
            {
                "last_name": person.name.last,
                "first_name": person.name.first,
                "patronymic": person.name.patronymic,
                "script": Script(person.name.script).value,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "birth_place": person.birth_place,
                "citizenship": person.citizenship,
                "service_number": person.service_number,
                "rank": person.rank,
                "unit": person.unit,
                "branch": person.branch,
                "height_cm": looks.height_cm,
                "build": looks.build,
                "hair": looks.hair,
                "eyes": looks.eyes,
                "distinguishing_marks": looks.distinguishing_marks,
                "dental_notes": looks.dental_notes,
                "last_seen_date": seen.date,
                "last_seen_place": seen.place,
                "last_seen_latitude": seen.latitude,
                "last_seen_longitude": seen.longitude,
                "circumstances": seen.circumstances,
                "aliases": [
                    {
                        "last_name": n.last,
                        "first_name": n.first,
                        "patronymic": n.patronymic,
                        "script": Script(n.script).value,
                    }
                    for n in person.alternative_names
                ],
            },
            context={"person": person},
        )

    def columns(self) -> dict[str, Any]:
        """The record as the ORM row's columns (dates as PartialDate), aliases apart: the fields
        themselves, not a dump (which would write the dates as text)."""
        return {name: value for name, value in self if name != "aliases"}


def field_values(model: BaseModel, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The model's fields (those named, else all) as values a record validates again without reading
    a date twice: each field itself (a date stays a PartialDate), the nested records dumped."""
    wanted = set(type(model).model_fields if names is None else names)
    values = {name: value for name, value in model if name in wanted}
    if values.get("aliases") is not None:
        values["aliases"] = [alias.model_dump() for alias in values["aliases"]]
    return values


def as_record(person: PersonRecord | MissingPerson) -> PersonRecord:
    return person if isinstance(person, PersonRecord) else PersonRecord.of(person)


# The domain names a field by its own records ("last", "latitude"); the record by its flat field.
_RECORD_FIELD = {
    "last": "last_name",
    "first": "first_name",
    "latitude": "last_seen_latitude",
    "longitude": "last_seen_longitude",
    "place": "last_seen_place",
    "date": "last_seen_date",
    "circumstances": "circumstances",
    "last_seen.date": "last_seen_date",
    "last_seen.place": "last_seen_place",
    "last_seen.latitude": "last_seen_latitude",
    "last_seen.longitude": "last_seen_longitude",
    "alternative_names": "aliases",
}


def _rule_broken(error: DomainError, prefix: str) -> PydanticCustomError:
    field = _RECORD_FIELD.get(error.field or "", error.field or "")
    full = f"{prefix}.{field}" if prefix and field else (field or prefix)
    return PydanticCustomError("rule_broken", "{message}", {"field": full, "message": error.message})


def field_path(location: Iterable[int | str]) -> str:
    """("aliases", 0, "last_name") -> "aliases[0].last_name"."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def problems(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) of every problem of a record, the field as the record names it."""
    found = []
    for item in error.errors(include_url=False):
        context: Mapping[str, Any] = item.get("ctx") or {}
        if item["type"] == "rule_broken":
            found.append((str(context["field"]), str(context["message"])))
            continue
        message = str(item["msg"]).removeprefix("Value error, ")
        found.append((field_path(item["loc"]) or "record", message))
    return found


def view(
    name: str,
    source: type[BaseModel],
    *,
    base: type[BaseModel] = BaseModel,
    optional: bool = False,
    exclude: Iterable[str] = (),
    doc: str | None = None,
    **fields: Any,
) -> type[BaseModel]:
    """A model with `source`'s fields (types, limits, descriptions) and none of its rules.

    `optional`: every field may be left out (None), as a partial update sends them. `fields` add or
    replace fields, as `create_model` takes them.
    """
    left_out = set(exclude) | set(fields)
    derived: dict[str, Any] = {}
    for field_name, info in source.model_fields.items():
        if field_name in left_out:
            continue
        derived[field_name] = _view_field(info, optional)
    model: type[BaseModel] = create_model(name, __base__=base, __doc__=doc, **derived, **fields)
    return model


def _view_field(info: FieldInfo, optional: bool) -> tuple[Any, FieldInfo]:
    annotation = info.rebuild_annotation()
    described: dict[str, Any] = {"description": info.description, "examples": info.examples}
    if optional:
        return annotation | None, Field(None, **described)
    if info.default_factory is not None:
        return annotation, Field(default_factory=info.default_factory, **described)
    if info.is_required():
        return annotation, Field(**described)
    return annotation, Field(info.default, **described)
