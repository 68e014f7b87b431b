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
