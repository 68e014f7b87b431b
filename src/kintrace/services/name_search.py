"""Name search on the stored cross-script keys (services/name_keys): one answer for the desk and the API.

A query is split into words; a full word asks for a person with a name word of the same phonetic key
(or one that begins with it, so "Шевч" still finds "Шевченко"), an initial ("О.") for a given name or
patronymic with that initial. The candidates, persons holding every word of the query, come from one
indexed query over person_name_keys, restricted to the cases the actor may see, and are ranked in the
same query by how well each word matches (the same writing before the same sound before a beginning,
a surname written as typed first: the wt:/ws: key rows of the words as written), then by newest case.
Each hit of the page then says why it was found ("surname spelled differently: Melnik ~ Мельник").

A common word ("олександрович": 18,000 of 100,000 persons) is not ranked whole: the highest score any
person can reach, and the keys that reach it, are read from the index (`_top_tier`), and a page that
those persons fill is their newest cases (`_top_page`), with the count from the index rows
(`_total`). Measured at 100,000 cases (`python -m benchmarks load`, benchmarks/results/load.json).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import ColumnElement, Subquery, and_, case, distinct, exists, func, literal, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

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

    def clause(self, column: InstrumentedAttribute[str] = PersonNameKey.key) -> ColumnElement[bool]:
        """The person_name_keys rows that satisfy this word: an exact key or one it begins."""
        if self.initial is not None:
            return column == f"i:{self.initial}"
        return or_(*(_starts(column, f"w:{key}") for key in sorted(self.keys)))

    def weight(self) -> ColumnElement[int]:
        """How well one key row meets this word (How's weights, the writing apart)."""
        if self.initial is not None:
            return case((self.clause(), How.INITIAL.value), else_=0)
        return case((self.exact(), How.SPELLING.value), (self.clause(), How.BEGINNING.value), else_=0)

    def exact(self) -> ColumnElement[bool]:
        """The key rows of another spelling of the same sound (a full word's)."""
        return PersonNameKey.key.in_([f"w:{key}" for key in sorted(self.keys)])

    def written(self) -> list[str]:
        """The keys of this word written as typed (services/name_keys.writing_keys): anywhere in the
        name, and as a surname; none for an initial, or a word too long to be stored as written."""
        word = _normal(self.typed)
        if self.initial is not None or len(word) > WRITTEN_MAX:
            return []
        return [WRITTEN + word, SURNAME_WRITTEN + word]

    def written_points(self) -> list[ColumnElement[int]]:
        """One point if a word of the name is written as typed, one more if that word is a surname:
        read from the ``wt:``/``ws:`` key rows, aggregated per person beside the weight."""
        return [func.max(case((PersonNameKey.key == key, 1), else_=0)) for key in self.written()]

    def writing(self, padded: ColumnElement[str], *, every: bool = False) -> list[ColumnElement[int]]:
        """The same points from the person's search_text: for a word longer than the stored ones, or
        for `every` word (a few persons found by several words: cheaper than their key rows).

        `padded` is the person's search_text (every spelling, case-folded, one a line) as
        "| last first patronymic | last first |": words stand between spaces, surnames after "| ".
        The typed word holds letters only, so it needs no LIKE escaping."""
        word = _normal(self.typed)
        if self.initial is not None or (len(word) <= WRITTEN_MAX and not every):
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


def _anchor(session: Session, words: Sequence[_QueryWord]) -> _QueryWord | None:
    """The word whose persons bound those whose other keys are read (None for a single word).

    The rarest full word: an initial is common (a tenth of the registry shares one), and counting a
    word's index range is cheap beside reading the persons of a common one ("Олександр Шевченко":
    Шевченко's 4,000, not Олександр's 10,000)."""
    full = [word for word in words if word.initial is None]
    if not full or len(words) == 1:
        return None
    return min(full, key=lambda word: _rows_of(session, word)) if len(full) > 1 else full[0]


def _found(
    words: Sequence[_QueryWord], anchor: _QueryWord | None, *, weighted: bool, ordinal: bool = False
) -> Subquery:
    """Every person holding every word of the query, read from the index rows of the query's keys
    alone; `weighted`, with their weight: each word's best key (How's weights) and, for a single word,
    its points for being written as typed (the wt:/ws: rows; for several words the anchor's persons are
    read, each with all its rows, and those points come from the few found persons' names instead)."""
    clauses = [word.clause() for word in words]
    held = [func.max(case((clause, 1), else_=0)) == 1 for clause in clauses]
    if weighted:
        points: list[ColumnElement[int]] = [func.max(word.weight()) for word in words]
        written: list[str] = []
        if anchor is None:
            points += [point for word in words for point in word.written_points()]
            written = sorted({key for word in words for key in word.written()})
        matching = or_(*clauses, PersonNameKey.key.in_(written)) if written else or_(*clauses)
        keyed = select(PersonNameKey.person_id, sum(points, start=literal(0)).label("weight")).where(matching)
    else:
        keyed = select(PersonNameKey.person_id, literal(0).label("weight")).where(or_(*clauses))
    if anchor is not None:
        anchored = select(PersonNameKey.person_id).where(anchor.clause())
        keyed = keyed.where(PersonNameKey.person_id.in_(anchored))
        if ordinal:
            # SQLite reads each of the anchor's persons by its index rows; in byte order the words'
            # keys (i: and w:) are one range of them, so the b: and written (wt:/ws:) rows are not
            # read. Not on PostgreSQL, whose collation may order the punctuation otherwise.
            keyed = keyed.where(PersonNameKey.key >= "i:", PersonNameKey.key < "w;")
    return keyed.group_by(PersonNameKey.person_id).having(*held).subquery()


def _ranked(
    session: Session,
    words: Sequence[_QueryWord],
    where: Sequence[ColumnElement[bool]],
    *,
    offset: int,
    limit: int | None,
    plain: bool | None,
) -> tuple[list[tuple[int, int, int]], int]:
    """(person id, case id, score) of one page of the visible persons holding every word of the query,
    best first, and how many there are. A page that the persons of the highest score fill is read
    from them alone (`_top_page`); otherwise one query ranks every person found. `plain` (`_plain`): a staff
    member's search without filters, which the index rows count alone."""
    anchor = _anchor(session, words)
    if limit is not None and anchor is None:  # several words: one query over the anchor's persons
        page = _top_page(session, words, where, offset=offset, limit=limit)
        if page is not None:
            return page, _total(session, words, anchor, where, plain=plain)
    found = _found(words, anchor, weighted=True, ordinal=_ordinal(session))
    padded = "| " + func.replace(PersonRow.search_text, "\n", " | ") + " |"
    bonuses = [bonus for word in words for bonus in word.writing(padded, every=anchor is not None)]
    score = sum(bonuses, start=found.c.weight)
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
        total = _total(session, words, anchor, where, plain=plain)
    return [(int(pid), int(cid), int(points)) for pid, cid, points, _ in rows], total


# The top tier is tried when the rarest key row it needs is held this often (below, ranking every
# person found is cheap), and looked for among at most this many of the newest cases.
TOP_TIER_MIN_ROWS = 1000
TOP_TIER_MAX_WINDOW = 10000
# A tier whose rarest key is held by one case in TOP_TIER_DENSE or more is looked for among the newest
# cases; a rarer one is read from the persons holding that key, up to TOP_TIER_MAX_ROWS of them.
TOP_TIER_DENSE = 20
TOP_TIER_MAX_ROWS = 8000


def _top_tier(session: Session, words: Sequence[_QueryWord]) -> tuple[int, list[ColumnElement[bool]]] | None:
    """The highest score a person can reach for this query, and the key rows a person must hold to
    reach it (None when a word is too long to be stored as written).

    Each word's score is its best key's weight plus its written-as-typed points, so the highest is
    each word's best weight that some stored key gives plus the points that some stored name gives;
    a person reaches their sum exactly when they hold, for every word, each of those keys."""
    best = 0
    needs: list[ColumnElement[bool]] = []
    for word in words:
        if word.initial is not None:
            best += How.INITIAL.value
            needs.append(word.clause())
            continue
        written = word.written()
        if not written:
            return None
        if _any_row(session, word.exact()):
            best += How.SPELLING.value
            needs.append(word.exact())
        else:
            best += How.BEGINNING.value
            needs.append(word.clause())
        for key in written:
            if _any_row(session, PersonNameKey.key == key):
                best += 1
                needs.append(PersonNameKey.key == key)
    return best, needs


def _top_page(
    session: Session,
    words: Sequence[_QueryWord],
    where: Sequence[ColumnElement[bool]],
    *,
    offset: int,
    limit: int,
) -> list[tuple[int, int, int]] | None:
    """The page when the persons of the highest score fill it, else None (the caller ranks every
    person found).

    The ranking orders by score, then newest case: the page's rows are then the newest cases of
    persons at the highest score (`_top_tier`). When the tier's rarest key is common, they are among
    the newest cases ("олександрович": 12,000 of 100,000 persons reach it, so the page is found among
    the newest 500 cases or so, with two index lookups a case), looked for in a window of the newest
    cases sized by how common it is; otherwise the persons holding the rarest key are read, those
    holding every other key of the tier kept, and the newest of them taken."""
    if all(_rows_of(session, word) < TOP_TIER_MIN_ROWS for word in words):  # few found: rank them all
        return None
    top = _top_tier(session, words)
    if top is None:
        return None
    best, needs = top
    counts = [_rows_where(session, need) for need in needs]
    rarest = min(counts)
    if rarest < TOP_TIER_MIN_ROWS:
        return None
    newest = session.scalar(select(func.max(Case.id)))  # two queries: each is one index lookup
    oldest = session.scalar(select(func.min(Case.id)))
    if newest is None or oldest is None:
        return None
    span = newest - oldest + 1
    holds = [
        exists(select(literal(1)).where(PersonNameKey.person_id == PersonRow.id, need)) for need in needs
    ]
    query = (
        select(PersonRow.id, PersonRow.case_id)
        .select_from(Case)
        .join(PersonRow, PersonRow.case_id == Case.id)
    )
    if rarest * TOP_TIER_DENSE >= span:  # a common tier: among the newest cases
        window = min(TOP_TIER_MAX_WINDOW, -(-2 * (offset + limit) * span // rarest))
        query = query.where(*where, Case.id > newest - window, *holds)
    elif rarest <= TOP_TIER_MAX_ROWS:  # from the persons holding its rarest key
        holding = select(PersonNameKey.person_id).where(needs[counts.index(rarest)])
        query = query.where(*where, PersonRow.id.in_(holding), *holds)
    else:
        return None
    rows = session.execute(query.order_by(Case.id.desc()).offset(offset).limit(limit)).all()
    if len(rows) < limit:
        return None
    return [(int(pid), int(cid), best) for pid, cid in rows]


def _total(
    session: Session,
    words: Sequence[_QueryWord],
    anchor: _QueryWord | None,
    where: Sequence[ColumnElement[bool]],
    *,
    plain: bool | None,
) -> int:
    """How many visible persons hold every word. A staff member's search without filters (`plain` not
    None) counts the index rows alone, and takes away the persons of merged cases (few) when it leaves
    them out (`plain` True), rather than reading every person's case."""
    if plain is None:
        found = _found(words, anchor, weighted=False, ordinal=_ordinal(session))
        counted = (
            select(func.count())
            .select_from(found)
            .join(PersonRow, PersonRow.id == found.c.person_id)
            .join(Case, Case.id == PersonRow.case_id)
            .where(*where)
        )
        return int(session.scalar(counted) or 0)
    # The persons of one word's rows (the anchor's) that hold the others, each asked by index lookups.
    first = anchor if anchor is not None else words[0]
    other = aliased(PersonNameKey)
    held = [
        exists(select(literal(1)).where(other.person_id == PersonNameKey.person_id, word.clause(other.key)))
        for word in words
        if word is not first
    ]
    counted = select(func.count(distinct(PersonNameKey.person_id))).where(first.clause(), *held)
    everyone = int(session.scalar(counted) or 0)
    if not plain:  # merged cases too
        return everyone
    holds = [
        exists(select(literal(1)).where(PersonNameKey.person_id == PersonRow.id, word.clause()))
        for word in words
    ]
    merged = (
        select(func.count())
        .select_from(Case)
        .join(PersonRow, PersonRow.case_id == Case.id)
        .where(Case.state == CaseState.MERGED, *holds)
    )
    return everyone - int(session.scalar(merged) or 0)


def _plain(actor: Actor, clauses: Sequence[ColumnElement[bool]]) -> bool | None:
    """For a staff member's search without filters, whether `clauses` leave merged cases out (True)
    or keep every case (False); None for any other search."""
    unmerged = Case.state != CaseState.MERGED
    if not actor.is_staff or not all(c.compare(true()) or c.compare(unmerged) for c in clauses):
        return None
    return any(c.compare(unmerged) for c in clauses)


def _ordinal(session: Session) -> bool:
    """Whether the database compares the keys byte by byte (SQLite's BINARY collation)."""
    return session.get_bind().dialect.name == "sqlite"


def _any_row(session: Session, clause: ColumnElement[bool]) -> bool:
    return session.scalar(select(literal(1)).select_from(PersonNameKey).where(clause).limit(1)) is not None


def _rows_where(session: Session, clause: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(PersonNameKey).where(clause)) or 0


def _rows_of(session: Session, word: _QueryWord) -> int:
    return _rows_where(session, word.clause())


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
    plain = _plain(actor, clauses)
    rows, total = _ranked(session, words, clauses, offset=offset, limit=limit, plain=plain)
    spellings = _spellings(session, [person_id for person_id, _, _ in rows])
    hits = [
        NameHit(case_id=cid, person_id=pid, score=score, matches=_explain(words, spellings[pid]))
        for pid, cid, score in rows
    ]
    return NameSearch(hits=hits, total=total)
