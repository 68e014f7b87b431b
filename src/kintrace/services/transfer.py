"""Import and export of cases: the whole case file as JSON, the flat person list as CSV.

JSON: the case file, format "kintrace-cases/2"
-----------------------------------------------
One document carries everything a tracing service holds on each case, so that cases can move
between installations or go to a partner organisation::

    {"format": "kintrace-cases/2",
     "contacts": false,                  # true only when exported with include_contacts
     "cases": [{
       "reference": "KT-000123",         # the natural key of the case
       "state": "open",                  # unverified | open | closed | merged
       "merged_into": null,              # reference of the case it was merged into (state merged)
       "person": {...,                   # the fields of the record model (domain/records.py
                                         # PersonRecord: last_name, first_name, ..., circumstances)
                  alternative_names: [{last, first, patronymic, script}]},
       "official_status": "...", "official_since": "2024-03",      # = last official history entry
       "evidence_status": "...", "evidence_since": ..., "evidence_rule": ...,
                                         # as last derived; derived again from the evidence on import
                                         # (a new history entry where the evidence now says otherwise)
       "relatives": [{full_name, relationship, relationship_note, is_reporter,
                      phone, email, address, notes}],  # the four contact fields only if "contacts"
                      # relationship: a code (mother, brother, ... other); the note is the family's
                      # own words. Free text of earlier files ("мама") is read as its code, or as
                      # "other" with the text as the note.
       "evidence": [{claim, event_date, reported_date, place, text, visibility, official_status,
                     birth_date,
                     source: {kind, name, reliability: "A".."F", credibility: "1".."6", notes},
                     attachments: [{sha256, filename, media_type, size_bytes}]}],
       "status_history": {"official": [ENTRY, ...], "evidence": [ENTRY, ...]},
       "requests": [{requested_status, authority, evidence: [REF], submitted_on, deadline,
                     outcome, outcome_on, note,
                     answers: [{received_on, outcome, text}]}]}]}

    ENTRY = {status, previous_status, since, rule, rule_text, facts: [REF], reason, changed_at}
    REF   = index into the same case's "evidence" list, or "REFERENCE#index" for an item of another
            case in the file (evidence of a case merged into this one)

An export writes one case per line (any JSON layout is read). Partial dates are ISO text ("2023",
"2023-05", "2023-05-17"); request dates are full dates; `changed_at` is ISO 8601 with its UTC
offset; every enum is written as its value. Unknown fields are refused (a typo must not silently
drop data). Attachments travel as their hashes and metadata: the files themselves are copied
separately (they are stored by SHA-256 under var/attachments).
User accounts, caseworker assignments and family links are per installation and not carried.

An export holds only what the actor may see: a family account gets the cases it is linked to and,
on them, family-visible evidence only (references to anything else are dropped, rule texts reduced
to the rule's own sentence). An import needs a caseworker or admin, checks every record before
writing, and is idempotent by natural keys (see `transfer_import`); an error names the case and the
JSON path of the field ("case UA-7: cases[6].evidence[2].event_date"), and nothing is written.
Round trip: export, import into an empty registry, export again gives the same document.
A JSON list of flat records (the first JSON format, one object per case with the CSV's fields)
is still read.

CSV: the flat person list
-------------------------
One row per case, keyed by its `reference`, with the person's fields, alternative spellings
("last|first|patronymic; ...") and the official status. A record whose reference exists and whose
person is unchanged is skipped; a changed person is updated. A bad row stops the import with an
error naming the row and the field, before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain.dates import PartialDate, PartialDateError
from kintrace.domain.errors import DomainError
from kintrace.domain.person import detect_script
from kintrace.domain.records import PersonRecord, problems
from kintrace.domain.status import transition_path
from kintrace.domain.vocabulary import PersonStatus, StatusTrack
from kintrace.services import auditing
from kintrace.services.access import Actor, case_visibility_clause, require_writer
from kintrace.services.cases import create_case, update_person
from kintrace.services.errors import ValidationFailed
from kintrace.services.persons import record_of
from kintrace.services.transfer_export import export_document, write_document
from kintrace.services.transfer_import import STAGES, PlannedCase, import_case_files
from kintrace.services.transfer_schema import FORMAT, PERSON_FIELDS, CaseFile, parse_document
from kintrace.store.models import Case, StatusChange
from kintrace.store.models import MissingPerson as PersonRow

FIELDS: tuple[str, ...] = (
    "reference",
    *PERSON_FIELDS,
    "official_status",
    "official_since",
    # Written on export for the reader; an import ignores them (both are derived or managed here).
    "state",
    "evidence_status",
)
FORMATS = ("csv", "json")
_NAME_SEPARATOR = "; "  # between alternative names in a CSV cell
_PART_SEPARATOR = "|"  # between last|first|patronymic of one alternative name


@dataclass(frozen=True)
class CaseRecord:
    reference: str
    person: PersonRecord
    official_status: PersonStatus
    official_since: PartialDate | None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- reading -----------------------------------------------------------------------------------------


def read_records(text: str, fmt: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(label, raw record) pairs; the label says where a record is ("row 7" of a CSV, "record 3" of JSON)."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or "reference" not in reader.fieldnames:
            raise ValidationFailed("row 1: reference", "the CSV header must name a 'reference' column")
        unknown = [name for name in reader.fieldnames if name not in FIELDS]
        if unknown:
            raise ValidationFailed(f"row 1: {unknown[0]}", f"unknown column {unknown[0]!r}")
        return [(f"row {reader.line_num}", row) for row in reader]
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationFailed("file", f"not JSON: {error}") from None
        if isinstance(data, dict):
            raise ValidationFailed(
                "file", f"a {FORMAT} document holds whole case files; read it with parse_text"
            )
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ValidationFailed("file", f"a JSON import is a {FORMAT} document or a list of flat records")
        return [(f"record {n}", item) for n, item in enumerate(data, start=1)]
    raise ValidationFailed("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    return value or None


def _script(last: str | None, first: str | None, patronymic: str | None, script: str | None) -> str | None:
    """The script a file gives, or the one the letters of the name are written in."""
    if script is not None or last is None:
        return script
    found = detect_script(f"{last}{first or ''}{patronymic or ''}")
    if found is None:
        raise DomainError(f"cannot tell the script of {last!r}; give a script column", field="script")
    return found.value


def _alias(last: str | None, first: str | None, patronymic: str | None, script: str | None, n: int) -> Any:
    try:
        chosen = _script(last, first, patronymic, script)
    except DomainError as error:
        raise error.within(f"alternative_names[{n}]") from None
    return {"last_name": last, "first_name": first, "patronymic": patronymic, "script": chosen}


def _aliases(raw: Mapping[str, Any]) -> list[Any]:
    """The file's alternative names ({last, first, patronymic, script}) as the record's aliases."""
    value = raw.get("alternative_names")
    if value in (None, ""):
        return []
    if isinstance(value, str):
        aliases = []
        for n, spelled in enumerate(part for part in value.split(";") if part.strip()):
            parts = [p.strip() or None for p in spelled.split(_PART_SEPARATOR)] + [None, None]
            aliases.append(_alias(parts[0], parts[1], parts[2], None, n))
        return aliases
    if isinstance(value, list):
        aliases = []
        for n, item in enumerate(value):
            if not isinstance(item, dict):
                raise DomainError("each alternative name is an object", field=f"alternative_names[{n}]")
            last, first, patronymic, script = (
                _text(item, key) for key in ("last", "first", "patronymic", "script")
            )
            aliases.append(_alias(last, first, patronymic, script, n))
        return aliases
    raise DomainError(
        "a list of names (JSON) or 'last|first|patronymic; ...' (CSV)", field="alternative_names"
    )


# An alias's fields as the file names them (its "alternative_names" hold last/first/patronymic/script).
_FILE_ALIAS = {"last_name": "last", "first_name": "first"}


def _file_field(field: str) -> str:
    """ "aliases[0].last_name" -> "alternative_names[0].last": the record's field as the file names it."""
    if not field.startswith("aliases"):
        return field
    head, _, tail = field.partition(".")
    renamed = head.replace("aliases", "alternative_names", 1)
    return f"{renamed}.{_FILE_ALIAS.get(tail, tail)}" if tail else renamed


