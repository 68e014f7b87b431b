"""Joint identification of an incident inside the registry, computed on demand as the page does.

On a SQLite file of its own: synthetic families (father and mother typed, 16 synthetic markers) and
incidents whose remains are some families' sons and strangers, registered and imported (encrypted)
through the services; then `dna_incidents.joint_identification` end to end (decrypting the
incident's profiles, audited, building the engine's DVI input, the joint search, the pairwise LRs):

* demo: 4 remains x 5 families (the shape of the demo's grave): 501 assignments;
* near the bound: 6 remains x 8 families: 93,289 assignments (the engine's bound is 100,000);
* beyond it: 8 remains x 10 families: the pairwise fallback.

The figures say whether computing on demand (never storing the result) is affordable for a page.
`python -m benchmarks dna_incident`; writes ``benchmarks/results/dna_incident.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.dna.markers import load_frequency_table
from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.domain.vocabulary import Sex
from kintrace.services import dna_arrival, dna_incidents, dna_samples
from kintrace.services.access import SYSTEM
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.db import make_engine
from kintrace.store.migrations import upgrade
from kintrace.store.models import Case, Incident, MissingPerson, Relative

RESULTS = Path(__file__).parent / "results" / "dna_incident.json"
MARKERS = [f"BM{n:02d}" for n in range(1, 17)]
ALLELES = [str(n) for n in range(8, 20)]
DAY = dt.date(2026, 1, 15)
# name -> (remains, families, sons among the remains)
SHAPES = {"demo": (4, 5, 3), "near_bound": (6, 8, 5), "beyond_bound": (8, 10, 6)}
REPEATS = 3

Genotypes = dict[str, tuple[str, str]]


def _write_export(path: Path, profiles: dict[str, Genotypes]) -> None:
    lines = ["sample_id,marker,allele1,allele2"]
    for code, genotypes in profiles.items():
        lines += [f"{code},{m},{a},{b}" for m, (a, b) in genotypes.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    rng = random.Random(19)
    folder = Path(tempfile.mkdtemp(prefix="kintrace-bench-incident-"))
    freqs = folder / "freqs.csv"
    freqs.write_text(
        "marker,allele,frequency\n"
        + "".join(f"{m},{a},{1 / len(ALLELES):.8f}\n" for m in MARKERS for a in ALLELES),
        encoding="utf-8",
    )
    markers = load_frequency_table(freqs)

    def person() -> Genotypes:
        return {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS}

    url = f"sqlite:///{folder / 'kintrace.db'}"
    upgrade(url)
    engine = make_engine(url)
    key = MasterKey(os.urandom(32))
    results: dict[str, dict[str, object]] = {}
    with Session(engine) as session:
        profiles: dict[str, Genotypes] = {}
        truth: dict[str, dict[str, int]] = {}
        for shape, (n_remains, n_families, n_sons) in SHAPES.items():
            name = f"bench grave {shape}"
            truth[shape] = {}
            case_ids = []
            for n in range(n_families):
                dad, mum = person(), person()
                case = Case(reference=f"BENCH-{shape}-{n}")
                session.add(case)
                session.flush()
                case_ids.append(case.id)
                session.add(MissingPerson(case_id=case.id, last_name=f"B{n}", sex=Sex.MALE, search_text=""))
                for word, kinship, sex, genotypes in (
                    ("father", Kinship.FATHER, DonorSex.MALE, dad),
                    ("mother", Kinship.MOTHER, DonorSex.FEMALE, mum),
                ):
                    relative = Relative(case_id=case.id, full_name=f"{word} {n}", relationship_=word)
                    session.add(relative)
                    session.flush()
                    code = f"R-{shape}-{n}-{word[0]}"
                    dna_samples.add_reference(
                        session,
                        SYSTEM,
                        case.id,
                        dna_samples.ReferenceInput(code, relative.id, kinship, sex, DAY, "c", "lab", DAY),
                    )
                    profiles[code] = genotypes
                if n < n_sons:
                    code = f"B-{shape}-{n}"
                    profiles[code] = {m: (rng.choice(dad[m]), rng.choice(mum[m])) for m in MARKERS}
                    truth[shape][code] = case.id
            for n in range(n_sons, n_remains):
                profiles[f"B-{shape}-{n}"] = person()
            for n in range(n_remains):
                dna_samples.add_remains(
                    session, SYSTEM, dna_samples.RemainsInput(f"B-{shape}-{n}", name, DAY, str(n), "lab")
                )
            incident = session.scalars(select(Incident).where(Incident.name == name)).one()
            for case_id in case_ids:
                dna_incidents.add_case(session, SYSTEM, incident.id, case_id)
        session.commit()
        _write_export(folder / "profiles.csv", profiles)
        dna_arrival.import_and_match(session, SYSTEM, key, markers, folder / "profiles.csv")
        session.commit()
        for shape in SHAPES:
            incident = session.scalars(select(Incident).where(Incident.name == f"bench grave {shape}")).one()
            best = float("inf")
            result = None
            for _ in range(REPEATS):
                start = time.perf_counter()
                result = dna_incidents.joint_identification(session, SYSTEM, key, markers, incident.id)
                best = min(best, time.perf_counter() - start)
                session.rollback()  # the audit rows of each run are not kept between repeats
            assert result is not None
            codes = result.remains
            top = result.rows[0].pairs if result.rows else {}
            right = sum(1 for sid, case in top.items() if truth[shape].get(codes[sid]) == case)
            results[shape] = {
                "remains": len(result.remains),
                "families": len(result.cases),
                "method": result.method,
                "assignments": result.assignments,
                "seconds_best_of_3": round(best, 4),
                "top_assignment_right": right == len(top) if top else None,
            }
    engine.dispose()
    out = {
        "what": "an incident's joint identification, end to end in the registry (decrypt, audit, engine)",
        "markers": len(MARKERS),
        "engine_bound_assignments": dna_incidents.MAX_ASSIGNMENTS,
        "database": "sqlite file",
        "incidents": results,
        "cpu_count": os.cpu_count(),
        "note": "machine shared with other work while measured",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
