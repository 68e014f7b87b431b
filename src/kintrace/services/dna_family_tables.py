"""Per-family LR rows kept in this process between arrivals: the fast path of matching on arrival.

For every family (a case with live references) the engine's lookup rows hold the LR of every
possible genotype of the missing person at each marker (`kintrace.dna.lr_table.shape_rows`,
lumped per family by `lr_lumped` where the mutation model allows). Scoring a profile against a
family is then one lookup per marker, so a new remains profile meets 100,000 families in a vectorised
scan instead of 100,000 exact likelihood computations.

The rows depend on a family's references (who gave them, their kinship, the genotypes) and on the
frequency table. They are kept in plain memory, per process, keyed by the database, the frequency
table's content and each family's *version*: the ids and import times of its live reference profiles
with consent in force, their kinships and sexes, and the missing person's sex (all read in one query,
without decrypting anything). A reference imported, shredded or withdrawn, a kinship or a sex changed,
changes the version and the family is rebuilt (its references decrypted, audited) on the next call;
a family gone from the query is dropped, so a crypto-shredded profile is in no later result. That
query reads every reference row, so it runs only when `summary`, a few index lookups, has moved.
Nothing here is encrypted: the rows are derived numbers, not genotypes, and never leave the process,
but a memory dump of a worker would reveal them (a documented trade-off; see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kintrace.dna.families import Family as EngineFamily
from kintrace.dna.lr_table import ShapeRows, SlotLayout, TableCache, shape_rows
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.domain.dna_samples import Reason, SampleKind
from kintrace.services.access import Actor
from kintrace.services.genetic_crypto import Genotypes, MasterKey
from kintrace.store.models import AuditEntry, DnaConsent, DnaProfile, DnaSample, MissingPerson

MAX_STORES = 4  # (database, frequency table) pairs kept per process
# Families decrypted and built per step: big, so that families share rows (two parents' genotype
# pairs repeat across tens of thousands of families), bounded so memory stays bounded.
_BATCH = 50_000
_IN_LIST = 5000  # ids per SQL IN list

Version = tuple[object, ...]


@dataclass
class Block:
    """Rows of families built together: ``parts`` index positions in ``case_ids``."""

    case_ids: np.ndarray  # (n,) int64
    references: np.ndarray  # (n,) int64: reference profiles used
    live: np.ndarray  # (n,) bool: False once the family was rebuilt elsewhere or dropped
    parts: list[ShapeRows]

    def scan(self, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """LR (n, P) and excluding markers (n, P) of profiles with marker-local slots ``local`` (M, P)."""
        n, n_prof = len(self.case_ids), local.shape[1]
        lr = np.ones((n, n_prof))
        zero = np.zeros((n, n_prof), dtype=np.int32)
        for part in self.parts:
            column = part.ratio[:, local[part.marker]]  # (n_unique, P): each distinct row once
            if len(part.members) == n:
                lr *= column[part.inverse]
                zero += column[part.inverse] == 0.0
            else:
                lr[part.members] *= column[part.inverse]
                zero[part.members] += column[part.inverse] == 0.0
        return lr, zero


@dataclass
class Store:
    layout: SlotLayout
    versions: dict[int, Version] = field(default_factory=dict)  # case -> version built (or skipped)
    where: dict[int, tuple[int, int]] = field(default_factory=dict)  # case -> (block, position)
    skipped: dict[int, str] = field(default_factory=dict)  # case -> why its family was not built
    blocks: list[Block] = field(default_factory=list)
    rows: TableCache = field(default_factory=TableCache)
    summary: Stamp | None = None  # `summary()` when the store was last brought up to date

    def drop(self, case_id: int) -> None:
        self.versions.pop(case_id, None)
        self.skipped.pop(case_id, None)
        place = self.where.pop(case_id, None)
        if place is not None:
            self.blocks[place[0]].live[place[1]] = False

    def compact(self) -> None:
        """Forget blocks with no live family left (their memory goes back)."""
        if all(block.live.any() for block in self.blocks):
            return
        kept = [block for block in self.blocks if block.live.any()]
        self.blocks = kept
        self.where = {
            int(block.case_ids[i]): (b, int(i))
            for b, block in enumerate(kept)
            for i in np.flatnonzero(block.live)
        }


log = logging.getLogger(__name__)
_STORES: OrderedDict[tuple[str, str], Store] = OrderedDict()
_LOCK = threading.Lock()


def fingerprint(markers: Mapping[str, Marker]) -> str:
    """The frequency table's content (names, alleles, frequencies, mutation matrices)."""
    digest = hashlib.sha256()
    for name in sorted(markers):
        marker = markers[name]
        digest.update(repr((name, marker.alleles)).encode())
        digest.update(np.ascontiguousarray(marker.freqs).tobytes())
        if marker.mutation is not None:
            digest.update(np.ascontiguousarray(marker.mutation.male).tobytes())
            digest.update(np.ascontiguousarray(marker.mutation.female).tobytes())
    return digest.hexdigest()


