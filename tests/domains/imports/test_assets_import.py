"""Importing assets: a large file, importing it again, changing one row, partial files."""

from __future__ import annotations

from sqlalchemy import select

from aegis.models import Asset, AuditEvent
from tests.domains.imports.helpers import count, run_import
from tests.factories.assets import make_asset
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file, xlsx_file


def test_two_thousand_rows_checked_imported_then_imported_again_unchanged(db, principal_for):
    analyst = principal_for("analyst")
    rows = asset_rows(2000)
    content = csv_file(ASSET_HEADERS, rows)
    assets_before, events_before = count(db, Asset), count(db, AuditEvent)

    dry = run_import(db, analyst, "assets", content, dry_run=True)
    assert (dry.total, dry.created, dry.updated, dry.unchanged, dry.failed) == (2000, 2000, 0, 0, 0)
    assert dry.errors == [] and not dry.applied and dry.rows[0].action == "create"
    assert (count(db, Asset), count(db, AuditEvent)) == (assets_before, events_before)

    done = run_import(db, analyst, "assets", content, dry_run=False)
    assert done.applied and (done.created, done.failed) == (2000, 0)
    assert count(db, Asset) == assets_before + 2000
    seventh = db.scalar(select(Asset).where(Asset.ref == "A-IMP-0007"))
    assert (seventh.name, seventh.criticality, seventh.environment) == (
        "server-0007",
        "critical",
        "production",
    )
    assert seventh.owner_id is not None and seventh.hostname == "server-0007.example.com"

    events = count(db, AuditEvent)
    again = run_import(db, analyst, "assets", content, dry_run=False)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2000, 0)
    assert count(db, AuditEvent) == events
    versions = set(db.scalars(select(Asset.version).where(Asset.ref.like("A-IMP-%"))))
    assert versions == {1}

    rows[41][4] = "Low" if rows[41][4] != "Low" else "High"
    changed = run_import(db, analyst, "assets", csv_file(ASSET_HEADERS, rows), dry_run=False)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1999)
    [update] = [row for row in changed.rows if row.action == "update"]
    assert (update.row, update.ref) == (43, "A-IMP-0042")
    assert [(c.label, c.after) for c in update.changes] == [("Criticality", rows[41][4])]
    stmt = select(Asset.ref, Asset.version).where(Asset.ref.like("A-IMP-%"))
    versions = {ref: version for ref, version in db.execute(stmt)}
    assert versions.pop("A-IMP-0042") == 2 and set(versions.values()) == {1}


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
