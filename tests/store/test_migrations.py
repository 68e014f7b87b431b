"""Migrations: the newest revision builds exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kintrace.store.db import make_engine
from kintrace.store.migrations import current_head, downgrade, upgrade
from kintrace.store.models import Base


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrated_test_database_equals_the_models(database_url):
    assert _diff(database_url) == []


def test_empty_sqlite_upgrades_downgrades_and_upgrades_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    assert _diff(url) == []
    engine = make_engine(url)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == current_head()
    downgrade(url)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade(url)
    assert _diff(url) == []


def test_0005_finds_who_recorded_existing_sources_and_relatives_in_the_audit_log(tmp_path):
    """Sources and relatives' records made before 0005 get their owner from their audited creation."""
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0004")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, active, created_at) "
                "VALUES (7, 'olena', 'Olena', 'family', '!', 1, '2024-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sources (id, kind, name, reliability, credibility) "
                "VALUES (3, 'relative', 'Мати', 'F', '6')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sources (id, kind, name, reliability, credibility) "
                "VALUES (4, 'media', 'ТБ', 'C', '3')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO cases (id, reference, state, official_status, evidence_status, "
                "created_at, updated_at) "
                "VALUES (1, 'KT-1', 'open', 'missing', 'missing', '2024-01-01', '2024-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO relatives (id, case_id, full_name, relationship, is_reporter) "
                "VALUES (5, 1, 'Брат', 'brother', 0)"
            )
        )
        for row_id, (actor, action, entity, entity_id) in enumerate(
            [
                (7, "source.create", "sources", "3"),
                (None, "source.create", "sources", "4"),
                (7, "relative.create", "relatives", "5"),
            ],
            start=1,
        ):
            conn.execute(
                text(
                    "INSERT INTO audit_log (id, at, actor_id, actor_name, action, entity, entity_id, "
                    "prev_hash, hash) "
                    "VALUES (:id, '2024-01-01', :actor, 'x', :action, :entity, :entity_id, '', '')"
                ),
                {"id": row_id, "actor": actor, "action": action, "entity": entity, "entity_id": entity_id},
            )
    # The rows above are not hash-chained: 0007 would (rightly) refuse to re-seal them, so stop at 0005.
    upgrade(url, "0005")
    with engine.connect() as conn:
        sources = dict(conn.execute(text("SELECT id, created_by_id FROM sources")).all())
        relatives = dict(conn.execute(text("SELECT id, created_by_id FROM relatives")).all())
    engine.dispose()
    assert sources == {3: 7, 4: None} and relatives == {5: 7}


def test_0012_fills_the_name_keys_of_persons_stored_before_it(tmp_path):
    """Persons written before 0012 get the same cross-script keys that writing them today stores."""
    from sqlalchemy import create_engine, text

    from kintrace.services.name_keys import keys_of_spellings

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0011")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cases (id, reference, state, official_status, evidence_status, "
                "created_at, updated_at) "
                "VALUES (1, 'KT-1', 'open', 'missing', 'missing', '2024-01-01', '2024-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO persons "
                "(id, case_id, last_name, first_name, patronymic, script, sex, search_text) "
                "VALUES (9, 1, 'Мельник', 'Ольга', 'Петрівна', 'Cyrl', 'female', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO person_aliases (person_id, last_name, first_name, script) "
                "VALUES (9, 'Bondar', 'Olha', 'Latn')"
            )
        )
    upgrade(url)
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT key FROM person_name_keys WHERE person_id = 9")).scalars())
    engine.dispose()
    assert stored == keys_of_spellings([("Мельник", "Ольга", "Петрівна"), ("Bondar", "Olha", None)])
    assert {"w:milnik", "w:bandar", "i:o", "b:milnik|o"} <= stored


