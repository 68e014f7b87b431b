"""Cross-script keys of a name, from the linkage engine, stored with persons and list entries.

One set of keys serves name search (the desk and the API give the same answers) and the incremental
matching of one case against stored list rows: a key is a word's phonetic skeleton, so "Мельник",
"Melnik" and "Melnyk" share one, and so do "Бондарь" and "Бондар".

- ``w:<key>``: every word of the surname, given name and patronymic (a given name also under its
  canonical form, so "Olha", "Ольга" and "Olga" meet);
- ``i:<letter>``: the initial of the given name and of the patronymic ("Кравчук О. П.");
- ``b:<surname key>|<initial>``: the surname with the given name's initial, the block that list
  matching looks candidates up by.
"""

from __future__ import annotations

from collections.abc import Iterable

from kintrace.linkage.names.forms import canonical_given_name
from kintrace.linkage.names.keys import name_key, phonetic_key

KEY_LENGTH = 100  # the key columns' width


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
