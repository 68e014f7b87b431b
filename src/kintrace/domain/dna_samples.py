"""DNA samples in the registry: the words, and the pedigree a case's reference samples imply.

A reference sample is given by a relative whose relationship to the missing person is structured
(`Kinship`), never free text, so the registry can draw the family's pedigree from it. The pedigree is
laid out here as plain rows (id, father, mother, sex); the services hand it to the DNA engine.
Relationships that no family can have (two fathers, a mother recorded as male) are named in the error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from kintrace.domain.errors import DomainError


class SampleKind(StrEnum):
    REFERENCE = "reference"  # from a living relative, with consent
    REMAINS = "remains"  # from unidentified remains
    # The missing person's own DNA on an object he used (a toothbrush, a razor), handed over by the
    # family: it belongs to the case like a reference, needs no donor's consent (nobody living gave
    # it), and is compared with remains as an identity match, not through a pedigree.
    PERSONAL_EFFECT = "personal_effect"


class MatchBasis(StrEnum):
    """What a candidate identification rests on."""

    KINSHIP = "kinship"  # the family's references, through the pedigree
    PERSONAL_EFFECT = "personal_effect"  # the missing person's own DNA on a personal effect


class Kinship(StrEnum):
    """The donor's relationship to the missing person."""

    FATHER = "father"
    MOTHER = "mother"
    FULL_SIBLING = "full_sibling"
    PATERNAL_HALF_SIBLING = "paternal_half_sibling"
    MATERNAL_HALF_SIBLING = "maternal_half_sibling"
    CHILD = "child"
    SPOUSE = "spouse"  # the other parent of the missing person's children
    PATERNAL_GRANDFATHER = "paternal_grandfather"
    PATERNAL_GRANDMOTHER = "paternal_grandmother"
    MATERNAL_GRANDFATHER = "maternal_grandfather"
    MATERNAL_GRANDMOTHER = "maternal_grandmother"
    PATERNAL_UNCLE_OR_AUNT = "paternal_uncle_or_aunt"  # a full sibling of the father
    MATERNAL_UNCLE_OR_AUNT = "maternal_uncle_or_aunt"  # a full sibling of the mother


class CustodyStep(StrEnum):
    COLLECTED = "collected"
    SENT = "sent"
    RECEIVED = "received"
    TYPED = "typed"
    STORED = "stored"
    CONSUMED = "consumed"


class ConsentScope(StrEnum):
    # The only scope the registry records: the sample may be used to identify this missing person only.
    THIS_MISSING_PERSON = "identify_this_missing_person"


class DonorSex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class IncidentKind(StrEnum):
    """What left several dead in one place: each remains sample of it is compared jointly."""

    MASS_GRAVE = "mass_grave"
    CRASH = "crash"
    SHELLING = "shelling"
    OTHER = "other"


class CandidateState(StrEnum):
    CANDIDATE = "candidate"  # scored above the threshold, nobody has looked yet
    PROPOSED = "proposed"  # one analyst proposes the identification
    CONFIRMED = "confirmed"  # a second analyst confirmed it
    REJECTED = "rejected"