def test_0016_turns_free_text_relationships_into_codes_and_keeps_every_word(tmp_path):
    """ "мама" becomes mother; a bond the registry has no word for is "other" with the family's text."""
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0015")
    engine = create_engine(url)
    written = {1: "мама", 2: "Жена", 3: "хрещена мати", 4: "brother", 5: "Ма́ти"}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cases (id, reference, state, official_status, evidence_status, "
                "created_at, updated_at) "
                "VALUES (1, 'KT-1', 'open', 'missing', 'missing', '2024-01-01', '2024-01-01')"
            )
        )
        for row_id, words in written.items():
            conn.execute(
                text(
                    "INSERT INTO relatives (id, case_id, full_name, relationship, is_reporter) "
                    "VALUES (:id, 1, 'X', :words, 0)"
                ),
                {"id": row_id, "words": words},
            )
    upgrade(url)
    query = text("SELECT id, relationship, relationship_note FROM relatives ORDER BY id")
    with engine.connect() as conn:
        after = {row_id: (code, note) for row_id, code, note in conn.execute(query)}
    assert after == {
        1: ("mother", None),
        2: ("wife", None),
        3: ("other", "хрещена мати"),
        4: ("brother", None),
        5: ("mother", None),
    }
    downgrade(url, "0015")
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT id, relationship FROM relatives ORDER BY id")).all())
    engine.dispose()
    assert back == {1: "mother", 2: "wife", 3: "хрещена мати", 4: "brother", 5: "mother"}


def test_0018_stores_the_words_of_names_stored_before_it_as_written(tmp_path):
    """Persons written before 0018 get the wt:/ws: keys that writing them today stores; down removes them."""
    from sqlalchemy import create_engine, text

    from kintrace.services.name_keys import writing_keys

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0016")
    engine = create_engine(url)
    search_text = "мельник-кравець ольга петрівна\nbondar olha"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cases (id, reference, state, official_status, evidence_status, "
                "created_at, updated_at) "
                "VALUES (1, 'KT-1', 'open', 'missing', 'missing', '2024-01-01', '2024-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO persons "
                "(id, case_id, last_name, first_name, patronymic, script, sex, search_text) "
                "VALUES (9, 1, 'Мельник-Кравець', 'Ольга', 'Петрівна', 'Cyrl', 'female', :text)"
            ),
            {"text": search_text},
        )
        conn.execute(text("INSERT INTO person_name_keys (person_id, key) VALUES (9, 'w:milnik')"))

    def keys() -> set[str]:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT key FROM person_name_keys WHERE person_id = 9")).scalars())

    upgrade(url)
    assert keys() == {"w:milnik"} | writing_keys(search_text)
    assert {"wt:ольга", "wt:петрівна", "wt:olha", "ws:мельник-кравець", "ws:bondar"} <= keys()
    assert "ws:ольга" not in keys() and "wt:мельник" not in keys()
    downgrade(url, "0016")
    assert keys() == {"w:milnik"}
    engine.dispose()


def _fresh_url(kind: str, tmp_path) -> tuple[str, object]:
    """An empty database: a SQLite file, or a PostgreSQL schema of its own (dropped by the caller)."""
    import os
    import uuid
    from urllib.parse import quote

    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}", None
    server_url = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    if not server_url:
        import pytest

        pytest.skip("PostgreSQL: set KINTRACE_TEST_DATABASE_URL")
    from sqlalchemy import text

    schema = f"kt_mig19_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    return f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}", (admin, schema)


def test_0019_turns_each_incident_text_into_an_incident_and_back(tmp_path):
    """Two samples of "Ділянка 7" share one incident, a third its own, one without stays without;
    downgrade writes the names back into the text. On SQLite, and on PostgreSQL when configured."""
    import os

    from sqlalchemy import text

    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("KINTRACE_TEST_DATABASE_URL") else [])
    for kind in kinds:
        url, cleanup = _fresh_url(kind, tmp_path)
        try:
            upgrade(url, "0018")
            engine = make_engine(url)
            with engine.begin() as conn:
                for row_id, code, incident in (
                    (1, "B-1", "Ділянка 7"),
                    (2, "B-2", "Ділянка 7"),
                    (3, "B-3", "Crash site"),
                    (4, "B-4", None),
                ):
                    conn.execute(
                        text(
                            "INSERT INTO dna_samples (id, code, kind, donor_sex, laboratory, incident, "
                            "created_at) VALUES (:id, :code, 'remains', 'unknown', 'Lab', :incident, "
                            "'2024-01-01')"
                        ),
                        {"id": row_id, "code": code, "incident": incident},
                    )
            upgrade(url)
            with engine.connect() as conn:
                made = dict(conn.execute(text("SELECT name, id FROM incidents")).all())
                kinds_made = set(conn.execute(text("SELECT kind FROM incidents")).scalars())
                linked = dict(conn.execute(text("SELECT id, incident_id FROM dna_samples ORDER BY id")).all())
            assert set(made) == {"Ділянка 7", "Crash site"} and kinds_made == {"other"}
            assert linked == {1: made["Ділянка 7"], 2: made["Ділянка 7"], 3: made["Crash site"], 4: None}
            assert _diff(url) == []
            downgrade(url, "0018")
            with engine.connect() as conn:
                back = dict(conn.execute(text("SELECT id, incident FROM dna_samples ORDER BY id")).all())
                tables = set(inspect(conn).get_table_names())
            engine.dispose()
            assert back == {1: "Ділянка 7", 2: "Ділянка 7", 3: "Crash site", 4: None}
            assert "incidents" not in tables and "incident_cases" not in tables
        finally:
            if cleanup is not None:
                admin, schema = cleanup  # type: ignore[misc]
                with admin.begin() as conn:  # type: ignore[attr-defined]
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()  # type: ignore[attr-defined]


