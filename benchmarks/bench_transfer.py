"""Moving whole case files between installations: export, import into an empty registry, import again.

On SQLite files of their own, in one run: seed the synthetic demo dataset (services.demo.seed_demo,
the bulk path: Core INSERTs, the baseline), export it as the "kintrace-cases/2" JSON document, import
that into an empty registry (every row through the ORM, audited, evidence status derived again),
import it a second time (nothing to add), export again and check the two documents are the same.
Reported as ratios to the bulk seed of the same cases. Peak RSS is the whole process's.

`python -m benchmarks transfer` runs it; KINTRACE_BENCH_TRANSFER_N sets the number of missing
persons (default 10000; the demo adds duplicate cases on top).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kintrace.services import demo, transfer, users
from kintrace.services.access import SYSTEM
from kintrace.services.demo_data import generate_demo_dataset
from kintrace.store.db import make_engine
from kintrace.store.migrations import upgrade
from kintrace.store.models import AuditEntry, Case

RESULTS = Path(__file__).parent / "results" / "transfer.json"
N_PERSONS = int(os.environ.get("KINTRACE_BENCH_TRANSFER_N", "10000"))
TODAY = dt.date(2025, 5, 1)


def _timed(step: str, times: dict[str, float], work: functools.partial[object]) -> object:
    start = time.perf_counter()
    result = work()
    times[step] = time.perf_counter() - start
    return result


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kintrace-transfer-"))
    source_url, target_url = f"sqlite:///{folder / 'source.db'}", f"sqlite:///{folder / 'target.db'}"
    upgrade(source_url)
    upgrade(target_url)
    dataset = generate_demo_dataset(n_persons=N_PERSONS, today=TODAY)
    hasher = functools.cache(users.hash_password)
    for user in dataset.users:  # argon2 is slow on purpose; keep it out of the baseline
        hasher(user.password)
    times: dict[str, float] = {}
    with Session(make_engine(source_url)) as session:
        _timed(
            "seed (bulk baseline)",
            times,
            functools.partial(demo.seed_demo, session, SYSTEM, dataset, password_hasher=hasher),
        )
        session.commit()
        out = io.StringIO()
        _timed(
            "export json",
            times,
            functools.partial(transfer.write_export, session, SYSTEM, "json", out, include_contacts=True),
        )
        text = out.getvalue()
        cases = session.scalar(select(func.count()).select_from(Case)) or 0
    with Session(make_engine(target_url)) as session:
        plan = _timed("parse + check", times, functools.partial(transfer.parse_text, text, "json"))
        assert isinstance(plan, transfer.ImportPlan)
        _timed(
            "import (empty registry)",
            times,
            functools.partial(transfer.import_plan, session, SYSTEM, plan, today=TODAY),
        )
        session.commit()
        audit_rows = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        again = transfer.parse_text(text, "json")
        result = _timed(
            "import again (no change)",
            times,
            functools.partial(transfer.import_plan, session, SYSTEM, again, today=TODAY),
        )
        session.commit()
        assert isinstance(result, transfer.ImportResult) and result.unchanged == cases
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows
        out = io.StringIO()
        transfer.write_export(session, SYSTEM, "json", out, include_contacts=True)
        same = json.loads(out.getvalue()) == json.loads(text)
    shutil.rmtree(folder, ignore_errors=True)
    baseline = times["seed (bulk baseline)"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{cases} cases, {len(text) / 1e6:.1f} MB of JSON, round trip gives the same document: {same}")
    print(f"{'step':<28}{'seconds':>10}{'ms/case':>10}{'x seed':>10}")
    for step, seconds in times.items():
        print(f"{step:<28}{seconds:>10.2f}{1000 * seconds / cases:>10.2f}{seconds / baseline:>10.2f}")
    print(f"peak RSS {peak_mb:.0f} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "cases": cases,
                "json_bytes": len(text),
                "round_trip_same": same,
                "seconds": times,
                "ratio_to_bulk_seed": {step: seconds / baseline for step, seconds in times.items()},
                "peak_rss_mb": round(peak_mb),
                "database": "sqlite",
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
