"""Name search on the stored cross-script keys (services/name_keys): one answer for the desk and the API.

A query is split into words; a full word asks for a person with a name word of the same phonetic key
(or one that begins with it, so "Шевч" still finds "Шевченко"), an initial ("О.") for a given name or
patronymic with that initial. The candidates, persons holding every word of the query, come from one
indexed query over person_name_keys, restricted to the cases the actor may see. They are then ranked by
how well each word matches (the same writing before the same sound before a beginning) and each hit
says why it was found ("surname spelled differently: Melnik ~ Мельник").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from kintrace.domain.text import without_stress_marks
from kintrace.domain.vocabulary import CaseState
from kintrace.linkage.names.forms import canonical_given_name
from kintrace.linkage.names.keys import name_key
from kintrace.services.access import Actor, case_visibility_clause
from kintrace.services.name_keys import word_keys
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
        # A key range is a prefix match that uses the index under any collation: keys are a-z.
        return or_(*(and_(column >= f"w:{key}", column < f"w:{_next(key)}") for key in sorted(self.keys)))


def _next(key: str) -> str:
    return key[:-1] + chr(ord(key[-1]) + 1)


def _normal(word: str) -> str:
    return without_stress_marks(word).casefold().replace("ё", "е")


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


def _candidates(
    session: Session, words: Sequence[_QueryWord], where: Sequence[ColumnElement[bool]]
) -> list[tuple[int, int]]:
    """(person id, case id) of the visible persons holding every word of the query: one query that
    reads only the index rows of the query's keys, grouped by person."""
    clauses = [word.clause() for word in words]
    held = [func.max(case((clause, 1), else_=0)) == 1 for clause in clauses]
    keyed = select(PersonNameKey.person_id).where(or_(*clauses))
    full = [word for word in words if word.initial is None]
    if full and len(words) > 1:
        # An initial is common (a tenth of the registry shares one): the rows of the longest word,
        # the rarest, bound the persons whose other keys are read.
        anchor = max(full, key=lambda word: min(len(key) for key in word.keys))
        keyed = keyed.where(PersonNameKey.person_id.in_(select(PersonNameKey.person_id).where(anchor.clause())))
    keyed = keyed.group_by(PersonNameKey.person_id).having(*held)
    query = (
        select(PersonRow.id, PersonRow.case_id)
        .join(Case, Case.id == PersonRow.case_id)
        .where(PersonRow.id.in_(keyed), *where)
    )
    return [(int(person_id), int(case_id)) for person_id, case_id in session.execute(query)]


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
            select(PersonAlias.person_id, PersonAlias.last_name, PersonAlias.first_name, PersonAlias.patronymic)
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


def _rank(words: Sequence[_QueryWord], person_id: int, case_id: int, spellings: Sequence[_Spelling]) -> NameHit:
    name_words = _name_words(spellings)
    matches = [match for word in words if (match := _match_word(word, name_words)) is not None]
    score = sum(match.how.value for match in matches)
    # The surname as written weighs most: "Бондар" typed puts Бондар before Бондарь.
    score += sum(1 for match in matches if match.part is Part.SURNAME and match.how is How.SAME)
    return NameHit(case_id=case_id, person_id=person_id, score=score, matches=tuple(matches))


def default_clauses(actor: Actor) -> list[ColumnElement[bool]]:
    """The cases a plain search looks in: the ones the actor may see, merged ones left out."""
    return [case_visibility_clause(actor), Case.state != CaseState.MERGED]


def search_by_name(
    session: Session, actor: Actor, query: str, *, where: Sequence[ColumnElement[bool]] | None = None
) -> list[NameHit]:
    """The persons whose name holds every word of `query`, best match first (then newest case).

    `where` narrows the cases (clauses over `Case`); without it, the actor's visible unmerged cases.
    Whatever is passed, the actor's visibility applies."""
    words = parse_query(query)
    if not words:
        return []
    clauses = [case_visibility_clause(actor), *(default_clauses(actor) if where is None else where)]
    found = _candidates(session, words, clauses)
    spellings = _spellings(session, [person_id for person_id, _ in found])
    hits = [_rank(words, pid, cid, spellings[pid]) for pid, cid in found]
    hits.sort(key=lambda hit: (-hit.score, -hit.case_id))
    return hits
