"""Cross-script keys of a name, from the linkage engine, stored with persons and list entries.

One set of keys serves name search (the desk and the API give the same answers) and the incremental
matching of one case against stored list rows: a key is a word's phonetic skeleton, so "Мельник",
"Melnik" and "Melnyk" share one, and so do "Бондарь" and "Бондар".

- ``w:<key>``: every word of the surname, given name and patronymic (a given name also under its
  canonical form, so "Olha", "Ольга" and "Olga" meet);
- ``i:<letter>``: the initial of the given name and of the patronymic ("Кравчук О. П.");
- ``b:<surname key>|<initial>``: the surname with the given name's initial, the block that list
  matching looks candidates up by;
- ``wt:<word>`` and ``ws:<word>`` (persons only, `writing_keys`): every word of the name as written
  (case-folded), and the first word of each spelling (its surname's), so that name search ranks "written
  as typed" and "a surname written as typed" from these rows rather than by reading every match's name
  (they sort after every ``w:`` key, so a person's ``i:``/``w:`` rows are one range of the index).
"""

from __future__ import annotations

from collections.abc import Iterable

from kintrace.linkage.names.forms import canonical_given_name
from kintrace.linkage.names.keys import name_key, phonetic_key

KEY_LENGTH = 100  # the key columns' width
WRITTEN = "wt:"
SURNAME_WRITTEN = "ws:"
# The longest word stored as written (whole: a cut word would meet another one); name search reads
# the stored names for a longer typed word.
WRITTEN_MAX = KEY_LENGTH - len(WRITTEN)


def word_keys(text: str | None) -> list[str]:
    """The phonetic key of each word of a name part, in order (empty words dropped)."""
    key = phonetic_key(text)
    return [word for word in key.split(" ") if word]


def _initial(text: str | None) -> str | None:
    skeleton = name_key(text)
    return skeleton[0] if skeleton else None


def _given_keys(first_name: str | None) -> set[str]:
    keys = set(word_keys(first_name))
    canonical = canonical_given_name(first_name) if first_name else ""
    if canonical:
        keys.update(word_keys(canonical))
    return keys


def name_keys(last_name: str | None, first_name: str | None, patronymic: str | None) -> set[str]:
    """Every key of one spelling of a name (see the module's docstring)."""
    keys: set[str] = set()
    surname = word_keys(last_name)
    keys.update(f"w:{word}" for word in surname)
    keys.update(f"w:{word}" for word in _given_keys(first_name))
    keys.update(f"w:{word}" for word in word_keys(patronymic))
    first_initial = _initial(canonical_given_name(first_name) if first_name else None) or _initial(first_name)
    for initial in {first_initial, _initial(first_name)} - {None}:
        keys.add(f"i:{initial}")
        keys.update(f"b:{word}|{initial}" for word in surname)
    patronymic_initial = _initial(patronymic)
    if patronymic_initial:
        keys.add(f"i:{patronymic_initial}")
    return {key[:KEY_LENGTH] for key in keys}


def keys_of_spellings(spellings: Iterable[tuple[str | None, str | None, str | None]]) -> set[str]:
    """The union of the keys of several spellings of one name (the person and their aliases)."""
    keys: set[str] = set()
    for last_name, first_name, patronymic in spellings:
        keys |= name_keys(last_name, first_name, patronymic)
    return keys


def writing_keys(search_text: str) -> set[str]:
    """The ``wt:`` and ``ws:`` keys of a person's search_text (services/persons.search_text: every
    spelling case-folded, one a line, words between single spaces).

    Exactly the words that name search's writing test meets: seen as "| " + the lines joined by
    " | " + " |", a word is written as typed when " word " occurs, a surname when "| word " does
    (a line's first word). Words longer than WRITTEN_MAX are not stored."""
    padded = "| " + search_text.replace("\n", " | ") + " |"
    written = {word for word in padded.split(" ")[1:-1] if word and word != "|"}  # "|": no typed word
    surnames = {part.split(" ", 1)[0] for part in padded.split("| ")[1:] if " " in part}
    keys = {WRITTEN + word for word in written} | {SURNAME_WRITTEN + word for word in surnames - {"", "|"}}
    return {key for key in keys if len(key) <= KEY_LENGTH}
