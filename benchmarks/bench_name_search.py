"""Name search at 100,000 cases in the process (no HTTP): CPU time per query, answers compared.

The load benchmark's HTTP figures on a shared machine move with everyone's load; CPU time of the
service call, each query alternately on each variant in one process, moves far less. Variants:

- "this code": services.name_search as it is;
- "full ranking": the same code with the top-tier shortcut off (every person found ranked);
- "baseline" (when KINTRACE_BENCH_NAME_SEARCH_BASELINE_SRC=DIR/src and _BASELINE_DB=FILE are set):
  another revision's services/name_search.py (`git archive REV src | tar -x -C DIR`), loaded beside
  this one (the helpers it imports come from this code), over a copy of the seeded database at that
  revision's schema.

Every variant must give the same page (case, score, reason) and total as this code. The database is
bench_registry's seeded SQLite file (KINTRACE_BENCH_REGISTRY_DB, seeded by `python -m benchmarks
load` or `registry`); queries are bench_registry.NAME_NEEDLES as a caseworker, a page of 50.
`python -m benchmarks name_search`; KINTRACE_BENCH_NAME_SEARCH_REPEATS (7).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks import bench_registry as registry
from kintrace.domain.vocabulary import Role
from kintrace.services import name_search
from kintrace.services.access import Actor
from kintrace.store.db import make_engine, session_scope

RESULTS = Path(__file__).parent / "results" / "name_search.json"
REPEATS = int(os.environ.get("KINTRACE_BENCH_NAME_SEARCH_REPEATS", "7"))
BASELINE_SRC = os.environ.get("KINTRACE_BENCH_NAME_SEARCH_BASELINE_SRC", "")
BASELINE_DB = os.environ.get("KINTRACE_BENCH_NAME_SEARCH_BASELINE_DB", "")
BASELINE_REV = os.environ.get("KINTRACE_BENCH_NAME_SEARCH_BASELINE_REV", "")
ACTOR = Actor(user_id=None, role=Role.CASEWORKER, name="bench")
PAGE = 50


def _baseline_module() -> ModuleType:
    path = Path(BASELINE_SRC) / "kintrace" / "services" / "name_search.py"
    spec = importlib.util.spec_from_file_location("baseline_name_search", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _answer(found: Any) -> tuple[int, list[tuple[int, int, str]]]:
    return found.total, [(hit.case_id, hit.score, hit.reason) for hit in found.hits]


def _full_ranking(session: Any, actor: Actor, query: str, limit: int) -> Any:
    kept = name_search.TOP_TIER_MIN_ROWS
    name_search.TOP_TIER_MIN_ROWS = 10**9
    try:
        return name_search.search_by_name(session, actor, query, limit=limit)
    finally:
        name_search.TOP_TIER_MIN_ROWS = kept


def main() -> None:
    if not registry.REUSE_DB or not Path(registry.REUSE_DB).exists():
        raise RuntimeError(
            "set KINTRACE_BENCH_REGISTRY_DB to a seeded registry file (python -m benchmarks load)"
        )
    engines = {"this code": make_engine(f"sqlite:///{Path(registry.REUSE_DB).resolve()}")}
    engines["full ranking"] = engines["this code"]
    searches: dict[str, Callable[..., Any]] = {
        "this code": name_search.search_by_name,
        "full ranking": _full_ranking,
    }
    if BASELINE_SRC and BASELINE_DB:
        engines["baseline"] = make_engine(f"sqlite:///{Path(BASELINE_DB).resolve()}")
        baseline = _baseline_module()
        searches["baseline"] = lambda session, actor, query, limit: baseline.search_by_name(
            session, actor, query, limit=limit
        )
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    figures: dict[str, dict[str, Any]] = {}
    # One session a database (a second writer's BEGIN IMMEDIATE on the same file would wait for it).
    sessions = {id(engine): session_scope(engine) for engine in engines.values()}
    by_engine = {key: scope.__enter__() for key, scope in sessions.items()}
    opened = {name: by_engine[id(engine)] for name, engine in engines.items()}
    try:
        for query in registry.NAME_NEEDLES:
            times: dict[str, list[float]] = {name: [] for name in searches}
            answers: dict[str, Any] = {}
            for _ in range(REPEATS):
                for name, search in searches.items():
                    session = opened[name]
                    cpu = time.process_time()
                    found = search(session, ACTOR, query, limit=PAGE)
                    times[name].append((time.process_time() - cpu) * 1000)
                    answers[name] = _answer(found)
                    session.expunge_all()
            for name, answer in answers.items():
                if answer != answers["this code"]:
                    raise AssertionError(f"{name} answers {query!r} differently")
            figures[query] = {
                "total": answers["this code"][0],
                **{f"{name}_cpu_ms": round(statistics.median(t), 1) for name, t in times.items()},
            }
            print(
                f"  {query:22} {answers['this code'][0]:6} found  "
                + "  ".join(f"{name} {statistics.median(t):6.1f}" for name, t in times.items())
                + " ms cpu",
                flush=True,
            )
    finally:
        for scope in sessions.values():
            scope.__exit__(None, None, None)
        for engine in {id(e): e for e in engines.values()}.values():
            engine.dispose()
    sums = {name: round(sum(f[f"{name}_cpu_ms"] for f in figures.values()), 1) for name in searches}
    results = {
        "benchmark": "name_search",
        "database": registry.REUSE_DB,
        "actor": "caseworker",
        "page": PAGE,
        "repeats": REPEATS,
        "measure": "CPU time of search_by_name in this process (median of the repeats), variants interleaved",
        "baseline": {"revision": BASELINE_REV, "src": BASELINE_SRC, "db": BASELINE_DB}
        if "baseline" in searches
        else None,
        "note": "shared 2-core machine; CPU time moves less than wall time with others' load",
        "load_average_1m_start_end": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
        "sum_cpu_ms": sums,
        "ratio_to_this_code": {name: round(total / sums["this code"], 2) for name, total in sums.items()},
        "queries": figures,
        "total_s": round(time.perf_counter() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"  sums {sums}; written to {RESULTS}")


if __name__ == "__main__":
    main()
