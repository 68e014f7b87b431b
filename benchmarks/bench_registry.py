"""The case registry at the size of a national tracing service: 100,000 cases, through the real API.

For each database (SQLite always; PostgreSQL when 127.0.0.1:5432 answers, in a schema of its own
that is dropped afterwards):

1. seed the synthetic demo dataset (services.demo_data + services.demo.seed_demo, the fastest path
   the services offer: bulk Core INSERTs plus one hash-chained audit row per row written);
2. time the pages a caseworker opens all day, through the FastAPI app with a bearer token
   (TestClient, so routing, auth, validation and serialisation are all counted), with the schema
   at revision 0002 (which added an index on pending requests, (outcome, submitted_on, case_id))
   and at head (0003 dropped it again on these figures), in alternating rounds on the same rows;
3. time `kintrace audit verify` over the seeded audit chain (a subprocess: the command as run);
4. time the case list's count with the name and days-pending filters written as a correlated
   EXISTS (the code before) and as IN (subquery) (the code now), and a name search's page with its
   total as two passes over the persons (before) and as one, with a window count (now).

Seeding is most of the run (seed_demo is Python-bound: about 2-4 minutes for 100,000 cases here).
`python -m benchmarks registry` runs it; KINTRACE_BENCH_REGISTRY_N sets the size (default 100000),
KINTRACE_BENCH_PG_URL the PostgreSQL server ("" to skip it), KINTRACE_BENCH_REGISTRY_DB a SQLite
file to keep the seeded registry in and reuse next time (a rerun then takes about 2 minutes).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import Engine, exists, func, select, text
from sqlalchemy.exc import OperationalError

from kintrace.api.app import API_PREFIX
from kintrace.domain.vocabulary import CaseState, RequestOutcome, Role
from kintrace.server.app import create_app
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.services.cases import CaseFilter, _filter_clauses
from kintrace.services.demo import seed_demo
from kintrace.services.demo_data import DemoDataset, generate_demo_dataset
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import downgrade, upgrade
from kintrace.store.models import AuditEntry, Base, Case, EvidenceItem, StatusRequest, User
from kintrace.store.models import MissingPerson as PersonRow

RESULTS = Path(__file__).parent / "results" / "registry.json"
N_CASES = int(os.environ.get("KINTRACE_BENCH_REGISTRY_N", "100000"))
PG_SERVER = os.environ.get("KINTRACE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# "before" timings run at this revision (with the pending-requests index), "after" at head (without).
BASELINE_REVISION = "0002"
WARMUP = 3
REPEATS = 30
ROUNDS = 3  # before/after alternations; each times REPEATS // ROUNDS requests per scenario
QUERY_REPEATS = 7
# "copy" (default) loads PostgreSQL with the SQLite seed's rows; "seed_demo" seeds it again (minutes).
PG_LOAD = os.environ.get("KINTRACE_BENCH_PG_LOAD", "copy")
# A SQLite file to keep the seeded registry in and reuse on the next run (seeding is most of the time).
REUSE_DB = os.environ.get("KINTRACE_BENCH_REGISTRY_DB", "")
# What a caseworker should never wait longer than, at 100,000 cases (p95, server side).
GOAL_LIST_P95_MS = 200.0
GOAL_CASE_P95_MS = 100.0

# Name searches, from very common to rare: a surname's beginning, a patronymic, a Russian surname with
# ё, a Ukrainian given name, a surname, a name part that matches nothing; then the kinds that only the
# stored cross-script keys answer: Latin for Cyrillic, the given name first, a surname with initials.
NAME_NEEDLES = (
    "шевч",
    "олександрович",
    "соловьёв",
    "ярослав",
    "мельничук",
    "щюь",
    "Shevchenko",
    "Melnychuk",
    "Олександр Шевченко",
    "Kovalenko Andrii",
    "Шевченко О. В.",
    "Бондарь",
)
STATUS_FILTERS = (
    "status=confirmed_captured",
    "status=reported_dead&track=evidence",
    "status=missing",
    "status=remains_identified&track=official",
)
DAYS_PENDING = (30, 90, 180, 365)


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # "list" (a page over all cases) or "case" (one case), for the goal it is held to
    paths: tuple[str, ...]  # cycled through, so one lucky parameter does not make the figure


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    max_ms: float
    requests: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "requests": self.requests,
        }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def _sqlite_database() -> Iterator[str]:
    if REUSE_DB:  # kept for the next run
        Path(REUSE_DB).parent.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{Path(REUSE_DB).resolve()}"
        return
    folder = Path(tempfile.mkdtemp(prefix="kintrace-bench-"))
    try:
        yield f"sqlite:///{folder / 'registry.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _seeded_cases(url: str) -> int:
    """How many cases a kept SQLite file already holds (0 when it is new or not migrated)."""
    if not Path(REUSE_DB).exists():
        return 0
    engine = make_engine(url)
    try:
        return _count(engine, Case)
    except OperationalError:
        return 0
    finally:
        engine.dispose()


@contextmanager
def _postgres_schema(server_url: str) -> Iterator[str]:
    """A schema of its own on the server, dropped afterwards whatever happens."""
    schema = f"kt_bench_registry_{secrets.token_hex(5)}"
    admin = make_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _postgres_reachable(server_url: str) -> bool:
    if not server_url:
        return False
    engine = make_engine(server_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def _seed(url: str, dataset: DemoDataset) -> dict[str, Any]:
    started = time.perf_counter()
    upgrade(url)
    migrated = time.perf_counter()
    engine = make_engine(url)
    marks: list[tuple[str, float]] = [("start", time.perf_counter())]

    def step(name: str) -> None:  # seed_demo names each step as it starts; time them
        marks.append((name, time.perf_counter()))

    try:
        with session_scope(engine) as session:
            result = seed_demo(session, SYSTEM, dataset, progress=step, duplicates=False)
            step("commit")
        seeded = time.perf_counter()
        marks.append(("end", seeded))
        steps = {name: round(end - start, 2) for (name, start), (_, end) in itertools.pairwise(marks)}
        if engine.dialect.name == "postgresql":
            # Autovacuum would analyze the fresh tables within a minute; do it now so the planner
            # sees the rows it will serve. SQLite gets no ANALYZE: kintrace never runs one there.
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return {
        "migrate_s": round(migrated - started, 2),
        "seed_s": round(seeded - migrated, 2),
        "cases": result.cases,
        "evidence": result.evidence,
        "requests": result.requests,
        "audit_rows": result.audit_rows,
        "audit_rows_per_s": round(result.audit_rows / (seeded - migrated)),
        "steps_s": steps,
    }


def _caseworker_token(engine: Engine) -> str:
    with session_scope(engine) as session:
        user = session.scalars(select(User).where(User.role == Role.CASEWORKER).order_by(User.id)).first()
        if user is None:
            raise RuntimeError("the demo dataset holds no caseworker account")
        _row, token = user_service.create_api_token(session, SYSTEM, user.id, "registry benchmark")
    return token


def _sample_cases(engine: Engine, count: int = 40) -> list[int]:
    """Cases spread over the whole table that have evidence (several items where possible)."""
    with session_scope(engine) as session:
        per_case = (
            select(EvidenceItem.case_id, func.count().label("items"))
            .group_by(EvidenceItem.case_id)
            .having(func.count() >= 2)
            .subquery()
        )
        ids = list(session.scalars(select(per_case.c.case_id).order_by(per_case.c.case_id)))
        if not ids:
            ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    step = max(1, len(ids) // count)
    return ids[::step][:count]


def _scenarios(case_ids: list[int], n_cases: int) -> list[Scenario]:
    deep_page = max(1, n_cases // 2 // 50)
    return [
        Scenario("case list, page 1", "list", ("/cases",)),
        Scenario(f"case list, page {deep_page}", "list", (f"/cases?page={deep_page}",)),
        Scenario("name search (stored keys)", "list", tuple(f"/cases?name={quote(n)}" for n in NAME_NEEDLES)),
        Scenario("status filter", "list", tuple(f"/cases?{f}" for f in STATUS_FILTERS)),
        Scenario("days-pending filter", "list", tuple(f"/cases?days_pending={d}" for d in DAYS_PENDING)),
        Scenario("overdue list, page 1", "list", ("/overdue",)),
        Scenario("case status view", "case", tuple(f"/cases/{i}/status" for i in case_ids)),
        Scenario("case contradictions", "case", tuple(f"/cases/{i}/contradictions" for i in case_ids)),
    ]


def _timing(samples: list[float]) -> Timing:
    values = np.array(samples)
    return Timing(
        float(np.median(values)), float(np.percentile(values, 95)), float(values.max()), len(values)
    )


def _time_round(
    url: str, token: str, scenarios: list[Scenario], offset: int, samples: dict[str, list[float]]
) -> None:
    """One round: a fresh app, WARMUP untimed requests per scenario, then REPEATS // ROUNDS timed ones."""
    app = create_app(url, secrets.token_urlsafe(48))
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with TestClient(app) as client:
            for scenario in scenarios:

                def call(index: int, scenario: Scenario = scenario) -> float:
                    path = API_PREFIX + scenario.paths[index % len(scenario.paths)]
                    started = time.perf_counter()
                    response = client.get(path, headers=headers)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:300]}")
                    return elapsed * 1000

                for index in range(WARMUP):
                    call(offset + index)
                per_round = REPEATS // ROUNDS
                samples[scenario.name].extend(call(offset + index) for index in range(per_round))
    finally:
        app.state.engine.dispose()


