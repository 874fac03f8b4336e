"""`aegis import KIND FILE`: a table of the plan, a dry run that writes nothing, exit codes."""

from __future__ import annotations

from pathlib import Path

from aegis.models import Asset, AuditEvent
from tests.cli.console import PASSWORD, Aegis, replace_console_password, said
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file, xlsx_file
from tests.web.conftest import sign_in

EMAIL = "ada@example.com"
CHOSEN = "a phrase Ada chose herself"


def _analyst(organisation: Aegis) -> Aegis:
    organisation.ok(
        "users", "create", "--email", EMAIL, "--name", "Ada", "--role", "analyst",
        "--unit", "Division", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    return organisation


def test_dry_run_prints_the_plan_writes_nothing_then_the_import_saves_it(organisation, tmp_path):
    aegis = _analyst(organisation)
    path = tmp_path / "assets.csv"
    path.write_bytes(csv_file(ASSET_HEADERS, asset_rows(3, unit="Team", owner=EMAIL)))
    dry = aegis.ok("import", "assets", str(path), "--dry-run", "--as", EMAIL)
    assert "A-IMP-0002" in dry.output and "create" in dry.output
    assert "Dry run, nothing was written. 3 rows: 3 to create, 0 to update" in said(dry)
    assert aegis.count(Asset) == 0
    done = aegis.ok("import", "assets", str(path), "--as", EMAIL)
    assert "Imported 3 rows: 3 created, 0 updated, 0 unchanged" in said(done)
    assert aegis.count(Asset) == 3
    again = aegis.ok("import", "assets", str(path), "--as", EMAIL)
    assert "3 unchanged" in said(again)


def test_problems_exit_non_zero_naming_row_and_column(organisation, tmp_path: Path):
    aegis = _analyst(organisation)
    rows = asset_rows(2, unit="Team", owner=EMAIL)
    rows[0][2] = "Company"
    path = tmp_path / "assets.xlsx"
    path.write_bytes(xlsx_file(ASSET_HEADERS, rows))
    result = aegis("import", "assets", str(path), "--as", EMAIL)
    assert result.exit_code == 1
    assert (
        "Row 2, column “Unit”: Unit: There is no unit “Company” among the units you can see"
        in said(result)
    )
    assert "Nothing was imported" in said(result)
    assert aegis.count(Asset) == 0


def test_rows_without_a_unit_go_to_the_unit_given(organisation, tmp_path: Path):
    aegis = _analyst(organisation)
    path = tmp_path / "assets.csv"
    path.write_bytes(csv_file(["Name", "Type"], [["printer", "Other"]]))
    aegis.ok("import", "assets", str(path), "--as", EMAIL, "--unit", "Division")
    assert aegis.count(Asset, Asset.name == "printer") == 1
    unknown = aegis("import", "assets", str(path), "--as", "nobody@example.com")
    assert unknown.exit_code == 1 and "nobody@example.com" in said(unknown)


def test_an_export_of_the_list_page_checks_unchanged_from_the_console(organisation, tmp_path):
    aegis = _analyst(organisation)
    path = tmp_path / "assets.csv"
    path.write_bytes(csv_file(ASSET_HEADERS, asset_rows(3, unit="Team", owner=EMAIL)))
    aegis.ok("import", "assets", str(path), "--as", EMAIL)
    links = tmp_path / "links.csv"
    links.write_bytes(csv_file(["Reference", "Dependencies"], [["A-IMP-0001", "A-IMP-0003"]]))
    assert "1 updated" in said(aegis.ok("import", "assets", str(links), "--as", EMAIL))
    with aegis.http() as client:
        replace_console_password(client, EMAIL, CHOSEN)
        browser = sign_in(client, EMAIL, CHOSEN)
        export = browser.get("/assets?format=csv")
    assert export.status_code == 200
    assert "Reference,Name,Unit" in export.text and "server-0003" in export.text
    exported = tmp_path / "exported.csv"
    exported.write_bytes(export.content)
    events = aegis.count(AuditEvent)
    dry = aegis.ok("import", "assets", str(exported), "--dry-run", "--as", EMAIL)
    assert "Dry run, nothing was written. 3 rows: 0 to create, 0 to update, 3 unchanged" in said(
        dry
    )
    assert aegis.count(AuditEvent) == events