def person_record(raw: Mapping[str, Any]) -> PersonRecord:
    """The person of a raw record (CSV row or JSON object), checked by the record model; a blank value
    is left out. DomainError names the field as the file names it."""
    values: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        if name != "alternative_names" and (value := _text(raw, name)) is not None:
            values[name] = value
    values["script"] = _script(
        values.get("last_name"), values.get("first_name"), values.get("patronymic"), values.get("script")
    )
    if values["script"] is None:
        del values["script"]
    values["aliases"] = _aliases(raw)
    try:
        return PersonRecord.model_validate(values)
    except ValidationError as error:
        field, message = problems(error)[0]
        raise DomainError(message, field=_file_field(field)) from None


def parse_record(raw: Mapping[str, Any]) -> CaseRecord:
    """One raw record as a validated case record; DomainError names the field at fault."""
    reference = _text(raw, "reference")
    if reference is None:
        raise DomainError("every record needs its reference (the natural key)", field="reference")
    person = person_record(raw)
    status_text = _text(raw, "official_status") or PersonStatus.MISSING.value
    try:
        official = PersonStatus(status_text)
    except ValueError:
        raise DomainError(f"{status_text!r} is not a status", field="official_status") from None
    since = _text(raw, "official_since")
    try:
        official_since = None if since is None else PartialDate.parse(since)
    except PartialDateError as error:
        raise DomainError(str(error), field="official_since") from None
    return CaseRecord(reference, person, official, official_since)