def _reference_query(*columns: object) -> Select[Any]:
    """Live reference profiles with consent in force and a kinship, with the missing person's sex."""
    return (
        select(*columns)  # type: ignore[call-overload]
        .select_from(DnaProfile)
        .join(DnaSample, DnaProfile.sample_id == DnaSample.id)
        .join(DnaConsent, DnaConsent.sample_id == DnaSample.id)
        .outerjoin(MissingPerson, MissingPerson.case_id == DnaSample.case_id)
        .where(
            DnaProfile.wrapped_key.is_not(None),
            DnaSample.kind == SampleKind.REFERENCE,
            DnaSample.case_id.is_not(None),
            DnaSample.kinship.is_not(None),
            DnaConsent.withdrawn_on.is_(None),
        )
    )


# Every change that can alter a family's version writes one of these audit rows (services/auditing).
# (Imports are seen as the newest reference profile: remains imports, every arrival, must not count.)
WATCHED_ACTIONS = (
    "dna_profile.shred",
    "dna_consent.withdraw",
    "person.update",  # the missing person's sex places him in the pedigree
    "case.merge",
)


def _newest_reference(session: Session) -> tuple[object, ...]:
    """(id, import time) of the newest reference profile: the newest profiles by primary key first
    (remains arrive between references, a few at a time), the full search only if none is one."""
    newest = session.execute(
        select(DnaProfile.id, DnaProfile.imported_at, DnaProfile.sample_id)
        .order_by(DnaProfile.id.desc())
        .limit(64)
    ).all()
    kinds = dict(
        session.execute(
            select(DnaSample.id, DnaSample.kind).where(DnaSample.id.in_([row[2] for row in newest]))
        ).all()
    )
    for profile_id, imported_at, sample_id in newest:
        if kinds.get(sample_id) is SampleKind.REFERENCE:
            return (profile_id, imported_at)
    row = session.execute(
        select(DnaProfile.id, DnaProfile.imported_at)
        .join(DnaSample, DnaProfile.sample_id == DnaSample.id)
        .where(DnaSample.kind == SampleKind.REFERENCE)
        .order_by(DnaProfile.id.desc())
        .limit(1)
    ).first()
    return tuple(row) if row is not None else ()


@dataclass(frozen=True)
class Stamp:
    reference: tuple[object, ...]  # (id, import time) of the newest reference profile, or ()
    audits: tuple[tuple[object, ...], ...]  # per WATCHED_ACTIONS: (id, time) of the newest row, or ()


def summary(session: Session) -> Stamp:
    """A stamp that changes whenever any family's version may have: the newest reference profile (id
    and import time) and the newest audit row of each watched action (id and time; the time tells a
    reused id after a rollback apart). Each is one index lookup, so the warm arrival reads no
    per-family row at all; when the stamp moved, `_changed_cases` names the families to look at."""
    audits = []
    for action in WATCHED_ACTIONS:
        newest = session.execute(
            select(AuditEntry.id, AuditEntry.at)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).first()
        audits.append(tuple(newest or ()))
    return Stamp(_newest_reference(session), tuple(audits))


def _moved_back(old: tuple[object, ...], new: tuple[object, ...]) -> bool:
    """The newest row went back, or one id now has another time: a rollback; trust nothing cached."""
    if not old:
        return False
    if not new:
        return True
    return int(new[0]) < int(old[0]) or (new[0] == old[0] and new[1] != old[1])  # type: ignore[call-overload]


def _rolled_back(session: Session, old: tuple[object, ...]) -> bool:
    """The newest reference seen last time is gone: its transaction rolled back. On PostgreSQL the next
    id is higher all the same (sequences do not move back), so `_moved_back` cannot tell."""
    if not old:
        return False
    row = session.execute(select(DnaProfile.imported_at).where(DnaProfile.id == old[0])).first()
    return row is None or row[0] != old[1]


