"""DNA profiles: lab exports imported against the samples, stored encrypted, read only with a reason.

- Import reads the long and wide CSV layouts through the engine's reader; every profile must belong
  to a registered sample (matched by the lab's sample id), a reference one with consent in force, and
  have no profile yet. Nothing is written unless every profile of the file passes.
- Every read of genotypes writes an audit row naming who, which profile(s) and why. Families never
  read genotypes; staff read them one at a time with a reason, matching reads them in batches.
- Withdrawn consent destroys the profile's data key (`shred`): the profile is gone from every later
  read and result. `rotate` re-wraps every live data key under a new master key.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.dna.markers import DnaInputError, Marker, read_text
from kintrace.dna.profiles import Layout, SingleAllele, read_profiles
from kintrace.domain.dna_samples import SampleKind
from kintrace.domain.vocabulary import Role
from kintrace.services import auditing
from kintrace.services.access import Actor, require_role, require_staff
from kintrace.services.dna_samples import consent_in_force
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.services.genetic_crypto import Genotypes, MasterKey, open_profile, rewrap, seal
from kintrace.store.models import DnaProfile, DnaSample, utcnow

MAX_REASON = 500
IMPORTERS = (Role.CASEWORKER, Role.ANALYST, Role.ADMIN)


@dataclass(frozen=True)
class Imported:
    profiles: list[DnaProfile]
    ignored_columns: tuple[str, ...]


def require_importer(actor: Actor) -> None:
    """Staff import lab exports; a family never (checked before the file is read or the table loaded)."""
    require_role(actor, *IMPORTERS, action="import DNA profiles")


def _first_rows(path: Path) -> dict[str, int]:
    """The row each sample id first appears on (for errors the reader cannot name)."""
    rows: dict[str, int] = {}
    for row_no, row in enumerate(csv.reader(io.StringIO(read_text(path), newline="")), start=1):
        for cell in row:
            rows.setdefault(cell.strip(), row_no)
    return rows


def import_profiles(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    path: str | Path,
    *,
    layout: Layout = "auto",
    single_allele: SingleAllele = "unknown",
) -> Imported:
    require_importer(actor)
    path = Path(path)
    try:
        profile_set = read_profiles(path, markers, layout=layout, single_allele=single_allele)
    except DnaInputError as error:
        raise ValidationFailed(None, str(error)) from None
    if not len(profile_set):
        raise ValidationFailed(None, f"{path.name}: no profiles in the file")
    rows = _first_rows(path)
    checked: list[tuple[DnaSample, Genotypes]] = []
    for code, genotypes in profile_set.profiles.items():
        where = f"{path.name} row {rows.get(code, '?')}, field sample_id"
        sample = session.scalar(
            select(DnaSample).where(DnaSample.code == code).options(selectinload(DnaSample.consent))
        )
        if sample is None:
            raise ValidationFailed(where, f"sample {code!r} is not registered")
        if not consent_in_force(sample):
            raise ValidationFailed(
                where, f"sample {code!r} has no consent in force; its profile may not be kept"
            )
        if session.scalar(select(DnaProfile.id).where(DnaProfile.sample_id == sample.id)) is not None:
            raise ValidationFailed(where, f"sample {code!r} already has a profile")
        if not genotypes:
            raise ValidationFailed(where, f"sample {code!r}: no marker typed")
        checked.append((sample, dict(genotypes)))
    out = []
    for sample, genotypes in checked:
        ciphertext, wrapped = seal(master, sample.id, genotypes)
        profile = DnaProfile(
            sample_id=sample.id,
            n_markers=len(genotypes),
            ciphertext=ciphertext,
            wrapped_key=wrapped,
            master_key_id=master.key_id,
            source=path.name[:300],
        )
        session.add(profile)
        auditing.record(session, actor, "dna_profile.import", profile, after=_summary(profile, sample))
        out.append(profile)
    return Imported(out, profile_set.ignored_columns)


def _summary(profile: DnaProfile, sample: DnaSample) -> dict[str, object]:
    """What the audit log keeps of a profile: never a genotype, nor its key."""
    return {
        "sample_id": sample.id,
        "sample": sample.code,
        "case_id": sample.case_id,
        "n_markers": profile.n_markers,
        "source": profile.source,
        "master_key_id": profile.master_key_id,
    }


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("reason", "say why the genotypes are read")
    if len(reason) > MAX_REASON:
        raise ValidationFailed("reason", f"is longer than {MAX_REASON} characters")
    return reason


def _live(session: Session, sample_id: int) -> DnaProfile:
    profile = session.scalar(
        select(DnaProfile)
        .where(DnaProfile.sample_id == sample_id)
        .options(selectinload(DnaProfile.sample).selectinload(DnaSample.consent))
    )
    if profile is None or profile.wrapped_key is None:
        raise NotFound("profile of sample", sample_id)
    return profile


def read_genotypes(
    session: Session, actor: Actor, master: MasterKey, sample_id: int, reason: str
) -> Genotypes:
    """One profile's genotypes for staff, audited with the reason; families never."""
    require_staff(actor, "read genotypes")
    reason = _reason(reason)
    profile = _live(session, sample_id)
    genotypes = open_profile(master, sample_id, profile.ciphertext, profile.wrapped_key or b"")
    auditing.record(
        session,
        actor,
        "dna_profile.read",
        profile,
        after={"reason": reason, "sample_id": sample_id, "case_id": profile.sample.case_id},
    )
    return genotypes


