"""Possible duplicate cases, found by the linkage engine: on filing, on demand, and dismissed.

The registry's cases (the person, every alias as a row of its own, birth date, unit, service number,
birth place, rank) go through the same features and Splink model as `kintrace dedupe`. Pairs are
scored as the registry linked to itself (the engine's link scoring, each pair once), so every pair
carries its probability, band and reasons (each field's level and Bayes factor). With `case_id`
only that case's rows are scored against the registry: the engine's blocking finds its few
candidates, while term frequencies still come from the whole registry (a pair must score the same
on filing as on the desk's list; the case's own rows count once more there, which moves nothing
beyond a registry of a handful of cases).

The pairs are stored (`DuplicateCandidate`): a full run (`refresh`: `kintrace cases duplicates
--refresh`, the desk's button, the demo) replaces them all, and one case's check (on filing; after an
edit of the person or its aliases, `recheck_case_after_commit`, in a worker once the edit committed)
replaces that case's. The desk, the API and
the CLI read the stored rows (`stored_candidates`), so a page never waits for the engine; between two
full runs, the pairs of cases not checked since keep the weights of the last run.

A pair already linked (DuplicateLink), merged, or dismissed ("not the same person") is not proposed:
a dismissal or a merge removes its stored row, a linked pair's row stays (unlinked, it is proposed
again) and is left out when read, as are pairs with a case merged away.
Candidates name other families' cases, so only staff read them; a family filing a report learns only
that the person "may already be registered" (`check_filed_case`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, delete, event, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from kintrace.domain.lists import PairBand
from kintrace.domain.vocabulary import CaseState
from kintrace.linkage.defaults import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD
from kintrace.linkage.engines import ENGINES
from kintrace.services import auditing, duplicate_keys
from kintrace.services.access import SYSTEM, Actor, require_staff, require_writer, visible_case
from kintrace.services.errors import Conflict, ValidationFailed
from kintrace.store.db import make_sessionmaker, read_only, transaction
from kintrace.store.models import (
    Case,
    DuplicateCandidate,
    DuplicateDismissal,
    DuplicateLink,
    DuplicateRun,
    Merge,
    MissingPerson,
    PersonAlias,
    utcnow,
)
from kintrace.store.types import as_text

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
ALIAS_MARK = "~"  # record id of an alias row: "<case id>~<alias id>"
# The fields the engine compares, in the order reasons are shown.
# Up to this many cases one case's check reads the whole registry (about 1 s at 2,000 cases, 6 s at
# 20,000 on this 2-core machine); beyond, the cases sharing a name key (`duplicate_keys`).
FULL_SCAN_LIMIT = 5_000
FIELDS = ("surname", "given_name", "patronymic", "birth_date", "unit", "service_number", "place_of_birth")


def compared_fields(person: MissingPerson) -> tuple[Any, ...]:
    """What the engine reads of a stored person: an edit that changes none of it keeps its pairs."""
    return (
        person.last_name,
        person.first_name,
        person.patronymic,
        person.birth_date,
        person.unit,
        person.service_number,
        person.birth_place,
        person.rank,
        tuple((a.last_name, a.first_name, a.patronymic) for a in person.aliases),
    )


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Reason:
    """One compared field: the level of agreement the engine saw and its Bayes factor."""

    field: str
    level: str
    bayes_factor: float


@dataclass(frozen=True)
class Candidate:
    """Two cases the engine thinks may be one person (`case_id` < `other_case_id`)."""

    case_id: int
    other_case_id: int
    probability: float
    match_weight: float
    band: PairBand
    reasons: tuple[Reason, ...]
    summary: str  # the engine's one-line reasons ("surname=exact x451; ...")

    def other(self, case_id: int) -> int:
        return self.other_case_id if case_id == self.case_id else self.case_id


def _registry_rows(session: Session, case_ids: set[int] | None = None) -> list[dict[str, str]]:
    """One row per spelling of every case not merged away (or of `case_ids`): the name and each alias.

    Read as plain rows in two queries (no ORM objects: a filing's check reads the whole registry)."""
    person = (
        select(
            MissingPerson.id,
            MissingPerson.case_id,
            MissingPerson.last_name,
            MissingPerson.first_name,
            MissingPerson.patronymic,
            as_text(MissingPerson.birth_date),  # the engine compares the text: read as stored
            MissingPerson.unit,
            MissingPerson.service_number,
            MissingPerson.birth_place,
            MissingPerson.rank,
        )
        .join(Case, Case.id == MissingPerson.case_id)
        .where(Case.state != CaseState.MERGED)
        .order_by(MissingPerson.case_id)
    )
    alias = (
        select(PersonAlias.person_id, PersonAlias.id, PersonAlias.last_name, PersonAlias.first_name)
        .add_columns(PersonAlias.patronymic)
        .join(MissingPerson, MissingPerson.id == PersonAlias.person_id)
        .join(Case, Case.id == MissingPerson.case_id)
        .where(Case.state != CaseState.MERGED)
        .order_by(PersonAlias.id)
    )
    if case_ids is not None:
        wanted = sorted(case_ids)
        person = person.where(MissingPerson.case_id.in_(wanted))
        alias = alias.where(MissingPerson.case_id.in_(wanted))
    aliases: dict[int, list[tuple[int, str | None, str | None, str | None]]] = {}
    for person_id, alias_id, last, first, patronymic in session.execute(alias):
        aliases.setdefault(person_id, []).append((alias_id, last, first, patronymic))
    rows: list[dict[str, str]] = []
    for person_id, case_id, last, first, patronymic, born, unit, number, place, rank in session.execute(
        person
    ):
        common = {
            "birth_date": born or "",
            "unit": unit or "",
            "service_number": number or "",
            "place_of_birth": place or "",
            "rank": rank or "",
        }
        names: list[tuple[str, str | None, str | None, str | None]] = [
            (str(case_id), last, first, patronymic)
        ]
        names += [(f"{case_id}{ALIAS_MARK}{a}", al, af, ap) for a, al, af, ap in aliases.get(person_id, [])]
        for record_id, name_last, name_first, name_patronymic in names:
            rows.append(
                {
                    "record_id": record_id,
                    "last_name": name_last or "",
                    "first_name": name_first or "",
                    "patronymic": name_patronymic or "",
                    **common,
                }
            )
    return rows


def _case_of(record_id: pd.Series) -> pd.Series:
    return record_id.astype(str).str.split(ALIAS_MARK, n=1).str[0].astype(int)


class _FeatureCache:
    """The engine's features of registry rows, kept in process memory by the row's content.

    The features of a row depend on that row alone, so a filing's check computes them only for the
    rows it has not seen (the new case's, an edited one's) instead of for the whole registry on every
    filing. Bounded (least recently used out); a changed row is a new key, so nothing goes stale."""

    LIMIT = 30_000  # rows kept: a registry checked by full scan, or the cases a large one's check reads

    def __init__(self) -> None:
        self._rows: OrderedDict[tuple[str, ...], tuple[Any, ...]] = OrderedDict()
        self._columns: list[str] | None = None
        self._dtypes: dict[str, Any] = {}
        self._lock = threading.Lock()

    def frame(self, rows: list[dict[str, str]]) -> pd.DataFrame:
        import pandas as pd

        from kintrace.linkage.features import build_features
        from kintrace.linkage.io import records_from_frame

        if len(rows) > self.LIMIT:  # a full run of a large registry: nothing to gain, all to evict
            return build_features(records_from_frame(pd.DataFrame(rows), source="registry"))
        keys = [tuple(row.values()) for row in rows]
        with self._lock:
            missing = [i for i, key in enumerate(keys) if key not in self._rows]
        if missing:
            frame = pd.DataFrame([rows[i] for i in missing])
            computed = build_features(records_from_frame(frame, source="registry"))
            with self._lock:
                if self._columns != list(computed.columns):
                    self._rows.clear()
                    self._columns, self._dtypes = list(computed.columns), dict(computed.dtypes)
                for i, values in zip(missing, computed.itertuples(index=False, name=None), strict=True):
                    self._rows[keys[i]] = values
        with self._lock:
            if self._columns is None or any(key not in self._rows for key in keys):
                found = None  # evicted meanwhile (a registry beyond the limit): compute them all
            else:
                found = [self._rows[key] for key in keys]
                for key in keys:
                    self._rows.move_to_end(key)
            while len(self._rows) > self.LIMIT:
                self._rows.popitem(last=False)
            columns, dtypes = self._columns, self._dtypes
        if found is None:
            return build_features(records_from_frame(pd.DataFrame(rows), source="registry"))
        return pd.DataFrame(found, columns=columns).astype(dtypes)


_FEATURES = _FeatureCache()


def clear_feature_cache() -> None:
    """Forget every cached row's features (benchmarks: a filing's check as the first in a process)."""
    global _FEATURES
    _FEATURES = _FeatureCache()


def _features(rows: list[dict[str, str]]) -> pd.DataFrame:
    return _FEATURES.frame(rows)


def _score(
    rows: list[dict[str, str]], focus: int | None, engine: str, train: bool, progress: Progress
) -> pd.DataFrame:
    """Scored pairs of cases (case_l < case_r), the strongest row per pair, above the review threshold."""
    import pandas as pd

    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import make_api

    features = _features(rows)
    api = make_api(engine)  # type: ignore[arg-type]
    trained = lm.fit(api, features, None, progress=progress) if train else None
    dedupe = trained or lm.bundled_model().for_inputs(len(features), None, "dedupe_only")
    # The dedupe model's m, u and prior, scored as a link of the registry to itself: the engine's
    # chunked link scoring gives every pair its reasons, which Splink's dedupe clustering does not.
    as_link = lm.TrainedModel(dedupe.splink_model, dedupe.rules, "link_only", dedupe.extras)
    left = features if focus is None else features[_case_of(features["unique_id"]) == focus]
    parts = list(lm.predict_chunks(api, as_link, left, features, DEFAULT_REVIEW_THRESHOLD, 1, progress))
    pairs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if pairs.empty:
        return pairs
    pairs["case_l"], pairs["case_r"] = _case_of(pairs["case_id"]), _case_of(pairs["record_id"])
    pairs = pairs[pairs["case_l"] != pairs["case_r"]].copy()
    low = pairs[["case_l", "case_r"]].min(axis=1)
    high = pairs[["case_l", "case_r"]].max(axis=1)
    pairs["case_l"], pairs["case_r"] = low, high
    pairs = pairs.sort_values("match_probability", ascending=False)
    return pairs.drop_duplicates(["case_l", "case_r"]).reset_index(drop=True)


def _candidate(row: Any) -> Candidate:
    reasons = []
    for name in FIELDS:
        level = getattr(row, f"{name}_level", None)
        if isinstance(level, str) and level != "missing":
            reasons.append(Reason(name, level, float(getattr(row, f"{name}_bf"))))
    probability = float(row.match_probability)
    return Candidate(
        case_id=int(row.case_l),
        other_case_id=int(row.case_r),
        probability=probability,
        match_weight=float(row.match_weight),
        band=PairBand.LINK if probability >= DEFAULT_THRESHOLD else PairBand.REVIEW,
        reasons=tuple(reasons),
        summary=str(row.reasons or ""),
    )


def _settled_pairs(session: Session, focus: int | None) -> set[tuple[int, int]]:
    """Pairs not to propose: linked, merged (and not undone), or dismissed."""

    def about(a: Any, b: Any) -> Any:
        return True if focus is None else or_(a == focus, b == focus)

    found: set[tuple[int, int]] = set()
    for model in (DuplicateLink, DuplicateDismissal):
        query = select(model.case_id, model.other_case_id).where(about(model.case_id, model.other_case_id))
        found.update((a, b) for a, b in session.execute(query))
    merges = select(Merge.target_case_id, Merge.merged_case_id).where(
        Merge.undone_at.is_(None), about(Merge.target_case_id, Merge.merged_case_id)
    )
    found.update((a, b) for a, b in session.execute(merges))
    return {(min(a, b), max(a, b)) for a, b in found}


def find_duplicates(
    session: Session,
    actor: Actor,
    *,
    case_id: int | None = None,
    engine: str = "duckdb",
    train: bool = False,
    include_settled: bool = False,
    full_scan_limit: int = FULL_SCAN_LIMIT,
    progress: Progress = _no_progress,
) -> list[Candidate]:
    """Candidate pairs of the link and review bands, strongest first (see the module's docstring).

    With `case_id` in a registry of more than `full_scan_limit` cases, only the cases sharing a name
    key with it and an even sample are read (`duplicate_keys`).
    `include_settled` keeps linked, merged and dismissed pairs (the compare screen explains those too).
    `train` fits the model on the registry itself as `kintrace dedupe` does (EM, from 500 cases; about
    10 s at 2,000 cases); without it the bundled model scores, which is what `kintrace dedupe` uses
    below 500 cases and what a page or a filing can afford."""
    require_staff(actor, "see candidate duplicates")
    if engine not in ENGINES:
        raise ValidationFailed("engine", f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if case_id is not None:
        case = visible_case(session, actor, case_id)
        if case.state is CaseState.MERGED:
            return []
    subset = None
    if case_id is not None:
        size = session.scalar(select(func.count()).select_from(Case).where(Case.state != CaseState.MERGED))
        if (size or 0) > full_scan_limit:
            subset = duplicate_keys.candidate_case_ids(session, case_id)
    rows = _registry_rows(session, subset)
    if len(rows) < 2:
        return []
    pairs = _score(rows, case_id, engine, train, progress)
    found = [_candidate(row) for row in pairs.itertuples(index=False)] if not pairs.empty else []
    if include_settled:
        return found
    settled = _settled_pairs(session, case_id)
    return [c for c in found if (c.case_id, c.other_case_id) not in settled]


def pair_candidate(session: Session, actor: Actor, case_id: int, other_case_id: int) -> Candidate | None:
    """The engine's view of one pair (for the compare screen), linked or not; None when the engine
    does not see them as possibly one person. The stored row when there is one, else the engine."""
    require_staff(actor, "see candidate duplicates")
    first, second = sorted((case_id, other_case_id))
    visible_case(session, actor, first)
    visible_case(session, actor, second)
    row = session.scalar(
        select(DuplicateCandidate).where(
            DuplicateCandidate.case_id == first, DuplicateCandidate.other_case_id == second
        )
    )
    if row is not None:
        return _from_row(row)
    for candidate in find_duplicates(session, actor, case_id=case_id, include_settled=True):
        if candidate.other(case_id) == other_case_id:
            return candidate
    return None


# --- stored candidates -------------------------------------------------------------------------


def _row_values(candidate: Candidate, now: dt.datetime) -> dict[str, Any]:
    return {
        "case_id": candidate.case_id,
        "other_case_id": candidate.other_case_id,
        "probability": candidate.probability,
        "match_weight": candidate.match_weight,
        "band": candidate.band,
        "reasons": [
            {"field": r.field, "level": r.level, "bayes_factor": r.bayes_factor} for r in candidate.reasons
        ],
        "summary": candidate.summary,
        "computed_at": now,
    }


def _from_row(row: DuplicateCandidate) -> Candidate:
    return Candidate(
        case_id=row.case_id,
        other_case_id=row.other_case_id,
        probability=row.probability,
        match_weight=row.match_weight,
        band=PairBand(row.band),
        reasons=tuple(
            Reason(str(r["field"]), str(r["level"]), float(r["bayes_factor"])) for r in row.reasons or []
        ),
        summary=row.summary,
    )


def _removed_pairs(session: Session, focus: int | None) -> set[tuple[int, int]]:
    """Pairs never stored: dismissed, or merged (and not undone). Linked pairs are stored."""

    def about(a: Any, b: Any) -> Any:
        return True if focus is None else or_(a == focus, b == focus)

    found: set[tuple[int, int]] = set()
    dismissed = select(DuplicateDismissal.case_id, DuplicateDismissal.other_case_id).where(
        about(DuplicateDismissal.case_id, DuplicateDismissal.other_case_id)
    )
    found.update((a, b) for a, b in session.execute(dismissed))
    merges = select(Merge.target_case_id, Merge.merged_case_id).where(
        Merge.undone_at.is_(None), about(Merge.target_case_id, Merge.merged_case_id)
    )
    found.update((min(a, b), max(a, b)) for a, b in session.execute(merges))
    return found


_INSERT_CHUNK = 2_000


def _write(session: Session, found: Iterable[Candidate], removed: set[tuple[int, int]]) -> int:
    now = utcnow()
    rows = [_row_values(c, now) for c in found if (c.case_id, c.other_case_id) not in removed]
    for start in range(0, len(rows), _INSERT_CHUNK):
        session.execute(insert(DuplicateCandidate), rows[start : start + _INSERT_CHUNK])
    return len(rows)


def _about_case(case_id: int) -> Any:
    return or_(DuplicateCandidate.case_id == case_id, DuplicateCandidate.other_case_id == case_id)


def store_case_pairs(session: Session, case_id: int, found: Iterable[Candidate]) -> int:
    """Replace the stored pairs of one case with `found` (the engine's pairs of that case, settled
    ones included); dismissed and merged pairs are not stored. Returns the rows written."""
    session.execute(delete(DuplicateCandidate).where(_about_case(case_id)))
    return _write(session, found, _removed_pairs(session, case_id))


def recheck_case(session: Session, actor: Actor, case_id: int, *, engine: str = "duckdb") -> list[Candidate]:
    """Run one case's check and replace its stored pairs; returns its pairs not linked, merged or
    dismissed (strongest first). A case merged away keeps no pair."""
    require_staff(actor, "check a case for duplicates")
    case = visible_case(session, actor, case_id)
    if case.state is CaseState.MERGED:
        session.execute(delete(DuplicateCandidate).where(_about_case(case_id)))
        return []
    found = find_duplicates(session, actor, case_id=case_id, engine=engine, include_settled=True)
    store_case_pairs(session, case_id, found)
    settled = _settled_pairs(session, case_id)
    return [c for c in found if (c.case_id, c.other_case_id) not in settled]


def recheck_case_quietly(session: Session, case_id: int) -> None:
    """The hook after a write to a case's person (an edit, its aliases, an undone merge): its stored
    pairs follow the new names, never breaking the write (a savepoint; a failure is logged and the
    old pairs stay until the next full run)."""
    try:
        with session.begin_nested():
            recheck_case(session, SYSTEM, case_id)
    except Exception:  # the check is a side effect of the write: the write stands
        log.exception("checking case %s for duplicates failed; the case was saved", case_id)


# One worker: the engine's second per edited case runs after the edit committed, never inside it.
_RECHECKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duplicate-recheck")
_PENDING = "kintrace_duplicate_rechecks"


def recheck_case_after_commit(session: Session, case_id: int) -> None:
    """The hook after a write to a case's person: its stored pairs follow the new names once the write
    has committed, in a worker of this process. The engine's second then never holds the write lock
    (on SQLite every write transaction queues behind it) and the edit answers at once; the desk's
    list shows the new pairs a moment later. A session bound to one connection (not an engine) has
    no engine of its own to read with: there the check runs here and now, inside the write."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        recheck_case_quietly(session, case_id)
        return
    pending: set[int] = session.info.setdefault(_PENDING, set())
    if not pending:
        event.listen(session, "after_commit", _submit_rechecks, once=True)
        event.listen(session, "after_rollback", _drop_rechecks, once=True)
    pending.add(case_id)


def _submit_rechecks(session: Session) -> None:
    bind, pending = session.get_bind(), session.info.pop(_PENDING, set())
    if isinstance(bind, Engine):
        for case_id in sorted(pending):
            _RECHECKS.submit(_recheck_in_own_sessions, bind, case_id)


def _drop_rechecks(session: Session) -> None:
    session.info.pop(_PENDING, None)  # the write was undone: nothing to follow


def _recheck_in_own_sessions(engine: Engine, case_id: int) -> None:
    """Read and score in a read-only transaction (beside any writer), then replace the rows in a short
    write transaction; a failure is logged and the old pairs stay until the next full run."""
    try:
        with Session(read_only(engine)) as reading:
            case = reading.get(Case, case_id)
            if case is None:
                return
            merged = case.state is CaseState.MERGED
            found = [] if merged else find_duplicates(reading, SYSTEM, case_id=case_id, include_settled=True)
        with transaction(make_sessionmaker(engine)) as writing:
            store_case_pairs(writing, case_id, found)
    except Exception:  # the check is a side effect of the write: the write stands
        log.exception("checking case %s for duplicates failed; its stored pairs stay as they were", case_id)


def wait_for_rechecks(timeout: float = 60.0) -> None:
    """Block until the rechecks submitted so far are done (the CLI before it exits, tests)."""
    _RECHECKS.submit(lambda: None).result(timeout=timeout)


def forget_case(session: Session, case_id: int) -> None:
    """A case merged away: none of its pairs is proposed any more."""
    session.execute(delete(DuplicateCandidate).where(_about_case(case_id)))


def forget_pair(session: Session, case_id: int, other_case_id: int) -> None:
    first, second = sorted((case_id, other_case_id))
    session.execute(
        delete(DuplicateCandidate).where(
            DuplicateCandidate.case_id == first, DuplicateCandidate.other_case_id == second
        )
    )


def compute_all(
    session: Session,
    actor: Actor,
    *,
    engine: str = "duckdb",
    train: bool = False,
    progress: Progress = _no_progress,
) -> list[Candidate]:
    """Every pair of the registry from the engine, settled ones included (reads only)."""
    require_staff(actor, "recompute candidate duplicates")
    return find_duplicates(
        session, actor, engine=engine, train=train, include_settled=True, progress=progress
    )


def store_all(
    session: Session, actor: Actor, found: list[Candidate], *, started: dt.datetime, seconds: float
) -> DuplicateRun:
    """Replace every stored pair with a full run's `found`, and record the run (audited)."""
    require_staff(actor, "recompute candidate duplicates")
    session.execute(delete(DuplicateCandidate))
    written = _write(session, found, _removed_pairs(session, None))
    cases = session.scalar(select(func.count()).select_from(Case).where(Case.state != CaseState.MERGED))
    run = DuplicateRun(
        started_at=started,
        finished_at=utcnow(),
        cases=cases or 0,
        pairs=written,
        seconds=round(seconds, 3),
        run_by_id=actor.user_id,
    )
    session.add(run)
    auditing.record(session, actor, "duplicate.refresh", run)
    return run


def refresh(
    session: Session,
    actor: Actor,
    *,
    engine: str = "duckdb",
    train: bool = False,
    progress: Progress = _no_progress,
) -> DuplicateRun:
    """A full run: the engine over the whole registry, every stored pair replaced."""
    started, clock = utcnow(), time.perf_counter()
    found = compute_all(session, actor, engine=engine, train=train, progress=progress)
    return store_all(session, actor, found, started=started, seconds=time.perf_counter() - clock)


def last_run(session: Session, actor: Actor) -> DuplicateRun | None:
    require_staff(actor, "see candidate duplicates")
    return session.scalar(select(DuplicateRun).order_by(DuplicateRun.id.desc()).limit(1))


def _open_pairs(case_id: int | None) -> Any:
    """The stored pairs to propose: neither case merged away, not linked, not dismissed."""
    pair = DuplicateCandidate
    one, two = aliased(Case), aliased(Case)
    query = (
        select(pair)
        .join(one, one.id == pair.case_id)
        .join(two, two.id == pair.other_case_id)
        .where(
            one.state != CaseState.MERGED,
            two.state != CaseState.MERGED,
            ~exists().where(
                DuplicateLink.case_id == pair.case_id, DuplicateLink.other_case_id == pair.other_case_id
            ),
            ~exists().where(
                DuplicateDismissal.case_id == pair.case_id,
                DuplicateDismissal.other_case_id == pair.other_case_id,
            ),
        )
    )
    if case_id is not None:
        query = query.where(_about_case(case_id))
    return query


def stored_candidates(
    session: Session,
    actor: Actor,
    *,
    case_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Candidate]:
    """The stored pairs to propose (of one case, or all), strongest first; no engine runs."""
    # Visibility before role: someone else's case is "not found" whatever the actor's role.
    if case_id is not None:
        visible_case(session, actor, case_id)
    require_staff(actor, "see candidate duplicates")
    query = _open_pairs(case_id).order_by(
        DuplicateCandidate.probability.desc(), DuplicateCandidate.case_id, DuplicateCandidate.other_case_id
    )
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_from_row(row) for row in session.scalars(query)]


def cases_of(session: Session, actor: Actor, candidates: Iterable[Candidate]) -> dict[int, Case]:
    """The cases the pairs name, with their persons, in one query (staff see every case)."""
    require_staff(actor, "see candidate duplicates")
    ids = sorted({i for c in candidates for i in (c.case_id, c.other_case_id)})
    if not ids:
        return {}
    query = select(Case).where(Case.id.in_(ids)).options(selectinload(Case.person))
    return {case.id: case for case in session.scalars(query)}


def count_stored(session: Session, actor: Actor) -> int:
    """How many stored pairs are to be proposed."""
    require_staff(actor, "see candidate duplicates")
    return session.scalar(select(func.count()).select_from(_open_pairs(None).subquery())) or 0


def dismiss(
    session: Session, actor: Actor, case_id: int, other_case_id: int, reason: str | None
) -> DuplicateDismissal:
    """Record that two cases are not the same person; the engine never proposes the pair again."""
    require_writer(actor, "dismiss candidate duplicates")
    if case_id == other_case_id:
        raise ValidationFailed("other_case_id", "a case cannot duplicate itself")
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("reason", "say why the two cases are not the same person")
    first, second = sorted((case_id, other_case_id))
    visible_case(session, actor, first)
    visible_case(session, actor, second)
    existing = session.scalar(
        select(DuplicateDismissal).where(
            DuplicateDismissal.case_id == first, DuplicateDismissal.other_case_id == second
        )
    )
    if existing is not None:
        raise Conflict(f"cases {first} and {second} were already judged not the same person")
    dismissal = DuplicateDismissal(
        case_id=first, other_case_id=second, reason=text, dismissed_by_id=actor.user_id
    )
    session.add(dismissal)
    auditing.record(session, actor, "duplicate.dismiss", dismissal)
    forget_pair(session, first, second)
    return dismissal


ENGINE_NOTE = "proposed by the linkage engine on filing"


def propose_note(candidate: Candidate) -> str:
    """The note of a link the engine proposed on filing: band, probability and reasons."""
    return (
        f"{ENGINE_NOTE}: {candidate.band.value} band, "
        f"probability {candidate.probability:.2f}; {candidate.summary}"
    )


def check_filed_case(session: Session, actor: Actor, case_id: int, *, engine: str = "duckdb") -> bool:
    """Check a newly filed case against the registry; True when the person may already be registered.

    The case's pairs replace its stored ones, and every candidate of the link or review band becomes
    a possible-duplicate link on both cases (the caseworker sees it on the case page with the
    engine's reasons and compares the two). The filer, perhaps a family, learns only the yes or no:
    nothing of the other case. The links are written by the system, since a family may not link
    cases itself."""
    visible_case(session, actor, case_id)
    found = recheck_case(session, SYSTEM, case_id, engine=engine)
    for candidate in found:
        link = DuplicateLink(
            case_id=candidate.case_id, other_case_id=candidate.other_case_id, note=propose_note(candidate)
        )
        session.add(link)
        auditing.record(session, SYSTEM, "duplicate.propose", link)
    return bool(found)
