"""Published lists matched inside the registry, at the size of a national tracing service.

1. The registry: 100,000 cases seeded with the demo's bulk writer (bench_registry's seeding), every
   open one with the family's consent to list matching.
2. A 100,000-row list: a share of its men are registry cases (written as lists write them: dates
   dropped or cut to the year, initials, units left out, some men listed twice), the rest other men
   drawn by the linkage benchmark's name frequencies. It is imported (entries and their name keys
   inserted in bulk, as the importer stores them), deduplicated within itself and matched against
   every consenting open case (`list_matching.match_list`). Goal: under 3 minutes and 4 GB (peak RSS
   of the process that imports and matches, a process of its own).
3. Baseline: `kintrace link` over the same two inputs written as CSV files (a process of its own).
4. One edited case against 1,000,000 stored list rows (the list above and more lists drawn the same
   way): a caseworker's edit of a case through `cases.update_person`, which matches it against every
   stored list on the spot, committed. Goal: under 2 seconds end to end. Measured twice, each in a
   process of its own: as a server runs it (the engine warmed once at start, `list_matching.warm_up`,
   as `server/warm_up.py` does in the background), and cold (the first edit of a fresh process pays for
   loading the engine: the baseline the warm-up is measured against).

`python -m benchmarks lists`; KINTRACE_BENCH_LISTS_CASES (100000), KINTRACE_BENCH_LISTS_ROWS
(100000), KINTRACE_BENCH_LISTS_STORED (1000000) set the sizes; KINTRACE_BENCH_REGISTRY_DB keeps the
seeded registry for the next run (bench_registry's switch).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from benchmarks import bench_registry as registry
from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import ListKind
from kintrace.domain.vocabulary import CaseState, Claim, Role, SourceKind
from kintrace.linkage.fields import parse_partial_date
from kintrace.services.name_keys import name_keys
from kintrace.store.db import make_engine, session_scope
from kintrace.store.models import (
    Case,
    ListCheck,
    ListEntry,
    ListEntryKey,
    ListPair,
    PublishedList,
    Source,
    User,
)
from kintrace.store.models import MissingPerson as PersonRow
from kintrace.store.types import as_text

RESULTS = Path(__file__).parent / "results" / "lists.json"
N_CASES = int(os.environ.get("KINTRACE_BENCH_LISTS_CASES", "100000"))
N_ROWS = int(os.environ.get("KINTRACE_BENCH_LISTS_ROWS", "100000"))
N_STORED = int(os.environ.get("KINTRACE_BENCH_LISTS_STORED", "1000000"))
ON_LIST = 0.3  # the share of a list's rows that are men of the registry
REPEATED = 0.05  # the share of a list's men listed a second time
EDITS = 12  # cases edited in step 4
GOAL_LIST_S, GOAL_LIST_MB, GOAL_CASE_S = 180.0, 4096.0, 2.0
_CHUNK = 20_000


def _peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: getrusage's ru_maxrss survives exec on Linux, so a
    child started by a large parent would report the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _iso(text: str | None) -> str | None:
    if not text:
        return None
    try:
        y, m, d = parse_partial_date(text)
    except ValueError:
        return None
    if y is None:
        return None
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")


def _fingerprint(row: dict[str, Any]) -> str:
    text = "|".join(
        (row.get(k) or "").casefold() for k in ("last_name", "first_name", "patronymic", "birth_date")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _registry_rows(session: Any) -> list[dict[str, Any]]:
    query = (
        select(
            PersonRow.last_name,
            PersonRow.first_name,
            PersonRow.patronymic,
            as_text(PersonRow.birth_date),  # the text a list writes, cut to the year below
            PersonRow.unit,
        )
        .join(Case, Case.id == PersonRow.case_id)
        .where(Case.list_matching_consent.is_(True))
    )
    names = ("last_name", "first_name", "patronymic", "birth_date", "unit")
    return [dict(zip(names, r, strict=True)) for r in session.execute(query)]


def _as_listed(rng: random.Random, man: dict[str, Any]) -> dict[str, Any]:
    """A registry man as a list writes him."""
    row = dict(man)
    date = row["birth_date"]
    roll = rng.random()
    row["birth_date"] = None if roll < 0.3 else (date[:4] if date and roll < 0.45 else date)
    if rng.random() < 0.6:
        row["unit"] = None
    if row["first_name"] and rng.random() < 0.1:
        row["first_name"] = row["first_name"][0] + "."
    if rng.random() < 0.15:
        row["patronymic"] = None
    return row


def build_list(people: list[dict[str, Any]], n_rows: int, seed: int) -> list[dict[str, Any]]:
    from benchmarks.linkage_data.generator import World

    rng = random.Random(seed)
    world = World(seed)
    ours = [_as_listed(rng, m) for m in rng.sample(people, min(len(people), int(n_rows * ON_LIST)))]
    rows = list(ours)
    while len(rows) < n_rows * (1 - REPEATED):
        other = world.write(world.person(), listing=True, rid="x")
        rows.append(
            {
                "last_name": other["last_name"] or None,
                "first_name": other["first_name"] or None,
                "patronymic": other["patronymic"] or None,
                "birth_date": _iso(other["birth_date"]),
                "unit": other["unit"] or None,
            }
        )
    while len(rows) < n_rows:  # listed twice: the second time without a date
        rows.append({**rng.choice(rows), "birth_date": None})
    rng.shuffle(rows)
    return rows


@functools.lru_cache(maxsize=500_000)
def _keys(last: str | None, first: str | None, patronymic: str | None) -> frozenset[str]:
    return frozenset(name_keys(last, first, patronymic))


def insert_list(session: Any, title: str, rows: list[dict[str, Any]]) -> int:
    """A published list and its entries with their name keys, in bulk (the importer's columns)."""
    publisher = Source(kind=SourceKind.PUBLISHED_LIST, name=f"Publisher of {title}")
    session.add(publisher)
    session.flush()
    published = PublishedList(
        title=title,
        publisher_id=publisher.id,
        kind=ListKind.PRISONERS,
        claim=Claim.CAPTURED,
        filename=f"{title}.csv",
        media_type="text/csv",
        sha256=hashlib.sha256(title.encode()).hexdigest(),
        size_bytes=0,
        entry_count=len(rows),
    )
    session.add(published)
    session.flush()
    next_id = (session.scalar(select(func.max(ListEntry.id))) or 0) + 1
    for start in range(0, len(rows), _CHUNK):
        entries, keys = [], []
        for offset, row in enumerate(rows[start : start + _CHUNK]):
            entry_id = next_id + start + offset
            entries.append(
                {
                    "id": entry_id,
                    "list_id": published.id,
                    "row_number": start + offset + 2,
                    "raw": {k: v for k, v in row.items() if v},
                    "fingerprint": _fingerprint(row),
                    **row,
                    "birth_date": None if row["birth_date"] is None else PartialDate.parse(row["birth_date"]),
                }
            )
            keys += [
                {"entry_id": entry_id, "key": k}
                for k in _keys(row["last_name"], row["first_name"], row["patronymic"])
            ]
        session.execute(insert(ListEntry), entries)
        session.execute(insert(ListEntryKey), keys)
    return published.id


def _write_csvs(url: str, list_id: int, folder: Path) -> tuple[Path, Path]:
    import pandas as pd

    engine = make_engine(url)
    with engine.connect() as conn:
        cases = pd.read_sql(
            select(
                PersonRow.case_id.label("record_id"),
                PersonRow.last_name,
                PersonRow.first_name,
                PersonRow.patronymic,
                PersonRow.birth_date,
                PersonRow.unit,
            )
            .join(Case, Case.id == PersonRow.case_id)
            .where(Case.list_matching_consent.is_(True)),
            conn,
        )
        entries = pd.read_sql(
            select(
                ListEntry.id.label("record_id"),
                ListEntry.last_name,
                ListEntry.first_name,
                ListEntry.patronymic,
                ListEntry.birth_date,
                ListEntry.unit,
            ).where(ListEntry.list_id == list_id),
            conn,
        )
    engine.dispose()
    cases["record_id"] = "c" + cases["record_id"].astype(str)
    paths = folder / "cases.csv", folder / "list.csv"
    cases.to_csv(paths[0], index=False)
    entries.to_csv(paths[1], index=False)
    return paths


# --- phases, each in a process of its own (so each peak RSS is its own) ---------------------------


def phase_list(url: str) -> dict[str, Any]:
    """Import a list of N_ROWS and match it against the registry."""
    from kintrace.services import list_matching
    from kintrace.services.access import SYSTEM

    engine = make_engine(url)
    with session_scope(engine) as session:
        rows = build_list(_registry_rows(session), N_ROWS, seed=1)
    steps: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(step: str, done: int, total: int) -> None:
        name = step.split(":")[0]
        now = time.perf_counter()
        if name != last[1]:
            if last[1]:
                steps[str(last[1])] = round(steps.get(str(last[1]), 0.0) + now - float(last[0]), 2)
            last[0], last[1] = now, name

    started = time.perf_counter()
    with session_scope(engine) as session:
        list_id = insert_list(session, "Bench list 1", rows)
    imported = time.perf_counter()
    with session_scope(engine) as session:
        summary = list_matching.match_list(session, SYSTEM, list_id, progress=progress)
    matched = time.perf_counter()
    progress("end", 0, 0)
    engine.dispose()
    return {
        "list_id": list_id,
        "rows": len(rows),
        "import_s": round(imported - started, 2),
        "match_s": round(matched - imported, 2),
        "total_s": round(matched - started, 2),
        "steps_s": steps,
        "peak_rss_mb": _peak_rss_mb(),
        "summary": {k: v for k, v in vars(summary).items() if k != "list_ids"},
    }


def phase_case(url: str, warm: bool = True) -> dict[str, Any]:
    """Store lists up to N_STORED rows, then time caseworkers' edits of cases (each matched on the spot).

    `warm`: first warm the engine as the server does at start (its seconds are reported apart)."""
    from kintrace.services import cases as case_service
    from kintrace.services import list_matching
    from kintrace.services.access import actor_for
    from kintrace.services.persons import to_domain

    engine = make_engine(url)
    with session_scope(engine) as session:
        people = _registry_rows(session)
        stored = session.scalar(select(func.count()).select_from(ListEntry)) or 0
    started, seed = time.perf_counter(), 2
    while stored < N_STORED:
        rows = build_list(people, min(N_ROWS, N_STORED - stored), seed=seed)
        with session_scope(engine) as session:
            insert_list(session, f"Bench list {seed}", rows)
        stored, seed = stored + len(rows), seed + 1
    stored_s = time.perf_counter() - started
    warm_up_s = round(list_matching.warm_up(), 3) if warm else None
    rng = random.Random(5)
    with session_scope(engine) as session:
        ids = list(session.scalars(select(Case.id).where(Case.list_matching_consent.is_(True))))
        worker = session.scalars(select(User).where(User.role == Role.CASEWORKER).order_by(User.id)).first()
        actor = actor_for(worker)
    timings, found = [], []
    for case_id in rng.sample(ids, EDITS):
        t0 = time.perf_counter()
        with session_scope(engine) as session:
            row = session.get(
                PersonRow, session.scalar(select(PersonRow.id).where(PersonRow.case_id == case_id))
            )
            person = to_domain(row)
            # The edit: the place of birth filled in (any change of the person goes through the same hook).
            case_service.update_person(
                session,
                actor,
                case_id,
                replace(person, birth_place=f"{person.birth_place or 'Київ'} (уточнено)"),
            )
        timings.append(time.perf_counter() - t0)
        with session_scope(engine) as session:
            lines = session.scalar(
                select(func.count()).select_from(ListCheck).where(ListCheck.case_id == case_id)
            )
            pairs = session.scalar(
                select(func.count()).select_from(ListPair).where(ListPair.case_id == case_id)
            )
        found.append({"search_log_lines": lines, "pairs": pairs})
    engine.dispose()
    return {
        "engine_warmed_at_start": warm,
        "warm_up_s": warm_up_s,
        "stored_rows": stored,
        "store_s": round(stored_s, 1),
        "edits": EDITS,
        "first_edit_s": round(timings[0], 3),
        "edit_median_s": round(statistics.median(timings), 3),
        "edit_max_s": round(max(timings), 3),
        "edit_s": [round(t, 3) for t in timings],
        "per_edit": found,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child(phase: str, url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_lists", phase, url],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"phase {phase} failed:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def phase_baseline(folder: str) -> dict[str, Any]:
    """`kintrace link` over the CSV files in `folder` (the same inputs as the registry's match)."""
    import contextlib
    import io

    from kintrace.cli.main import app

    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        paths = [str(Path(folder) / n) for n in ("cases.csv", "list.csv", "pairs.csv")]
        app(["link", paths[0], paths[1], "--out", paths[2]], standalone_mode=False)
    elapsed = time.perf_counter() - started
    return {
        "command": "kintrace link cases.csv list.csv --out pairs.csv",
        "s": round(elapsed, 2),
        "peak_rss_mb": _peak_rss_mb(),
        "output": out.getvalue().strip().splitlines()[-1],
    }


def _baseline(url: str, list_id: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kintrace-bench-lists-") as folder:
        _write_csvs(url, list_id, Path(folder))
        return _child("baseline", folder)


def main() -> None:
    def say(message: str) -> None:
        print(message, flush=True)

    started = time.perf_counter()
    with registry._sqlite_database() as url:
        held = registry._seeded_cases(url) if registry.REUSE_DB else 0
        if held != N_CASES:
            if held:
                raise RuntimeError(f"{registry.REUSE_DB} holds {held} cases, not {N_CASES}; remove it")
            say(f"seeding {N_CASES:,} cases (minutes)")
            from kintrace.services.demo_data import generate_demo_dataset

            seeded = registry._seed(url, generate_demo_dataset(N_CASES, today=dt.date.today()))
        else:
            seeded = {"method": f"reused {registry.REUSE_DB}", "cases": held}
        engine = make_engine(url)
        with session_scope(engine) as session:
            # A kept registry may hold the lists of an earlier run: every run starts without lists.
            for table in (ListCheck, ListPair, ListEntryKey, ListEntry, PublishedList):
                session.execute(delete(table))
            session.execute(
                update(Case)
                .where(Case.state == CaseState.OPEN, Case.merged_into_id.is_(None))
                .values(list_matching_consent=True)
            )
            consenting = session.scalar(select(func.count()).where(Case.list_matching_consent.is_(True)))
        engine.dispose()
        say(f"{consenting:,} open cases consent to list matching; importing and matching {N_ROWS:,} rows")
        listed = _child("list", url)
        say(
            f"list: import {listed['import_s']} s, match {listed['match_s']} s, "
            f"peak {listed['peak_rss_mb']} MB"
        )
        say("baseline: kintrace link over the same inputs")
        baseline = _baseline(url, listed["list_id"])
        say(baseline["output"])
        say(f"baseline: {baseline['s']} s, peak {baseline['peak_rss_mb']} MB")
        say(f"storing lists up to {N_STORED:,} rows, then {EDITS} edits of cases, cold and as a server")
        cold = _child("case_cold", url)
        say(f"cold: first edit {cold['first_edit_s']} s, median {cold['edit_median_s']} s")
        edited = _child("case", url)
        say(
            f"server (warmed at start in {edited['warm_up_s']} s): first edit {edited['first_edit_s']} s, "
            f"median {edited['edit_median_s']} s, max {edited['edit_max_s']} s"
        )
    results = {
        "benchmark": "lists",
        "n_cases": N_CASES,
        "consenting_open_cases": consenting,
        "list_rows": N_ROWS,
        "stored_rows": N_STORED,
        "goal": {"list_s": GOAL_LIST_S, "list_peak_mb": GOAL_LIST_MB, "case_edit_s": GOAL_CASE_S},
        "note": "SQLite; a 2-core machine shared with other work while measuring",
        "seed": seeded,
        "list": listed,
        "baseline_kintrace_link": baseline,
        "case_edit": edited,
        "case_edit_cold_baseline": cold,
        "total_s": round(time.perf_counter() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"written to {RESULTS} in {results['total_s']} s")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        phases = {
            "list": phase_list,
            "case": phase_case,
            "case_cold": functools.partial(phase_case, warm=False),
            "baseline": phase_baseline,
        }
        phase = phases[sys.argv[1]]
        print(json.dumps(phase(sys.argv[2])), flush=True)
    else:
        main()
