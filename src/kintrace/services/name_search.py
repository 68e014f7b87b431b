"""Name search on the stored cross-script keys (services/name_keys): one answer for the desk and the API.

A query is split into words; a full word asks for a person with a name word of the same phonetic key
(or one that begins with it, so "Шевч" still finds "Шевченко"), an initial ("О.") for a given name or
patronymic with that initial. The candidates, persons holding every word of the query, come from one
indexed query over person_name_keys, restricted to the cases the actor may see, and are ranked in the
same query by how well each word matches (the same writing before the same sound before a beginning,
a surname written as typed first), so a page of a common name reads no more than its own rows. Each hit
of the page then says why it was found ("surname spelled differently: Melnik ~ Мельник").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kintrace.domain.text import without_stress_marks
from kintrace.domain.vocabulary import CaseState
from kintrace.linkage.names.forms import canonical_given_name
from kintrace.linkage.names.keys import name_key
from kintrace.services.access import Actor, case_visibility_clause
from kintrace.services.name_keys import SURNAME_WRITTEN, WRITTEN, WRITTEN_MAX, word_keys
from kintrace.store.models import Case, PersonAlias, PersonNameKey
from kintrace.store.models import MissingPerson as PersonRow

# A letter run, with the dot of an initial ("О.") kept; digits and punctuation separate words.
_WORD = re.compile(r"[^\W\d_]+\.?")
MAX_QUERY_WORDS = 6


class Part(Enum):
    SURNAME = "surname"
    GIVEN = "given name"
    PATRONYMIC = "patronymic"


class How(Enum):
    """How one word of the query met a word of the name, best first (the value is its weight)."""

    SAME = 4  # the same writing
    SPELLING = 3  # another spelling of the same sound (another script, a transliteration)
    BEGINNING = 2  # the beginning of the word ("Шевч" of "Шевченко")
    INITIAL = 1  # an initial ("О." of "Ольга")


@dataclass(frozen=True)
class WordMatch:
    typed: str
    stored: str
    part: Part
    how: How

    @property
    def text(self) -> str:
        """The reason in English (the desk translates it from its parts)."""
        if self.how is How.SAME:
            return f"{self.part.value}: {self.stored}"
        if self.how is How.SPELLING:
            return f"{self.part.value} spelled differently: {self.typed} ~ {self.stored}"
        if self.how is How.BEGINNING:
            return f"{self.part.value} begins with {self.typed}: {self.stored}"
        return f"initial {self.typed}"


@dataclass(frozen=True)
class NameHit:
    case_id: int
    person_id: int
    score: int
    matches: tuple[WordMatch, ...] = field(default=())

    @property
    def reason(self) -> str:
        return "; ".join(match.text for match in self.matches)


@dataclass(frozen=True)
class _QueryWord:
    typed: str
    initial: str | None  # the initial's letter when the word is one ("О." or "О")
    keys: frozenset[str]  # phonetic keys of the word (and of its canonical given name)

    def clause(self) -> ColumnElement[bool]:
        """The person_name_keys rows that satisfy this word: an exact key or one it begins."""
        column = PersonNameKey.key
        if self.initial is not None:
            return column == f"i:{self.initial}"
        return or_(*(_starts(column, f"w:{key}") for key in sorted(self.keys)))

    def weight(self) -> ColumnElement[int]:
        """How well one key row meets this word (How's weights, the writing apart)."""
        if self.initial is not None:
            return case((self.clause(), How.INITIAL.value), else_=0)
        exact = PersonNameKey.key.in_([f"w:{key}" for key in sorted(self.keys)])
        return case((exact, How.SPELLING.value), (self.clause(), How.BEGINNING.value), else_=0)

    def written(self) -> list[str]:
        """The keys of this word written as typed (services/name_keys.writing_keys): anywhere in the
        name, and as a surname; none for an initial, or a word too long to be stored as written."""
        word = _normal(self.typed)
        if self.initial is not None or len(word) > WRITTEN_MAX:
            return []
        return [WRITTEN + word, SURNAME_WRITTEN + word]

    def written_points(self) -> list[ColumnElement[int]]:
        """One point if a word of the name is written as typed, one more if that word is a surname:
        read from the ``t:``/``s:`` key rows, aggregated per person beside the weight."""
        return [func.max(case((PersonNameKey.key == key, 1), else_=0)) for key in self.written()]

    def writing(self, padded: ColumnElement[str]) -> list[ColumnElement[int]]:
        """The same points for a word longer than the stored ones, from the person's search_text.

        `padded` is the person's search_text (every spelling, case-folded, one a line) as
        "| last first patronymic | last first |": words stand between spaces, surnames after "| ".
        The typed word holds letters only, so it needs no LIKE escaping."""
        word = _normal(self.typed)
        if self.initial is not None or len(word) <= WRITTEN_MAX:
            return []
        return [
            case((padded.like(f"% {word} %"), 1), else_=0),
            case((padded.like(f"%| {word} %"), 1), else_=0),
        ]


def _starts(column: ColumnElement[str] | InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    """Keys beginning with `prefix`, as a range the index serves under any collation (a LIKE is not
    served by PostgreSQL's index outside the C locale): the words' keys are letters a-z, so every key
    with the prefix lies below the prefix with its last letter that is not "z" moved one up."""
    stem = prefix.rstrip("z")
    if len(stem) <= len("w:"):
        return column.like(f"{prefix}%")
    return and_(column >= prefix, column < stem[:-1] + chr(ord(stem[-1]) + 1))


def _normal(word: str) -> str:
    # As services/persons.search_text folds the stored names, so the SQL and the reasons agree.
    return without_stress_marks(word).casefold()


@functools.lru_cache(maxsize=65536)
def _sounds(word: str) -> frozenset[str]:
    """The phonetic keys of one word and of the canonical form of it as a given name."""
    keys = set(word_keys(word))
    canonical = canonical_given_name(word)
    if canonical:
        keys.update(word_keys(canonical))
    return frozenset(keys)


@functools.lru_cache(maxsize=65536)
def _initial_of(word: str) -> str | None:
    skeleton = name_key(word)
    return skeleton[0] if skeleton else None


def parse_query(query: str) -> list[_QueryWord]:
    """The words of a query; a word repeated counts once."""
    words: dict[tuple[str | None, frozenset[str]], _QueryWord] = {}
    for token in _WORD.findall(without_stress_marks(query))[:MAX_QUERY_WORDS]:
        letters = token.rstrip(".")
        if len(letters) == 1:
            initial = _initial_of(letters)
            if initial:
                words.setdefault((initial, frozenset()), _QueryWord(token, initial, frozenset()))
            continue
        sounds = _sounds(letters)
        if sounds:
            words.setdefault((None, sounds), _QueryWord(letters, None, sounds))
    return list(words.values())


def _ranked(
    session: Session,
    words: Sequence[_QueryWord],
    where: Sequence[ColumnElement[bool]],
    *,
    offset: int,
    limit: int | None,
) -> tuple[list[tuple[int, int, int]], int]:
    """(person id, case id, score) of one page of the visible persons holding every word of the query,
    best first, and how many there are: one query that reads only the index rows of the query's keys."""
    clauses = [word.clause() for word in words]
    held = [func.max(case((clause, 1), else_=0)) == 1 for clause in clauses]
    points = [func.max(word.weight()) for word in words] + [
        p for word in words for p in word.written_points()
    ]
    weight = sum(points, start=literal(0))
    written = sorted({key for word in words for key in word.written()})
    matching = or_(*clauses, PersonNameKey.key.in_(written)) if written else or_(*clauses)
    keyed = select(PersonNameKey.person_id, weight.label("weight")).where(matching)
    full = [word for word in words if word.initial is None]
    if full and len(words) > 1:
        # The rarest word's persons bound those whose other keys are read (an initial is common: a
        # tenth of the registry shares one). Counting a word's index range is cheap beside reading
        # the persons of a common one ("Олександр Шевченко": Шевченко's 4,000, not Олександр's 10,000).
        anchor = min(full, key=lambda word: _rows_of(session, word)) if len(full) > 1 else full[0]
        anchored = select(PersonNameKey.person_id).where(anchor.clause())
        keyed = keyed.where(PersonNameKey.person_id.in_(anchored))
    found = keyed.group_by(PersonNameKey.person_id).having(*held).subquery()
    padded = "| " + func.replace(PersonRow.search_text, "\n", " | ") + " |"
    score = sum((bonus for word in words for bonus in word.writing(padded)), start=found.c.weight)
    scored = score.label("score")  # ordered by its name: the database computes it once a row
    query = (
        select(PersonRow.id, PersonRow.case_id, scored, func.count().over())
        .join(found, found.c.person_id == PersonRow.id)
        .join(Case, Case.id == PersonRow.case_id)
        .where(*where)
        .order_by(scored.desc(), PersonRow.case_id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = session.execute(query).all()
    total = int(rows[0][3]) if rows else 0
    if not rows and offset:  # past the last page: count them
        total = len(session.execute(query.offset(0).limit(None)).all())
    return [(int(pid), int(cid), int(points)) for pid, cid, points, _ in rows], total


def _rows_of(session: Session, word: _QueryWord) -> int:
    return session.scalar(select(func.count()).select_from(PersonNameKey).where(word.clause())) or 0


_Spelling = tuple[str | None, str | None, str | None]


def _spellings(session: Session, person_ids: Sequence[int]) -> dict[int, list[_Spelling]]:
    found: dict[int, list[_Spelling]] = {pid: [] for pid in person_ids}
    for start in range(0, len(person_ids), 900):  # under SQLite's bound-parameter limit
        chunk = person_ids[start : start + 900]
        for pid, last, first, patronymic in session.execute(
            select(PersonRow.id, PersonRow.last_name, PersonRow.first_name, PersonRow.patronymic).where(
                PersonRow.id.in_(chunk)
            )
        ):
            found[pid].insert(0, (last, first, patronymic))
        for pid, last, first, patronymic in session.execute(
            select(PersonAlias.person_id, PersonAlias.last_name)
            .add_columns(PersonAlias.first_name, PersonAlias.patronymic)
            .where(PersonAlias.person_id.in_(chunk))
            .order_by(PersonAlias.id)
        ):
            found[pid].append((last, first, patronymic))
    return found


def _name_words(spellings: Sequence[_Spelling]) -> list[tuple[str, Part]]:
    words: list[tuple[str, Part]] = []
    for spelling in spellings:
        for part, text in zip(Part, spelling, strict=True):
            words.extend((word, part) for word in _WORD.findall(text or ""))
    return words


def _match_word(word: _QueryWord, name_words: Sequence[tuple[str, Part]]) -> WordMatch | None:
    """The best way this query word meets a word of the name (surname first among equals)."""
    best: WordMatch | None = None
    for stored, part in name_words:
        stored = stored.rstrip(".")
        if word.initial is not None:
            if part is Part.SURNAME:
                continue
            initials = {_initial_of(stored), _initial_of(canonical_given_name(stored) or stored)}
            how = How.INITIAL if word.initial in initials else None
        elif _normal(stored) == _normal(word.typed):
            how = How.SAME
        else:
            sounds = _sounds(stored)
            if word.keys & sounds:
                how = How.SPELLING
            elif any(sound.startswith(key) for sound in sounds for key in word.keys):
                how = How.BEGINNING
            else:
                how = None
        if how is not None and (best is None or how.value > best.how.value):
            best = WordMatch(word.typed, stored, part, how)
    return best


def _explain(words: Sequence[_QueryWord], spellings: Sequence[_Spelling]) -> tuple[WordMatch, ...]:
    name_words = _name_words(spellings)
    return tuple(match for word in words if (match := _match_word(word, name_words)) is not None)


def default_clauses(actor: Actor) -> list[ColumnElement[bool]]:
    """The cases a plain search looks in: the ones the actor may see, merged ones left out."""
    return [case_visibility_clause(actor), Case.state != CaseState.MERGED]


@dataclass(frozen=True)
class NameSearch:
    hits: list[NameHit]  # the page asked for, best match first
    total: int  # every person found


def search_by_name(
    session: Session,
    actor: Actor,
    query: str,
    *,
    where: Sequence[ColumnElement[bool]] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> NameSearch:
    """The persons whose name holds every word of `query`, best match first (then newest case).

    `where` narrows the cases (clauses over `Case`); without it, the actor's visible unmerged cases.
    Whatever is passed, the actor's visibility applies. `offset` and `limit` choose a page."""
    words = parse_query(query)
    if not words:
        return NameSearch(hits=[], total=0)
    clauses = [case_visibility_clause(actor), *(default_clauses(actor) if where is None else where)]
    rows, total = _ranked(session, words, clauses, offset=offset, limit=limit)
    spellings = _spellings(session, [person_id for person_id, _, _ in rows])
    hits = [
        NameHit(case_id=cid, person_id=pid, score=score, matches=_explain(words, spellings[pid]))
        for pid, cid, score in rows
    ]
    return NameSearch(hits=hits, total=total)
