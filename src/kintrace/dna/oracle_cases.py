"""Reader and evaluator for the R oracle's likelihood-ratio case format (``public_cases.json``).

A case holds its own frequency vectors, pedigree, genotypes, mutation model parameters (pedmut
arguments), theta and founder inbreeding; ``evaluate_case`` returns
``{"LR_total", "LR_per_marker", "alternatives"}`` as ``kintrace dna lr-cases`` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kintrace.dna.genotypes import Genotype
from kintrace.dna.lr import LRResult, missing_person_lr
from kintrace.dna.markers import DnaInputError, Marker, genotype_from_json, read_json
from kintrace.dna.mutation import MutationModel, mutation_matrix
from kintrace.dna.pedigree import Pedigree, Person, parse_sex


@dataclass(frozen=True)
class OracleCase:
    """One parsed LR case."""

    id: str
    markers: tuple[Marker, ...]
    pedigree: Pedigree
    missing_person: str
    reference_genotypes: dict[str, dict[str, Genotype]]
    poi_genotypes: dict[str, Genotype]
    theta: float
    founder_inbreeding: dict[str, float] | None
    placements: tuple[str, ...]  # alternative placements of the POI (multiple-hypotheses cases)


def _field(record: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in record:
        raise DnaInputError(f"{where}: missing field {name!r}")
    return record[name]


def _mutation(
    spec: Mapping[str, Any], alleles: tuple[str, ...], freqs: np.ndarray, where: str
) -> MutationModel:
    matrices = {}
    for sex in ("female", "male"):
        params = _field(spec, sex, where)
        if not isinstance(params, Mapping):
            raise DnaInputError(f"{where}.{sex}: expected an object of pedmut parameters")
        unknown = set(params) - {"model", "rate", "rate2", "range", "transform", "seed", "matrix"}
        if unknown:
            raise DnaInputError(f"{where}.{sex}: unknown parameter(s) {sorted(unknown)}")
        try:
            matrices[sex] = mutation_matrix(
                str(_field(params, "model", f"{where}.{sex}")),
                alleles,
                freqs,
                rate=params.get("rate"),
                rate2=params.get("rate2"),
                range=params.get("range"),
                seed=params.get("seed"),
                matrix=None if params.get("matrix") is None else np.array(params["matrix"], dtype=float),
                transform=params.get("transform"),
            )
        except DnaInputError as exc:
            raise DnaInputError(f"{where}.{sex}: {exc}") from None
    return MutationModel(female=matrices["female"], male=matrices["male"])


def parse_case(record: Mapping[str, Any]) -> OracleCase:
    """Build an :class:`OracleCase` from one JSON case; errors name the case and field."""
    case_id = str(_field(record, "id", "case"))
    where = f"case {case_id!r}"
    afreq = _field(record, "afreq", where)
    mutation_specs = record.get("mutation_models") or {}
    markers = []
    for name in _field(record, "markers", where):
        table = afreq.get(name) if isinstance(afreq, Mapping) else None
        if table is None:
            raise DnaInputError(f"{where}: marker {name!r} has no entry in 'afreq'")
        alleles = tuple(str(a) for a in _field(table, "alleles", f"{where} afreq.{name}"))
        freqs = np.array(_field(table, "freqs", f"{where} afreq.{name}"), dtype=np.float64)
        mutation = None
        if name in mutation_specs and mutation_specs[name] is not None:
            mutation = _mutation(mutation_specs[name], alleles, freqs, f"{where} mutation_models.{name}")
        try:
            markers.append(Marker(name, alleles, freqs, mutation))
        except DnaInputError as exc:
            raise DnaInputError(f"{where}: {exc}") from None
    for name in mutation_specs:
        if name not in afreq:
            raise DnaInputError(f"{where}: mutation_models names unknown marker {name!r}")
    persons = []
    for row in _field(record, "pedigree", where):
        pid = str(_field(row, "id", f"{where} pedigree"))
        person = f"{where} pedigree person {pid!r}"
        father, mother = row.get("father"), row.get("mother")
        persons.append(
            Person(
                pid,
                None if father is None else str(father),
                None if mother is None else str(mother),
                parse_sex(_field(row, "sex", person), f"{person}, field 'sex'"),
            )
        )
    try:
        pedigree = Pedigree(persons)
    except DnaInputError as exc:
        raise DnaInputError(f"{where}: {exc}") from None
    reference = {
        str(pid): {
            str(m): genotype_from_json(g, f"{where} reference_genotypes.{pid}.{m}") for m, g in per.items()
        }
        for pid, per in (record.get("reference_genotypes") or {}).items()
    }
    poi = {
        str(m): genotype_from_json(g, f"{where} poi_genotype.{m}")
        for m, g in (record.get("poi_genotype") or {}).items()
    }
    placements = tuple(
        str(_field(alt, "placement", f"{where} alternatives")) for alt in record.get("alternatives") or []
    )
    inbreeding = record.get("founder_inbreeding")
    return OracleCase(
        id=case_id,
        markers=tuple(markers),
        pedigree=pedigree,
        missing_person=str(_field(record, "missing_person", where)),
        reference_genotypes=reference,
        poi_genotypes=poi,
        theta=float(record.get("theta") or 0.0),
        founder_inbreeding=None if not inbreeding else {str(k): float(v) for k, v in inbreeding.items()},
        placements=placements,
    )


def load_cases(path: str | Path) -> list[OracleCase]:
    """All cases of a ``public_cases.json``-style file."""
    path = Path(path)
    data = read_json(path)
    records = data.get("cases") if isinstance(data, Mapping) else data
    if not isinstance(records, list):
        raise DnaInputError(f"{path}: expected a 'cases' list")
    return [parse_case(r) for r in records]


def case_lr(case: OracleCase, placement: str | None = None) -> LRResult:
    """LR of one case with the POI placed on ``placement`` (default: the missing person)."""
    return missing_person_lr(
        case.pedigree,
        case.markers,
        case.reference_genotypes,
        case.poi_genotypes,
        placement or case.missing_person,
        theta=case.theta,
        founder_inbreeding=case.founder_inbreeding,
    )


def evaluate_case(case: OracleCase) -> dict[str, Any]:
    """``{"LR_total", "LR_per_marker", "alternatives"}`` for one case (alternatives: [] if none)."""
    try:
        return _evaluate(case)
    except DnaInputError as exc:
        raise DnaInputError(f"case {case.id!r}: {exc}") from None


def _evaluate(case: OracleCase) -> dict[str, Any]:
    main = case_lr(case)
    alternatives = []
    for placement in case.placements:
        result = main if placement == case.missing_person else case_lr(case, placement)
        alternatives.append(
            {
                "placement": placement,
                "LR_total": result.lr_total,
                "LR_per_marker": result.lr_per_marker,
                "likelihood_per_marker": result.likelihood_h1_per_marker,
            }
        )
    return {"LR_total": main.lr_total, "LR_per_marker": main.lr_per_marker, "alternatives": alternatives}