def _after(old: tuple[object, ...]) -> int:
    return int(old[0]) if old else 0  # type: ignore[call-overload]


# Each watched action's audit entity leads to the case of the family it changed.
_ENTITY_CASE: dict[str, Any] = {
    "dna_profile.shred": select(DnaSample.case_id).join(DnaProfile, DnaProfile.sample_id == DnaSample.id),
    "dna_consent.withdraw": select(DnaSample.case_id).join(DnaConsent, DnaConsent.sample_id == DnaSample.id),
    "person.update": select(MissingPerson.case_id),
}
_ENTITY_ID: dict[str, Any] = {
    "dna_profile.shred": DnaProfile.id,
    "dna_consent.withdraw": DnaConsent.id,
    "person.update": MissingPerson.id,
}


def _changed_cases(session: Session, old: Stamp | None, new: Stamp) -> set[int] | None:
    """The cases whose families may have changed between two stamps (None: look at every family)."""
    if old is None or _moved_back(old.reference, new.reference) or _rolled_back(session, old.reference):
        return None
    cases: set[int] = set()
    if new.reference != old.reference:
        cases.update(
            session.scalars(
                select(DnaSample.case_id)
                .join(DnaProfile, DnaProfile.sample_id == DnaSample.id)
                .where(DnaProfile.id > _after(old.reference), DnaSample.kind == SampleKind.REFERENCE)
            )
        )
    for action, before, now in zip(WATCHED_ACTIONS, old.audits, new.audits, strict=True):
        if before == now:
            continue
        if action not in _ENTITY_CASE or _moved_back(before, now):
            return None  # a merge moves families between cases: look at all of them
        ids = [
            int(entity_id)
            for entity_id in session.scalars(
                select(AuditEntry.entity_id).where(
                    AuditEntry.action == action, AuditEntry.id > _after(before)
                )
            )
            if entity_id is not None and entity_id.isdigit()
        ]
        for first in range(0, len(ids), _IN_LIST):
            chunk = ids[first : first + _IN_LIST]
            cases.update(session.scalars(_ENTITY_CASE[action].where(_ENTITY_ID[action].in_(chunk))))
    cases.discard(None)
    return cases


def family_versions(session: Session, case_ids: set[int] | None = None) -> dict[int, Version]:
    """Every family's version (or those of ``case_ids``), from one query over the references (no
    genotype is decrypted)."""
    query = _reference_query(
        DnaSample.case_id,
        DnaProfile.id,
        DnaProfile.imported_at,
        DnaSample.kinship,
        DnaSample.donor_sex,
        MissingPerson.sex,
    )
    wanted = sorted(case_ids) if case_ids is not None else None
    queries = (
        [query]
        if wanted is None
        else [
            query.where(DnaSample.case_id.in_(wanted[first : first + _IN_LIST]))
            for first in range(0, len(wanted), _IN_LIST)
        ]
    )
    parts: dict[int, list[tuple[object, ...]]] = {}
    for one in queries:
        for case_id, profile_id, imported_at, kinship, donor_sex, sex in session.execute(one):
            parts.setdefault(case_id, []).append((profile_id, str(imported_at), kinship, donor_sex, sex))
    return {case_id: tuple(sorted(set(rows), key=str)) for case_id, rows in parts.items()}


def _store_for(session: Session, markers: Mapping[str, Marker]) -> Store:
    bind = session.get_bind()
    key = (bind.engine.url.render_as_string(hide_password=True), fingerprint(markers))
    store = _STORES.get(key)
    if store is None:
        store = _STORES[key] = Store(SlotLayout.for_markers([markers[name] for name in sorted(markers)]))
        while len(_STORES) > MAX_STORES:
            _STORES.popitem(last=False)
    _STORES.move_to_end(key)
    return store


def forget_all() -> None:
    """Drop every cached row in this process (tests; a frequency table replaced in place)."""
    with _LOCK:
        _STORES.clear()