def fragment_groups(links: Iterable[tuple[int, int]]) -> list[frozenset[int]]:
    """Fragments of remains joined by confirmed "same person" associations: the connected groups
    (two fragments of one victim, and a third matching either, are one person), largest first."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for first, second in links:
        a, b = root(first), root(second)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, set[int]] = {}
    for node in parent:
        groups.setdefault(root(node), set()).add(node)
    return sorted((frozenset(g) for g in groups.values()), key=lambda g: (-len(g), min(g)))


# Kinships one family can hold once only; a second is an impossible pedigree.
_SINGLE = frozenset(
    {
        Kinship.FATHER,
        Kinship.MOTHER,
        Kinship.SPOUSE,
        Kinship.PATERNAL_GRANDFATHER,
        Kinship.PATERNAL_GRANDMOTHER,
        Kinship.MATERNAL_GRANDFATHER,
        Kinship.MATERNAL_GRANDMOTHER,
    }
)
_FIXED_SEX = {
    Kinship.FATHER: DonorSex.MALE,
    Kinship.MOTHER: DonorSex.FEMALE,
    Kinship.PATERNAL_GRANDFATHER: DonorSex.MALE,
    Kinship.MATERNAL_GRANDFATHER: DonorSex.MALE,
    Kinship.PATERNAL_GRANDMOTHER: DonorSex.FEMALE,
    Kinship.MATERNAL_GRANDMOTHER: DonorSex.FEMALE,
}
_SEX_CODE = {DonorSex.MALE: 1, DonorSex.FEMALE: 2, DonorSex.UNKNOWN: 0}
MISSING_ID = "missing"


@dataclass(frozen=True)
class Donor:
    """One typed relative: its label (the sample's id), kinship and sex."""

    label: str
    kinship: Kinship
    sex: DonorSex


@dataclass(frozen=True)
class PedigreeRow:
    id: str
    father: str | None
    mother: str | None
    sex: int  # 1 male, 2 female, 0 unknown (pedtools' codes)


@dataclass(frozen=True)
class PedigreeLayout:
    rows: tuple[PedigreeRow, ...]
    typed: dict[str, str]  # pedigree person id -> donor label
    missing_id: str = MISSING_ID


class PedigreeError(DomainError):
    """An impossible pedigree, with a code and its values so that pages can say it in any language."""

    def __init__(self, message: str, *, code: str, params: dict[str, str], field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code
        self.params = params


class Reason(str):
    """Why a family's references are not used: the analysts' English (CLI, API, audit), with a code
    and its values so that a page can say the same in the reader's language."""

    code: str
    params: dict[str, str]

    def __new__(cls, text: str, code: str = "engine", params: Mapping[str, str] | None = None) -> Reason:
        reason = super().__new__(cls, text)
        reason.code = code
        reason.params = dict(params or {})
        return reason


def _check(donors: list[Donor]) -> None:
    seen: dict[Kinship, str] = {}
    for donor in donors:
        expected = _FIXED_SEX.get(donor.kinship)
        if expected is not None and donor.sex not in (expected, DonorSex.UNKNOWN):
            raise PedigreeError(
                f"sample {donor.label}: a {donor.kinship.value} cannot be {donor.sex.value}",
                code="wrong_sex",
                params={"sample": donor.label, "kinship": donor.kinship.value, "sex": donor.sex.value},
                field="kinship",
            )
        if donor.kinship in _SINGLE:
            if donor.kinship in seen:
                raise PedigreeError(
                    f"samples {seen[donor.kinship]} and {donor.label}: "
                    f"the missing person has one {donor.kinship.value.replace('_', ' ')}",
                    code="twice",
                    params={
                        "first": seen[donor.kinship],
                        "second": donor.label,
                        "kinship": donor.kinship.value,
                    },
                    field="kinship",
                )
            seen[donor.kinship] = donor.label


def pedigree_layout(missing_sex: DonorSex, donors: Iterable[Donor]) -> PedigreeLayout:
    """The smallest pedigree joining the missing person to every donor, with untyped links between.

    Both parents of the missing person are always present (typed or not), as are the grandparents an
    uncle, aunt or grandparent needs, and a spouse for children; half-siblings get an untyped other parent.
    """
    donors = list(donors)
    _check(donors)
    by_kinship = {donor.kinship: donor for donor in donors if donor.kinship in _SINGLE}
    rows: dict[str, PedigreeRow] = {}
    typed: dict[str, str] = {}

    def pid(kinship: Kinship, fallback: str) -> str:
        donor = by_kinship.get(kinship)
        if donor is not None:
            typed[fallback] = donor.label
        return fallback

    def add(row: PedigreeRow) -> None:
        rows[row.id] = row

    kinships = {donor.kinship for donor in donors}
    paternal_gp = bool(
        kinships
        & {Kinship.PATERNAL_GRANDFATHER, Kinship.PATERNAL_GRANDMOTHER, Kinship.PATERNAL_UNCLE_OR_AUNT}
    )
    maternal_gp = bool(
        kinships
        & {Kinship.MATERNAL_GRANDFATHER, Kinship.MATERNAL_GRANDMOTHER, Kinship.MATERNAL_UNCLE_OR_AUNT}
    )
    if paternal_gp:
        add(PedigreeRow(pid(Kinship.PATERNAL_GRANDFATHER, "paternal_grandfather"), None, None, 1))
        add(PedigreeRow(pid(Kinship.PATERNAL_GRANDMOTHER, "paternal_grandmother"), None, None, 2))
    if maternal_gp:
        add(PedigreeRow(pid(Kinship.MATERNAL_GRANDFATHER, "maternal_grandfather"), None, None, 1))
        add(PedigreeRow(pid(Kinship.MATERNAL_GRANDMOTHER, "maternal_grandmother"), None, None, 2))
    father = pid(Kinship.FATHER, "father")
    mother = pid(Kinship.MOTHER, "mother")
    if paternal_gp:
        add(PedigreeRow(father, "paternal_grandfather", "paternal_grandmother", 1))
    else:
        add(PedigreeRow(father, None, None, 1))
    if maternal_gp:
        add(PedigreeRow(mother, "maternal_grandfather", "maternal_grandmother", 2))
    else:
        add(PedigreeRow(mother, None, None, 2))
    missing_code = _SEX_CODE[missing_sex]
    add(PedigreeRow(MISSING_ID, father, mother, missing_code))
    children = [donor for donor in donors if donor.kinship is Kinship.CHILD]
    if children or Kinship.SPOUSE in by_kinship:
        if missing_code == 0:
            raise PedigreeError(
                "the missing person's sex must be known to place a child or spouse",
                code="sex_unknown",
                params={},
                field="sex",
            )
        spouse = pid(Kinship.SPOUSE, "spouse")
        add(PedigreeRow(spouse, None, None, 3 - missing_code))
        parents = (MISSING_ID, spouse) if missing_code == 1 else (spouse, MISSING_ID)
        spouse_donor = by_kinship.get(Kinship.SPOUSE)
        if spouse_donor is not None and _SEX_CODE[spouse_donor.sex] not in (0, 3 - missing_code):
            raise PedigreeError(
                f"sample {spouse_donor.label}: the spouse is recorded with the missing person's sex",
                code="spouse_sex",
                params={"sample": spouse_donor.label},
                field="kinship",
            )
    for n, donor in enumerate(donors, start=1):
        sex = _SEX_CODE[donor.sex]
        node = f"relative_{n}"
        if donor.kinship is Kinship.FULL_SIBLING:
            add(PedigreeRow(node, father, mother, sex))
        elif donor.kinship is Kinship.CHILD:
            add(PedigreeRow(node, parents[0], parents[1], sex))
        elif donor.kinship is Kinship.PATERNAL_HALF_SIBLING:
            add(PedigreeRow(f"{node}_mother", None, None, 2))
            add(PedigreeRow(node, father, f"{node}_mother", sex))
        elif donor.kinship is Kinship.MATERNAL_HALF_SIBLING:
            add(PedigreeRow(f"{node}_father", None, None, 1))
            add(PedigreeRow(node, f"{node}_father", mother, sex))
        elif donor.kinship is Kinship.PATERNAL_UNCLE_OR_AUNT:
            add(PedigreeRow(node, "paternal_grandfather", "paternal_grandmother", sex))
        elif donor.kinship is Kinship.MATERNAL_UNCLE_OR_AUNT:
            add(PedigreeRow(node, "maternal_grandfather", "maternal_grandmother", sex))
        else:
            continue
        typed[node] = donor.label
    return PedigreeLayout(tuple(rows.values()), typed)


# The relatives worth asking for a sample, closest to the missing person first (the order breaks ties
# in the ranking). A spouse alone shares no DNA with the missing person: asked only beside a child.
_ASK_ORDER = (
    Kinship.FATHER,
    Kinship.MOTHER,
    Kinship.FULL_SIBLING,
    Kinship.CHILD,
    Kinship.SPOUSE,
    Kinship.PATERNAL_HALF_SIBLING,
    Kinship.MATERNAL_HALF_SIBLING,
    Kinship.PATERNAL_GRANDFATHER,
    Kinship.PATERNAL_GRANDMOTHER,
    Kinship.MATERNAL_GRANDFATHER,
    Kinship.MATERNAL_GRANDMOTHER,
    Kinship.PATERNAL_UNCLE_OR_AUNT,
    Kinship.MATERNAL_UNCLE_OR_AUNT,
)


def kinships_to_ask(present: Iterable[Kinship], missing_sex: DonorSex) -> list[Kinship]:
    """The kinships one more donor could have: one-of-a-kind relatives not sampled yet, any number of
    siblings, children (when the missing person's sex places them), half-siblings, uncles and aunts."""
    have = set(present)
    out = []
    for kinship in _ASK_ORDER:
        if kinship in _SINGLE and kinship in have:
            continue
        if kinship is Kinship.SPOUSE and Kinship.CHILD not in have:
            continue
        if kinship in (Kinship.CHILD, Kinship.SPOUSE) and missing_sex is DonorSex.UNKNOWN:
            continue
        out.append(kinship)
    return out


def candidate_donor(kinship: Kinship, label: str) -> Donor:
    """A donor not yet sampled, of the sex its kinship fixes (else unknown)."""
    return Donor(label, kinship, _FIXED_SEX.get(kinship, DonorSex.UNKNOWN))