def has_profile(session: Session, sample_id: int) -> bool:
    return (
        session.scalar(
            select(DnaProfile.id).where(
                DnaProfile.sample_id == sample_id, DnaProfile.wrapped_key.is_not(None)
            )
        )
        is not None
    )


def usable_profiles(
    session: Session,
    actor: Actor,
    master: MasterKey,
    reason: str,
    *,
    kind: SampleKind,
    case_ids: set[int] | None = None,
    sample_ids: set[int] | None = None,
) -> dict[int, tuple[DnaSample, Genotypes]]:
    """Genotypes of every live profile of a kind (with consent in force), read for matching.

    One audit row per batch names the reason and every profile read.
    """
    query = (
        select(DnaProfile)
        .join(DnaSample, DnaProfile.sample_id == DnaSample.id)
        .where(DnaProfile.wrapped_key.is_not(None), DnaSample.kind == kind)
        .options(selectinload(DnaProfile.sample).selectinload(DnaSample.consent))
        .order_by(DnaProfile.sample_id)
    )
    if case_ids is not None:
        query = query.where(DnaSample.case_id.in_(case_ids))
    if sample_ids is not None:
        query = query.where(DnaSample.id.in_(sample_ids))
    out: dict[int, tuple[DnaSample, Genotypes]] = {}
    for profile in session.scalars(query):
        if not consent_in_force(profile.sample):
            continue
        assert profile.wrapped_key is not None
        out[profile.sample_id] = (
            profile.sample,
            open_profile(master, profile.sample_id, profile.ciphertext, profile.wrapped_key),
        )
    if out:
        auditing.record_event(
            session,
            actor,
            action="dna_profile.read_batch",
            entity="dna_profiles",
            entity_id=f"{kind.value}:{len(out)}",
            values={"reason": _reason(reason), "samples": sorted(out)},
        )
    return out


def shred(session: Session, actor: Actor, sample: DnaSample, why: str) -> bool:
    """Destroy the profile's data key; True when there was a live one."""
    profile = session.scalar(select(DnaProfile).where(DnaProfile.sample_id == sample.id))
    if profile is None or profile.wrapped_key is None:
        return False
    profile.wrapped_key = None
    profile.shredded_at = utcnow()
    auditing.record(
        session,
        actor,
        "dna_profile.shred",
        profile,
        after={"sample_id": sample.id, "case_id": sample.case_id, "why": why},
    )
    return True


