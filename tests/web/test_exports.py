"""List exports read as people read them: names, labels, readable dates, every text field."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from aegis.core.messages import field_label
from tests.factories.listed import build_listed
from tests.factories.risks import make_risk
from tests.web.exported import csv_rows, xlsx_rows, xlsx_sheet

SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
OUTSIDE = "(outside your units)"


@pytest.fixture
def register(db, world, principal_for) -> dict[str, int]:
    """One linked object of each listed kind in division-a, others in division-b."""
    return build_listed(db, world, principal_for)


def _one(rows: list[dict], key: str, value: str) -> dict:
    (row,) = [row for row in rows if row[key] == value]
    return row


def test_the_risk_export_reads_in_names_labels_and_dates(browser_for, register) -> None:
    rows = csv_rows(browser_for("analyst").get("/risks?format=csv"))
    assert list(rows[0])[:7] == [
        "Reference",
        "Title",
        "Unit",
        "Category",
        "Status",
        "Owner",
        "Description",
    ]
    row = _one(rows, "Title", "Hameçonnage ciblé")
    assert row["Unit"] == "division-a" and row["Category"] == "Operational"
    assert row["Status"] == "In treatment" and row["Treatment"] == "Mitigate"
    assert row["Owner"] == OUTSIDE  # analyst_b holds no role the analyst can see
    assert row["Description"] == "Des courriels piégés visent la comptabilité"
    assert row["Treatment plan"] == "Former le personnel"
    assert row["Assets"] == "web-01"
    assert row["Controls"] == f"AC-1; {OUTSIDE}"
    assert row["Inherent likelihood"] == "3" and row["Residual score"] == "4"
    assert row["Next review date"] == "2027-01-15" and row["Treatment due date"] == "2027-02-01"
    assert SECOND.fullmatch(row["Created at"]) and SECOND.fullmatch(row["Updated at"])
    assert "in_treatment" not in str(rows) and "Beta fraud" not in str(rows)
    admin_row = _one(csv_rows(browser_for("admin").get("/risks?format=csv")), "Title", row["Title"])
    assert admin_row["Owner"] == "Analyst_B" and admin_row["Controls"] == "AC-1; BC-9"


def test_the_risk_workbook_has_typed_cells_a_frozen_header_and_filters(
    browser_for, register
) -> None:
    response = browser_for("analyst").get("/risks?format=xlsx")
    sheet = xlsx_sheet(response)
    assert response.headers["content-disposition"] == 'attachment; filename="risks.xlsx"'
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}2"
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert all(8 <= width <= 62 for width in widths)
    (row,) = xlsx_rows(response)
    assert row["Title"] == "Hameçonnage ciblé" and row["Status"] == "In treatment"
    assert row["Inherent likelihood"] == 3 and row["Inherent score"] == 9
    assert row["Next review date"] == datetime(2027, 1, 15)
    assert isinstance(row["Created at"], datetime) and row["Created at"].microsecond == 0
    assert row["Controls"] == f"AC-1; {OUTSIDE}" and row["Owner"] == OUTSIDE
    assert row["Residual likelihood"] == 2 and row["Acceptance approver"] is None
    header = [cell.value for cell in sheet[1]]
    assert header == list(csv_rows(browser_for("analyst").get("/risks?format=csv"))[0])
    review = header.index(field_label("next_review_date")) + 1
    assert sheet.cell(2, review).is_date and sheet.cell(2, review).number_format == "yyyy-mm-dd"


def test_the_asset_export(browser_for, register) -> None:
    analyst = browser_for("analyst")
    rows = csv_rows(analyst.get("/assets?format=csv"))
    assert [row["Name"] for row in rows] == ["file-server", "web-01"]
    row = rows[1]
    assert row["Unit"] == "division-a" and row["Owner"] == "Analyst"
    assert row["Type"] == "Server" and row["Criticality"] == "Critical"
    assert row["Environment"] == "Staging" and row["Data classification"] == "Confidential"
    assert row["Hostname"] == "web-01.example.com" and row["IP address"] == "192.0.2.10"
    assert row["Description"] == "Serveur d'accès réseau"
    assert row["Tags"] == "dmz; pci" and row["Dependencies"] == "file-server"
    workbook = xlsx_rows(analyst.get("/assets?format=xlsx"))
    assert workbook[1]["Dependencies"] == "file-server" and workbook[1]["Owner"] == "Analyst"
    assert isinstance(workbook[1]["Created at"], datetime)


def test_the_control_export(browser_for, register) -> None:
    analyst = browser_for("analyst")
    (row,) = csv_rows(analyst.get("/controls?format=csv"))
    assert next(iter(row)) == "Reference" and row["Reference"] == "AC-1"
    assert row["Title"] == "Access control" and row["Status"] == "Partially implemented"
    assert row["Owner"] == "Analyst" and row["Unit"] == "division-a"
    assert row["Description"] == "Revue trimestrielle des accès"
    assert row["Requirements"] == "Test framework GV.1"
    (cells,) = xlsx_rows(analyst.get("/controls?format=xlsx"))
    assert cells["Reference"] == "AC-1" and cells["Requirements"] == "Test framework GV.1"


def test_the_evidence_export(browser_for, register) -> None:
    analyst = browser_for("analyst")
    (row,) = csv_rows(analyst.get("/evidence?format=csv"))
    assert row["Title"] == "Access review minutes" and row["Kind"] == "Link"
    assert (
        row["Description"] == "Compte rendu signé" and row["URL"] == "https://wiki.example/reviews"
    )
    assert row["Expiry date"] == "2020-01-01" and row["Expired"] == "Yes"
    assert row["Controls"] == "AC-1" and row["Unit"] == "division-a"
    (cells,) = xlsx_rows(analyst.get("/evidence?format=xlsx"))
    assert cells["Expired"] is True and cells["Expiry date"] == datetime(2020, 1, 1)
    assert cells["Version count"] == 0 and cells["Latest file"] is None


def test_the_task_export(browser_for, register) -> None:
    analyst = browser_for("analyst")
    rows = csv_rows(analyst.get("/tasks?format=csv"))
    assert [row["Title"] for row in rows] == ["Train accountants"]
    (row,) = rows
    assert row["Status"] == "Open" and row["Priority"] == "Urgent"
    assert row["Kind"] == "Remediation" and row["Assignee"] == "Analyst"
    assert row["Risk"] == "Hameçonnage ciblé" and row["Asset"] == "" and row["Control"] == ""
    assert row["Description"] == "Deux sessions" and row["Due date"] == "2027-02-01"
    assert row["Overdue"] == "No" and row["Comment count"] == "0"
    (cells,) = xlsx_rows(analyst.get("/tasks?format=xlsx"))
    assert cells["Due date"] == datetime(2027, 2, 1) and cells["Overdue"] is False
    assert cells["Comment count"] == 0 and cells["Risk"] == "Hameçonnage ciblé"


@pytest.mark.parametrize("path", ["/risks", "/assets", "/controls", "/evidence", "/tasks"])
def test_exports_hold_only_the_readers_units(browser_for, register, path) -> None:
    for user, theirs in (("analyst", "division-a"), ("analyst_b", "division-b")):
        browser = browser_for(user)
        rows = csv_rows(browser.get(f"{path}?format=csv"))
        cells = xlsx_rows(browser.get(f"{path}?format=xlsx"))
        assert [row["Unit"] for row in rows] == [row["Unit"] for row in cells]
        assert all(row["Unit"] == theirs for row in rows), (user, path)
    sibling = browser_for("analyst_b")
    text = sibling.get(f"{path}?format=csv").text + str(
        xlsx_rows(sibling.get(f"{path}?format=xlsx"))
    )
    for secret in ("web-01", "AC-1", "Hameçonnage", "Access review", "Train accountants"):
        assert secret not in text, (path, secret)


def test_exported_text_never_runs_as_a_formula(browser_for, db, world, principal_for) -> None:
    formula = '=HYPERLINK("https://evil.example","Click")'
    make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        title=formula,
        description="+1+2",
        treatment_plan="@SUM(A1)",
    )
    db.commit()
    analyst = browser_for("analyst")
    (row,) = csv_rows(analyst.get("/risks?format=csv"))
    assert row["Title"] == "'" + formula
    assert row["Description"] == "'+1+2" and row["Treatment plan"] == "'@SUM(A1)"
    sheet = xlsx_sheet(analyst.get("/risks?format=xlsx"))
    cells = {cell.value: cell.data_type for cell in sheet[2]}
    assert cells[formula] == "s" and cells["+1+2"] == "s" and cells["@SUM(A1)"] == "s"
