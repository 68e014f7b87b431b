"""The pages a caseworker opens, under load, at 100,000 cases, through `kintrace serve` on loopback.

The registry is seeded with the demo's bulk writer (bench_registry's seeding: services.demo_data +
services.demo.seed_demo; KINTRACE_BENCH_REGISTRY_DB keeps the seeded SQLite file for the next run).
`kintrace serve` runs in a process of its own; the clients are threads with their own httpx
connections (a real HTTP client: routing, auth, templates, serialisation and the socket counted).

1. alone: CLIENTS clients request one page for PHASE_S seconds, for each page in turn;
2. beside the dashboard: the same, while one more client opens the dashboard without pause and
   its trend is rebuilt on every view (KINTRACE_TREND_CACHE_S=0: the worst case, a rebuild each
   time instead of once every 5 minutes).

Pages: the case list (API), one case (API), a name search (API, bench_registry.NAME_NEEDLES: Cyrillic
and Latin, given name first, initials, from common to matching nothing), the desk's case page (HTML)
and the dashboard (HTML). Goals (p95): 100 ms for the first four at 4 clients, 300 ms for the
dashboard, and no page slowed by the dashboard (the ratio of its p95 beside the dashboard to alone).

`python -m benchmarks load`; KINTRACE_BENCH_LOAD_CLIENTS (4), KINTRACE_BENCH_LOAD_S (15),
KINTRACE_BENCH_LOAD_PG=1 to measure PostgreSQL too (loaded with a copy of the SQLite rows).
KINTRACE_BENCH_LOAD_BASELINE_SRC=DIR/src and KINTRACE_BENCH_LOAD_BASELINE_DB=FILE: each page alone
is measured alternately on another revision's code (`git archive REV src | tar -x -C DIR`, run through
PYTHONPATH) over a copy of the seeded SQLite file at that revision's schema, and on this code (the
same run, so a shared machine's load falls on both).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import numpy as np

from benchmarks import bench_registry as registry
from benchmarks.served import served
from kintrace.domain.vocabulary import Role
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.services.demo_data import generate_demo_dataset
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import upgrade

RESULTS = Path(__file__).parent / "results" / os.environ.get("KINTRACE_BENCH_LOAD_OUT", "load.json")
CLIENTS = int(os.environ.get("KINTRACE_BENCH_LOAD_CLIENTS", "4"))
PHASE_S = float(os.environ.get("KINTRACE_BENCH_LOAD_S", "15"))
WITH_PG = os.environ.get("KINTRACE_BENCH_LOAD_PG", "") == "1"
WARMUP = 5
# The dashboard's trend cache in the server: "0" (default) rebuilds it beside every view, the worst
# case; "60" is what a deployment runs (the most the server keeps it: one rebuild a minute).
TREND_CACHE_S = os.environ.get("KINTRACE_BENCH_TREND_CACHE_S", "0")
# A baseline measured in the same run (see _baseline_served): another revision's src and its database.
BASELINE_SRC = os.environ.get("KINTRACE_BENCH_LOAD_BASELINE_SRC", "")
BASELINE_DB = os.environ.get("KINTRACE_BENCH_LOAD_BASELINE_DB", "")
BASELINE_REV = os.environ.get("KINTRACE_BENCH_LOAD_BASELINE_REV", "")  # what the baseline's src is
GOAL_PAGE_P95_MS = 100.0
GOAL_DASHBOARD_P95_MS = 300.0
LOGIN = ("load-bench", "load-bench-password-1")


@dataclass(frozen=True)
class Page:
    name: str
    paths: tuple[str, ...]
    web: bool  # a desk page (session cookie) rather than the API (bearer token)


NAMES = registry.NAME_NEEDLES


def _pages(case_ids: list[int]) -> list[Page]:
    return [
        Page("case list", ("/api/v1/cases",), web=False),
        Page("one case", tuple(f"/api/v1/cases/{i}" for i in case_ids), web=False),
        Page("name search", tuple(f"/api/v1/cases?name={quote(n)}" for n in NAMES), web=False),
        Page("desk case page", tuple(f"/desk/cases/{i}" for i in case_ids), web=True),
    ]


DASHBOARD = Page("dashboard", ("/desk",), web=True)


@contextmanager
def _client(base: str, token: str, web: bool) -> Iterator[httpx.Client]:
    """A client signed in on the desk (web) or carrying the API token; one connection, kept alive."""
    client = httpx.Client(base_url=base, timeout=120)
    try:
        yield _signed_in(client, base, token, web)
    finally:
        client.close()


def _signed_in(client: httpx.Client, base: str, token: str, web: bool) -> httpx.Client:
    if web:
        answer = client.post(
            "/signin", data={"login": LOGIN[0], "password": LOGIN[1]}, headers={"Origin": base}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in failed: {answer.status_code} {answer.text[:200]}")
    else:
        client.headers["Authorization"] = f"Bearer {token}"
    return client


def _hammer(
    base: str,
    token: str,
    page: Page,
    stop: float,
    samples: list[float],
    errors: list[str],
    lock: threading.Lock,
    by_path: dict[str, list[float]],
) -> None:
    mine: list[float] = []
    paths: dict[str, list[float]] = {}
    failed: list[str] = []
    with _client(base, token, page.web) as client:
        for path in itertools.cycle(page.paths):
            if time.monotonic() >= stop:
                break
            started = time.perf_counter()
            answer = client.get(path)
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                failed.append(f"{path}: {answer.status_code}")
            else:
                mine.append(elapsed * 1000)
                paths.setdefault(path, []).append(elapsed * 1000)
    with lock:
        samples.extend(mine)
        errors.extend(failed)
        for path, values in paths.items():
            by_path.setdefault(path, []).extend(values)


def _run(base: str, token: str, load: list[Page], seconds: float) -> dict[str, dict[str, Any]]:
    """Each entry of `load` is one client thread; the figures are per page name."""
    samples: dict[str, list[float]] = {page.name: [] for page in load}
    errors: dict[str, list[str]] = {page.name: [] for page in load}
    by_path: dict[str, dict[str, list[float]]] = {page.name: {} for page in load}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_hammer,
            args=(base, token, page, stop, samples[page.name], errors[page.name], lock, by_path[page.name]),
        )
        for page in load
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = {}
    for name, values in samples.items():
        array = np.array(values) if values else np.array([float("nan")])
        figures[name] = {
            "requests": len(values),
            "per_s": round(len(values) / seconds, 1),
            "p50_ms": round(float(np.percentile(array, 50)), 1),
            "p95_ms": round(float(np.percentile(array, 95)), 1),
            "max_ms": round(float(array.max()), 1),
            "errors": len(errors[name]),
            "error_samples": errors[name][:3],
        }
        if name == "name search":  # which queries make the tail
            figures[name]["by_query_p50_p95_ms"] = {
                unquote(path.rsplit("name=", 1)[1]): [
                    round(float(np.percentile(times, 50)), 1),
                    round(float(np.percentile(times, 95)), 1),
                ]
                for path, times in sorted(by_path[name].items())
            }
    return figures


def _warm(base: str, token: str, pages: list[Page]) -> None:
    for page in [*pages, DASHBOARD]:
        with _client(base, token, page.web) as client:
            for path in list(page.paths)[:WARMUP]:
                client.get(path)


def _prepared(url: str) -> tuple[str, list[int]]:
    """The caseworker's API token, the sample cases, and the desk login (made once)."""
    engine = make_engine(url)
    try:
        token = registry._caseworker_token(engine)
        case_ids = registry._sample_cases(engine)
        with session_scope(engine) as session:
            if user_service.get_user_by_username(session, LOGIN[0]) is None:
                user_service.create_user(
                    session, SYSTEM, username=LOGIN[0], password=LOGIN[1], role=Role.CASEWORKER
                )
    finally:
        engine.dispose()
    return token, case_ids