def _column(field: str | None) -> str:
    return field or "record"


def parse_all(text: str, fmt: str) -> list[CaseRecord]:
    """Every record checked before anything is written; the first bad one raises naming row and field."""
    records: list[CaseRecord] = []
    seen: dict[str, str] = {}
    for label, raw in read_records(text, fmt):
        try:
            record = parse_record(raw)
        except DomainError as error:
            raise ValidationFailed(f"{label}: {_column(error.field)}", error.message) from None
        if record.reference in seen:
            raise ValidationFailed(
                f"{label}: reference", f"{record.reference!r} repeats {seen[record.reference]}"
            )
        seen[record.reference] = label
        records.append(record)
    return records


# --- writing -----------------------------------------------------------------------------------------


def _set_imported_status(session: Session, actor: Actor, case: Case, record: CaseRecord) -> None:
    """The official status another register already holds, written as the legal steps that lead to it."""
    if record.official_status is PersonStatus.MISSING:
        return
    before = auditing.snapshot(case)
    previous = case.official_status
    since = record.official_since
    for step in transition_path(previous, record.official_status):
        session.add(
            StatusChange(
                case_id=case.id,
                track=StatusTrack.OFFICIAL,
                status=step,
                previous_status=previous,
                since=since,
                reason="imported",
                fact_ids=[],
                changed_by_id=actor.user_id,
            )
        )
        previous = step
    case.official_status, case.official_since = record.official_status, since
    auditing.record(session, actor, "status.official", case, before=before)


