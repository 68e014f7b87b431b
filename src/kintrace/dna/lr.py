"""Likelihood ratio for "the unidentified person (POI) is the missing person" against "unrelated"."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kintrace.dna.genotypes import Genotype
from kintrace.dna.likelihood import is_stationary, likelihood
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree, Person


@dataclass
class LRResult:
    """LR of H1 (POI is the missing person) against H2 (POI unrelated), in total and per marker."""

    lr_total: float
    lr_per_marker: dict[str, float]
    likelihood_h1_per_marker: dict[str, float]
    likelihood_h2_per_marker: dict[str, float]

    @property
    def log10_lr_total(self) -> float:
        return math.log10(self.lr_total) if self.lr_total > 0 else -math.inf


def _poi_id(pedigree: Pedigree) -> str:
    pid = "POI"
    while pid in pedigree:
        pid = "_" + pid
    return pid


def impossible_references(marker: Marker) -> DnaInputError:
    """The error for reference genotypes whose likelihood is 0 (they contradict the pedigree)."""
    return DnaInputError(
        f"marker {marker.name!r}: the reference genotypes are impossible under the pedigree "
        "(Mendelian inconsistency without a mutation model)"
    )


def _check_genotypes(record: str, genotypes: Mapping[str, Genotype], markers: Mapping[str, Marker]) -> None:
    """Every marker known and every allele in its table, before any likelihood is computed."""
    for name, genotype in genotypes.items():
        if name not in markers:
            raise DnaInputError(f"{record}: marker {name!r} is not among the markers")
        if genotype is not None:
            if not isinstance(genotype, tuple | list) or len(genotype) != 2:
                raise DnaInputError(f"{record}, marker {name!r}: {genotype!r} is not a pair of alleles")
            try:
                markers[name].codes(genotype)
            except DnaInputError as exc:
                raise DnaInputError(f"{record}: {exc}") from None


def missing_person_lr(
    pedigree: Pedigree,
    markers: Iterable[Marker] | Mapping[str, Marker],
    reference_genotypes: Mapping[str, Mapping[str, Genotype]],
    poi_genotypes: Mapping[str, Genotype],
    missing_id: str,
    *,
    theta: float = 0.0,
    founder_inbreeding: Mapping[str, float] | None = None,
) -> LRResult:
    """forrel::missingPersonLR: H1 puts the POI's genotypes on ``missing_id``; H2 keeps the reference
    pedigree as it is and adds the POI as an unrelated person.

    Under theta > 0 the POI is a further founder of the same population, so all founder alleles of
    H2 (reference founders and the POI's) are drawn jointly by Balding-Nichols sampling.
    """
    marker_list = list(markers.values()) if isinstance(markers, Mapping) else list(markers)
    if missing_id not in pedigree:
        raise DnaInputError(f"missing person {missing_id!r} is not in the pedigree")
    missing = pedigree.person(missing_id)
    if missing_id in reference_genotypes and any(
        g is not None and any(a is not None for a in g) for g in reference_genotypes[missing_id].values()
    ):
        raise DnaInputError(f"missing person {missing_id!r} must be untyped in the reference genotypes")
    known = {m.name: m for m in marker_list}
    for pid, per_marker in reference_genotypes.items():
        if pid not in pedigree:
            raise DnaInputError(f"reference genotypes: person {pid!r} is not in the pedigree")
        _check_genotypes(f"reference genotypes of person {pid!r}", per_marker, known)
    _check_genotypes("POI genotype", poi_genotypes, known)
    poi_id = _poi_id(pedigree)
    h2_pedigree = pedigree.with_person(Person(poi_id, None, None, missing.sex))

    # pedprobr decides which uninformative persons to peel from the data of all markers at once
    reference_typed = {
        pid
        for pid, per_marker in reference_genotypes.items()
        if any(g is not None and any(a is not None for a in g) for g in per_marker.values())
    }
    poi_typed = any(g is not None and any(a is not None for a in g) for g in poi_genotypes.values())
    h1_typed = reference_typed | ({missing_id} if poi_typed else set())
    h2_typed = reference_typed | ({poi_id} if poi_typed else set())
    stationary = all(is_stationary(m) for m in marker_list)

    lr_per_marker: dict[str, float] = {}
    lik_h1: dict[str, float] = {}
    lik_h2: dict[str, float] = {}
    for marker in marker_list:
        reference = {
            pid: per_marker[marker.name]
            for pid, per_marker in reference_genotypes.items()
            if marker.name in per_marker and per_marker[marker.name] is not None
        }
        poi = poi_genotypes.get(marker.name)
        h1_data = dict(reference)
        h2_data = dict(reference)
        if poi is not None:
            h1_data[missing_id] = poi
            h2_data[poi_id] = poi
        h1 = likelihood(
            pedigree,
            marker,
            h1_data,
            theta=theta,
            founder_inbreeding=founder_inbreeding,
            typed_elsewhere=h1_typed,
            stationary=stationary,
        )
        h2 = likelihood(
            h2_pedigree,
            marker,
            h2_data,
            theta=theta,
            founder_inbreeding=founder_inbreeding,
            typed_elsewhere=h2_typed,
            stationary=stationary,
        )
        if h2 == 0.0:
            raise impossible_references(marker)
        lik_h1[marker.name] = h1
        lik_h2[marker.name] = h2
        lr_per_marker[marker.name] = h1 / h2
    total = 1.0
    for value in lr_per_marker.values():
        total *= value
    return LRResult(total, lr_per_marker, lik_h1, lik_h2)
