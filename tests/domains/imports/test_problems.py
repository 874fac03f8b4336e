"""Rows in error are reported by row and column, and a file with any of them writes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest

from aegis.core.errors import PayloadTooLarge, PermissionDenied
from aegis.domains.imports.errors import FileRefused
from aegis.models import Asset, AuditEvent, RoleAssignment
from tests.domains.imports.helpers import count, problems, run_import
from tests.factories.assets import make_asset
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file

HEADERS = ["Reference", "Name", "Unit", "Type", "Criticality"]


def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_written(
    db, world, principal_for
):
    db.add(
        RoleAssignment(
            user_id=world.users["analyst"], unit_id=world.units["division-b"], role="readonly"
        )
    )
    db.flush()
    analyst = principal_for("analyst")
    rows = [
        ["A-1", "fine", "division-a", "Server", "High"],
        ["A-2", "lost", "division-z", "Server", "High"],
        ["A-3", "odd", "division-a", "Server", "Extreme"],
        ["A-4", "", "division-a", "Server", "Low"],
        ["A-1", "again", "division-a", "Server", "Low"],
        ["A-5", "theirs", "division-b", "Server", "Low"],
        ["A-6", '=HYPERLINK("http://x")', "division-a", "Server", "Low"],
    ]
    before = (count(db, Asset), count(db, AuditEvent))
    for dry_run in (True, False):
        report = run_import(db, analyst, "assets", csv_file(HEADERS, rows), dry_run=dry_run)
        assert not report.applied and (report.created, report.failed) == (1, 6)
        assert problems(report) == [
            (3, "Unit", "Unit: There is no unit “division-z” among the units you can see"),
            (4, "Criticality", "Criticality must be one of: Low, Medium, High, Critical"),
            (5, "Name", "Name is required"),
            (
                6,
                "Reference",
                "The reference “A-1” is also on row 2; each object can be on one row only",
            ),
            (7, "Unit", "You may not change objects of division-b"),
            (
                8,
                "Name",
                "Name starts with “=”, so a spreadsheet would run it as a formula, and formulas "
                "are not imported. Type the value itself, or put an apostrophe (') before it",
            ),
        ]
        assert (count(db, Asset), count(db, AuditEvent)) == before


def test_an_analyst_of_one_division_cannot_import_into_the_other(db, world, principal_for):
    analyst_b = principal_for("analyst_b")
    theirs = make_asset(db, principal_for("admin"), world.units["division-a"], ref="SHARED-1")
    content = csv_file(HEADERS, [["SHARED-1", "mine now", "division-a", "Server", "Low"]])
    report = run_import(db, analyst_b, "assets", content, dry_run=False)
    assert problems(report) == [
        (2, "Unit", "Unit: There is no unit “division-a” among the units you can see")
    ]
    db.expire_all()
    assert db.get(Asset, theirs.id).name == "web-01"
    # without a unit column the row cannot reach division-a's asset: it is a new one of theirs
    content = csv_file(["Reference", "Name", "Type"], [["SHARED-1", "ours", "Server"]])
    report = run_import(
        db, analyst_b, "assets", content, dry_run=True, default_unit_id=world.units["division-b"]
    )
    assert (report.created, report.updated, report.failed) == (1, 0, 0)


def test_readers_may_not_import_at_all(db, principal_for):
    with pytest.raises(PermissionDenied):
        run_import(db, principal_for("readonly"), "assets", csv_file(HEADERS, []), dry_run=True)


def test_a_file_over_the_size_limit_is_refused(db, principal_for):
    content = csv_file(ASSET_HEADERS, asset_rows(50))
    with pytest.raises(PayloadTooLarge):
        run_import(db, principal_for("analyst"), "assets", content, dry_run=True, max_bytes=1000)


def test_a_file_over_the_row_limit_is_refused(db, principal_for):
    content = csv_file(ASSET_HEADERS, asset_rows(11))
    with pytest.raises(FileRefused, match="more than 10 rows"):
        run_import(db, principal_for("analyst"), "assets", content, dry_run=True, max_rows=10)


def test_a_workbook_that_is_a_zip_of_something_else_is_refused(db, principal_for):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    with pytest.raises(FileRefused, match="not an Excel workbook"):
        run_import(
            db,
            principal_for("analyst"),
            "assets",
            buffer.getvalue(),
            dry_run=True,
            filename="assets.xlsx",
        )