def test_0021_personal_effects_and_associations_up_and_down(tmp_path):
    """0021 keeps every result as a kinship one; down deletes personal effects, their results and the
    associations (the older schema has no room for them) and keeps the rest. SQLite, and a schema of its
    own on PostgreSQL when one is configured."""
    import os
    import uuid
    from urllib.parse import quote

    from sqlalchemy import text

    server = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    schema = f"kt_mig21_{uuid.uuid4().hex[:10]}"
    if server:
        admin = make_engine(server)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    try:
        upgrade(url, "0018")
        engine = make_engine(url)
        now = "2026-01-01 00:00:00+00"
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO cases (id, reference, state, official_status, evidence_status, "
                    "created_at, updated_at) "
                    "VALUES (1, 'KT-1', 'open', 'missing', 'missing', :now, :now)"
                ),
                {"now": now},
            )
            for sample_id, kind, case in ((1, "remains", None), (2, "remains", None)):
                conn.execute(
                    text(
                        "INSERT INTO dna_samples (id, code, kind, case_id, donor_sex, laboratory, "
                        "created_at) VALUES (:id, :code, :kind, :case, 'unknown', 'Lab', :now)"
                    ),
                    {"id": sample_id, "code": f"S{sample_id}", "kind": kind, "case": case, "now": now},
                )
            conn.execute(
                text(
                    "INSERT INTO dna_comparisons (id, remains_sample_id, case_id, log10_lr, exclusions, "
                    'marker_lrs, "references", prior, prior_name, posterior, state, compared_at) '
                    "VALUES (1, 1, 1, 5.0, 0, '{}', 2, 0.5, 'uniform', 0.9, 'candidate', :now)"
                ),
                {"now": now},
            )
        upgrade(url)
        assert _diff(url) == []
        with engine.begin() as conn:
            assert conn.execute(text("SELECT basis FROM dna_comparisons")).scalar_one() == "kinship"
            conn.execute(
                text(
                    "INSERT INTO dna_samples (id, code, kind, case_id, donor_sex, laboratory, created_at, "
                    "effect_item, handed_over_by) VALUES (3, 'E1', 'personal_effect', 1, 'unknown', 'Lab', "
                    ":now, 'toothbrush', 'his mother')"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO dna_profiles (id, sample_id, n_markers, ciphertext, wrapped_key, "
                    "master_key_id, imported_at) VALUES (1, 3, 2, :blob, :blob, 'k', :now)"
                ),
                {"blob": b"x", "now": now},
            )
            # The same remains and case, on the other basis: allowed by the new unique constraint.
            conn.execute(
                text(
                    "INSERT INTO dna_comparisons (id, remains_sample_id, case_id, log10_lr, exclusions, "
                    'marker_lrs, "references", prior, prior_name, posterior, state, compared_at, basis, '
                    "effect_sample_id) VALUES (2, 1, 1, 12.0, 0, '{}', 1, 0.5, 'uniform', 1.0, "
                    "'candidate', :now, 'personal_effect', 3)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO dna_associations (id, first_sample_id, second_sample_id, log10_lr, "
                    "exclusions, shared_markers, marker_lrs, state, compared_at) "
                    "VALUES (1, 1, 2, 9.0, 0, 8, '{}', 'candidate', :now)"
                ),
                {"now": now},
            )
        downgrade(url, "0018")
        with engine.connect() as conn:
            assert "dna_associations" not in inspect(conn).get_table_names()
            assert conn.execute(text("SELECT id FROM dna_samples ORDER BY id")).scalars().all() == [1, 2]
            assert conn.execute(text("SELECT id FROM dna_comparisons")).scalars().all() == [1]
            assert conn.execute(text("SELECT count(*) FROM dna_profiles")).scalar_one() == 0
            columns = {c["name"] for c in inspect(conn).get_columns("dna_comparisons")}
            assert "basis" not in columns and "effect_sample_id" not in columns
            unique = inspect(conn).get_unique_constraints("dna_comparisons")
            assert [sorted(u["column_names"]) for u in unique] == [["case_id", "remains_sample_id"]]
        upgrade(url)
        assert _diff(url) == []
        engine.dispose()
    finally:
        if server:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def test_0022_adds_the_call_sign_and_its_downgrade_keeps_every_person_and_spelling(tmp_path):
    """Up: persons get an empty call_sign; down: the column goes, the persons and their aliases stay."""
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'call_sign.db'}"
    upgrade(url, "0018")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cases (id, reference, state, official_status, evidence_status, "
                "created_at, updated_at) "
                "VALUES (1, 'KT-1', 'open', 'missing', 'missing', '2024-01-01', '2024-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO persons (id, case_id, last_name, first_name, script, sex, search_text) "
                "VALUES (9, 1, 'Шевченко', 'Андрій', 'Cyrl', 'male', 'шевченко андрій')"
            )
        )
        conn.execute(
            text("INSERT INTO person_aliases (person_id, last_name, script) VALUES (9, 'Shevchenko', 'Latn')")
        )
    upgrade(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT call_sign FROM persons WHERE id = 9")).scalar() is None
        conn.execute(text("UPDATE persons SET call_sign = 'Сокіл' WHERE id = 9"))
    downgrade(url, "0018")
    with engine.connect() as conn:
        assert "call_sign" not in {c["name"] for c in inspect(conn).get_columns("persons")}
        assert conn.execute(text("SELECT last_name FROM persons")).scalars().all() == ["Шевченко"]
        assert conn.execute(text("SELECT last_name FROM person_aliases")).scalars().all() == ["Shevchenko"]
    engine.dispose()
    upgrade(url)
    assert _diff(url) == []


def test_0023_adds_the_consent_form_and_its_downgrade_keeps_every_consent(tmp_path):
    """Up: each consent gets an empty form; down: the form's columns go, the consents stay. SQLite,
    and a schema of its own on PostgreSQL when one is configured."""
    import os
    import uuid
    from urllib.parse import quote

    from sqlalchemy import text

    server = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    schema = f"kt_mig23_{uuid.uuid4().hex[:10]}"
    if server:
        admin = make_engine(server)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    else:
        url = f"sqlite:///{tmp_path / 'forms.db'}"
    form_columns = {"form_sha256", "form_filename", "form_media_type", "form_size_bytes", "form_uploaded_at"}
    try:
        upgrade(url, "0022")
        engine = make_engine(url)
        now = "2026-01-01 00:00:00+00"
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO dna_samples (id, code, kind, donor_sex, laboratory, created_at) "
                    "VALUES (1, 'R1', 'reference', 'female', 'Lab', :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO dna_consents (id, sample_id, scope, given_on) "
                    "VALUES (1, 1, 'identify_this_missing_person', '2026-01-01')"
                )
            )
        upgrade(url)
        assert _diff(url) == []
        with engine.begin() as conn:
            assert conn.execute(text("SELECT form_sha256 FROM dna_consents")).scalar_one() is None
            conn.execute(
                text(
                    "UPDATE dna_consents SET form_sha256 = :sha, form_filename = 'згода.pdf', "
                    "form_media_type = 'application/pdf', form_size_bytes = 10, form_uploaded_at = :now"
                ),
                {"sha": "a" * 64, "now": now},
            )
        downgrade(url, "0022")
        with engine.connect() as conn:
            assert not form_columns & {c["name"] for c in inspect(conn).get_columns("dna_consents")}
            assert conn.execute(text("SELECT sample_id FROM dna_consents")).scalars().all() == [1]
        upgrade(url)
        assert _diff(url) == []
        engine.dispose()
    finally:
        if server:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
