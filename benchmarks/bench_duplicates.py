"""Stored duplicate candidates at 20,000 cases: the desk's page reading them, against the engine.

Seeds a fresh SQLite registry with the demo's bulk writer (services.demo.seed_demo, as
bench_registry does; its own duplicate run skipped so it is timed here), then in one run:

1. the baseline: the on-the-fly computation of every candidate pair (`find_duplicates`, what
   /desk/duplicates ran on every view before the pairs were stored), BASELINE_REPEATS times;
2. the full refresh (`duplicate_candidates.refresh`: the same computation plus replacing the rows,
   with the features the baseline left cached, as in a serving process), and a check that the stored
   pairs equal the on-the-fly ones;
3. the page /desk/duplicates through `kintrace serve` on loopback (a signed-in caseworker, one
   request after another over one keep-alive connection), and GET /api/v1/duplicates;
4. a filing's check (`check_filed_case`) of a new case that repeats a registered person and of one
   that does not, FILINGS times each, each rolled back: as the first check in a process (every
   registry row's features computed, as every filing did before the features were cached) and as a
   later one (only the new row's).

Goal for the page: p95 under 150 ms. `python -m benchmarks duplicates`; KINTRACE_BENCH_DUPLICATES_N
(cases, 20000), KINTRACE_BENCH_DUPLICATES_REQUESTS (page requests, 200), KINTRACE_BENCH_DUPLICATES_DB
(a SQLite file to keep the seeded registry in and reuse). Writes benchmarks/results/duplicates.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks.served import served
from kintrace.domain.person import MissingPerson as DomainPerson
from kintrace.domain.person import PersonName
from kintrace.domain.vocabulary import Role
from kintrace.services import cases as case_service
from kintrace.services import duplicate_candidates, duplicate_keys
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.services.demo import seed_demo
from kintrace.services.demo_data import generate_demo_dataset
from kintrace.services.persons import to_domain
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import upgrade
from kintrace.store.models import Case, MissingPerson

RESULTS = Path(__file__).parent / "results" / "duplicates.json"
N_CASES = int(os.environ.get("KINTRACE_BENCH_DUPLICATES_N", "20000"))
REQUESTS = int(os.environ.get("KINTRACE_BENCH_DUPLICATES_REQUESTS", "200"))
REUSE_DB = os.environ.get("KINTRACE_BENCH_DUPLICATES_DB", "")
BASELINE_REPEATS = 2
FILINGS = 5
WARMUP = 10
GOAL_P95_MS = 150.0
LOGIN = ("dupes-bench", "dupes-bench-password-1")


def _seed(url: str) -> float:
    started = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            if not session.scalar(select(func.count()).select_from(Case)):
                dataset = generate_demo_dataset(N_CASES, today=dt.date.today())
                seed_demo(session, SYSTEM, dataset, duplicates=False)
            if user_service.get_user_by_username(session, LOGIN[0]) is None:
                user_service.create_user(
                    session,
                    SYSTEM,
                    username=LOGIN[0],
                    password=LOGIN[1],
                    role=Role.CASEWORKER,
                    display_name="Bench",
                )
    finally:
        engine.dispose()
    return time.perf_counter() - started


def _pairs(found: list[duplicate_candidates.Candidate]) -> set[tuple[int, int, str]]:
    return {(c.case_id, c.other_case_id, c.band.value) for c in found}


def _engine_runs(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        baseline = []
        for _ in range(BASELINE_REPEATS):
            duplicate_candidates.clear_feature_cache()  # as a view computed it before: every row's features
            with session_scope(engine) as session:
                clock = time.perf_counter()
                on_the_fly = duplicate_candidates.find_duplicates(session, SYSTEM)
                baseline.append(time.perf_counter() - clock)
            print(f"  on the fly: {len(on_the_fly)} pairs in {baseline[-1]:.1f} s", flush=True)
        with session_scope(engine) as session:
            clock = time.perf_counter()
            run = duplicate_candidates.refresh(session, SYSTEM)
            refresh_s = time.perf_counter() - clock
            stored = duplicate_candidates.stored_candidates(session, SYSTEM)
            figures = {"cases": run.cases, "stored_rows": run.pairs, "proposed_pairs": len(stored)}
        print(f"  refresh: {run.pairs} rows in {refresh_s:.1f} s", flush=True)
    finally:
        engine.dispose()
    return {
        "baseline_s": [round(s, 2) for s in baseline],
        "refresh_s": round(refresh_s, 2),
        "stored_equal_on_the_fly": _pairs(stored) == _pairs(on_the_fly),
        **figures,
    }


def _timing(samples: list[float]) -> dict[str, Any]:
    array = np.array(samples)
    return {
        "requests": len(samples),
        "p50_ms": round(float(np.percentile(array, 50)), 1),
        "p95_ms": round(float(np.percentile(array, 95)), 1),
        "max_ms": round(float(array.max()), 1),
    }


def _measure(client: httpx.Client, path: str, requests: int) -> dict[str, Any]:
    for _ in range(WARMUP):
        client.get(path)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:200]}")
    return _timing(samples)


def _pages(url: str, folder: Path) -> dict[str, Any]:
    with served(url, folder / "serve.log") as base, httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post(
            "/signin", data={"login": LOGIN[0], "password": LOGIN[1]}, headers={"Origin": base}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        page = _measure(client, "/desk/duplicates", REQUESTS)
        page["goal_p95_ms"] = GOAL_P95_MS
        page["met"] = page["p95_ms"] < GOAL_P95_MS
        api = _measure(client, "/api/v1/duplicates", max(REQUESTS // 4, 10))
    return {"desk page": page, "api (every pair)": api}


def _filings(url: str) -> dict[str, Any]:
    """A filing's check, as the portal and the desk run it: a repeat of a registered man, and a new one."""
    engine = make_engine(url)
    out: dict[str, Any] = {}
    try:
        with Session(engine) as session:
            person_ids = list(
                session.scalars(select(MissingPerson.id).order_by(MissingPerson.case_id).limit(FILINGS * 97))
            )[::97]
            cases_total = session.scalar(select(func.count()).select_from(Case)) or 0
        kinds: dict[str, Callable[[DomainPerson], DomainPerson]] = {
            "repeat of a registered person": lambda p: p,
            "a person not registered": lambda p: replace(
                p, name=PersonName("Неіснуючий", "Тестовий", "Бенчович"), alternative_names=()
            ),
        }
        for kind, make in kinds.items():
            times: list[float] = []
            cold: list[float] = []
            keys_read: list[int] = []  # the cases the check reads (all of them up to FULL_SCAN_LIMIT)
            maybe: list[bool] = []
            for person_id in person_ids:
                with Session(engine) as session:
                    row = session.get(MissingPerson, person_id)
                    assert row is not None
                    case = case_service.create_case(session, SYSTEM, make(to_domain(row)))
                    session.flush()
                    # First as the first check in a process (every row's features computed), then
                    # as every later one (only the new case's row computed); the answers must agree.
                    duplicate_candidates.clear_feature_cache()
                    with session.begin_nested() as cold_check:
                        clock = time.perf_counter()
                        cold_answer = duplicate_candidates.check_filed_case(session, SYSTEM, case.id)
                        cold.append(time.perf_counter() - clock)
                        cold_check.rollback()
                    clock = time.perf_counter()
                    maybe.append(duplicate_candidates.check_filed_case(session, SYSTEM, case.id))
                    times.append(time.perf_counter() - clock)
                    if maybe[-1] != cold_answer:
                        raise RuntimeError("the warm check answered otherwise than the cold one")
                    keys_read.append(len(duplicate_keys.candidate_case_ids(session, case.id)))
                    session.rollback()
            out[kind] = {
                "first_in_process_median_s": round(statistics.median(cold), 3),
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "times_s": [round(t, 3) for t in times],
                "cases_read": keys_read
                if cases_total > duplicate_candidates.FULL_SCAN_LIMIT
                else cases_total,
                "told_may_be_registered": maybe,
            }
            print(
                f"  filing, {kind}: median {out[kind]['median_s']} s "
                f"(first in a process {out[kind]['first_in_process_median_s']} s), said 'may' {maybe}",
                flush=True,
            )
    finally:
        engine.dispose()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kintrace-bench-duplicates-") as folder:
        path = Path(REUSE_DB) if REUSE_DB else Path(folder) / "duplicates.db"
        url = f"sqlite:///{path}"
        seeded_s = _seed(url)
        print(f"seeded {N_CASES} cases in {seeded_s:.1f} s", flush=True)
        engine_figures = _engine_runs(url)
        pages = _pages(url, Path(folder))
        filings = _filings(url)
    baseline_ms = statistics.median(engine_figures["baseline_s"]) * 1000
    page = pages["desk page"]
    page["speedup_vs_on_the_fly_p95"] = round(baseline_ms / page["p95_ms"], 1)
    print(
        f"desk page: p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms (goal < {GOAL_P95_MS} ms); "
        f"on the fly {baseline_ms / 1000:.1f} s: {page['speedup_vs_on_the_fly_p95']}x"
    )
    report = {
        "benchmark": "duplicates",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "shared": True},
        "database": "sqlite",
        "cases": N_CASES,
        "seed_s": round(seeded_s, 1),
        "engine": engine_figures,
        "pages": pages,
        "filing_check": filings,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