def _build(store: Store, families: list[tuple[int, EngineFamily, dict[str, Genotypes]]]) -> None:
    """Rows of ``families`` (case, engine family, person -> genotypes) appended as one block; a batch
    with impossible references is rebuilt family by family so only the faulty ones are skipped."""
    if not families:
        return
    layout = store.layout
    profiles: list[Mapping[str, tuple[str | None, str | None]]] = []
    ref_rows: list[np.ndarray] = []
    for _, family, typed in families:
        rows = np.full(len(family.pedigree.ids), -1, dtype=np.int64)
        for i, pid in enumerate(family.pedigree.ids):
            if pid != family.missing_id and pid in typed:
                rows[i] = len(profiles)
                profiles.append(typed[pid])
        ref_rows.append(rows)
    codes = layout.encode(profiles) - layout.offsets[:-1, None].astype(np.int32)
    engine_families = [family for _, family, _ in families]
    try:
        parts = list(shape_rows(engine_families, ref_rows, codes, layout, store.rows))
    except DnaInputError as error:
        if len(families) == 1:
            store.skipped[families[0][0]] = Reason(str(error), "engine", {"detail": str(error)})
            return
        for one in families:
            _build(store, [one])
        return
    case_ids = np.array([case_id for case_id, _, _ in families], dtype=np.int64)
    references = np.array([len(refs) for _, _, refs in families], dtype=np.int64)
    store.blocks.append(Block(case_ids, references, np.ones(len(families), dtype=bool), parts))
    b = len(store.blocks) - 1
    for i, case_id in enumerate(case_ids):
        store.where[int(case_id)] = (b, i)


def refresh(
    session: Session, actor: Actor, master: MasterKey, markers: Mapping[str, Marker], reason: str
) -> Store:
    """The store for this database and frequency table with every family's rows up to date.

    Families whose version changed (or are new) are decrypted and rebuilt, in batches; families
    without live references any more are dropped. Call with ``_LOCK`` held (see ``locked``)."""
    # Late import: dna_matching builds the families (pedigree layout) and imports this module.
    from kintrace.services import dna_matching

    store = _store_for(session, markers)
    folded = summary(session)
    if store.summary == folded:
        return store
    changed = _changed_cases(session, store.summary, folded)
    current = family_versions(session, changed)
    looked_at = store.versions.keys() | store.skipped.keys() if changed is None else changed
    for case_id in [c for c in looked_at if c not in current]:
        store.drop(case_id)
    stale = sorted(c for c, version in current.items() if store.versions.get(c) != version)
    for case_id in stale:
        store.drop(case_id)
    for start in range(0, len(stale), _BATCH):
        batch = stale[start : start + _BATCH]
        built: list[dna_matching.Family] = []
        for first in range(0, len(batch), _IN_LIST):
            part, skipped = dna_matching.families(
                session, actor, master, reason, set(batch[first : first + _IN_LIST]), markers
            )
            built += part
            store.skipped.update(skipped)
        _build(
            store,
            [
                (
                    family.case_id,
                    EngineFamily(str(family.case_id), family.pedigree, family.missing_id, {}),
                    family.references,
                )
                for family in built
            ],
        )
        for case_id in batch:
            store.versions[case_id] = current[case_id]
    store.compact()
    store.summary = folded
    return store


def locked() -> threading.Lock:
    """The lock every use of a store holds (web workers are threads)."""
    return _LOCK


WARM_UP_REASON = "building the families' arrival tables when the server starts"


def holds_references(factory: Callable[[], Session]) -> bool:
    """Whether any reference profile is stored (else there is no family to build)."""
    with factory() as session:
        return _newest_reference(session) != ()


def warm_up(factory: Callable[[], Session], master: MasterKey, markers: Mapping[str, Marker]) -> int:
    """Build every family's rows now, as the first arrival would (references decrypted, audited with
    `WARM_UP_REASON`); the number of families built. A server does this once at start, in the
    background, so the first profile to arrive is scored as fast as the later ones. An arrival
    meanwhile waits on the store's lock and then finds the rows built."""
    from kintrace.services.access import SYSTEM

    with factory() as session, locked():
        store = refresh(session, SYSTEM, master, markers, WARM_UP_REASON)
        session.commit()  # the audit rows of the decryption
        return len(store.versions) - len(store.skipped)


def warm_up_quietly(factory: Callable[[], Session], master: MasterKey, markers: Mapping[str, Marker]) -> None:
    """`warm_up`, logged; a failure is logged, never raised (the first arrival then builds the rows)."""
    started = time.perf_counter()
    try:
        built = warm_up(factory, master, markers)
    except Exception:
        log.exception("building the families' arrival tables at start failed")
        return
    log.info("arrival tables of %d families built in %.1f s", built, time.perf_counter() - started)
