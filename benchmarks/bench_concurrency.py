"""Concurrent writers through the real HTTP API, on SQLite and PostgreSQL (issue 11, finding 2).

For each database (SQLite always; PostgreSQL when 127.0.0.1:5432 answers, in a schema of its own):
`kintrace serve` runs in its own process on a loopback port; WRITERS threads, each with its own
HTTP client and the caseworker's token, write for DURATION_S seconds (file a case, add an item of
evidence to it, correct the person, add a relative: every write audited); five seconds in,
`kintrace cases import` loads a CSV of IMPORT_ROWS persons beside them. Then `kintrace audit verify`
walks the chain. Goal: zero errors (every write 2xx, the import exits 0) and the chain intact.

`python -m benchmarks concurrency`; KINTRACE_BENCH_WRITERS (8), KINTRACE_BENCH_WRITE_S (30),
KINTRACE_BENCH_PG_URL ("" to skip PostgreSQL).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.bench_registry import PG_SERVER, _postgres_reachable, _postgres_schema
from benchmarks.served import kintrace_command, served
from kintrace.domain.vocabulary import Role
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM, actor_for
from kintrace.store.db import session_scope
from kintrace.store.migrations import upgrade

RESULTS = (
    Path(__file__).parent / "results" / os.environ.get("KINTRACE_BENCH_CONCURRENCY_OUT", "concurrency.json")
)
WRITERS = int(os.environ.get("KINTRACE_BENCH_WRITERS", "8"))
DURATION_S = float(os.environ.get("KINTRACE_BENCH_WRITE_S", "30"))
IMPORT_ROWS = 300
IMPORT_AT_S = 5.0
FIRST_NAMES = ("Тарас", "Іван", "Олег", "Петро", "Марко", "Богдан", "Андрій", "Юрій")
LAST_NAMES = ("Коваленко", "Шевченко", "Мельник", "Бондаренко", "Ткаченко", "Кравченко")


def _prepare(url: str) -> str:
    """A caseworker's token, on a freshly migrated database."""
    upgrade(url)
    with session_scope(url) as session:
        user = user_service.create_user(
            session, SYSTEM, username="writer", password="a long benchmark password", role=Role.CASEWORKER
        )
        _row, token = user_service.create_api_token(session, actor_for(user), user.id, "bench")
    return token