def _time_before_after(
    url: str, token: str, scenarios: list[Scenario]
) -> tuple[dict[str, Timing], dict[str, Timing], float]:
    """Alternate rounds at the baseline revision and at head, so that the load of a shared machine
    drifting during the run weighs on both sides alike. Returns before, after and the slowest upgrade."""
    before: dict[str, list[float]] = {scenario.name: [] for scenario in scenarios}
    after: dict[str, list[float]] = {scenario.name: [] for scenario in scenarios}
    slowest_upgrade = 0.0
    for round_ in range(ROUNDS):
        offset = round_ * (REPEATS // ROUNDS)  # each round asks for other cases, needles and filters
        downgrade(url, BASELINE_REVISION)
        _time_round(url, token, scenarios, offset, before)
        started = time.perf_counter()
        upgrade(url)
        slowest_upgrade = max(slowest_upgrade, time.perf_counter() - started)
        _time_round(url, token, scenarios, offset, after)
    return (
        {name: _timing(values) for name, values in before.items()},
        {name: _timing(values) for name, values in after.items()},
        slowest_upgrade,
    )


def _audit_verify(url: str) -> dict[str, Any]:
    """`kintrace audit verify` as an operator runs it (a fresh process, imports included)."""
    command = [str(Path(sys.executable).with_name("kintrace")), "audit", "verify", "--database-url", url]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"kintrace audit verify failed ({done.returncode}): {done.stderr or done.stdout}")
    return {"seconds": round(elapsed, 2), "output": done.stdout.strip()}


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _copy_rows(source_url: str, target_url: str) -> dict[str, Any]:
    """Load PostgreSQL with the very rows seeded into SQLite (audit chain included), by COPY.

    seed_demo spends its time in Python (building rows and chaining audit hashes), the same on
    either database; copying its output keeps the whole benchmark within minutes. The audit rows
    keep their ids, texts and hashes, so `audit verify` checks the same chain on both.
    """
    started = time.perf_counter()
    upgrade(target_url)
    source, target = make_engine(source_url), make_engine(target_url)
    rows = 0
    try:
        with source.connect() as src, target.begin() as dst:
            cursor = dst.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for table in Base.metadata.sorted_tables:
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                # Raw SQLite values (ISO text, 0/1, JSON text) are what PostgreSQL's COPY parses.
                result = src.exec_driver_sql(f'SELECT {columns} FROM "{table.name}"')
                with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in result:
                        copy.write_row(tuple(row))
                        rows += 1
                if "id" in table.columns and table.columns["id"].autoincrement is not False:
                    # Later inserts (the benchmark's API token) take the next id, as after a real load.
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f'COALESCE(MAX(id), 0) + 1, false) FROM "{table.name}"'
                        )
                    )
            dst.execute(text("ANALYZE"))
    finally:
        source.dispose()
        target.dispose()
    elapsed = time.perf_counter() - started
    return {"method": "COPY of the SQLite seed", "copy_s": round(elapsed, 2), "rows": rows}