@contextmanager
def _baseline_served() -> Iterator[tuple[str, str] | None]:
    """The baseline's server (its base URL and token), when KINTRACE_BENCH_LOAD_BASELINE_SRC and _DB
    name one: the code of another revision (`git archive REV src | tar -x -C DIR`: DIR/src) over a
    SQLite file of the same rows at that revision's schema; else None."""
    if not (BASELINE_SRC and BASELINE_DB):
        yield None
        return
    url = f"sqlite:///{Path(BASELINE_DB).resolve()}"
    token, _ = _prepared(url)
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(Path(BASELINE_SRC).resolve())  # read as the server starts
    try:
        with served(url) as base:
            if before is None:
                os.environ.pop("PYTHONPATH")
            else:
                os.environ["PYTHONPATH"] = before
            yield base, token
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def measure(url: str, say: Callable[[str], None]) -> dict[str, Any]:
    token, case_ids = _prepared(url)
    pages = _pages(case_ids)
    results: dict[str, Any] = {"alone": {}, "beside_dashboard": {}}
    os.environ["KINTRACE_TREND_CACHE_S"] = TREND_CACHE_S  # read by the server process
    try:
        with served(url) as base, _baseline_served() as baseline:
            _warm(base, token, pages)
            if baseline is not None:
                _warm(baseline[0], baseline[1], pages)
                results["baseline_alone"] = {}
            for page in [*pages, DASHBOARD]:
                if baseline is not None:  # each page alternately on the baseline and on this code
                    old = _run(baseline[0], baseline[1], [page] * CLIENTS, PHASE_S)[page.name]
                    results["baseline_alone"][page.name] = old
                    say(f"  baseline {page.name:15} p95 {old['p95_ms']:8.1f} ms  {old['per_s']:6.1f}/s")
                figures = _run(base, token, [page] * CLIENTS, PHASE_S)[page.name]
                results["alone"][page.name] = figures
                if baseline is not None:
                    old_p95 = results["baseline_alone"][page.name]["p95_ms"]
                    figures["p95_ratio_to_baseline"] = (
                        round(figures["p95_ms"] / old_p95, 2) if old_p95 else None
                    )
                say(f"  alone   {page.name:16} p95 {figures['p95_ms']:8.1f} ms  {figures['per_s']:6.1f}/s")
            for page in pages:
                figures = _run(base, token, [page] * CLIENTS + [DASHBOARD], PHASE_S)
                results["beside_dashboard"][page.name] = figures[page.name]
                results["beside_dashboard"][f"{page.name}: the dashboard"] = figures[DASHBOARD.name]
                alone = results["alone"][page.name]["p95_ms"]
                ratio = figures[page.name]["p95_ms"] / alone if alone else float("nan")
                figures[page.name]["p95_ratio_to_alone"] = round(ratio, 2)
                say(
                    f"  beside  {page.name:16} p95 {figures[page.name]['p95_ms']:8.1f} ms"
                    f"  ({ratio:.2f}x alone; dashboard p95 {figures[DASHBOARD.name]['p95_ms']:.0f} ms)"
                )
    finally:
        os.environ.pop("KINTRACE_TREND_CACHE_S", None)
    alone = results["alone"]
    results["goals_met"] = {
        "pages_p95_under_100ms": all(alone[p.name]["p95_ms"] < GOAL_PAGE_P95_MS for p in pages),
        "dashboard_p95_under_300ms": alone[DASHBOARD.name]["p95_ms"] < GOAL_DASHBOARD_P95_MS,
        "no_errors": all(
            f["errors"] == 0 for phase in ("alone", "beside_dashboard") for f in results[phase].values()
        ),
    }
    return results