def _writer(
    base: str,
    token: str,
    source_id: int,
    number: int,
    stop: float,
    tally: dict[str, Any],
    lock: threading.Lock,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures: list[str] = []
    round_ = 0

    def call(method: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        started = time.perf_counter()
        try:
            answer = client.request(method, f"{base}{path}", json=body, headers=headers)
        except httpx.HTTPError as error:
            failures.append(f"{method} {path}: {type(error).__name__}: {error}")
            return None
        latencies.append(time.perf_counter() - started)
        statuses[str(answer.status_code)] = statuses.get(str(answer.status_code), 0) + 1
        if answer.status_code >= 300:
            failures.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
            return None
        return answer.json() if answer.content else {}

    with httpx.Client(timeout=60) as client:
        while time.monotonic() < stop:
            round_ += 1
            person = {
                "last_name": LAST_NAMES[(number + round_) % len(LAST_NAMES)],
                "first_name": FIRST_NAMES[number % len(FIRST_NAMES)],
            }
            case = call("POST", "/api/v1/cases", {"person": person})
            if case is None:
                continue
            case_id = case["id"]
            call(
                "POST",
                f"/api/v1/cases/{case_id}/evidence",
                {"source_id": source_id, "claim": "alive", "event_date": "2024-05", "text": "бачили"},
            )
            call("PATCH", f"/api/v1/cases/{case_id}/person", {"birth_place": "Київ"})
            call(
                "POST",
                f"/api/v1/cases/{case_id}/relatives",
                {"full_name": "Коваленко Марія", "relationship": "mother"},
            )
    with lock:
        tally["latencies"].extend(latencies)
        tally["failures"].extend(failures)
        for status, count in statuses.items():
            tally["statuses"][status] = tally["statuses"].get(status, 0) + count


def _import_beside(url: str, folder: Path, result: dict[str, Any]) -> None:
    time.sleep(IMPORT_AT_S)
    csv_path = folder / "import.csv"
    rows = ["reference,last_name,first_name"] + [
        f"IMP-{index:05d},{LAST_NAMES[index % len(LAST_NAMES)]},{FIRST_NAMES[index % len(FIRST_NAMES)]}"
        for index in range(IMPORT_ROWS)
    ]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [*kintrace_command(), "cases", "import", str(csv_path), "--database-url", url],
        capture_output=True,
        text=True,
        check=False,
    )
    result.update(
        rc=done.returncode,
        seconds=round(time.perf_counter() - started, 2),
        rows=IMPORT_ROWS,
        output=(done.stdout + done.stderr).strip()[-400:],
    )


def _verify(url: str) -> dict[str, Any]:
    done = subprocess.run(
        [*kintrace_command(), "audit", "verify", "--database-url", url],
        capture_output=True,
        text=True,
        check=False,
    )
    return {"rc": done.returncode, "output": (done.stdout + done.stderr).strip()[-400:]}


def run_backend(name: str, url: str, folder: Path) -> dict[str, Any]:
    token = _prepare(url)
    tally: dict[str, Any] = {"latencies": [], "failures": [], "statuses": {}}
    lock = threading.Lock()
    imported: dict[str, Any] = {}
    with served(url, log=folder / f"serve-{name}.log") as base:
        source = httpx.post(
            f"{base}/api/v1/sources",
            json={"kind": "published_list", "name": "Список"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        stop = time.monotonic() + DURATION_S
        threads = [
            threading.Thread(target=_writer, args=(base, token, source["id"], n, stop, tally, lock))
            for n in range(WRITERS)
        ]
        importer = threading.Thread(target=_import_beside, args=(url, folder, imported))
        started = time.perf_counter()
        for thread in [*threads, importer]:
            thread.start()
        for thread in [*threads, importer]:
            thread.join()
        elapsed = time.perf_counter() - started
    verified = _verify(url)
    latencies = np.array(tally["latencies"]) * 1000
    errors = len(tally["failures"])
    result = {
        "writers": WRITERS,
        "seconds": round(elapsed, 1),
        "writes": int(sum(tally["statuses"].values())),
        "errors": errors,
        "error_samples": tally["failures"][:5],
        "statuses": tally["statuses"],
        "writes_per_s": round(sum(tally["statuses"].values()) / elapsed, 1),
        "write_p50_ms": round(float(np.percentile(latencies, 50)), 1) if len(latencies) else None,
        "write_p95_ms": round(float(np.percentile(latencies, 95)), 1) if len(latencies) else None,
        "write_max_ms": round(float(latencies.max()), 1) if len(latencies) else None,
        "cli_import": imported,
        "audit_verify": verified,
        "audit_intact": verified["rc"] == 0 and "intact" in verified["output"],
        "goal_met": errors == 0 and imported.get("rc") == 0 and verified["rc"] == 0,
    }
    return result


def main() -> None:
    results: dict[str, Any] = {
        "benchmark": "concurrency",
        "note": "8 writers through `kintrace serve` on loopback for 30 s, a CLI import beside them; "
        "the machine was shared with other work while measuring",
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="kt-conc-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'kintrace.db'}"
        results["backends"]["sqlite"] = run_backend("sqlite", url, folder)
        print(json.dumps({"sqlite": _brief(results["backends"]["sqlite"])}, ensure_ascii=False), flush=True)
        if PG_SERVER and _postgres_reachable(PG_SERVER):
            with _postgres_schema(PG_SERVER) as pg_url:
                results["backends"]["postgresql"] = run_backend("postgresql", pg_url, folder)
            print(json.dumps({"postgresql": _brief(results["backends"]["postgresql"])}, ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


def _brief(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("writes", "errors", "writes_per_s", "write_p95_ms", "audit_intact", "goal_met")
    return {key: result[key] for key in keys} | {"import_rc": result["cli_import"].get("rc")}


if __name__ == "__main__":
    main()
