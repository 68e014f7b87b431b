"""A case's search log among many: the family's pages and the API, through `kintrace serve` on loopback.

The registry holds N_CASES cases, each checked against CHECKS_PER_CASE of N_LISTS published lists
(10,000 x 50 = 500,000 lines of search logs) and PENDING_PAIRS candidate pairs waiting for review. The
measured case was checked against every one of the N_LISTS lists, with candidates on some of them.
Rows are written in bulk (test set-up: the import and the matching that make them are measured apart).

Measured, CLIENTS clients at a time for PHASE_S seconds each: the family's full search-log page
(/my/cases/{id}/search-log), the family's case page that carries the log's summary, and
GET /api/v1/cases/{id}/search-log as the family and as a caseworker. Goal: p95 under 150 ms.

`python -m benchmarks search_log`; KINTRACE_BENCH_SEARCH_LOG_CLIENTS (2), KINTRACE_BENCH_SEARCH_LOG_S (10).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from benchmarks.served import served
from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import CLAIM_OF_LIST_KIND, ListKind, PairBand, PairDecision, SearchResult
from kintrace.domain.person import MissingPerson, PersonName
from kintrace.domain.vocabulary import CaseState, Credibility, Reliability, Role, SourceKind
from kintrace.services import cases as case_service
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import upgrade
from kintrace.store.models import Case, ListCheck, ListEntry, ListPair, PublishedList, Source
from kintrace.store.models import MissingPerson as PersonRow

RESULTS = Path(__file__).parent / "results" / "search_log.json"
N_CASES = 10_000
N_LISTS = 200
CHECKS_PER_CASE = 50
PENDING_PAIRS = 10_000
CLIENTS = int(os.environ.get("KINTRACE_BENCH_SEARCH_LOG_CLIENTS", "2"))
PHASE_S = float(os.environ.get("KINTRACE_BENCH_SEARCH_LOG_S", "10"))
GOAL_P95_MS = 150.0
WARMUP = 5
FAMILY = ("searchlog-family", "searchlog-family-password-1")
WORKER = ("searchlog-worker", "searchlog-worker-password-1")
KINDS = list(ListKind)
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def _bulk(session: Session, model: type, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        session.execute(insert(model), rows[start : start + chunk])


def _seed(url: str) -> dict[str, Any]:
    """The registry's rows; returns the measured case's id, the accounts' API tokens and the counts."""
    rng = random.Random(16)
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        with session_scope(engine) as session:
            family = user_service.create_user(
                session, SYSTEM, username=FAMILY[0], password=FAMILY[1], role=Role.FAMILY
            )
            worker = user_service.create_user(
                session, SYSTEM, username=WORKER[0], password=WORKER[1], role=Role.CASEWORKER
            )
            case = case_service.create_case(
                session, SYSTEM, MissingPerson(name=PersonName("Шевченко", "Андрій"))
            )
            case_service.link_family_user(session, SYSTEM, case.id, family.id, "reporter")
            case.list_matching_consent = True
            tokens = {
                "family": user_service.create_api_token(session, SYSTEM, family.id, "bench")[1],
                "caseworker": user_service.create_api_token(session, SYSTEM, worker.id, "bench")[1],
            }
            target = case.id
            session.flush()
            publishers = [
                Source(
                    kind=SourceKind.OFFICIAL_BODY,
                    name=f"Publisher {n}",
                    reliability=Reliability.B,
                    credibility=Credibility.PROBABLY_TRUE,
                )
                for n in range(20)
            ]
            session.add_all(publishers)
            session.flush()
            list_rows = []
            for n in range(N_LISTS):
                kind = KINDS[n % len(KINDS)]
                list_rows.append(
                    {
                        "title": f"Список {n + 1}",
                        "publisher_id": publishers[n % len(publishers)].id,
                        "published_on": PartialDate.from_date(NOW.date() - dt.timedelta(days=n)),
                        "kind": kind,
                        "claim": CLAIM_OF_LIST_KIND[kind],
                        "filename": f"list-{n}.csv",
                        "media_type": "text/csv",
                        "sha256": hashlib.sha256(f"list-{n}".encode()).hexdigest(),
                        "size_bytes": 1000,
                        "column_map": {},
                        "entry_count": PENDING_PAIRS // N_LISTS,
                    }
                )
            _bulk(session, PublishedList, list_rows)
            list_ids = list(session.scalars(select(PublishedList.id).order_by(PublishedList.id)))
            _bulk(
                session,
                Case,
                [
                    {"reference": f"SL-{n:06d}", "state": CaseState.OPEN, "list_matching_consent": True}
                    for n in range(N_CASES - 1)
                ],
            )
            others = list(session.scalars(select(Case.id).where(Case.id != target).order_by(Case.id)))
            _bulk(
                session,
                PersonRow,
                [{"case_id": c, "last_name": f"Прізвище{c % 5000}", "search_text": ""} for c in others],
            )
            checks = [
                {
                    "case_id": c,
                    "list_id": list_id,
                    "checked_at": NOW - dt.timedelta(minutes=rng.randrange(60 * 24 * 90)),
                    "result": SearchResult.NO_CANDIDATE,
                }
                for c in others
                for list_id in rng.sample(list_ids, CHECKS_PER_CASE)
            ]
            checks += [
                {
                    "case_id": target,
                    "list_id": list_id,
                    "checked_at": NOW - dt.timedelta(days=n),
                    "result": SearchResult.NO_CANDIDATE,
                }
                for n, list_id in enumerate(list_ids)
            ]
            _bulk(session, ListCheck, checks)
            entries = [
                {
                    "list_id": list_ids[n % N_LISTS],
                    "row_number": n // N_LISTS + 2,
                    "raw": {"ПІБ": f"Прізвище{n} Ім'я"},
                    "last_name": f"Прізвище{n}",
                    "first_name": "Ім'я",
                    "fingerprint": f"fp-{n}",
                }
                for n in range(PENDING_PAIRS)
            ]
            _bulk(session, ListEntry, entries)
            entry_ids = list(session.scalars(select(ListEntry.id).order_by(ListEntry.id)))
            entry_lists = {e: lst for e, lst in session.execute(select(ListEntry.id, ListEntry.list_id))}
            pairs_case = [target] * 12 + rng.choices(others, k=len(entry_ids) - 12)
            decisions = [PairDecision.ACCEPTED] * 2 + [PairDecision.REJECTED] * 3
            _bulk(
                session,
                ListPair,
                [
                    {
                        "list_id": entry_lists[entry_id],
                        "entry_id": entry_id,
                        "case_id": case_id,
                        "match_probability": 0.9,
                        "match_weight": 4.0,
                        "band": PairBand.REVIEW,
                        "reasons": {},
                        "name_only": False,
                        "decision": decisions[n] if n < len(decisions) else PairDecision.PENDING,
                    }
                    for n, (entry_id, case_id) in enumerate(zip(entry_ids, pairs_case, strict=True))
                ],
            )
        return {
            "target": target,
            "tokens": tokens,
            "seconds": round(time.perf_counter() - started, 1),
            "cases": N_CASES,
            "lists": N_LISTS,
            "check_rows": len(checks),
            "pairs": len(entry_ids),
        }
    finally:
        engine.dispose()


