"""`kintrace dna import-profiles`, `kintrace dna run`, `kintrace keys new|rotate` on a real database file:
the file holds no plaintext genotype, matching runs on arrival, rotation keeps every profile readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.services.dna_helpers import MARKERS, frequency_file, long_csv, reference, remains, trio
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.domain.dna_samples import CandidateState, DonorSex, Kinship
from kintrace.domain.vocabulary import Sex
from kintrace.services import dna_profiles
from kintrace.services.access import SYSTEM
from kintrace.services.genetic_crypto import KEY_ENV, KEY_FILE_ENV, read_key_file
from kintrace.store.db import make_engine, session_scope
from kintrace.store.models import Case, DnaComparison, DnaSample, MissingPerson, Relative

runner = CliRunner()


def _registry(url: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        case = Case(reference="KT-DNA-1")
        session.add(case)
        session.flush()
        session.add(
            MissingPerson(case_id=case.id, last_name="Синтетичний", sex=Sex.MALE, search_text="синтетичний")
        )
        father = Relative(case_id=case.id, full_name="Батько Синтетичний", relationship_="father")
        mother = Relative(case_id=case.id, full_name="Мати Синтетична", relationship_="mother")
        session.add_all([father, mother])
        session.flush()
        reference(session, SYSTEM, case, father, "REF-F", Kinship.FATHER, DonorSex.MALE)
        reference(session, SYSTEM, case, mother, "REF-M", Kinship.MOTHER, DonorSex.FEMALE)
        remains(session, SYSTEM, "BODY-1")
        remains(session, SYSTEM, "BODY-2")
    engine.dispose()


@pytest.fixture
def setup(fresh_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _registry(fresh_sqlite_url)
    key_file = tmp_path / "genetic.key"
    assert runner.invoke(app, ["keys", "new", str(key_file)]).exit_code == 0
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    return fresh_sqlite_url, tmp_path, key_file


def test_import_encrypts_matches_on_arrival_and_rotates(setup) -> None:
    url, folder, _ = setup
    dna = trio()
    export = long_csv(
        folder, {"REF-F": dna.father, "REF-M": dna.mother, "BODY-1": dna.son, "BODY-2": dna.stranger}
    )
    result = runner.invoke(app, ["dna", "import-profiles", str(export), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "imported 4 profile(s); 2 comparison(s), 1 candidate identification(s)" in result.output

    raw = Path(url.removeprefix("sqlite:///")).read_bytes()
    for genotypes in (dna.father, dna.mother, dna.son):
        plaintext = json.dumps({m: list(g) for m, g in genotypes.items()}, sort_keys=True).encode()
        assert plaintext not in raw
        for marker in MARKERS:
            a, b = genotypes[marker]
            assert f'"{marker}": ["{a}", "{b}"]'.encode() not in raw
            assert f"{marker},{a},{b}".encode() not in raw
            assert f'["{a}", "{b}"]'.encode() not in raw

    engine = make_engine(url)
    with session_scope(engine) as session:
        rows = {
            code: row
            for row, code in session.execute(
                select(DnaComparison, DnaSample.code).join(
                    DnaSample, DnaSample.id == DnaComparison.remains_sample_id
                )
            )
        }
        assert rows["BODY-1"].state is CandidateState.CANDIDATE and rows["BODY-1"].log10_lr > 4
        assert "BODY-2" not in rows  # an unrelated body: scored and counted, not stored (too weak)
        assert rows["BODY-1"].prior_name == "uniform: 1 in 2 (1 family with references, or none of them)"

    report = folder / "identification.pdf"
    made = runner.invoke(
        app,
        ["reports", "identification", str(rows["BODY-1"].id), "--out", str(report), "--database-url", url],
    )
    assert made.exit_code == 0, made.output
    assert report.read_bytes().startswith(b"%PDF") and "recorded in the audit log" in made.output
    missing = runner.invoke(
        app, ["reports", "identification", "999", "--out", str(report), "--database-url", url]
    )
    assert missing.exit_code == 1 and "comparison 999" in missing.output

    again = runner.invoke(app, ["dna", "import-profiles", str(export), "--database-url", url])
    assert (
        again.exit_code == 1
        and "nothing imported" in again.output
        and "already has a profile" in again.output
    )

    new_file = folder / "new.key"
    assert runner.invoke(app, ["keys", "new", str(new_file)]).exit_code == 0
    rotated = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(new_file), "--database-url", url])
    assert rotated.exit_code == 0, rotated.output
    assert "re-wrapped 4 profile key(s)" in rotated.output
    with session_scope(engine) as session:
        son = session.scalar(select(DnaSample.id).where(DnaSample.code == "BODY-1"))
        assert son is not None
        read = dna_profiles.read_genotypes(
            session, SYSTEM, read_key_file(new_file), son, "test after rotation"
        )
        assert read == dna.son
    rerun = runner.invoke(app, ["dna", "run", "--database-url", url], env={KEY_FILE_ENV: str(new_file)})
    assert rerun.exit_code == 0, rerun.output
    assert "2 comparison(s), 1 candidate" in rerun.output
    assert "scanning families" in rerun.output and "1/1" in rerun.output  # the full run's progress bar
    engine.dispose()


def test_commands_refuse_without_a_key_or_with_a_bad_file(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    url, folder, _ = setup
    monkeypatch.delenv(KEY_FILE_ENV)
    result = runner.invoke(app, ["dna", "run", "--database-url", url])
    assert result.exit_code == 2 and "no genetic master key" in result.output
    monkeypatch.setenv(KEY_ENV, "c2hvcnQ=")
    result = runner.invoke(app, ["dna", "run", "--database-url", url])
    assert result.exit_code == 2 and "must hold 32 bytes" in result.output
    bad = folder / "bad.csv"
    bad.write_text("sample_id,marker,allele1,allele2\nREF-F,TKDNA01,10,99\n", encoding="utf-8")
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv(KEY_FILE_ENV, str(folder / "genetic.key"))
    result = runner.invoke(app, ["dna", "import-profiles", str(bad), "--database-url", url])
    assert result.exit_code == 1
    assert "row 2 (sample 'REF-F'), field allele2: allele '99'" in result.output


def test_incident_commands_list_create_add_a_family_and_run_the_joint_identification(setup) -> None:
    url, folder, _ = setup
    dna = trio()
    export = long_csv(
        folder, {"REF-F": dna.father, "REF-M": dna.mother, "BODY-1": dna.son, "BODY-2": dna.stranger}
    )
    assert runner.invoke(app, ["dna", "import-profiles", str(export), "--database-url", url]).exit_code == 0
    listed = runner.invoke(app, ["dna", "incident", "list", "--database-url", url])
    assert listed.exit_code == 0 and "Site 12 · other · - · 2 remains · 0 families" in listed.output
    made = runner.invoke(
        app,
        [
            "dna",
            "incident",
            "create",
            "Рів",
            "--kind",
            "mass_grave",
            "--date",
            "2022-03",
            "--database-url",
            url,
        ],
    )
    assert made.exit_code == 0 and "Рів" in made.output
    bad = runner.invoke(app, ["dna", "incident", "create", "X", "--kind", "flood", "--database-url", url])
    assert bad.exit_code == 2 and "--kind" in bad.output
    # The date is read where it is typed: a month that does not exist is refused, naming the option.
    bad = runner.invoke(app, ["dna", "incident", "create", "X", "--date", "2022-13", "--database-url", url])
    assert bad.exit_code == 2 and "--date" in bad.output and "month 13" in bad.output
    engine = make_engine(url)
    with session_scope(engine) as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == "KT-DNA-1"))
        site = session.scalar(select(DnaSample.incident_id).where(DnaSample.code == "BODY-1"))
        son = session.scalar(select(DnaSample.id).where(DnaSample.code == "BODY-1"))
        stranger = session.scalar(select(DnaSample.id).where(DnaSample.code == "BODY-2"))
    engine.dispose()
    added = runner.invoke(
        app, ["dna", "incident", "add-case", str(site), str(case_id), "--database-url", url]
    )
    assert added.exit_code == 0, added.output
    again = runner.invoke(
        app, ["dna", "incident", "add-case", str(site), str(case_id), "--database-url", url]
    )
    assert again.exit_code == 1 and "already considered" in again.output
    joint = runner.invoke(app, ["dna", "incident", "joint", str(site), "--database-url", url])
    assert joint.exit_code == 0, joint.output
    result = json.loads(joint.output)
    assert result["method"] == "joint" and result["assignments"] == 3
    assert result["rows"][0]["pairs"] == {str(son): case_id, str(stranger): None}


def test_export_profiles_writes_a_case_for_its_owner_alone_and_refuses_without_a_reason(setup) -> None:
    import stat

    url, folder, _ = setup
    dna = trio()
    export = long_csv(folder, {"REF-F": dna.father, "REF-M": dna.mother, "BODY-1": dna.son})
    assert runner.invoke(app, ["dna", "import-profiles", str(export), "--database-url", url]).exit_code == 0
    engine = make_engine(url)
    with session_scope(engine) as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == "KT-DNA-1"))
    engine.dispose()
    out = folder / "to-partner-lab.csv"
    args = ["dna", "export-profiles", str(out), "--case", str(case_id), "--database-url", url]
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and not out.exists()  # --reason is required
    done = runner.invoke(app, [*args, "--reason", "second opinion at the partner lab"])
    assert done.exit_code == 0, done.output
    assert "exported 2 profile(s)" in done.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "sample_id,marker,allele1,allele2" and len(lines) == 1 + 2 * len(MARKERS)
    assert {line.split(",")[0] for line in lines[1:]} == {"REF-F", "REF-M"}
    missing = runner.invoke(
        app,
        [
            "dna",
            "export-profiles",
            str(folder / "x.csv"),
            "--sample",
            "NOPE",
            "--reason",
            "r",
            "--database-url",
            url,
        ],
    )
    assert missing.exit_code == 1 and "nothing exported" in missing.output


def test_strength_is_computed_stored_and_printed(setup) -> None:
    url, folder, _ = setup
    dna = trio()
    export = long_csv(folder, {"REF-F": dna.father, "REF-M": dna.mother})
    assert runner.invoke(app, ["dna", "import-profiles", str(export), "--database-url", url]).exit_code == 0
    first = runner.invoke(app, ["dna", "strength", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "computed 1 family" in first.output
    assert "P(LR >= 10^4 | true)" in first.output and "(2000 simulations, seed 1, 16 markers)" in first.output
    again = runner.invoke(app, ["dna", "strength", "--database-url", url])
    assert "computed 0 families" in again.output  # current: nothing to do
    one = runner.invoke(app, ["dna", "strength", "--case", "1", "--database-url", url])
    assert one.exit_code == 0 and one.output.splitlines()[-1] == again.output.splitlines()[-1]
    missing = runner.invoke(app, ["dna", "strength", "--case", "999", "--database-url", url])
    assert missing.exit_code == 1 and "case 999" in missing.output


def test_direct_matches_from_the_terminal(setup) -> None:
    """A personal effect and a second fragment arrive with the remains: the import says what direct
    matches it found, and `dna run` scores them all against all again."""
    from tests.services.dna_helpers import personal_effect

    url, folder, _ = setup
    engine = make_engine(url)
    with session_scope(engine) as session:
        case = session.scalar(select(Case).where(Case.reference == "KT-DNA-1"))
        personal_effect(session, SYSTEM, case, "COMB", item="comb")
        remains(session, SYSTEM, "BODY-3")
    engine.dispose()
    dna = trio()
    fragment = {m: dna.son[m] for m in MARKERS[:10]}
    export = long_csv(
        folder, {"COMB": dna.son, "BODY-1": dna.son, "BODY-2": dna.stranger, "BODY-3": fragment}
    )
    result = runner.invoke(app, ["dna", "import-profiles", str(export), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert (
        "direct matches: 6 pair(s), 2 candidate identification(s) from personal effects, "
        "1 association(s) of remains to review"
    ) in result.output
    rerun = runner.invoke(app, ["dna", "run", "--database-url", url])
    assert rerun.exit_code == 0, rerun.output
    assert "direct matches: 6 pair(s), 2 candidate identification(s)" in rerun.output