def _query_forms(url: str, today: dt.date) -> dict[str, Any]:
    """The case list's count query with the filters written as before (correlated EXISTS) and now (IN).

    The count runs on every list request and scans the most; the index comparison above cannot
    show this change, which is in code rather than in the schema.
    """
    cutoff = today - dt.timedelta(days=90)
    correlated = {
        "name": exists(
            select(PersonRow.id).where(
                PersonRow.case_id == Case.id, PersonRow.search_text.contains("шевч", autoescape=True)
            )
        ),
        "days pending": exists(
            select(StatusRequest.id).where(
                StatusRequest.case_id == Case.id,
                StatusRequest.outcome == RequestOutcome.PENDING,
                StatusRequest.submitted_on <= cutoff,
            )
        ),
    }
    filters = {"name": CaseFilter(name="шевч"), "days pending": CaseFilter(min_days_pending=90)}
    engine = make_engine(url)
    figures: dict[str, Any] = {}
    try:
        with session_scope(engine) as session:
            for label, clause in correlated.items():
                before = [Case.state != CaseState.MERGED, clause]
                after = _filter_clauses(SYSTEM, filters[label], today)

                def count(where: list[Any]) -> tuple[float, int]:
                    started = time.perf_counter()
                    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
                    return (time.perf_counter() - started) * 1000, total

                old: list[tuple[float, int]] = []
                new: list[tuple[float, int]] = []
                for _ in range(QUERY_REPEATS):  # alternating, so load drift weighs on both alike
                    old.append(count(before))
                    new.append(count(after))
                if old[0][1] != new[0][1]:
                    raise RuntimeError(f"{label}: the two query forms count {old[0][1]} and {new[0][1]}")
                old_ms = float(np.median([ms for ms, _ in old]))
                new_ms = float(np.median([ms for ms, _ in new]))
                figures[label] = {
                    "matches": new[0][1],
                    "exists_median_ms": round(old_ms, 2),
                    "in_median_ms": round(new_ms, 2),
                    "ratio": round(old_ms / new_ms, 2),
                }
    finally:
        engine.dispose()
    return figures


