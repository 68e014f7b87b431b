"""Matching inside the registry: published lists against the cases whose families agreed to it.

- `match_list`: a whole list, deduplicated within itself (one man listed twice is one candidate),
  against every open case with the family's consent (a case without it is never matched), with the
  engine and model of `kintrace link` (DuckDB, or Spark through `make_api`).
- `match_case`: one new or edited case against every stored list, incrementally: its candidates are
  the entries sharing a surname-and-initial key (`b:`) with any spelling of its name, and only those
  are scored.
- Reviewers' decisions feed the engine as labelled pairs (`case_id, record_id, is_match`): they
  override its bands and, on inputs large enough to train on, re-estimate its m probabilities.

Pairs land in the link and review bands, one per case and man on the list. A pair already decided
is never touched again, and a case never gets back an entry with the fingerprint of one a reviewer
rejected for it (the same namesake on a re-imported or another list). Every case checked gets a line
in its search log (`ListCheck`) per list.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from kintrace.domain.lists import PairBand, PairDecision, search_result
from kintrace.services import auditing
from kintrace.services.access import Actor, require_staff, visible_case
from kintrace.services.errors import NotFound
from kintrace.services.list_frames import (
    case_of_record,
    case_record_id,
    case_rows,
    entry_rows,
    matchable_case_ids,
    matchable_case_rows,
    records_frame,
)
from kintrace.services.list_scoring import Progress, Proposal, no_progress
from kintrace.services.name_keys import keys_of_spellings
from kintrace.store.models import (
    ListCheck,
    ListEntry,
    ListEntryKey,
    ListPair,
    PersonAlias,
    PublishedList,
    utcnow,
)
from kintrace.store.models import MissingPerson as PersonRow

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

_IN_CHUNK = 500


@dataclass(frozen=True)
class MatchSummary:
    list_ids: tuple[int, ...]
    entries: int  # list rows read
    clusters: int  # men on the list(s) after in-list dedupe (rows scored, for one case)
    cases_checked: int
    links: int  # pairs now in the link band (undecided ones and decided alike)
    reviews: int
    new_pairs: int
    kept_decisions: int  # pairs a reviewer had decided, left as they were
    seconds: float


# --- reviewers' decisions -------------------------------------------------------------------------


def rejected_fingerprints(session: Session, case_ids: Iterable[int] | None = None) -> set[tuple[int, str]]:
    """(case, entry fingerprint) of every pair a reviewer rejected, on any list."""
    query = (
        select(ListPair.case_id, ListEntry.fingerprint)
        .join(ListEntry, ListEntry.id == ListPair.entry_id)
        .where(ListPair.decision == PairDecision.REJECTED)
    )
    if case_ids is None:
        return {(c, f) for c, f in session.execute(query)}
    ids = sorted(set(case_ids))
    out: set[tuple[int, str]] = set()
    for i in range(0, len(ids), _IN_CHUNK):
        out |= {(c, f) for c, f in session.execute(query.where(ListPair.case_id.in_(ids[i : i + _IN_CHUNK])))}
    return out


def decided_labels(
    session: Session, list_id: int, record_ids: dict[int, list[str]], fingerprints: dict[int, str]
) -> pd.DataFrame | None:
    """Reviewers' decisions as the engine's labelled pairs (`case_id, record_id, is_match`), for every
    spelling of each case (`record_ids`) and this list's entries (`fingerprints`: entry -> fingerprint).

    Accepted and rejected pairs on this list label themselves; a rejection on any list also labels
    this list's entries with the same fingerprint (the same namesake listed again)."""
    import pandas as pd

    rows: list[tuple[str, str, bool]] = []
    decided = session.execute(
        select(ListPair.case_id, ListPair.entry_id, ListPair.decision).where(
            ListPair.list_id == list_id,
            ListPair.decision.in_((PairDecision.ACCEPTED, PairDecision.REJECTED)),
        )
    ).all()
    for case_id, entry_id, decision in decided:
        for record in record_ids.get(case_id, []):
            rows.append((record, str(entry_id), decision is PairDecision.ACCEPTED))
    by_fingerprint: dict[str, list[int]] = {}
    for entry, fingerprint in fingerprints.items():
        by_fingerprint.setdefault(fingerprint, []).append(entry)
    for case_id, fingerprint in rejected_fingerprints(session, record_ids):
        for entry in by_fingerprint.get(fingerprint, []):
            rows += [(record, str(entry), False) for record in record_ids.get(case_id, [])]
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["case_id", "record_id", "is_match"])
    # A rejection wins over an acceptance of the same pair (a later reviewer ruled the namesake out).
    return frame.sort_values("is_match").drop_duplicates(["case_id", "record_id"]).reset_index(drop=True)


