"""What happens when a profile arrives or a consent is withdrawn.

- A lab export imported: every new remains profile is scored against every family, every new
  reference re-scores its family against every remains profile (matching on arrival). Direct matches
  too (`dna_direct`): new remains against every personal effect and every other remains profile, a
  new personal effect against every remains profile.
- A consent withdrawn: the profile's data key is destroyed, the family's unreviewed results are
  dropped and its remaining references re-scored, so the withdrawn profile is gone from every later
  result. Identifications already confirmed stay on record (they are evidence), with the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from kintrace.dna.markers import Marker
from kintrace.dna.profiles import Layout, SingleAllele
from kintrace.domain.dna_samples import SampleKind
from kintrace.services import auditing, dna_direct, dna_matching, dna_profiles
from kintrace.services.access import SYSTEM, Actor
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaSample

ARRIVAL_REASON = "matching on arrival of new profiles"
WITHDRAWAL_REASON = "re-scoring a family after a consent was withdrawn"


@dataclass(frozen=True)
class ArrivalResult:
    imported: dna_profiles.Imported
    matching: dna_matching.RunResult
    direct: dna_direct.DirectResult


def import_and_match(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    path: str | Path,
    *,
    layout: Layout = "auto",
    single_allele: SingleAllele = "unknown",
) -> ArrivalResult:
    imported = dna_profiles.import_profiles(
        session, actor, master, markers, path, layout=layout, single_allele=single_allele
    )
    samples = [session.get(DnaSample, profile.sample_id) for profile in imported.profiles]
    remains = {s.id for s in samples if s is not None and s.kind is SampleKind.REMAINS}
    cases = {s.case_id for s in samples if s is not None and s.kind is SampleKind.REFERENCE and s.case_id}
    run = dna_matching.RunResult()
    parts = []
    if cases:
        # Families with new references against every remains profile, new ones included.
        parts.append(
            dna_matching.compare(session, actor, master, markers, reason=ARRIVAL_REASON, case_ids=cases)
        )
    if remains:
        # New remains against every other family.
        parts.append(
            dna_matching.compare(
                session,
                actor,
                master,
                markers,
                reason=ARRIVAL_REASON,
                remains_ids=remains,
                except_cases=cases,
            )
        )
    for part in parts:
        run.pairs += part.pairs
        run.candidates += part.candidates
        run.skipped.update(part.skipped)
    effects = {s.id for s in samples if s is not None and s.kind is SampleKind.PERSONAL_EFFECT}
    direct = dna_direct.DirectResult()
    direct_parts = []
    if remains:
        direct_parts.append(
            dna_direct.compare_effects(
                session, actor, master, markers, reason=ARRIVAL_REASON, remains_ids=remains
            )
        )
        direct_parts.append(
            dna_direct.compare_fragments(
                session, actor, master, markers, reason=ARRIVAL_REASON, remains_ids=remains
            )
        )
    if effects:
        # New effects against every other remains profile (the new remains met them above).
        direct_parts.append(
            dna_direct.compare_effects(
                session,
                actor,
                master,
                markers,
                reason=ARRIVAL_REASON,
                effect_ids=effects,
                except_remains=remains,
            )
        )
    for direct_part in direct_parts:
        direct.add(direct_part)
    return ArrivalResult(imported, run, direct)


def withdraw_consent(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker] | None,
    sample_id: int,
    *,
    on: dt.date | None = None,
    note: str | None = None,
) -> bool:
    """Withdraw a reference sample's consent (its donor, or a caseworker for them); True if a profile
    was destroyed. `markers` None skips re-scoring the family (its unreviewed results are dropped all
    the same)."""
    sample = session.get(DnaSample, sample_id)
    if sample is None or sample.kind is not SampleKind.REFERENCE:
        raise NotFound("reference sample", sample_id)
    donor = sample.relative.user_id if sample.relative is not None else None
    if not actor.can_write_cases and (actor.user_id is None or actor.user_id != donor):
        if actor.is_family:
            raise NotFound("reference sample", sample_id)
        raise Forbidden(
            f"{actor.name} ({actor.role.value}) may not withdraw consent; the donor or a caseworker may"
        )
    consent = sample.consent
    if consent is None:
        raise ValidationFailed("consent", f"sample {sample.code} has no consent recorded")
    if consent.withdrawn_on is not None:
        raise Conflict(
            f"the consent for sample {sample.code} was already withdrawn on {consent.withdrawn_on}"
        )
    before = auditing.snapshot(consent)
    consent.withdrawn_on = on or dt.date.today()
    consent.withdrawal_note = (note or "").strip()[:2000] or None
    auditing.record(
        session,
        actor,
        "dna_consent.withdraw",
        consent,
        before=before,
        after={**auditing.snapshot(consent), "case_id": sample.case_id},
    )
    shredded = dna_profiles.shred(session, actor, sample, "consent withdrawn")
    assert sample.case_id is not None
    dna_matching.forget_unreviewed(session, sample.case_id)
    if markers is not None:
        # Matching is staff work: it runs as the system on the donor's behalf, and is audited so.
        dna_matching.compare(
            session, SYSTEM, master, markers, reason=WITHDRAWAL_REASON, case_ids={sample.case_id}
        )
    return shredded
