"""The one settings object (kintrace.settings) and docs/CONFIGURATION.md, which must describe it.

Fails when a variable is added to the settings without the docs being regenerated, when code reads a
KINTRACE_ variable the settings do not list, when code outside the settings module (and the engines,
which may not import it) reads the environment itself, or when an engine's variable is undocumented.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kintrace import settings
from kintrace.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "kintrace"
DOC = ROOT / "docs" / "CONFIGURATION.md"
ENGINES = ("dna", "linkage")
VARIABLE = re.compile(r"KINTRACE_[A-Z0-9_]*[A-Z0-9]")


def _modules(*, engines: bool) -> list[Path]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        in_engine = path.relative_to(PACKAGE).parts[0] in ENGINES
        if in_engine == engines:
            found.append(path)
    return found


def _generated_block(text: str) -> str:
    start = text.index("<!-- generated: kintrace.settings.reference_table() -->\n")
    end = text.index("<!-- end generated -->")
    return text[start:end].split("\n", 1)[1]


def test_the_docs_hold_the_table_of_every_setting() -> None:
    """Regenerate the table with kintrace.settings.reference_table() (docs/CONFIGURATION.md says how)."""
    assert _generated_block(DOC.read_text(encoding="utf-8")) == settings.reference_table()
    for field in Settings.model_fields.values():
        assert field.description, "every setting says what it does"


def test_every_variable_the_registry_names_is_a_setting() -> None:
    known = set(settings.variables().values())
    named: dict[str, set[str]] = {}
    for path in _modules(engines=False):
        if path == PACKAGE / "settings.py":  # the definitions themselves
            continue
        for variable in VARIABLE.findall(path.read_text(encoding="utf-8")):
            named.setdefault(variable, set()).add(str(path.relative_to(PACKAGE)))
    unknown = {variable: files for variable, files in named.items() if variable not in known}
    assert not unknown, f"read through kintrace.settings and document them: {unknown}"


def test_every_engine_variable_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    engine_variables = {v for path in _modules(engines=True) for v in VARIABLE.findall(path.read_text())}
    assert engine_variables, "the engines read KINTRACE_SPARK_*"
    assert {v for v in engine_variables if f"`{v}`" not in doc} == set()


def _environment_reads(path: Path) -> list[str]:
    """Reads of the process environment in a module: os.environ (but for a write, or a copy handed
    to a child process), os.getenv, and command-line options that read a KINTRACE_ variable."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
            parent = parents.get(node)
            if node.attr == "getenv":
                found.append(f"{path.name}:{node.lineno} os.getenv")
            elif node.attr == "environ":
                written = isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store)
                copied = (
                    isinstance(parent, ast.Call)
                    and isinstance(parent.func, ast.Name)
                    and parent.func.id == "dict"
                )
                if not (written or copied):
                    found.append(f"{path.name}:{node.lineno} os.environ")
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [
                f"{path.name}:{node.lineno} from os import {a.name}" for a in node.names if "env" in a.name
            ]
        if isinstance(node, ast.keyword) and node.arg == "envvar":
            found.append(f"{path.name}:{node.lineno} envvar=")
    return found


def test_only_the_settings_module_reads_the_environment() -> None:
    reads = [
        read
        for path in _modules(engines=False)
        if path != PACKAGE / "settings.py"
        for read in _environment_reads(path)
    ]
    assert reads == [], "read the setting from kintrace.settings.current() instead"


def test_the_environment_check_finds_reads(tmp_path: Path) -> None:
    module = tmp_path / "reader.py"
    module.write_text(
        "import os\n"
        "a = os.environ.get('KINTRACE_X')\n"
        "b = os.getenv('KINTRACE_Y')\n"
        "os.environ['KINTRACE_Z'] = '1'\n"
        "c = dict(os.environ)\n"
    )
    assert sorted(_environment_reads(module)) == ["reader.py:2 os.environ", "reader.py:3 os.getenv"]


def test_settings_are_read_when_asked_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KINTRACE_MAX_BODY_BYTES", raising=False)
    assert settings.current().max_body_bytes == settings.DEFAULT_MAX_BODY_BYTES
    monkeypatch.setenv("KINTRACE_MAX_BODY_BYTES", "4096")
    assert settings.current().max_body_bytes == 4096
    monkeypatch.setenv("KINTRACE_MAX_BODY_BYTES", "")  # empty: unset
    assert settings.current().max_body_bytes == settings.DEFAULT_MAX_BODY_BYTES
    monkeypatch.setenv("KINTRACE_TRUST_FORWARDED", "yes")
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", "/srv/files")
    now = settings.current()
    assert now.trust_forwarded is True and now.attachments_dir == Path("/srv/files")


def test_a_bad_value_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINTRACE_MAX_BODY_BYTES", "512")
    with pytest.raises(SettingsError, match=r"KINTRACE_MAX_BODY_BYTES='512'.*1024"):
        settings.current()
    monkeypatch.setenv("KINTRACE_MAX_BODY_BYTES", "a lot")
    with pytest.raises(SettingsError, match=r"KINTRACE_MAX_BODY_BYTES='a lot'.*integer"):
        settings.current()


def test_a_secret_is_never_shown() -> None:
    given = Settings.from_environ(
        {"KINTRACE_SECRET_KEY": "a-very-secret-value-0123456789abcdef", "KINTRACE_SMS_TOKEN": "token-42"}
    )
    assert "a-very-secret-value" not in repr(given) and "token-42" not in repr(given)
    assert given.secret_key is not None
    assert given.secret_key.get_secret_value() == "a-very-secret-value-0123456789abcdef"


def test_from_environ_reads_the_mapping_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINTRACE_MAIL_FROM", "process@example.org")
    given = Settings.from_environ({"KINTRACE_TOKEN_DAYS": "7"})
    assert given.token_days == 7 and given.mail_from == "kintrace@localhost"
    with pytest.raises(SettingsError, match="KINTRACE_TOKEN_DAYS='seven'"):
        Settings.from_environ({"KINTRACE_TOKEN_DAYS": "seven"})


def test_a_command_stops_at_a_bad_variable_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from kintrace.cli.main import app

    monkeypatch.setenv("KINTRACE_SQLITE_BUSY_TIMEOUT_MS", "soon")
    result = CliRunner().invoke(app, ["db", "upgrade", "--database-url", "sqlite://"])
    assert result.exit_code == 2
    assert "KINTRACE_SQLITE_BUSY_TIMEOUT_MS='soon'" in result.output