def run_backend(
    label: str, url: str, load: Callable[[], dict[str, Any]], say: Callable[[str], None]
) -> dict[str, Any]:
    say(f"[{label}] migrating and loading the registry")
    seeding = load()
    say(f"[{label}] loaded: {seeding}")
    engine = make_engine(url)
    try:
        token = _caseworker_token(engine)
        case_ids = _sample_cases(engine)
        n_cases = _count(engine, Case)
        n_requests = _count(engine, StatusRequest)
    finally:
        engine.dispose()
    scenarios = _scenarios(case_ids, n_cases)

    say(f"[{label}] timing the API, alternating revision {BASELINE_REVISION} (before) and head (after)")
    before, after, index_build_s = _time_before_after(url, token, scenarios)

    say(f"[{label}] kintrace audit verify")
    engine = make_engine(url)
    try:
        audit_rows = _count(engine, AuditEntry)
    finally:
        engine.dispose()
    verify = _audit_verify(url)
    verify["rows"] = audit_rows
    verify["rows_per_s"] = round(audit_rows / verify["seconds"])
    say(f"[{label}] the case list's filters as correlated EXISTS vs IN")
    # At head, not at 0002: there SQLite's planner (no statistics) takes the (outcome, submitted_on)
    # index inside the correlated EXISTS and scans every pending request for each case (over a minute).
    forms = _query_forms(url, dt.date.today())

    figures: dict[str, Any] = {}
    for scenario in scenarios:
        old, new = before[scenario.name], after[scenario.name]
        goal = GOAL_LIST_P95_MS if scenario.kind == "list" else GOAL_CASE_P95_MS
        figures[scenario.name] = {
            "kind": scenario.kind,
            "paths": list(scenario.paths[:3]) + (["..."] if len(scenario.paths) > 3 else []),
            "before": old.as_dict(),
            "after": new.as_dict(),
            "p95_ratio_before_over_after": round(old.p95_ms / new.p95_ms, 2),
            "goal_p95_ms": goal,
            "meets_goal": new.p95_ms < goal,
        }
    for name, row in figures.items():  # as it comes, in case a later backend fails
        before_p95, after_p95 = row["before"]["p95_ms"], row["after"]["p95_ms"]
        say(f"[{label}] {name}: p95 {before_p95:.1f} ms before, {after_p95:.1f} ms after")
    return {
        "seeding": seeding,
        "cases": n_cases,
        "status_requests": n_requests,
        "index_migration_s": round(index_build_s, 2),
        "scenarios": figures,
        "audit_verify": verify,
        "query_forms": forms,
    }


