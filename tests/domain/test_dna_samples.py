"""Domain rules of DNA samples: fragments of remains grouped by confirmed associations."""

from __future__ import annotations

from kintrace.domain.dna_samples import fragment_groups


def test_fragment_groups_join_every_chain_of_confirmed_associations() -> None:
    groups = fragment_groups([(5, 9), (1, 2), (9, 12), (2, 3), (7, 8)])
    assert groups == [frozenset({1, 2, 3}), frozenset({5, 9, 12}), frozenset({7, 8})]
    assert fragment_groups([(4, 1), (1, 4)]) == [frozenset({1, 4})]
    assert fragment_groups([]) == []
