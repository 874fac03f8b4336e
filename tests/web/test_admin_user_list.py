"""The administered users in words: roles by label and unit, status, dates; never ids or codes."""

from __future__ import annotations

import re
from datetime import datetime

from aegis.core.authz import Role
from aegis.domains.users import service as users
from aegis.domains.users.schemas import RoleAssignmentCreate, UserUpdate
from tests.web.exported import csv_rows, xlsx_rows

HEADER = ["Name", "E-mail", "Status", "Roles in your units", "Last sign-in", "Created"]
SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
CODES = re.compile(r"\b(readonly|analyst|admin|True|False|include_children|unit_id)\b")


def _arrange(db, world, principal_for) -> None:
    """The analyst also reads division-b (that unit alone); analyst_b is disabled."""
    users.grant_role(
        session=db,
        principal=None,
        data=RoleAssignmentCreate(
            user_id=world.users["analyst"],
            role=Role.READONLY,
            unit_id=world.units["division-b"],
            include_children=False,
        ),
    )
    users.update_user(
        session=db,
        principal=principal_for("admin"),
        user_id=world.users["analyst_b"],
        data=UserUpdate(is_active=False),
    )
    db.commit()


def test_the_list_shows_roles_status_and_dates(browser_for, db, world, principal_for) -> None:
    _arrange(db, world, principal_for)
    page = browser_for("admin").get("/admin/users").text
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Roles in your units" in text
    assert "Analyst on division-a Read-only on division-b, without its sub-units" in text
    assert "Admin on company" in text and "Disabled" in text and "Never" in text
    assert 'href="?format=xlsx"' in page or "format=xlsx" in page


def test_the_export_reads_as_words(browser_for, db, world, principal_for) -> None:
    _arrange(db, world, principal_for)
    response = browser_for("admin").get("/admin/users?format=csv")
    rows = {row["E-mail"]: row for row in csv_rows(response)}
    assert list(rows["analyst@example.com"]) == HEADER
    analyst = rows["analyst@example.com"]
    assert analyst["Name"] == "Analyst" and analyst["Status"] == "Active"
    assert analyst["Roles in your units"] == (
        "Analyst on division-a; Read-only on division-b, without its sub-units"
    )
    assert analyst["Last sign-in"] == "" and SECOND.fullmatch(analyst["Created"])
    assert SECOND.fullmatch(rows["admin@example.com"]["Last sign-in"])  # signed in to export
    assert rows["analyst_b@example.com"]["Status"] == "Disabled"
    cells = {cell for row in rows.values() for name, cell in row.items() if name != "E-mail"}
    assert not {str(user_id) for user_id in world.users.values()} & cells
    assert not any(CODES.search(cell) for cell in cells)


def test_a_division_admin_sees_only_the_roles_in_their_units(
    browser_for, db, world, principal_for
) -> None:
    _arrange(db, world, principal_for)
    rows = {r["E-mail"]: r for r in csv_rows(browser_for("admin_a").get("/admin/users?format=csv"))}
    assert rows["analyst@example.com"]["Roles in your units"] == "Analyst on division-a"
    assert "analyst_b@example.com" not in rows


def test_the_workbook_has_typed_dates(browser_for, db, world, principal_for) -> None:
    _arrange(db, world, principal_for)
    rows = xlsx_rows(browser_for("admin").get("/admin/users?format=xlsx"))
    analyst = next(row for row in rows if row["E-mail"] == "analyst@example.com")
    assert isinstance(analyst["Created"], datetime) and analyst["Last sign-in"] is None
