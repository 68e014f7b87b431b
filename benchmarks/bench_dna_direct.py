"""Direct matches on arrival: one remains profile scored against every stored remains profile and every
personal effect (services/dna_direct), inside the registry.

On a SQLite file of its own: N remains profiles and E personal effects (16 synthetic markers, each
profile sealed with its own AES-256-GCM data key) imported through the services. Then one new remains
profile arrives (a fragment of a stored victim, 9 markers typed, whose personal effect is stored too):
the seconds of `compare_fragments` (cold: decrypting every remains profile once, audited; warm: the
profiles held in the process, a screening matrix, the few pairs not excluded scored exactly) and
`compare_effects` for it, then the whole arrival through `dna_arrival.import_and_match` for a second
fragment. Baselines in the same run: decrypting every remains profile (what each arrival paid before),
and the engine alone on plaintext genotypes in memory (identity_lr on every pair,
no quick exclusion), to show what the decryption and the database cost.

`python -m benchmarks dna_direct`; KINTRACE_BENCH_DNA_DIRECT_N sets N (default 5000), E is N / 50.
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

from kintrace.dna.identity import identity_lr
from kintrace.dna.markers import load_frequency_table
from kintrace.domain.dna_samples import SampleKind
from kintrace.services import dna_arrival, dna_direct, dna_profiles, dna_samples
from kintrace.services.access import SYSTEM
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.db import make_engine
from kintrace.store.migrations import upgrade
from kintrace.store.models import Case, DnaSample

RESULTS = Path(__file__).parent / "results" / "dna_direct.json"
N = int(os.environ.get("KINTRACE_BENCH_DNA_DIRECT_N", "5000"))
E = max(1, N // 50)
MARKERS = [f"BM{n:02d}" for n in range(1, 17)]
ALLELES = [str(n) for n in range(8, 20)]
DAY = dt.date(2026, 1, 15)

Genotypes = dict[str, tuple[str, str]]


def _write_export(path: Path, profiles: dict[str, Genotypes]) -> Path:
    lines = ["sample_id,marker,allele1,allele2"]
    for code, genotypes in profiles.items():
        lines += [f"{code},{m},{a},{b}" for m, (a, b) in genotypes.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _remains(session: Session, code: str) -> None:
    dna_samples.add_remains(session, SYSTEM, dna_samples.RemainsInput(code, "Bench site", DAY, code, "Lab"))


def main() -> None:
    rng = random.Random(21)
    folder = Path(tempfile.mkdtemp(prefix="kintrace-bench-direct-"))
    freqs = folder / "freqs.csv"
    freqs.write_text(
        "marker,allele,frequency\n"
        + "".join(f"{m},{a},{1 / len(ALLELES):.8f}\n" for m in MARKERS for a in ALLELES),
        encoding="utf-8",
    )
    markers = load_frequency_table(freqs)

    def person() -> Genotypes:
        return {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS}

    victims = [person() for _ in range(N)]
    target = victims[N // 2]
    url = f"sqlite:///{folder / 'kintrace.db'}"
    upgrade(url)
    engine = make_engine(url)
    key = MasterKey(os.urandom(32))
    out: dict[str, object] = {"remains": N, "personal_effects": E, "markers": len(MARKERS)}
    start = time.perf_counter()
    with Session(engine) as session:
        profiles: dict[str, Genotypes] = {}
        for n, genotypes in enumerate(victims):
            _remains(session, f"R{n}")
            profiles[f"R{n}"] = genotypes
        for n in range(E):
            case = Case(reference=f"BENCH-{n}")
            session.add(case)
            session.flush()
            dna_samples.add_personal_effect(
                session,
                SYSTEM,
                case.id,
                dna_samples.PersonalEffectInput(f"E{n}", "toothbrush", "mother", DAY, "Lab"),
            )
            # The first effect is the target victim's own; the others belong to people not found.
            profiles[f"E{n}"] = target if n == 0 else person()
        dna_profiles.import_profiles(
            session, SYSTEM, key, markers, _write_export(folder / "all.csv", profiles)
        )
        session.commit()
    out["setup_s"] = round(time.perf_counter() - start, 1)

    fragment = {m: target[m] for m in MARKERS[:9]}
    with Session(engine) as session:
        _remains(session, "NEW1")
        dna_profiles.import_profiles(
            session, SYSTEM, key, markers, _write_export(folder / "n1.csv", {"NEW1": fragment})
        )
        new = session.scalar(select(DnaSample.id).where(DnaSample.code == "NEW1"))
        assert new is not None
        began = time.perf_counter()
        links = dna_direct.compare_fragments(session, SYSTEM, key, markers, reason="bench", remains_ids={new})
        out["compare_fragments_cold_s"] = round(time.perf_counter() - began, 4)
        # Warm: the server's usual state (every remains profile held since the first arrival).
        began = time.perf_counter()
        again = dna_direct.compare_fragments(session, SYSTEM, key, markers, reason="bench", remains_ids={new})
        out["compare_fragments_s"] = round(time.perf_counter() - began, 4)
        assert again.associations == 1
        # What every arrival paid before the process kept the remains: decrypting all of them.
        began = time.perf_counter()
        everyone = dna_profiles.usable_profiles(session, SYSTEM, key, "bench", kind=SampleKind.REMAINS)
        out["decrypt_every_remains_s"] = round(time.perf_counter() - began, 4)
        assert len(everyone) == N + 1
        began = time.perf_counter()
        found = dna_direct.compare_effects(session, SYSTEM, key, markers, reason="bench", remains_ids={new})
        out["compare_effects_s"] = round(time.perf_counter() - began, 4)
        session.commit()
        assert links.associations == 1 and found.candidates == 1, (links, found)

    with Session(engine) as session:
        _remains(session, "NEW2")
        export = _write_export(folder / "n2.csv", {"NEW2": {m: target[m] for m in MARKERS[4:12]}})
        began = time.perf_counter()
        arrived = dna_arrival.import_and_match(session, SYSTEM, key, markers, export)
        session.commit()
        out["whole_arrival_s"] = round(time.perf_counter() - began, 4)
        assert arrived.direct.associations >= 1 and arrived.direct.candidates == 1

    plain = list(victims) + [profiles[f"E{n}"] for n in range(E)]
    began = time.perf_counter()
    for other in plain:
        identity_lr(markers, fragment, other)
    out["engine_alone_plaintext_s"] = round(time.perf_counter() - began, 4)
    out["what"] = (
        "one remains profile (9 of 16 markers) arriving against N stored remains and E personal effects: "
        "compare_fragments cold (decrypts every remains profile once, audited, and keeps them in the "
        "process) and warm (screens all, scores the few not excluded, stores the association), "
        "compare_effects; the whole arrival of a second fragment; baselines in the same run: decrypting "
        "every remains profile (what each arrival paid before the process kept them) and the engine "
        "alone on plaintext, every pair fully scored"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
