"""The linkage engine's inputs from the registry: cases (with every spelling) and a list's entries.

Both sides become the engine's records (`record_id,last_name,first_name,patronymic,birth_date,unit`
plus the identifying columns it recognises: service_number, place_of_birth, rank), so the registry
is matched by exactly the features `kintrace link` builds from two CSV files.

A case is one record per spelling of the name: the person's own and each alias ("Мельник" and
"Melnyk" are both the man), named `c<case id>` and `c<case id>a<alias id>`; what comes back is
folded onto the case. A list entry is its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import CaseState
from kintrace.store.models import Case, ListEntry, PersonAlias
from kintrace.store.models import MissingPerson as PersonRow
from kintrace.store.types import as_text

if TYPE_CHECKING:
    import pandas as pd

# The engine's column for each identifying field of a person and of an entry.
RECORD_COLUMNS = (
    "record_id",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "unit",
    "service_number",
    "place_of_birth",
    "rank",
)
EXTRA_COLUMNS = ("service_number", "place_of_birth", "rank")

_IN_CHUNK = 500  # ids per IN (...): SQLite's bound parameter limit stays far away
# Birth dates are read as their stored text (`as_text`): the engine compares the text, and a list of
# a million entries need not be parsed into PartialDate and written back.


def case_record_id(case_id: int, alias_id: int | None = None) -> str:
    return f"c{case_id}" if alias_id is None else f"c{case_id}a{alias_id}"


def case_of_record(record_id: str) -> int:
    """The case a record id (`case_record_id`) stands for."""
    return int(record_id[1:].split("a", 1)[0])


def matchable_case_ids(session: Session, case_ids: Iterable[int] | None = None) -> list[int]:
    """Open cases whose family agreed to list matching (unverified, merged and closed cases never)."""
    query = select(Case.id).where(
        Case.state == CaseState.OPEN, Case.list_matching_consent.is_(True), Case.merged_into_id.is_(None)
    )
    if case_ids is None:
        return list(session.scalars(query.order_by(Case.id)))
    wanted = sorted(set(case_ids))
    out: list[int] = []
    for i in range(0, len(wanted), _IN_CHUNK):
        out += session.scalars(query.where(Case.id.in_(wanted[i : i + _IN_CHUNK])))
    return sorted(out)


def matchable_case_rows(session: Session) -> tuple[list[int], list[tuple[str | None, ...]]]:
    """Every matchable case (`matchable_case_ids`) and one row per spelling of its name, read in two
    joined queries (a whole registry at once, not in chunks of ids)."""
    person = PersonRow
    matchable = (
        Case.state == CaseState.OPEN,
        Case.list_matching_consent.is_(True),
        Case.merged_into_id.is_(None),
    )
    people = session.execute(
        select(person.case_id, person.last_name, person.first_name, person.patronymic,
               as_text(person.birth_date), person.unit, person.service_number, person.birth_place,
               person.rank)
        .join(Case, Case.id == person.case_id).where(*matchable).order_by(person.case_id)
    ).all()  # fmt: skip
    rows: list[tuple[str | None, ...]] = [(case_record_id(p[0]), *p[1:]) for p in people]
    by_case = {p[0]: p for p in people}
    aliases = session.execute(
        select(person.case_id, PersonAlias.id, PersonAlias.last_name, PersonAlias.first_name,
               PersonAlias.patronymic)
        .join(person, person.id == PersonAlias.person_id).join(Case, Case.id == person.case_id)
        .where(*matchable)
    ).all()  # fmt: skip
    for a in aliases:
        p = by_case[a[0]]
        rows.append((case_record_id(a[0], a[1]), a[2], a[3], a[4], *p[4:]))
    return [p[0] for p in people], rows


def case_rows(session: Session, case_ids: Sequence[int]) -> list[tuple[str | None, ...]]:
    """One row per spelling of each case's name, in `RECORD_COLUMNS` order."""
    rows: list[tuple[str | None, ...]] = []
    person = PersonRow
    columns = (
        person.id,
        person.case_id,
        person.last_name,
        person.first_name,
        person.patronymic,
        as_text(person.birth_date),
        person.unit,
        person.service_number,
        person.birth_place,
        person.rank,
    )
    for i in range(0, len(case_ids), _IN_CHUNK):
        chunk = list(case_ids[i : i + _IN_CHUNK])
        people = session.execute(select(*columns).where(person.case_id.in_(chunk))).all()
        by_person = {p.id: p for p in people}
        for p in people:
            rows.append((case_record_id(p.case_id), *p[2:]))
        aliases = session.execute(
            select(PersonAlias.id, PersonAlias.person_id, PersonAlias.last_name, PersonAlias.first_name,
                   PersonAlias.patronymic).where(PersonAlias.person_id.in_(list(by_person)))
        ).all()  # fmt: skip
        for a in aliases:
            p = by_person[a.person_id]
            # An alias is another spelling of the name: the man's other fields stand as they are.
            rows.append((case_record_id(p.case_id, a.id), a.last_name, a.first_name, a.patronymic, *p[5:]))
    return rows


_ENTRY_COLUMNS = (
    ListEntry.id,
    ListEntry.last_name,
    ListEntry.first_name,
    ListEntry.patronymic,
    as_text(ListEntry.birth_date),
    ListEntry.unit,
    ListEntry.service_number,
    ListEntry.birth_place,
    ListEntry.rank,
)


def entry_rows(
    session: Session, list_id: int | None, entry_ids: Sequence[int] | None = None
) -> list[tuple[str | None, ...]]:
    """A list's entries (or those of `entry_ids`, on it or on any list), in `RECORD_COLUMNS` order."""
    query = select(*_ENTRY_COLUMNS)
    if list_id is not None:
        query = query.where(ListEntry.list_id == list_id)
    if entry_ids is None:
        found = session.execute(query.order_by(ListEntry.id)).all()
    else:
        found = []
        ids = sorted(entry_ids)
        for i in range(0, len(ids), _IN_CHUNK):
            found += session.execute(query.where(ListEntry.id.in_(ids[i : i + _IN_CHUNK]))).all()
    return [(str(r[0]), *r[1:]) for r in found]


def records_frame(rows: list[tuple[str | None, ...]], source: str) -> pd.DataFrame:
    """The engine's validated records (`linkage.io.records_from_frame`) from rows of `RECORD_COLUMNS`."""
    import pandas as pd

    from kintrace.linkage.io import records_from_frame

    frame = pd.DataFrame.from_records(rows, columns=list(RECORD_COLUMNS))
    # An identifying column nobody filled in is no evidence; the engine compares what both sides give.
    present = [c for c in EXTRA_COLUMNS if frame[c].notna().any()]
    frame = frame[[c for c in RECORD_COLUMNS if c not in EXTRA_COLUMNS or c in present]]
    return records_from_frame(frame, source=source)
