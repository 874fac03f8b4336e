"""`aegis frameworks` against a fresh SQLite database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aegis.cli import context
from aegis.cli.app import app
from aegis.core.settings import get_settings
from tests.domains.frameworks.data import CSF, oscal

runner = CliRunner()


@pytest.fixture
def aegis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Run `aegis` commands on a migrated database with a root unit."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("AEGIS_ENV", "development")
    get_settings.cache_clear()
    context.engine.cache_clear()

    def run(*args: str):
        return runner.invoke(app, list(args))

    assert run("db", "upgrade").exit_code == 0
    assert run("units", "create", "--name", "company").exit_code == 0
    yield run
    context.engine().dispose()
    context.engine.cache_clear()
    get_settings.cache_clear()


def test_load_shipped_is_idempotent_and_list_shows_them(aegis) -> None:
    first = aegis("frameworks", "load-shipped")
    assert first.exit_code == 0, first.output
    assert "nist-csf\t2.0\t134 requirements" in first.output
    assert aegis("frameworks", "load-shipped").output == first.output
    listed = aegis("frameworks", "list").output.splitlines()
    assert [line.split("\t")[1] for line in listed] == [
        "nist-csf",
        "nist-sp-800-53-high",
        "nist-sp-800-53-privacy",
    ]


def test_import_oscal_and_csv_then_mappings(aegis, tmp_path: Path) -> None:
    catalog = tmp_path / "csf.json"
    catalog.write_bytes(oscal(CSF))
    imported = aegis("frameworks", "import", str(catalog), "--key", "csf", "--version", "2.0")
    assert imported.exit_code == 0, imported.output
    assert "'csf' version 2.0 with 134 requirements" in imported.output
    table = tmp_path / "policy.csv"
    table.write_text("id,parent,title,text\nP,,Policy,\nP.1,P,Access,Least privilege\n")
    made = aegis(
        "frameworks", "import", str(table), "--unit", "company",
        "--name", "Policy", "--key", "policy", "--version", "1",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    mappings = tmp_path / "map.csv"
    mappings.write_text(
        "source_framework,source_id,relationship,target_framework,target_id\n"
        "policy,P.1,subset,csf,PR.AA-05\n"
    )
    result = aegis("frameworks", "import-mappings", str(mappings))
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged" in result.output


def test_errors_exit_non_zero_with_the_problems(aegis, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("id,parent,title,text\nA,Z,A,\nB,Y,B,\n")
    missing = aegis("frameworks", "import", str(table))
    assert missing.exit_code == 2
    assert "needs --name, --key and --version" in missing.output
    bad = aegis("frameworks", "import", str(table), "--name", "B", "--key", "b", "--version", "1")
    assert bad.exit_code == 1
    assert "row 2: parent 'Z' is not an id of the file" in bad.output
    assert "row 3: parent 'Y' is not an id of the file" in bad.output
    absent = aegis("frameworks", "import", str(tmp_path / "absent.json"))
    assert absent.exit_code == 1 and "cannot read" in absent.output
    wrong_unit = aegis("frameworks", "load-shipped", "--unit", "nowhere")
    assert wrong_unit.exit_code == 1 and "No unit 'nowhere'" in wrong_unit.output
    assert aegis("frameworks", "list").output == ""


def test_reimport_previews_then_updates_a_framework_in_place(aegis, tmp_path: Path) -> None:
    table = tmp_path / "policy.csv"
    table.write_text("id,parent,title,text\nP,,Policy,\nP.1,P,Access,\nP.2,P,Backups,\n")
    made = aegis(
        "frameworks", "import", str(table), "--name", "Policy", "--key", "policy", "--version", "1"
    )
    assert made.exit_code == 0, made.output
    framework_id = made.output.split()[2]
    again = aegis(
        "frameworks", "import", str(table), "--name", "Policy", "--key", "policy", "--version", "1"
    )
    assert again.exit_code == 1 and "update it in place" in again.output
    table.write_text("id,parent,title,text\nP,,Policy,\nP.1,P,Access control,\nP.3,P,Logs,\n")
    preview = aegis("frameworks", "reimport", framework_id, str(table), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "Changed\tP.1\ttitle" in preview.output and "Removed\tP.2\t" in preview.output
    assert "Would change: 1 added, 1 changed, 1 removed, 0 kept in use" in preview.output
    applied = aegis("frameworks", "reimport", framework_id, str(table))
    assert "Changed: 1 added, 1 changed, 1 removed, 0 kept in use" in applied.output
    listed = aegis("frameworks", "list").output
    assert "\tpolicy\t1\t3\tPolicy" in listed
