"""A relative's relationship to the missing person, as a structured value.

Stored as a code (``mother``, ``brother``...), shown in the reader's language by the screens; a bond
the list does not name (a godmother, a fiancée) is ``other`` with the family's own words in a note.
Earlier records and import files hold free text in Ukrainian, Russian or English ("мама", "жена",
"Mother"): `relationship_from_text` reads those, and keeps any word it does not know as the note of
``other`` so that nothing a family wrote is lost.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from kintrace.domain.dna_samples import Kinship
from kintrace.domain.errors import InvalidValue

NOTE_MAX = 200
# The messages are fixed text (no value pasted in), so the screens can show them translated.
UNKNOWN = 'is not a relationship the registry knows; choose "other" and say who'
UNEXPLAINED = "say who the relative is to the missing person"


class Relationship(StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    WIFE = "wife"
    HUSBAND = "husband"
    PARTNER = "partner"  # living together, not married
    SON = "son"
    DAUGHTER = "daughter"
    BROTHER = "brother"
    SISTER = "sister"
    HALF_BROTHER = "half_brother"
    HALF_SISTER = "half_sister"
    GRANDMOTHER = "grandmother"
    GRANDFATHER = "grandfather"
    GRANDSON = "grandson"
    GRANDDAUGHTER = "granddaughter"
    AUNT = "aunt"
    UNCLE = "uncle"
    NEPHEW = "nephew"
    NIECE = "niece"
    COUSIN = "cousin"
    STEPMOTHER = "stepmother"
    STEPFATHER = "stepfather"
    MOTHER_IN_LAW = "mother_in_law"
    FATHER_IN_LAW = "father_in_law"
    OTHER = "other"  # the family's own words are in the note


# The words families write, in Ukrainian, Russian and English (lower case, without stress marks).
_WORDS: dict[Relationship, tuple[str, ...]] = {
    Relationship.MOTHER: ("mother", "mom", "mum", "мати", "мама", "матір", "ненька", "мать"),
    Relationship.FATHER: ("father", "dad", "батько", "тато", "отець", "отец", "папа"),
    Relationship.WIFE: ("wife", "дружина", "жінка", "жена", "супруга"),
    Relationship.HUSBAND: ("husband", "чоловік", "муж", "супруг"),
    Relationship.PARTNER: (
        "partner",
        "civil partner",
        "цивільна дружина",
        "цивільний чоловік",
        "гражданская жена",
        "гражданский муж",
        "партнер",
        "партнерка",
        "партнёр",
        "партнерша",
    ),
    Relationship.SON: ("son", "син", "сын"),
    Relationship.DAUGHTER: ("daughter", "донька", "дочка", "дочь", "доч"),
    Relationship.BROTHER: ("brother", "брат", "рідний брат", "родной брат"),
    Relationship.SISTER: ("sister", "сестра", "рідна сестра", "родная сестра"),
    # Blood half-siblings only: "зведений/сводный" is as often a step-sibling, so it stays the family's
    # own words under "other" (it matters for DNA: a step-sibling shares no DNA).
    Relationship.HALF_BROTHER: (
        "half brother",
        "half-brother",
        "єдинокровний брат",
        "єдиноутробний брат",
        "единокровный брат",
        "единоутробный брат",
    ),
    Relationship.HALF_SISTER: (
        "half sister",
        "half-sister",
        "єдинокровна сестра",
        "єдиноутробна сестра",
        "единокровная сестра",
        "единоутробная сестра",
    ),
    Relationship.GRANDMOTHER: ("grandmother", "granny", "бабуся", "бабця", "баба", "бабушка"),
    Relationship.GRANDFATHER: ("grandfather", "дідусь", "дід", "дедушка", "дед"),
    Relationship.GRANDSON: ("grandson", "онук", "внук"),
    Relationship.GRANDDAUGHTER: ("granddaughter", "онука", "внучка"),
    Relationship.AUNT: ("aunt", "тітка", "тётя", "тетя", "тетка", "тётка"),
    Relationship.UNCLE: ("uncle", "дядько", "дядя"),
    Relationship.NEPHEW: ("nephew", "племінник", "племянник"),
    Relationship.NIECE: ("niece", "племінниця", "племянница"),
    Relationship.COUSIN: (
        "cousin",
        "двоюрідний брат",
        "двоюрідна сестра",
        "двоюродный брат",
        "двоюродная сестра",
    ),
    Relationship.STEPMOTHER: ("stepmother", "мачуха", "мачеха"),
    Relationship.STEPFATHER: ("stepfather", "вітчим", "отчим"),
    Relationship.MOTHER_IN_LAW: ("mother-in-law", "mother in law", "теща", "свекруха", "тёща", "свекровь"),
    Relationship.FATHER_IN_LAW: ("father-in-law", "father in law", "тесть", "свекор", "свёкор"),
}


def _folded(text: str) -> str:
    """Lower case, without stress marks, underscores or extra spaces."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower())
    # U+0301 is the stress mark Ukrainian and Russian texts sometimes carry; the breve of й and the
    # diaeresis of ї/ё are letters and stay.
    kept = "".join(ch for ch in decomposed if ch != "\u0301")
    return " ".join(unicodedata.normalize("NFC", kept).replace("_", " ").split())


_BY_WORD: dict[str, Relationship] = {
    _folded(word): code for code in Relationship for word in (*_WORDS.get(code, ()), code.value)
}


