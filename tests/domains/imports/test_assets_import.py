"""Importing assets: updates of the file's columns only, workbooks, rows without a reference."""

from __future__ import annotations

from sqlalchemy import select

from aegis.models import Asset
from tests.domains.imports.helpers import run_import
from tests.factories.assets import make_asset
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file, xlsx_file


def test_an_update_changes_only_the_columns_of_the_file(db, world, principal_for):
    analyst = principal_for("analyst")
    asset = make_asset(
        db,
        analyst,
        world.units["division-a"],
        ref="WEB-1",
        description="Kept",
        hostname="web.example.com",
        tags=["pci"],
    )
    content = csv_file(["Reference", "Criticality"], [["web-1", "Critical"]])
    report = run_import(db, analyst, "assets", content, dry_run=False)
    assert (report.updated, report.failed) == (1, 0)
    stored = db.get(Asset, asset.id)
    db.refresh(stored)
    assert (stored.criticality, stored.description, stored.hostname, stored.ref) == (
        "critical",
        "Kept",
        "web.example.com",
        "WEB-1",
    )


def test_a_workbook_imports_like_a_csv(db, principal_for):
    analyst = principal_for("analyst")
    content = xlsx_file(ASSET_HEADERS, asset_rows(3))
    report = run_import(db, analyst, "assets", content, dry_run=False, filename="assets.xlsx")
    assert (report.created, report.failed) == (3, 0)
    again = run_import(db, analyst, "assets", content, dry_run=True, filename="assets.xlsx")
    assert again.unchanged == 3
    assert {a.ref for a in db.scalars(select(Asset).where(Asset.ref.like("A-IMP-%")))} == {
        "A-IMP-0001",
        "A-IMP-0002",
        "A-IMP-0003",
    }


def test_rows_without_a_reference_get_one_from_their_id(db, world, principal_for):
    analyst = principal_for("analyst")
    content = csv_file(["Name", "Type"], [["laptop-1", "Workstation"]])
    report = run_import(
        db, analyst, "assets", content, dry_run=False, default_unit_id=world.units["team-a1"]
    )
    assert report.created == 1
    asset = db.scalar(select(Asset).where(Asset.name == "laptop-1"))
    assert asset.ref == f"A-{asset.id:06d}" and asset.unit_id == world.units["team-a1"]