def _client(base: str, how: str, tokens: dict[str, str]) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    if how == "web":
        answer = client.post(
            "/signin", data={"login": FAMILY[0], "password": FAMILY[1]}, headers={"Origin": base}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in failed: {answer.status_code} {answer.text[:200]}")
    else:
        client.headers["Authorization"] = f"Bearer {tokens[how]}"
    return client


def _phase(base: str, path: str, how: str, tokens: dict[str, str]) -> dict[str, Any]:
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + PHASE_S

    def hammer() -> None:
        mine: list[float] = []
        failed: list[str] = []
        client = _client(base, how, tokens)
        try:
            for _ in range(WARMUP):
                client.get(path)
            while time.monotonic() < stop:
                started = time.perf_counter()
                answer = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code == 200:
                    mine.append(elapsed)
                else:
                    failed.append(f"{path}: {answer.status_code}")
        finally:
            client.close()
        with lock:
            samples.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=hammer) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = np.array(samples) if samples else np.array([float("nan")])
    return {
        "requests": len(samples),
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "max_ms": round(float(values.max()), 1),
        "errors": len(errors),
    }


def main() -> None:
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="kintrace-bench-searchlog-"))
    try:
        url = f"sqlite:///{folder / 'registry.db'}"
        upgrade(url)
        print(f"seeding {N_CASES:,} cases x {CHECKS_PER_CASE} checks, {PENDING_PAIRS:,} pairs", flush=True)
        seeded = _seed(url)
        target, tokens = seeded.pop("target"), seeded.pop("tokens")
        print(f"  seeded in {seeded['seconds']} s", flush=True)
        pages = {
            "family search-log page": (f"/my/cases/{target}/search-log", "web"),
            "family case page": (f"/my/cases/{target}", "web"),
            "API search log (family)": (f"/api/v1/cases/{target}/search-log", "family"),
            "API search log (caseworker)": (f"/api/v1/cases/{target}/search-log", "caseworker"),
        }
        figures: dict[str, Any] = {}
        with served(url) as base:
            for name, (path, how) in pages.items():
                figures[name] = _phase(base, path, how, tokens)
                row = figures[name]
                print(f"  {name:28} p95 {row['p95_ms']:7.1f} ms  ({row['requests']} requests)", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    measured = ("family search-log page", "API search log (family)", "API search log (caseworker)")
    results = {
        "benchmark": "search_log",
        "seed": seeded,
        "clients": CLIENTS,
        "phase_s": PHASE_S,
        "goal": {"p95_ms": GOAL_P95_MS},
        "pages": figures,
        "goals_met": {
            "p95_under_150ms": all(figures[name]["p95_ms"] < GOAL_P95_MS for name in measured),
            "no_errors": all(f["errors"] == 0 for f in figures.values()),
        },
        "note": "kintrace serve (SQLite) and the clients on one machine (loopback), shared with other work",
        "total_s": round(time.perf_counter() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}", flush=True)


if __name__ == "__main__":
    main()