def import_cases(
    session: Session,
    actor: Actor,
    records: Sequence[CaseRecord],
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write checked records in the caller's transaction (the caller commits, or rolls back on error)."""
    require_writer(actor, "import cases")
    references = [record.reference for record in records]
    existing: dict[str, Case] = {}
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        query = (
            select(Case)
            .where(Case.reference.in_(chunk))
            .options(selectinload(Case.person).selectinload(PersonRow.aliases))
        )
        existing.update({case.reference: case for case in session.scalars(query)})
    created = updated = unchanged = 0
    for record in records:
        case = existing.get(record.reference)
        if case is None:
            case = create_case(session, actor, record.person, reference=record.reference)
            _set_imported_status(session, actor, case, record)
            created += 1
        elif record_of(case.person) == record.person:
            unchanged += 1
        else:
            update_person(session, actor, case.id, record.person)
            updated += 1
        if progress is not None:
            progress(1)
    return ImportResult(created, updated, unchanged)


@dataclass(frozen=True)
class ImportPlan:
    """A checked file: flat person records (CSV, the first JSON format) or whole case files."""

    records: Sequence[CaseRecord] = ()
    cases: Sequence[PlannedCase] = ()

    def __len__(self) -> int:
        return len(self.records) + len(self.cases)

    @property
    def steps(self) -> int:
        """How many progress ticks the import of this plan gives."""
        return len(self.records) + STAGES * len(self.cases)


def _planned(case: CaseFile) -> PlannedCase:
    try:
        person = person_record(case.person)
    except DomainError as error:
        raise ValidationFailed(
            f"case {case.reference}: {case.path}.person.{_column(error.field)}", error.message
        ) from None
    return PlannedCase(case, person)


def parse_text(text: str, fmt: str) -> ImportPlan:
    """Every record of a CSV or JSON file checked before anything is written."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationFailed("file", f"not JSON: {error}") from None
        if isinstance(data, dict):
            return ImportPlan(cases=[_planned(case) for case in parse_document(data)])
    return ImportPlan(records=parse_all(text, fmt))


def import_plan(
    session: Session,
    actor: Actor,
    plan: ImportPlan,
    *,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Write a checked file in the caller's transaction (the caller commits, or rolls back on error)."""
    if plan.cases:
        counts = import_case_files(session, actor, plan.cases, progress=progress, today=today)
        return ImportResult(counts.created, counts.updated, counts.unchanged)
    return import_cases(session, actor, plan.records, progress=progress)


def import_text(session: Session, actor: Actor, text: str, fmt: str) -> ImportResult:
    return import_plan(session, actor, parse_text(text, fmt))


# --- export ------------------------------------------------------------------------------------------


def _flat(case: Case) -> dict[str, Any]:
    person = case.person
    values: dict[str, Any] = {name: getattr(person, name, None) for name in FIELDS}
    values["reference"] = case.reference
    values["sex"] = person.sex.value
    values["official_status"] = case.official_status.value
    values["official_since"] = case.official_since
    values["state"] = case.state.value
    values["evidence_status"] = case.evidence_status.value
    return values


def export_records(session: Session, actor: Actor) -> Iterable[dict[str, Any]]:
    """The flat person list of every case the actor may see (a family: only its own cases)."""
    query = (
        select(Case)
        .where(case_visibility_clause(actor))
        .options(selectinload(Case.person).selectinload(PersonRow.aliases))
        .order_by(Case.id)
        .execution_options(yield_per=500)
    )
    for case in session.scalars(query):
        values = _flat(case)
        values["alternative_names"] = [
            {"last": a.last_name, "first": a.first_name, "patronymic": a.patronymic, "script": a.script}
            for a in case.person.aliases
        ]
        yield values


def export_text(session: Session, actor: Actor, fmt: str, *, include_contacts: bool = False) -> str:
    """JSON: the whole case file ("kintrace-cases/2"); CSV: the flat person list."""
    out = io.StringIO()
    write_export(session, actor, fmt, out, include_contacts=include_contacts)
    return out.getvalue()


def write_export(
    session: Session, actor: Actor, fmt: str, out: TextIO, *, include_contacts: bool = False
) -> int:
    """Stream the export to `out`; returns how many cases it holds."""
    if fmt == "json":
        return write_document(session, actor, out, include_contacts=include_contacts)
    if fmt != "csv":
        raise ValidationFailed("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    if include_contacts:
        raise ValidationFailed("include_contacts", "the CSV person list carries no relatives; export JSON")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in export_records(session, actor):
        count += 1
        record["alternative_names"] = _NAME_SEPARATOR.join(
            _PART_SEPARATOR.join(n[k] or "" for k in ("last", "first", "patronymic")).rstrip(_PART_SEPARATOR)
            for n in record["alternative_names"]
        )
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return count


__all__ = [
    "FIELDS",
    "FORMAT",
    "FORMATS",
    "CaseRecord",
    "ImportPlan",
    "ImportResult",
    "export_document",
    "export_text",
    "import_plan",
    "import_text",
    "parse_all",
    "parse_text",
    "write_export",
]
