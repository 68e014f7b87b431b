"""Synthetic DNA for the demo: a frequency table, reference samples from some families, remains (some
of them those families' missing sons, some unrelated), imported and scored so that a few candidate
identifications wait for the analysts. Direct matches too: the second family handed over its son's
toothbrush, which matches a body (an identity candidate), and the first family's son was found in two
fragments, one partly typed (an association of remains for two analysts to review). Random but
reproducible; nobody's real DNA.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.dna.markers import load_frequency_table
from kintrace.domain.dates import PartialDate
from kintrace.domain.dna_samples import DonorSex, IncidentKind, Kinship
from kintrace.domain.relationships import Relationship
from kintrace.domain.vocabulary import CaseState, Role, Sex
from kintrace.services import dna_arrival, dna_consent_forms, dna_incidents, dna_samples, dna_strength, pdf
from kintrace.services.access import Actor, require_role
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import Case, MissingPerson, Relative

MARKERS = [f"KT{n:02d}" for n in range(1, 21)]  # synthetic loci, named so nobody mistakes them for real ones
ALLELES = [str(n) for n in range(8, 21)]
FREQUENCIES_FILE = "dna_frequencies.csv"
GRAVE = "Mass grave near Demo village (synthetic)"
SITE = "Demo site (synthetic)"
WEAK_FAMILY = 6  # this family's references are weak (a grandmother alone): the demo's "ask next"


@dataclass(frozen=True)
class DnaSeed:
    families: int
    remains: int
    candidates: int
    frequencies: Path
    incident: int | None = None  # the demo's mass grave, for joint identification
    weak: int = 0  # families whose references are weak: the desk says which relative to ask next
    personal_effects: int = 0
    direct_candidates: int = 0  # identity candidates from personal effects
    associations: int = 0  # remains proposed as one person
    consent_forms: int = 0  # references whose signed consent form is on file


def _frequency_table(rng: random.Random, path: Path) -> dict[str, list[float]]:
    weights: dict[str, list[float]] = {}
    lines = ["marker,allele,frequency"]
    for marker in MARKERS:
        raw = [rng.uniform(0.2, 1.0) for _ in ALLELES]
        total = sum(raw)
        weights[marker] = [w / total for w in raw]
        lines += [f"{marker},{a},{w:.6f}" for a, w in zip(ALLELES, weights[marker], strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return weights


def seed_dna(
    session: Session, actor: Actor, key: MasterKey, folder: Path, *, families: int = 8, seed: int = 2026
) -> DnaSeed:
    require_role(actor, Role.ADMIN, action="seed demo DNA")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    weights = _frequency_table(rng, folder / FREQUENCIES_FILE)
    markers = load_frequency_table(folder / FREQUENCIES_FILE)

    def person() -> dict[str, tuple[str, str]]:
        return {m: tuple(rng.choices(ALLELES, weights[m], k=2)) for m in MARKERS}  # type: ignore[misc]

    cases = session.scalars(
        select(Case)
        .join(MissingPerson, MissingPerson.case_id == Case.id)
        .where(Case.state == CaseState.OPEN, MissingPerson.sex == Sex.MALE)
        .order_by(Case.id)
        .limit(families)
    ).all()
    day = dt.date.today() - dt.timedelta(days=30)
    profiles: dict[str, dict[str, tuple[str, str]]] = {}
    remains_count = 0
    in_grave: list[int] = []  # the families whose missing son lies in the grave
    effects = 0
    forms = 0
    for n, case in enumerate(cases, start=1):
        father, mother = person(), person()
        son = {m: (rng.choice(father[m]), rng.choice(mother[m])) for m in MARKERS}
        last = case.person.last_name
        donors = [("father", Kinship.FATHER, DonorSex.MALE, father)]
        asked: list[str] = []
        if n == WEAK_FAMILY:
            # Only the father's mother gave a sample; a brother is recorded but gave none yet.
            granny = {m: (rng.choice(father[m]), rng.choices(ALLELES, weights[m], k=1)[0]) for m in MARKERS}
            donors = [("grandmother", Kinship.PATERNAL_GRANDMOTHER, DonorSex.FEMALE, granny)]
            asked = ["brother"]
        elif n % 2:
            donors.append(("mother", Kinship.MOTHER, DonorSex.FEMALE, mother))
        else:
            brother = {m: (rng.choice(father[m]), rng.choice(mother[m])) for m in MARKERS}
            donors.append(("brother", Kinship.FULL_SIBLING, DonorSex.MALE, brother))
        for word, kinship, sex, genotypes in donors:
            relative = Relative(
                case_id=case.id, full_name=f"{last} ({word}, demo)", relationship_=Relationship(word)
            )
            session.add(relative)
            session.flush()
            code = f"DEMO-REF-{case.id}-{word[0].upper()}"
            sample = dna_samples.add_reference(
                session,
                actor,
                case.id,
                dna_samples.ReferenceInput(
                    code=code,
                    relative_id=relative.id,
                    kinship=kinship,
                    donor_sex=sex,
                    collected_on=day,
                    collector="Demo collector",
                    laboratory="Demo laboratory",
                    consent_on=day,
                    kit="synthetic 20-locus kit",
                ),
            )
            profiles[code] = genotypes
            if n == 1 and word == "father":
                # The first family's father signed his consent on paper: the scan is on file.
                dna_consent_forms.attach_form(
                    session,
                    actor,
                    sample.id,
                    filename=f"consent-{code}.pdf",
                    data=_consent_form_pdf(relative.full_name, code, day),
                )
                forms += 1
        for word in asked:
            session.add(
                Relative(
                    case_id=case.id, full_name=f"{last} ({word}, demo)", relationship_=Relationship(word)
                )
            )
        # Every third family's missing son is among the remains.
        if n % 3 == 1:
            remains_count += 1
            code = f"DEMO-BODY-{remains_count}"
            _remains(session, actor, code, day, remains_count, GRAVE)
            profiles[code] = son
            in_grave.append(case.id)
            if n == 1:  # a second fragment of the same victim, typed at 9 markers only
                remains_count += 1
                code = f"DEMO-BODY-{remains_count}"
                _remains(session, actor, code, day, remains_count, SITE)
                profiles[code] = {m: son[m] for m in MARKERS[:9]}
        if n == 2:  # his own DNA on a personal effect, and his remains
            code = f"DEMO-EFFECT-{case.id}"
            dna_samples.add_personal_effect(
                session,
                actor,
                case.id,
                dna_samples.PersonalEffectInput(
                    code=code,
                    item="toothbrush",
                    handed_over_by=f"{last} (mother, demo)",
                    handed_over_on=day,
                    laboratory="Demo laboratory",
                ),
            )
            profiles[code] = son
            effects += 1
            remains_count += 1
            code = f"DEMO-BODY-{remains_count}"
            _remains(session, actor, code, day, remains_count, SITE)
            profiles[code] = son
    for k in range(3):  # and some remains of people no family here is looking for, one in the grave
        remains_count += 1
        code = f"DEMO-BODY-{remains_count}"
        _remains(session, actor, code, day, remains_count, GRAVE if k == 0 else SITE)
        profiles[code] = person()
    grave = _grave(session, actor, [case.id for case in cases], in_grave)
    export = folder / "demo_lab_export.csv"
    lines = ["sample_id,marker,allele1,allele2"]
    for code, genotypes in profiles.items():
        lines += [f"{code},{m},{a},{b}" for m, (a, b) in genotypes.items()]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        arrived = dna_arrival.import_and_match(session, actor, key, markers, export)
    finally:
        export.unlink()  # the plaintext export does not stay on disk
    dna_strength.compute_stale(session, actor, key, markers)  # every family's strength, stored
    weak = sum(
        strength.weak for strength in dna_strength.strengths(session, {c.id for c in cases}, markers).values()
    )
    return DnaSeed(
        len(cases),
        remains_count,
        arrived.matching.candidates,
        folder / FREQUENCIES_FILE,
        incident=grave,
        weak=weak,
        personal_effects=effects,
        direct_candidates=arrived.direct.candidates,
        associations=arrived.direct.associations,
        consent_forms=forms,
    )


def _grave(session: Session, actor: Actor, case_ids: list[int], in_grave: list[int]) -> int:
    """The grave's record completed, and the families considered for it: those whose son lies there
    and two more missing from the same time (whose sons are not there)."""
    grave = dna_samples.incident_named(session, actor, GRAVE)
    grave.kind, grave.place, grave.occurred_on = (
        IncidentKind.MASS_GRAVE,
        "Demo village (synthetic)",
        PartialDate(2022, 3),
    )
    grave.notes = "Synthetic: its bodies are demo families' sons and one man nobody here is looking for."
    others = [case_id for case_id in case_ids if case_id not in in_grave][:2]
    for case_id in sorted([*in_grave, *others]):
        dna_incidents.add_case(session, actor, grave.id, case_id)
    return grave.id


def _remains(session: Session, actor: Actor, code: str, day: dt.date, n: int, incident: str) -> None:
    dna_samples.add_remains(
        session,
        actor,
        dna_samples.RemainsInput(
            code=code,
            incident=incident,
            recovered_on=day,
            body_number=f"{n:03d}",
            laboratory="Demo laboratory",
        ),
    )


def _consent_form_pdf(donor: str, code: str, day: dt.date) -> bytes:
    """A one-page synthetic consent form (what a scan of the signed paper stands for in the demo)."""
    story = [
        pdf.para("Consent to the use of a DNA reference sample (synthetic demo form)", "title"),
        pdf.para(f"Donor: {donor}. Sample: {code}. Signed on {day.isoformat()}."),
        pdf.para("Scope: the identification of this missing person only. Withdrawable at any time."),
        pdf.para("Signature: (synthetic)"),
    ]
    return pdf.render("Consent form (synthetic)", story, made_on=day)