def rotate(session: Session, actor: Actor, old: MasterKey, new: MasterKey) -> int:
    """Re-wrap every live data key from `old` to `new` (in the caller's transaction): all or none."""
    require_role(actor, Role.ADMIN, action="rotate the genetic master key")
    if old.key_id == new.key_id:
        raise ValidationFailed("new_key", "the new master key is the current one")
    profiles = list(session.scalars(select(DnaProfile).where(DnaProfile.wrapped_key.is_not(None))))
    foreign = [p.sample_id for p in profiles if p.master_key_id != old.key_id]
    if foreign:
        raise Conflict(
            f"{len(foreign)} profile(s) (first: sample {foreign[0]}) are not wrapped by the current key "
            f"{old.key_id}; nothing was changed"
        )
    for profile in profiles:
        assert profile.wrapped_key is not None
        profile.wrapped_key = rewrap(old, new, profile.sample_id, profile.wrapped_key)
        profile.master_key_id = new.key_id
    session.flush()
    auditing.record_event(
        session,
        actor,
        action="dna_keys.rotate",
        entity="dna_profiles",
        entity_id="all",
        values={
            "from": old.key_id,
            "to": new.key_id,
            "profiles": len(profiles),
            "at": dt.date.today().isoformat(),
        },
    )
    return len(profiles)


EXPORTERS = (Role.ANALYST, Role.ADMIN)
EXPORT_COLUMNS = ("sample_id", "marker", "allele1", "allele2")


@dataclass(frozen=True)
class Export:
    csv_text: str  # the engine's long layout: sample_id (the lab's code), marker, allele1, allele2
    samples: tuple[str, ...]  # the codes exported, in order


def export_profiles(
    session: Session,
    actor: Actor,
    master: MasterKey,
    reason: str,
    *,
    case_id: int | None = None,
    sample_codes: tuple[str, ...] = (),
) -> Export:
    """Live profiles' genotypes as a long-layout CSV, for another laboratory or a DVI tool.

    Genotypes leave the registry only this way: an analyst (or the system) asks, with a reason, for
    one case's samples or named samples (never "everything" by default). Shredded profiles and
    references without consent in force are left out. One audit row per profile names the reason.
    """
    require_role(actor, *EXPORTERS, action="export genotypes")
    reason = _reason(reason)
    if case_id is None and not sample_codes:
        raise ValidationFailed("case_id", "name a case or the samples whose profiles are exported")
    query = (
        select(DnaProfile)
        .join(DnaSample, DnaProfile.sample_id == DnaSample.id)
        .where(DnaProfile.wrapped_key.is_not(None))
        .options(selectinload(DnaProfile.sample).selectinload(DnaSample.consent))
        .order_by(DnaSample.code)
    )
    if case_id is not None:
        query = query.where(DnaSample.case_id == case_id)
    if sample_codes:
        query = query.where(DnaSample.code.in_(sample_codes))
    profiles = [p for p in session.scalars(query) if consent_in_force(p.sample)]
    if sample_codes:
        missing = sorted(set(sample_codes) - {p.sample.code for p in profiles})
        if missing:
            # One answer for "no such sample", "no profile" and "shredded": nothing tells them apart.
            raise NotFound("profile of sample", missing[0])
    if not profiles:
        raise NotFound("profiles of case", case_id if case_id is not None else "")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for profile in profiles:
        assert profile.wrapped_key is not None
        genotypes = open_profile(master, profile.sample_id, profile.ciphertext, profile.wrapped_key)
        for marker, (first, second) in sorted(genotypes.items()):
            writer.writerow((profile.sample.code, marker, first or "", second or ""))
        auditing.record(
            session,
            actor,
            "dna_profile.export",
            profile,
            after={"reason": reason, "sample_id": profile.sample_id, "case_id": profile.sample.case_id},
        )
    return Export(out.getvalue(), tuple(p.sample.code for p in profiles))