@contextmanager
def _seeded_sqlite(say: Callable[[str], None]) -> Iterator[tuple[str, dict[str, Any]]]:
    with registry._sqlite_database() as url:
        held = registry._seeded_cases(url) if registry.REUSE_DB else 0
        if held == registry.N_CASES:
            upgrade(url)
            yield url, {"method": f"reused {registry.REUSE_DB}", "cases": held}
            return
        if held:
            raise RuntimeError(f"{registry.REUSE_DB} holds {held} cases, not {registry.N_CASES}; remove it")
        say(f"generating and seeding {registry.N_CASES:,} cases (minutes)")
        dataset = generate_demo_dataset(registry.N_CASES, today=dt.date.today())
        yield url, registry._seed(url, dataset)


def _previous_p95(path: Path) -> dict[str, Any]:
    """The p95s of the results file this run replaces (SQLite), to read beside the new ones: the
    earlier code measured on the same kind of machine, not in this run (it is shared: say so)."""
    if not path.exists():
        return {}
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        sqlite = old["backends"]["sqlite"]
        return {
            "note": old.get("note", ""),
            "trend_cache_s": old.get("trend_cache_s"),
            "phase_s": old.get("phase_s"),
            **{
                phase: {name: figures["p95_ms"] for name, figures in sqlite[phase].items()}
                for phase in ("alone", "beside_dashboard")
            },
        }
    except (KeyError, TypeError, ValueError):
        return {}


def main() -> None:
    def say(message: str) -> None:
        print(message, flush=True)

    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]  # the machine is shared: how busy it was
    backends: dict[str, Any] = {}
    with _seeded_sqlite(say) as (sqlite_url, seeded):
        say("sqlite")
        backends["sqlite"] = {"seed": seeded, **measure(sqlite_url, say)}
        if WITH_PG and registry._postgres_reachable(registry.PG_SERVER):
            with registry._postgres_schema(registry.PG_SERVER) as pg_url:
                say("postgresql (copying the rows)")
                copied = registry._copy_rows(sqlite_url, pg_url)
                backends["postgresql"] = {"seed": copied, **measure(pg_url, say)}
    results = {
        "benchmark": "load",
        "n_cases": registry.N_CASES,
        "clients": CLIENTS,
        "phase_s": PHASE_S,
        "trend_cache_s": float(TREND_CACHE_S),
        "baseline": (
            {"revision": BASELINE_REV, "src": BASELINE_SRC, "db": BASELINE_DB}
            if BASELINE_SRC and BASELINE_DB
            else None
        ),
        "load_average_1m_start_end": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
        "goal": {"page_p95_ms": GOAL_PAGE_P95_MS, "dashboard_p95_ms": GOAL_DASHBOARD_P95_MS},
        "note": "kintrace serve and the clients on one machine (loopback), "
        "shared with other work while measuring",
        "total_s": round(time.perf_counter() - started, 1),
        "backends": backends,
    }
    previous = _previous_p95(RESULTS)
    if previous:
        results["previous_results_p95_ms"] = previous
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"written to {RESULTS} in {results['total_s']} s")


if __name__ == "__main__":
    main()
