"""Names for record linkage: normalisation, transliteration, cross-script keys, name forms."""

from kintrace.linkage.names.forms import (
    canonical_given_name,
    canonical_patronymic,
    given_name_candidates,
    given_name_sex,
    patronymic_parts,
)
from kintrace.linkage.names.keys import name_key, phonetic_key
from kintrace.linkage.names.normalise import normalise, script_of
from kintrace.linkage.names.translit import STANDARDS, cyrillic_candidates, transliterate

__all__ = [
    "STANDARDS",
    "canonical_given_name",
    "canonical_patronymic",
    "cyrillic_candidates",
    "given_name_candidates",
    "given_name_sex",
    "name_key",
    "normalise",
    "patronymic_parts",
    "phonetic_key",
    "script_of",
    "transliterate",
]
