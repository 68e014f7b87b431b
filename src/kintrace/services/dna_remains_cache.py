"""Every live remains profile's genotypes kept in the process, for the direct matches that meet all of
them on each arrival (remains against remains, a personal effect against every remains profile).

Decrypting every remains profile on every arrival cost 3 s at 5,000 remains. The cache decrypts only
the profiles it has not seen (that read audited with its reason, like every read, through
`usable_profiles`) and forgets those no longer live (shredded). A profile never changes once
imported, so its id and import time name its content (the time too: an id freed by a rolled-back
import can come back with other genotypes). Plain memory, as the families' lookup rows
(`dna_family_tables`): nothing a server holding the master key could not decrypt anyway.

Beside the genotypes, a screening matrix (one code per marker whose two alleles are typed, -1 where
not) finds in one vector operation the remains that a profile does not exclude at a fully typed
marker; only those are scored exactly (`dna.identity`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.dna_samples import SampleKind
from kintrace.services.access import Actor
from kintrace.services.dna_profiles import usable_profiles
from kintrace.services.genetic_crypto import Genotypes, MasterKey
from kintrace.store.models import DnaProfile, DnaSample

MAX_STORES = 4  # databases one process serves (tests open many; a server one)
_LOCK = threading.Lock()


@dataclass
class _Store:
    genotypes: dict[int, Genotypes] = field(default_factory=dict)  # by remains sample id
    version_of: dict[int, tuple[int, str]] = field(default_factory=dict)  # sample -> (profile id, imported)
    columns: dict[str, int] = field(default_factory=dict)  # marker -> screening column
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)  # sorted allele pair -> code
    codes: dict[int, dict[int, int]] = field(default_factory=dict)  # sample -> {column: code}
    matrix: tuple[np.ndarray, np.ndarray] | None = None  # (sample ids, codes), built when needed

    def add(self, sample_id: int, version: tuple[int, str], genotypes: Genotypes) -> None:
        self.genotypes[sample_id] = genotypes
        self.version_of[sample_id] = version
        self.codes[sample_id] = self.encode(genotypes)
        self.matrix = None

    def drop(self, sample_id: int) -> None:
        for table in (self.genotypes, self.version_of, self.codes):
            table.pop(sample_id, None)
        self.matrix = None

    def encode(self, genotypes: Genotypes) -> dict[int, int]:
        out: dict[int, int] = {}
        for marker, (first, second) in genotypes.items():
            if first is None or second is None:
                continue  # a partial call excludes nothing by itself: the exact score decides
            column = self.columns.setdefault(marker, len(self.columns))
            pair = (first, second) if first <= second else (second, first)
            out[column] = self.pairs.setdefault(pair, len(self.pairs))
        return out

    def screening(self) -> tuple[np.ndarray, np.ndarray]:
        if self.matrix is None:
            ids = np.array(sorted(self.codes), dtype=np.int64)
            codes = np.full((len(ids), max(len(self.columns), 1)), -1, dtype=np.int32)
            for row, sample_id in enumerate(ids.tolist()):
                for column, code in self.codes[sample_id].items():
                    codes[row, column] = code
            self.matrix = (ids, codes)
        return self.matrix


_STORES: OrderedDict[str, _Store] = OrderedDict()


def _store_for(session: Session) -> _Store:
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    store = _STORES.get(key)
    if store is None:
        store = _STORES[key] = _Store()
        while len(_STORES) > MAX_STORES:
            _STORES.popitem(last=False)
    _STORES.move_to_end(key)
    return store


def live_remains(session: Session, actor: Actor, master: MasterKey, reason: str) -> dict[int, Genotypes]:
    """Every live remains profile's genotypes by sample id; only those not held yet are decrypted."""
    live = {
        sample_id: (profile_id, str(imported_at))
        for sample_id, profile_id, imported_at in session.execute(
            select(DnaProfile.sample_id, DnaProfile.id, DnaProfile.imported_at)
            .join(DnaSample, DnaProfile.sample_id == DnaSample.id)
            .where(DnaProfile.wrapped_key.is_not(None), DnaSample.kind == SampleKind.REMAINS)
        )
    }
    with _LOCK:
        store = _store_for(session)
        for sample_id in [s for s, version in store.version_of.items() if live.get(s) != version]:
            store.drop(sample_id)
        missing = {s for s, version in live.items() if store.version_of.get(s) != version}
    if missing:
        read = usable_profiles(session, actor, master, reason, kind=SampleKind.REMAINS, sample_ids=missing)
        with _LOCK:
            for sample_id, (_, genotypes) in read.items():
                store.add(sample_id, live[sample_id], genotypes)
    with _LOCK:
        return {s: store.genotypes[s] for s in live if s in store.genotypes}


def not_excluded(session: Session, profile: Genotypes, among: Mapping[int, Genotypes]) -> list[int]:
    """The remains (of `among`, as `live_remains` returned them) that `profile` does not exclude at a
    marker both type fully: the only ones whose identity LR can be above 0."""
    with _LOCK:
        store = _store_for(session)
        query = store.encode(profile)
        ids, codes = store.screening()
    if len(ids) == 0:
        return []
    keep = np.ones(len(ids), dtype=bool)
    for column, code in query.items():
        if column < codes.shape[1]:
            cells = codes[:, column]
            keep &= (cells < 0) | (cells == code)
    return [s for s in ids[keep].tolist() if s in among]
