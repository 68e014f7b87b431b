"""The review queue of list matches with 10,000 pending pairs, through `kintrace serve` on loopback.

Seeds a fresh SQLite registry: CASES cases (with their persons), two published lists of PAIRS/2
entries each and one pending candidate pair per entry (weights spread over the link and review
bands, reasons in the engine's shape), as the matcher would leave them. Then a signed-in caseworker
opens, one request after another over one keep-alive connection:

- the queue page (/desk/review): its first pages, page 50 and a list filter;
- the queue page filtered by band (measured apart: the band is not in the queue's index);
- one pair page (/desk/review/{id}: the side by side, the field table and the waterfall).

Goal: p95 under 150 ms for each. `python -m benchmarks review`; KINTRACE_BENCH_REVIEW_N (requests
per page, 200), KINTRACE_BENCH_PORTS (loopback ports to try). Writes benchmarks/results/review.json.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import insert, select

from benchmarks.served import served
from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import CLAIM_OF_LIST_KIND, ListKind, PairBand, PairDecision
from kintrace.domain.vocabulary import CaseState, Credibility, PersonStatus, Reliability, Role, SourceKind
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import upgrade
from kintrace.store.models import Case, ListEntry, ListPair, MissingPerson, PublishedList, Source

RESULTS = Path(__file__).parent / "results" / "review.json"
CASES = 5_000
PAIRS = 10_000
REQUESTS = int(os.environ.get("KINTRACE_BENCH_REVIEW_N", "200"))
WARMUP = 10
GOAL_P95_MS = 150.0
LOGIN = ("review-bench", "review-bench-password-1")
SURNAMES = ("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравчук", "Мельник", "Олійник", "Шевчук")
GIVEN = ("Андрій", "Іван", "Олег", "Петро", "Микола", "Сергій", "Василь", "Юрій")
FIELDS = ("surname", "given_name", "patronymic", "birth_date", "unit")
LEVELS = ("exact", "close", "initial", "year only", "different", "missing")


def _reasons(rng: random.Random) -> dict[str, Any]:
    reasons: dict[str, Any] = {
        f: {"level": rng.choice(LEVELS), "bf": round(2 ** rng.uniform(-4, 9), 4)} for f in FIELDS
    }
    reasons["prior_weight"] = -12.3
    return reasons


def seed(url: str) -> tuple[list[int], list[int]]:
    """The registry: cases, two lists, PAIRS pending pairs. Returns the list ids and some pair ids."""
    upgrade(url)
    rng = random.Random(7)
    engine = make_engine(url)
    with session_scope(engine) as session:
        user_service.create_user(
            session, SYSTEM, username=LOGIN[0], password=LOGIN[1], role=Role.CASEWORKER, display_name="Bench"
        )
        session.execute(
            insert(Case),
            [
                {
                    "reference": f"RB-{i:06d}",
                    "state": CaseState.OPEN,
                    "official_status": PersonStatus.MISSING,
                    "evidence_status": PersonStatus.MISSING,
                    "list_matching_consent": True,
                }
                for i in range(CASES)
            ],
        )
        case_ids = list(session.scalars(select(Case.id).order_by(Case.id)))
        session.execute(
            insert(MissingPerson),
            [
                {
                    "case_id": case_id,
                    "last_name": rng.choice(SURNAMES),
                    "first_name": rng.choice(GIVEN),
                    "patronymic": "Петрович",
                    "birth_date": PartialDate(rng.randint(1965, 2003)),
                    "unit": f"А{rng.randint(1000, 9999)}",
                    "search_text": "",
                }
                for case_id in case_ids
            ],
        )
        list_ids = []
        for number in (1, 2):
            source = Source(
                kind=SourceKind.PUBLISHED_LIST,
                name=f"Publisher {number}",
                reliability=Reliability.B,
                credibility=Credibility.PROBABLY_TRUE,
            )
            session.add(source)
            session.flush()
            kind = ListKind.EXCHANGED if number == 1 else ListKind.PRISONERS
            listed = PublishedList(
                title=f"Bench list {number}",
                publisher_id=source.id,
                published_on=PartialDate(2026, 10, 2),
                kind=kind,
                claim=CLAIM_OF_LIST_KIND[kind],
                filename=f"list{number}.csv",
                media_type="text/csv",
                sha256=hashlib.sha256(f"bench-review-{number}".encode()).hexdigest(),
                size_bytes=1,
                column_map={"Прізвище": "last_name", "Ім'я": "first_name"},
                entry_count=PAIRS // 2,
            )
            session.add(listed)
            session.flush()
            list_ids.append(listed.id)
            entries = []
            for row in range(2, PAIRS // 2 + 2):
                last, first = rng.choice(SURNAMES).upper(), rng.choice(GIVEN)
                entries.append(
                    {
                        "list_id": listed.id,
                        "row_number": row,
                        "raw": {"Прізвище": last, "Ім'я": first, "Рік": "1990"},
                        "last_name": last.title(),
                        "first_name": first,
                        "birth_date": PartialDate(1990),
                        "fingerprint": hashlib.sha256(f"{number}-{row}".encode()).hexdigest(),
                    }
                )
            session.execute(insert(ListEntry), entries)
        entry_ids = list(session.scalars(select(ListEntry.id).order_by(ListEntry.id)))
        entry_list = dict(session.execute(select(ListEntry.id, ListEntry.list_id)).tuples().all())
        pairs = []
        for index, entry_id in enumerate(entry_ids):
            weight = rng.uniform(-2.0, 20.0)
            pairs.append(
                {
                    "list_id": entry_list[entry_id],
                    "entry_id": entry_id,
                    "case_id": case_ids[index % len(case_ids)],
                    "match_probability": 2**weight / (1 + 2**weight),
                    "match_weight": weight,
                    "band": PairBand.LINK if weight > 8 else PairBand.REVIEW,
                    "reasons": _reasons(rng),
                    "decision": PairDecision.PENDING,
                }
            )
        session.execute(insert(ListPair), pairs)
        pair_ids = list(session.scalars(select(ListPair.id).order_by(ListPair.id)))
    engine.dispose()
    return list_ids, rng.sample(pair_ids, 50)


def _measure(client: httpx.Client, paths: list[str]) -> dict[str, Any]:
    for path in paths[:WARMUP]:
        client.get(path)
    samples = []
    for index in range(REQUESTS):
        path = paths[index % len(paths)]
        start = time.perf_counter()
        answer = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:200]}")
    array = np.array(samples)
    return {
        "requests": len(samples),
        "p50_ms": round(float(np.percentile(array, 50)), 1),
        "p95_ms": round(float(np.percentile(array, 95)), 1),
        "max_ms": round(float(array.max()), 1),
        "goal_p95_ms": GOAL_P95_MS,
        "met": bool(np.percentile(array, 95) < GOAL_P95_MS),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kintrace-bench-review-") as folder:
        url = f"sqlite:///{Path(folder) / 'review.db'}"
        started = time.perf_counter()
        list_ids, pair_ids = seed(url)
        seeded_s = time.perf_counter() - started
        print(f"seeded {PAIRS} pending pairs over {CASES} cases in {seeded_s:.1f} s", flush=True)
        with (
            served(url, Path(folder) / "serve.log") as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            answer = client.post(
                "/signin", data={"login": LOGIN[0], "password": LOGIN[1]}, headers={"Origin": base}
            )
            if answer.status_code != 303:
                raise RuntimeError(f"sign-in failed: {answer.status_code}")
            queue_paths = [
                "/desk/review",
                "/desk/review?page=2",
                "/desk/review?page=50",
                f"/desk/review?list_id={list_ids[0]}",
            ]
            results = {
                "queue page": _measure(client, queue_paths),
                # The band is not in the queue's index: this filter reads the pending rows themselves.
                "queue page, band filter": _measure(
                    client, ["/desk/review?band=review", "/desk/review?band=link"]
                ),
                "pair page": _measure(client, [f"/desk/review/{i}" for i in pair_ids]),
            }
    for name, figures in results.items():
        print(f"{name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms (goal < {GOAL_P95_MS} ms)")
    report = {
        "benchmark": "review",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "database": "sqlite",
        "pending_pairs": PAIRS,
        "cases": CASES,
        "seed_s": round(seeded_s, 1),
        "pages": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
