"""Importing a published list of 100,000 rows: read, map, check, write entries and name keys.

A synthetic prisoner list (CSV, Ukrainian headers, names drawn from the demo's name tables, birth dates
in the forms lists use) goes into an empty registry through `services.list_import.import_list`, in one
transaction, on a SQLite file of its own (or on KINTRACE_BENCH_DATABASE_URL when set, a PostgreSQL URL
whose database the run migrates). Peak RSS is the whole process's.

`python -m benchmarks list_import` runs it; KINTRACE_BENCH_LIST_ROWS sets the number of rows.
"""

from __future__ import annotations

import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kintrace.domain.lists import ListKind
from kintrace.services.access import SYSTEM
from kintrace.services.demo_data import FATHERS_UA, MALE_NAMES, SURNAMES_RU, SURNAMES_UA
from kintrace.services.list_import import import_list
from kintrace.store.db import make_engine
from kintrace.store.migrations import upgrade
from kintrace.store.models import ListEntry, ListEntryKey

RESULTS = Path(__file__).parent / "results"
ROWS = int(os.environ.get("KINTRACE_BENCH_LIST_ROWS", "100000"))


def synthetic_list(rows: int, seed: int = 16) -> bytes:
    rng = random.Random(seed)
    surnames = SURNAMES_UA + SURNAMES_RU
    lines = ["№;Прізвище;Ім'я;По батькові;Дата народження;Військова частина;Звання"]
    for number in range(1, rows + 1):
        year, month, day = rng.randrange(1965, 2005), rng.randrange(1, 13), rng.randrange(1, 29)
        born = rng.choice((f"{day:02d}.{month:02d}.{year}", f"{year} р.н.", f"{year}-{month:02d}-{day:02d}"))
        first = rng.choice(MALE_NAMES)[0]
        patronymic = rng.choice(FATHERS_UA)[1]
        unit = f"А{rng.randrange(1000, 9999)}"
        lines.append(f"{number};{rng.choice(surnames)};{first};{patronymic};{born};{unit};солдат")
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kintrace-lists-"))
    os.environ.setdefault("KINTRACE_ATTACHMENTS_DIR", str(folder / "attachments"))
    url = os.environ.get("KINTRACE_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'lists.db'}"
    upgrade(url)
    data = synthetic_list(ROWS)
    engine = make_engine(url)
    with Session(engine) as session:
        start, cpu_start = time.perf_counter(), time.process_time()
        result = import_list(
            session,
            SYSTEM,
            data,
            "bench.csv",
            title="Benchmark list",
            publisher="Benchmark publisher",
            published_on="2026-11-20",
            kind=ListKind.PRISONERS,
        )
        session.commit()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        entries = session.scalar(select(func.count()).select_from(ListEntry))
        keys = session.scalar(select(func.count()).select_from(ListEntryKey))
    engine.dispose()
    figures = {
        "rows": ROWS,
        "bytes": len(data),
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "import_seconds": round(seconds, 2),
        # CPU seconds of this process: the wall time on a shared machine waits for other work too.
        "import_cpu_seconds": round(cpu, 2),
        "load_average_1min": os.getloadavg()[0],
        "rows_per_second": round(ROWS / seconds),
        "entries": entries,
        "name_keys": keys,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    assert result.entries == ROWS == entries
    name = "list_import.json" if url.startswith("sqlite") else "list_import_postgresql.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