# --- writing pairs and the search log -------------------------------------------------------------


@dataclass
class _Written:
    new: int = 0
    kept: int = 0


def write_pairs(
    session: Session,
    list_id: int,
    proposals: list[Proposal],
    case_ids: Iterable[int],
    cluster_of: dict[int, int],
    fingerprints: dict[int, str],
) -> _Written:
    """Store the proposals for the checked `case_ids` on one list: a decided pair stays as it is, an
    undecided one takes the new score, one no longer proposed goes; a rejected namesake never returns."""
    checked = sorted(set(case_ids))
    rejected = rejected_fingerprints(session, checked)
    existing: dict[tuple[int, int], tuple[int, PairDecision]] = {}
    for i in range(0, len(checked), _IN_CHUNK):
        query = select(ListPair.id, ListPair.case_id, ListPair.entry_id, ListPair.decision).where(
            ListPair.list_id == list_id, ListPair.case_id.in_(checked[i : i + _IN_CHUNK])
        )
        for pair_id, case_id, entry_id, decision in session.execute(query):
            cluster = cluster_of.get(entry_id, entry_id)
            existing.setdefault((case_id, cluster), (pair_id, decision))
    out = _Written()
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    proposed: set[int] = set()
    for p in proposals:
        known = existing.get((p.case_id, p.cluster_id))
        if known is not None and known[1] is not PairDecision.PENDING:
            out.kept += 1
            proposed.add(known[0])
            continue
        if any((p.case_id, fingerprints.get(e, "")) in rejected for e in p.entry_ids):
            continue
        values: dict[str, object] = {
            "match_probability": p.match_probability,
            "match_weight": p.match_weight,
            "band": p.band,
            "reasons": p.reasons,
            "name_only": p.name_only,
        }
        if known is not None:
            proposed.add(known[0])
            updates.append({"id": known[0], **values})
        else:
            inserts.append({"list_id": list_id, "entry_id": p.entry_id, "case_id": p.case_id, **values})
    stale = [
        pid for pid, decision in existing.values() if decision is PairDecision.PENDING and pid not in proposed
    ]
    for i in range(0, len(stale), _IN_CHUNK):
        session.execute(delete(ListPair).where(ListPair.id.in_(stale[i : i + _IN_CHUNK])))
    if updates:
        session.execute(update(ListPair), updates)
    if inserts:
        now = utcnow()
        session.execute(
            insert(ListPair),
            [{**row, "decision": PairDecision.PENDING, "created_at": now} for row in inserts],
        )
    out.new = len(inserts)
    return out


def write_checks(session: Session, list_id: int, case_ids: Iterable[int]) -> None:
    """The search log: each checked case's line for this list, with the result of its pairs on it."""
    checked = sorted(set(case_ids))
    decisions: dict[int, list[PairDecision]] = {c: [] for c in checked}
    for i in range(0, len(checked), _IN_CHUNK):
        chunk = checked[i : i + _IN_CHUNK]
        query = select(ListPair.case_id, ListPair.decision).where(
            ListPair.list_id == list_id, ListPair.case_id.in_(chunk)
        )
        for case_id, decision in session.execute(query):
            decisions[case_id].append(decision)
        session.execute(delete(ListCheck).where(ListCheck.list_id == list_id, ListCheck.case_id.in_(chunk)))
    now = utcnow()
    rows = [
        {"case_id": c, "list_id": list_id, "checked_at": now, "result": search_result(d)}
        for c, d in decisions.items()
    ]
    if rows:
        session.execute(insert(ListCheck), rows)


def _band_counts(session: Session, list_id: int | None, case_ids: list[int] | None = None) -> tuple[int, int]:
    query = select(ListPair.band, func.count()).group_by(ListPair.band)
    if list_id is not None:
        query = query.where(ListPair.list_id == list_id)
    if case_ids is not None:
        query = query.where(ListPair.case_id.in_(case_ids))
    counts = {band: n for band, n in session.execute(query)}
    return counts.get(PairBand.LINK, 0), counts.get(PairBand.REVIEW, 0)