def read_relationship(text: str) -> Relationship | None:
    """The relationship a code or a common word in uk/ru/en names ("мама" -> mother), else None."""
    return _BY_WORD.get(_folded(text))


def relationship_from_input(value: str, note: str | None) -> tuple[Relationship, str | None]:
    """The checked relationship of a form or API body: a known code or word, and its note.

    ``other`` needs the note (who the person is to the missing person); the note is kept beside any
    relationship, at most `NOTE_MAX` characters. Errors name the field at fault.
    """
    code = read_relationship(value) if value.strip() else None
    if code is None:
        if not value.strip():
            raise InvalidValue("must be chosen (mother, wife, brother, ... or other)", field="relationship")
        raise InvalidValue(UNKNOWN, field="relationship")
    cleaned = " ".join(note.split()) if note else None
    if cleaned and len(cleaned) > NOTE_MAX:
        raise InvalidValue(f"must be at most {NOTE_MAX} characters", field="relationship_note")
    if code is Relationship.OTHER and not cleaned:
        raise InvalidValue(UNEXPLAINED, field="relationship_note")
    return code, cleaned or None


def relationship_from_text(text: str) -> tuple[Relationship, str | None]:
    """An old free-text relationship as a structured one; never refuses, never loses the words.

    A known word becomes its code; anything else becomes ``other`` with the text as its note.
    """
    code = read_relationship(text)
    if code is not None:
        return code, None
    words = " ".join(text.split())[:NOTE_MAX]
    return Relationship.OTHER, words or None


# The kinships a DNA reference from a relative recorded with this relationship may have (the pedigree
# needs the side for grandparents, half-siblings, aunts and uncles). Missing from the table: the
# relationships whose DNA the engine's pedigrees do not use (step-parents and in-laws share none).
_KINSHIPS: dict[Relationship, frozenset[Kinship]] = {
    Relationship.MOTHER: frozenset({Kinship.MOTHER}),
    Relationship.FATHER: frozenset({Kinship.FATHER}),
    Relationship.SON: frozenset({Kinship.CHILD}),
    Relationship.DAUGHTER: frozenset({Kinship.CHILD}),
    Relationship.BROTHER: frozenset({Kinship.FULL_SIBLING}),
    Relationship.SISTER: frozenset({Kinship.FULL_SIBLING}),
    Relationship.HALF_BROTHER: frozenset({Kinship.PATERNAL_HALF_SIBLING, Kinship.MATERNAL_HALF_SIBLING}),
    Relationship.HALF_SISTER: frozenset({Kinship.PATERNAL_HALF_SIBLING, Kinship.MATERNAL_HALF_SIBLING}),
    # A spouse or partner is typed as the other parent of the missing person's children.
    Relationship.WIFE: frozenset({Kinship.SPOUSE}),
    Relationship.HUSBAND: frozenset({Kinship.SPOUSE}),
    Relationship.PARTNER: frozenset({Kinship.SPOUSE}),
    Relationship.GRANDMOTHER: frozenset({Kinship.PATERNAL_GRANDMOTHER, Kinship.MATERNAL_GRANDMOTHER}),
    Relationship.GRANDFATHER: frozenset({Kinship.PATERNAL_GRANDFATHER, Kinship.MATERNAL_GRANDFATHER}),
    Relationship.AUNT: frozenset({Kinship.PATERNAL_UNCLE_OR_AUNT, Kinship.MATERNAL_UNCLE_OR_AUNT}),
    Relationship.UNCLE: frozenset({Kinship.PATERNAL_UNCLE_OR_AUNT, Kinship.MATERNAL_UNCLE_OR_AUNT}),
    Relationship.OTHER: frozenset(Kinship),  # the note says who: the analyst decides
}


def kinships_of(relationship: Relationship) -> frozenset[Kinship]:
    """The DNA kinships a relative recorded with `relationship` can have (none for "other": the note
    says who, and only an analyst can tell)."""
    if relationship is Relationship.OTHER:
        return frozenset()
    return _KINSHIPS.get(relationship, frozenset())


def reference_kinship(relationship: Relationship, kinship: Kinship | None) -> Kinship:
    """The kinship of a DNA reference from a relative recorded with `relationship`.

    Given, it must fit the relationship (a sample entered for the mother as "father" is a swapped
    record, not a pedigree); not given, it follows from the relationship when only one fits."""
    fitting = _KINSHIPS.get(relationship, frozenset())
    if not fitting:
        raise InvalidValue(
            f"the relative is recorded as {relationship.value}, whose DNA the pedigrees cannot use "
            "(no blood relationship, or one the engine does not model)",
            field="kinship",
        )
    if kinship is None:
        if len(fitting) > 1:
            choices = ", ".join(sorted(k.value for k in fitting))
            raise InvalidValue(
                f"the relative is recorded as {relationship.value}: choose {choices}", field="kinship"
            )
        return next(iter(fitting))
    if kinship not in fitting:
        choices = ", ".join(sorted(k.value for k in fitting))
        raise InvalidValue(
            f"{kinship.value} does not fit a relative recorded as {relationship.value} (fits: {choices})",
            field="kinship",
        )
    return kinship


__all__ = [
    "NOTE_MAX",
    "Relationship",
    "read_relationship",
    "reference_kinship",
    "relationship_from_input",
    "relationship_from_text",
]
