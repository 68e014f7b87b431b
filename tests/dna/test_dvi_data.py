"""Reader of dvir-style DVI input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from dvi_oracle import DVI_DIR, dataset

from kintrace.dna.dvi_data import NO_MATCH, load_dvi, parse_dvi
from kintrace.dna.markers import DnaInputError


def _doc(name: str) -> dict[str, Any]:
    return json.loads((DVI_DIR / f"{name}_input.json").read_text(encoding="utf-8"))


def test_example1_reads_and_generates_sex_consistent_pairings() -> None:
    d = dataset("example1")
    assert d.victim_ids == ("V1", "V2", "V3")
    assert d.missing == ("M1", "M2", "M3")
    assert not d.pairings_given  # the input has an empty list: dvir generates pairings
    assert d.pairings == {v: (NO_MATCH, "M1", "M2", "M3") for v in d.victim_ids}
    assert d.family_of("M2").name == "F1"
    assert d.victim("V3").genotypes == {"L1": ("1", "2")}


def test_pairings_by_sex_leave_out_the_other_sex() -> None:
    doc = _doc("example1")
    doc["victims"][0]["sex"] = 2
    d = parse_dvi(doc)
    assert d.pairings["V1"] == (NO_MATCH,)  # every MP of example1 is male


def test_given_pairings_and_mutation_models_are_kept() -> None:
    d = dataset("fire")
    assert d.pairings_given
    assert d.pairings["V1"] == (NO_MATCH, "M1", "M2", "M3")
    assert all(m.mutation is not None for m in d.markers)


def test_markers_in_another_order_are_read_by_name() -> None:
    d = dataset("exclusionExample")
    names = [m.name for m in d.markers]
    fam = d.families[0]
    pid = next(iter(fam.genotypes))
    assert set(fam.genotypes[pid]) <= set(names)
    assert set(d.victims[0].genotypes) <= set(names)


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x_input.json"
    path.write_text(json.dumps(_doc("example2")), encoding="utf-8")
    assert load_dvi(path).name == "example2"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["victims"][0]["genotypes"].update({"NOPE": ["1", "1"]}), "unknown marker 'NOPE'"),
        (lambda d: d["victims"][0]["genotypes"].update({"L1": ["1", "99"]}), "allele '99'"),
        (lambda d: d["families"][0].update(missing=["M1", "M2", "M9"]), "'M9' is not in the pedigree"),
        (lambda d: d["families"][0]["pedigree"][0].update(sex=2), "'father'"),
        (lambda d: d["victims"].append(copy.deepcopy(d["victims"][0])), "victim 'V1': duplicate id"),
        (lambda d: d.update(pairings={"V1": ["*", "M7"], "V2": ["*"], "V3": ["*"]}), "'M7' is not a missing"),
        (lambda d: d["victims"][1].update(sex=7), "victim 'V2': field 'sex'"),
    ],
)
def test_bad_input_names_the_record(edit: Any, message: str) -> None:
    doc = _doc("example1")
    edit(doc)
    with pytest.raises(DnaInputError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_dvi(doc)


def test_cycle_in_a_family_is_an_error() -> None:
    doc = _doc("example1")
    ped = doc["families"][0]["pedigree"]
    ped[0].update(father="M3", mother="NN")  # M1 becomes a child of his own grandson
    with pytest.raises(DnaInputError, match="family 'F1'"):
        parse_dvi(doc)


def test_subset_drops_families_without_missing_and_unpaired_victims() -> None:
    d = dataset("example2")
    red = d.subset(missing=["M3"])
    assert [f.name for f in red.families] == ["F2"]
    assert all(set(p) <= {NO_MATCH, "M3"} for p in red.pairings.values())
    assert all(red.pairings[v] != (NO_MATCH,) for v in red.victim_ids)
