"""The case timeline as the pages show it: items in date order, each with the contradictions it is part of."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kintrace.domain.contradictions import Contradiction
from kintrace.store.models import EvidenceItem


@dataclass(frozen=True)
class Entry:
    item: EvidenceItem
    conflicts: tuple[Contradiction, ...]


def _key(item: EvidenceItem) -> tuple[int, tuple[int, int, int], int]:
    date = item.event_date or item.reported_date
    if date is None:
        return (1, (0, 0, 0), item.id)  # undated items after the dated ones, in the order recorded
    return (0, date.sort_key, item.id)


def timeline(items: Sequence[EvidenceItem], contradictions: Sequence[Contradiction]) -> list[Entry]:
    by_item: dict[int, list[Contradiction]] = {}
    for found in contradictions:
        by_item.setdefault(found.first_id, []).append(found)
        by_item.setdefault(found.second_id, []).append(found)
    return [Entry(item, tuple(by_item.get(item.id, ()))) for item in sorted(items, key=_key)]
