"""Every use of Splink's private attributes, in one place.

Training adjusts what Splink 5 has no public call for: the prior when no pair agrees exactly, the
model settings an EM pass strips before it fails, and the m probabilities of levels no training pair
reached (`model._floor_m` and friends). These reach into `Linker._settings_obj`, its
`_probability_two_random_records_match`, `core_model_settings`, `comparisons` and each level's
`_m_is_trained`. A Splink upgrade may rename any of them; `tests/linkage/test_splink_private.py`
checks them all against the installed Splink, so the upgrade fails there, loudly, instead of
training silently going wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from splink import Linker

# The attributes used, by owner, for the test.
USED = {
    "Linker": ("_settings_obj",),
    "Settings": ("_probability_two_random_records_match", "core_model_settings", "comparisons"),
    "Comparison": ("comparison_levels", "output_column_name"),
    "ComparisonLevel": (
        "_m_is_trained",
        "is_null_level",
        "label_for_charts",
        "m_probability",
        "u_probability",
    ),
}


def prior(linker: Linker) -> float:
    return float(linker._settings_obj._probability_two_random_records_match)


def set_prior(linker: Linker, value: float) -> None:
    linker._settings_obj._probability_two_random_records_match = value


def snapshot(linker: Linker) -> Any:
    """The model settings (comparisons with their m and u), to put back after a failed EM pass."""
    return linker._settings_obj.core_model_settings.copy()


def restore(linker: Linker, saved: Any) -> None:
    linker._settings_obj.core_model_settings = saved


def comparisons(linker: Linker) -> Iterator[Any]:
    yield from linker._settings_obj.comparisons


def m_is_trained(level: Any) -> bool:
    return bool(level._m_is_trained)