def _print_table(results: dict[str, Any]) -> None:
    print()
    print(
        f"registry at {results['n_cases']:,} cases; goal p95 < {GOAL_LIST_P95_MS:.0f} ms for a list page, "
        f"< {GOAL_CASE_P95_MS:.0f} ms for one case\n(before = revision {BASELINE_REVISION}, with the "
        "pending-requests index; after = head, without it)"
    )
    header = (
        f"{'database':<11} {'request':<36} {'before med':>10} {'before p95':>10} "
        f"{'after med':>10} {'after p95':>10} {'p95 ratio':>9}  goal"
    )
    print(header)
    print("-" * len(header))
    for label, backend in results["backends"].items():
        for name, row in backend["scenarios"].items():
            b, a = row["before"], row["after"]
            print(
                f"{label:<11} {name:<36} {b['median_ms']:>10.1f} {b['p95_ms']:>10.1f} "
                f"{a['median_ms']:>10.1f} {a['p95_ms']:>10.1f} {row['p95_ratio_before_over_after']:>8.1f}x  "
                f"{'met' if row['meets_goal'] else 'MISSED'}"
            )
    print()
    made = (
        "not generated (reused)"
        if results["generate_s"] is None
        else f"generated in {results['generate_s']} s"
    )
    print(f"dataset {made}; peak RSS {results['peak_rss_mb']:.0f} MB")
    for label, backend in results["backends"].items():
        seeding, verify = backend["seeding"], backend["audit_verify"]
        if "seed_s" in seeding:
            load = f"seed_demo {seeding['seed_s']:.1f} s ({seeding['audit_rows_per_s']:,} audit rows/s)"
        elif "copy_s" in seeding:
            load = f"{seeding['method']} {seeding['copy_s']:.1f} s ({seeding['rows']:,} rows)"
        else:
            load = seeding["method"]
        print(
            f"{label:<11} {load}, upgrade to head {backend['index_migration_s']:.1f} s, "
            f"audit verify {verify['seconds']:.1f} s over {verify['rows']:,} rows "
            f"({verify['rows_per_s']:,} rows/s)"
        )
        for name, form in backend["query_forms"].items():
            print(
                f"{'':<11} count of the {name} filter: correlated EXISTS {form['exists_median_ms']:.1f} ms, "
                f"IN {form['in_median_ms']:.1f} ms ({form['ratio']:.1f}x)"
            )


def main() -> None:
    def say(message: str) -> None:
        print(message, flush=True)

    started = time.perf_counter()
    generated: dict[str, Any] = {}

    def dataset() -> DemoDataset:
        if "dataset" not in generated:
            say(f"generating {N_CASES:,} synthetic cases")
            began = time.perf_counter()
            generated["dataset"] = generate_demo_dataset(N_CASES, today=dt.date.today())
            generated["seconds"] = round(time.perf_counter() - began, 2)
            say(f"generated in {generated['seconds']} s")
        data: DemoDataset = generated["dataset"]
        return data

    backends: dict[str, Any] = {}
    with _sqlite_database() as sqlite_url:

        def load_sqlite() -> dict[str, Any]:
            if REUSE_DB:
                held = _seeded_cases(sqlite_url)
                if held == N_CASES:
                    upgrade(sqlite_url)
                    return {"method": f"reused {REUSE_DB}", "cases": held}
                if held:
                    raise RuntimeError(f"{REUSE_DB} holds {held} cases, not {N_CASES}; remove it")
            return _seed(sqlite_url, dataset())

        backends["sqlite"] = run_backend("sqlite", sqlite_url, load_sqlite, say)
        if _postgres_reachable(PG_SERVER):
            with _postgres_schema(PG_SERVER) as pg_url:

                def load_postgres() -> dict[str, Any]:
                    if PG_LOAD == "seed_demo":
                        return _seed(pg_url, dataset())
                    return _copy_rows(sqlite_url, pg_url)

                backends["postgresql"] = run_backend("postgresql", pg_url, load_postgres, say)
        else:
            say(f"PostgreSQL at {PG_SERVER or '(none)'} is not reachable; SQLite only")

    results = {
        "n_cases": N_CASES,
        "today": dt.date.today().isoformat(),
        "goal": {"list_p95_ms": GOAL_LIST_P95_MS, "case_p95_ms": GOAL_CASE_P95_MS},
        "baseline_revision": BASELINE_REVISION,
        "warmup": WARMUP,
        "repeats": REPEATS,
        "generate_s": generated.get("seconds"),
        "peak_rss_mb": round(_peak_rss_mb()),
        "total_s": round(time.perf_counter() - started, 1),
        "backends": backends,
    }
    _print_table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {RESULTS} in {results['total_s']} s")


if __name__ == "__main__":
    main()
