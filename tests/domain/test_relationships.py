"""A relative's relationship: codes, the words families write for them, and the note beside them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kintrace.domain.errors import InvalidValue
from kintrace.domain.relationships import (
    NOTE_MAX,
    Relationship,
    read_relationship,
    relationship_from_input,
    relationship_from_text,
)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("mother", Relationship.MOTHER),
        ("Мама", Relationship.MOTHER),
        ("  мати ", Relationship.MOTHER),
        ("Ма́ти", Relationship.MOTHER),  # a stress mark, as some texts carry
        ("мать", Relationship.MOTHER),
        ("дружина", Relationship.WIFE),
        ("жена", Relationship.WIFE),
        ("чоловік", Relationship.HUSBAND),
        ("Брат", Relationship.BROTHER),
        ("цивільна  дружина", Relationship.PARTNER),
        ("half_brother", Relationship.HALF_BROTHER),
        ("Half-sister", Relationship.HALF_SISTER),
        ("тётя", Relationship.AUNT),
        ("свекруха", Relationship.MOTHER_IN_LAW),
        ("other", Relationship.OTHER),
    ],
)
def test_codes_and_the_words_families_write_read_as_the_same_relationship(written, code):
    assert read_relationship(written) is code


def test_every_code_reads_as_itself():
    assert all(read_relationship(code.value) is code for code in Relationship)


def test_a_word_the_registry_does_not_know_reads_as_nothing():
    assert read_relationship("хрещена мати") is None
    assert read_relationship("зведений брат") is None  # a step-brother as often as a half-brother
    assert read_relationship("") is None


def test_input_takes_a_code_and_keeps_a_note_beside_it():
    assert relationship_from_input("mother", None) == (Relationship.MOTHER, None)
    assert relationship_from_input("stepmother", "  raised him  from age 3 ") == (
        Relationship.STEPMOTHER,
        "raised him from age 3",
    )
    assert relationship_from_input("other", "godmother") == (Relationship.OTHER, "godmother")


def test_input_errors_name_the_field_at_fault():
    with pytest.raises(InvalidValue) as empty:
        relationship_from_input("  ", None)
    assert empty.value.field == "relationship" and "must be chosen" in empty.value.message
    with pytest.raises(InvalidValue) as unknown:
        relationship_from_input("хрещена мати", None)
    assert unknown.value.field == "relationship" and "not a relationship" in unknown.value.message
    with pytest.raises(InvalidValue) as unexplained:
        relationship_from_input("other", " ")
    assert unexplained.value.field == "relationship_note"
    with pytest.raises(InvalidValue) as long_note:
        relationship_from_input("aunt", "x" * (NOTE_MAX + 1))
    assert long_note.value.field == "relationship_note"


def test_old_free_text_becomes_a_code_or_other_with_the_words_kept():
    assert relationship_from_text("Мати") == (Relationship.MOTHER, None)
    assert relationship_from_text("хрещена  мати") == (Relationship.OTHER, "хрещена мати")


@given(st.text(max_size=400))
def test_old_text_is_never_refused_and_what_is_not_a_known_word_survives_in_the_note(text):
    code, note = relationship_from_text(text)
    if read_relationship(text) is None:
        assert code is Relationship.OTHER
        assert note == (" ".join(text.split())[:NOTE_MAX] or None)
    else:
        assert note is None
    assert note is None or len(note) <= NOTE_MAX