def _entry_facts(session: Session, list_id: int) -> tuple[dict[int, str], dict[int, int | None]]:
    rows = session.execute(
        select(ListEntry.id, ListEntry.fingerprint, ListEntry.cluster_id).where(ListEntry.list_id == list_id)
    ).all()
    return {r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows}


# --- a whole list ---------------------------------------------------------------------------------


def match_list(
    session: Session,
    actor: Actor,
    list_id: int,
    *,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> MatchSummary:
    """Deduplicate a list within itself and match it against every matchable case (see the module)."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import make_api
    from kintrace.services import list_scoring as scoring

    require_staff(actor, "match published lists")
    report = progress or no_progress
    started = time.perf_counter()
    published = session.get(PublishedList, list_id)
    if published is None:
        raise NotFound("list", list_id)
    report("reading", 0, 2)
    entries = entry_rows(session, list_id)
    case_ids, rows = matchable_case_rows(session)
    report("reading", 2, 2)
    fingerprints, _ = _entry_facts(session, list_id)
    written = _Written()
    cluster_of: dict[int, int] = {}
    if entries:
        api = make_api(engine)  # type: ignore[arg-type]
        entry_frame = records_frame(entries, f"list {list_id}")
        case_frame = records_frame(rows, "cases") if rows else entry_frame
        case_features, entry_features = scoring.features(case_frame, entry_frame)
        records: dict[int, list[str]] = {}
        for row in rows:
            records.setdefault(case_of_record(str(row[0])), []).append(str(row[0]))
        labels = decided_labels(session, list_id, records, fingerprints)
        # Without cases the list is still deduplicated, with the model for inputs of its size.
        model = (
            scoring.fit(api, case_features, entry_features, labels, report)
            if rows
            else lm.bundled_model().for_inputs(len(entries), len(entries), "link_only")
        )
        report("in-list dedupe", 0, 1)
        cluster_of = scoring.list_clusters(api, model, entry_features)
        _store_clusters(session, list_id, cluster_of)
        report("in-list dedupe", 1, 1)
        if rows:
            pairs = scoring.predict(api, model, case_features, entry_features, labels, report)
            report("writing pairs", 0, 1)
            found = scoring.proposals(pairs, cluster_of)
            written = write_pairs(session, list_id, found, case_ids, cluster_of, fingerprints)
    report("search log", 0, 1)
    write_checks(session, list_id, case_ids)
    published.matched_at = utcnow()
    links, reviews = _band_counts(session, list_id)
    summary = MatchSummary(
        list_ids=(list_id,),
        entries=len(entries),
        clusters=len(set(cluster_of.values())),
        cases_checked=len(case_ids),
        links=links,
        reviews=reviews,
        new_pairs=written.new,
        kept_decisions=written.kept,
        seconds=round(time.perf_counter() - started, 3),
    )
    _audit(session, actor, "list.match", str(list_id), summary, engine)
    report("search log", 1, 1)
    return summary


def match_list_after_import(session: Session, actor: Actor, list_id: int) -> MatchSummary | None:
    """Match a list just imported; a failure is logged and leaves the import standing (the list is then
    matched by `kintrace lists match` or the next import), never undoing what the caseworker sent."""
    savepoint = session.begin_nested()
    try:
        summary = match_list(session, actor, list_id)
    except Exception:
        savepoint.rollback()
        log.exception("matching list %s after its import failed; it stays imported, unmatched", list_id)
        return None
    savepoint.commit()
    return summary


def _store_clusters(session: Session, list_id: int, cluster_of: dict[int, int]) -> None:
    current = dict(
        session.execute(select(ListEntry.id, ListEntry.cluster_id).where(ListEntry.list_id == list_id)).all()
    )
    changed = [{"id": e, "cluster_id": c} for e, c in cluster_of.items() if current.get(e) != c]
    if changed:
        session.execute(update(ListEntry), changed)


def _audit(
    session: Session, actor: Actor, action: str, subject: str, summary: MatchSummary, engine: str
) -> None:
    values = {
        "lists": list(summary.list_ids),
        "entries": summary.entries,
        "clusters": summary.clusters,
        "cases_checked": summary.cases_checked,
        "links": summary.links,
        "reviews": summary.reviews,
        "new_pairs": summary.new_pairs,
        "kept_decisions": summary.kept_decisions,
        "engine": engine,
    }
    entity = "published_lists" if action == "list.match" else "cases"
    auditing.record_event(session, actor, action=action, entity=entity, entity_id=subject, values=values)


# --- one case -------------------------------------------------------------------------------------


def case_block_keys(session: Session, case_id: int) -> set[str]:
    """The `b:` keys (surname with the given name's initial) of every spelling of a case's name."""
    person = session.execute(
        select(PersonRow.id, PersonRow.last_name, PersonRow.first_name, PersonRow.patronymic).where(
            PersonRow.case_id == case_id
        )
    ).one_or_none()
    if person is None:
        return set()
    spellings = [(person.last_name, person.first_name, person.patronymic)]
    spellings += session.execute(
        select(PersonAlias.last_name, PersonAlias.first_name, PersonAlias.patronymic).where(
            PersonAlias.person_id == person.id
        )
    ).all()
    return {k for k in keys_of_spellings(spellings) if k.startswith("b:")}


def candidate_entries(session: Session, keys: set[str]) -> dict[int, list[int]]:
    """List id -> its entries sharing a key with the case."""
    if not keys:
        return {}
    query = (
        select(ListEntry.list_id, ListEntry.id)
        .join(ListEntryKey, ListEntryKey.entry_id == ListEntry.id)
        .where(ListEntryKey.key.in_(sorted(keys)))
        .distinct()
    )
    out: dict[int, list[int]] = {}
    for list_id, entry_id in session.execute(query):
        out.setdefault(list_id, []).append(entry_id)
    return out


def match_case(session: Session, actor: Actor, case_id: int) -> MatchSummary:
    """Match one case against every stored list, scoring only its candidate entries (see the module).

    A case that is not open or has no consent is not matched (nothing is written)."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import make_api
    from kintrace.services import list_scoring as scoring

    require_staff(actor, "match cases against published lists")
    started = time.perf_counter()
    visible_case(session, actor, case_id)
    list_ids = tuple(session.scalars(select(PublishedList.id).order_by(PublishedList.id)))
    if not matchable_case_ids(session, [case_id]):
        return MatchSummary(list_ids, 0, 0, 0, 0, 0, 0, 0, round(time.perf_counter() - started, 3))
    candidates = candidate_entries(session, case_block_keys(session, case_id))
    rows = case_rows(session, [case_id])
    records = {case_id: [str(r[0]) for r in rows]}
    written, scored, entries_read = _Written(), 0, 0
    if candidates:
        all_ids = sorted(e for ids in candidates.values() for e in ids)
        facts = _entry_details(session, all_ids)
        entries = entry_rows(session, None, all_ids)
        entries_read = len(entries)
        fingerprints = {e: f for e, (_, f, _) in facts.items()}
        cluster_of = {e: c if c is not None else e for e, (_, _, c) in facts.items()}
        parts = [decided_labels(session, list_id, records, fingerprints) for list_id in sorted(candidates)]
        labels = _concat([p for p in parts if p is not None])
        # The bundled model with the prior of the whole inputs (every matchable case, every stored
        # entry): the candidates alone are a few rows, and their own prior would overrate every pair.
        # All lists' candidates are scored at once (one engine run, not one per list): the same man on
        # two lists joins one cluster there, and different men of one name compete, as on one list.
        n_cases = len(matchable_case_ids(session))
        n_entries = session.scalar(select(func.coalesce(func.sum(PublishedList.entry_count), 0))) or 0
        model = lm.bundled_model().for_inputs(max(n_cases, 1), max(int(n_entries), len(entries)), "link_only")
        case_features, entry_features = scoring.features(
            records_frame(rows, "case"), records_frame(entries, "lists")
        )
        pairs = scoring.predict(make_api("duckdb"), model, case_features, entry_features, labels)
        found = [_not_on_name_alone(p) for p in scoring.proposals(pairs, cluster_of)]
        scored = len(set(cluster_of.values()))
        for list_id, entry_ids in sorted(candidates.items()):
            on_list = set(entry_ids)
            mine = [p for p in found if p.entry_id in on_list]
            got = write_pairs(session, list_id, mine, [case_id], cluster_of, fingerprints)
            written.new += got.new
            written.kept += got.kept
    for list_id in list_ids:
        if list_id not in candidates:
            # No entry shares a key with the case: an undecided pair from an older spelling goes.
            write_pairs(session, list_id, [], [case_id], {}, {})
        write_checks(session, list_id, [case_id])
    links, reviews = _band_counts(session, None, [case_id])
    summary = MatchSummary(
        list_ids=list_ids,
        entries=entries_read,
        clusters=scored,
        cases_checked=1,
        links=links,
        reviews=reviews,
        new_pairs=written.new,
        kept_decisions=written.kept,
        seconds=round(time.perf_counter() - started, 3),
    )
    _audit(session, actor, "case.list_match", str(case_id), summary, "duckdb")
    return summary


def _entry_details(session: Session, entry_ids: list[int]) -> dict[int, tuple[int, str, int | None]]:
    """Entry id -> (list, fingerprint, cluster)."""
    out: dict[int, tuple[int, str, int | None]] = {}
    for i in range(0, len(entry_ids), _IN_CHUNK):
        query = select(ListEntry.id, ListEntry.list_id, ListEntry.fingerprint, ListEntry.cluster_id).where(
            ListEntry.id.in_(entry_ids[i : i + _IN_CHUNK])
        )
        out.update({e: (lst, f, c) for e, lst, f, c in session.execute(query)})
    return out


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    import pandas as pd

    return pd.concat(frames, ignore_index=True) if frames else None


def _not_on_name_alone(p: Proposal) -> Proposal:
    """Incrementally the list's namesakes are not counted (only its candidates are read), so a pair
    on the name alone waits for a reviewer instead of being a link."""
    if p.name_only and p.band is PairBand.LINK:
        from dataclasses import replace

        return replace(p, band=PairBand.REVIEW)
    return p


# Two made-up records that agree on every field: enough to take the engine through every step once.
_WARM_UP_ROWS: list[tuple[str | None, ...]] = [
    ("c1", "Шевченко", "Андрій", "Петрович", "1990-05-01", "А1234", "АБ123456", "Київ", "солдат"),
]


def warm_up() -> float:
    """Take the engine through one case's scoring on two made-up records; the seconds it took.

    A server process does this once at start (in the background), so a caseworker's first edit is
    matched as fast as the later ones: the first run of a process loads the engine's modules, opens
    DuckDB and builds Splink's comparisons, about a second on a 2-core machine."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import make_api
    from kintrace.services import list_scoring as scoring

    started = time.perf_counter()
    entries: list[tuple[str | None, ...]] = [("1", *_WARM_UP_ROWS[0][1:])]
    model = lm.bundled_model().for_inputs(1000, 1000, "link_only")
    case_features, entry_features = scoring.features(
        records_frame(_WARM_UP_ROWS, "case"), records_frame(entries, "lists")
    )
    pairs = scoring.predict(make_api("duckdb"), model, case_features, entry_features, None)
    found = scoring.proposals(pairs, {1: 1})
    if [(p.case_id, p.entry_id, p.band) for p in found] != [(1, 1, PairBand.LINK)]:
        raise RuntimeError(f"the matching engine does not link two identical records: {found}")
    return time.perf_counter() - started


def holds_lists(factory: Callable[[], Session]) -> bool:
    """Whether the registry holds a list entry (a registry without lists never matches a case)."""
    with factory() as session:
        return session.scalar(select(ListEntry.id).limit(1)) is not None


def warm_up_quietly() -> float | None:
    """`warm_up`, logged; a failure is logged, never raised (the server runs on without it)."""
    try:
        seconds = warm_up()
    except Exception:  # a failed warm-up costs the first edit a second, nothing more
        log.exception("warming up the list matching engine failed")
        return None
    log.info("list matching engine warmed up in %.1f s", seconds)
    return seconds


def rematch_case_quietly(session: Session, actor: Actor, case_id: int) -> None:
    """The hook after a case's write: match it against the stored lists, never breaking the write.

    Runs only when there are lists and the case is matchable; any failure rolls back the matching
    alone (a savepoint) and is logged."""
    if session.scalar(select(ListEntry.id).limit(1)) is None:
        return
    if not matchable_case_ids(session, [case_id]):
        return
    from kintrace.services.access import SYSTEM

    runner = actor if actor.is_staff else SYSTEM
    try:
        with session.begin_nested():
            match_case(session, runner, case_id)
    except Exception:  # matching is a side effect of the write: the write stands
        log.exception("matching case %s against published lists failed; the case was saved", case_id)


__all__ = [
    "MatchSummary",
    "case_record_id",
    "holds_lists",
    "match_case",
    "match_list",
    "rematch_case_quietly",
    "warm_up",
    "warm_up_quietly",
]
