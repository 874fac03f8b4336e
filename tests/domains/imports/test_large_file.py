"""A 2,000-row asset file: the dry run's counts and problems, then the import, at a cost in
queries that does not grow with the rows."""

from __future__ import annotations

from sqlalchemy import select

from aegis.models import Asset, AuditEvent
from tests.domains.imports.helpers import count, problems, run_import
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file

LONG_NAME = "n" * 201
NAME, UNIT, CRITICALITY = 1, 2, 4  # columns of ASSET_HEADERS


def _file(size: int) -> tuple[list[list[str]], list[tuple[int, str, str]]]:
    """Rows A-IMP-0001…: the first 30% already imported (one in ten of them changed), the
    rest new, and four bad rows; with the problems expected as (row, column, message)."""
    rows = asset_rows(size)
    for n in range(0, size * 3 // 10, 10):
        rows[n][CRITICALITY] = "Low" if rows[n][CRITICALITY] != "Low" else "High"
    bad = [size * 4 // 10 + step for step in (0, 1, 3, 4)]
    rows[bad[0]][CRITICALITY] = "Severe"
    rows[bad[1]][UNIT] = "division-z"
    rows[bad[2]][0] = rows[bad[2] - 1][0]  # a good row's reference
    rows[bad[3]][NAME] = LONG_NAME
    row = [n + 2 for n in bad]  # the header is row 1
    expected = [
        (row[0], "Criticality", "Criticality must be one of: Low, Medium, High, Critical"),
        (row[1], "Unit", "Unit: There is no unit “division-z” among the units you can see"),
        (
            row[2],
            "Reference",
            f"The reference “{rows[bad[2]][0]}” is also on row {row[2] - 1}; "
            "each object can be on one row only",
        ),
        (row[3], "Name", "Name must be at most 200 characters"),
    ]
    return rows, expected


def _written(db) -> tuple[int, int, dict[str, int]]:
    db.expire_all()
    versions = dict(db.execute(select(Asset.ref, Asset.version)).all())
    return count(db, Asset), count(db, AuditEvent), versions


def test_a_two_thousand_row_file_checked_then_imported(db, principal_for, count_queries):
    analyst = principal_for("analyst")
    existing = csv_file(ASSET_HEADERS, asset_rows(600))
    assert run_import(db, analyst, "assets", existing, dry_run=False).created == 600
    rows, expected = _file(2000)
    content = csv_file(ASSET_HEADERS, rows)
    before = _written(db)

    dry = run_import(db, analyst, "assets", content, dry_run=True)
    assert (dry.total, dry.created, dry.updated, dry.unchanged, dry.failed) == (
        2000,
        1396,
        60,
        540,
        4,
    )
    assert problems(dry) == expected and not dry.applied
    assert [(r.row, r.action) for r in dry.rows[:2]] == [(2, "update"), (3, "unchanged")]
    assert [(c.label, c.before, c.after) for c in dry.rows[0].changes] == [
        ("Criticality", "Medium", "Low")
    ]
    assert _written(db) == before

    refused = run_import(db, analyst, "assets", content, dry_run=False)
    assert not refused.applied and problems(refused) == expected
    assert _written(db) == before

    good = [row for n, row in enumerate(rows, start=2) if n not in {p[0] for p in expected}]
    content = csv_file(ASSET_HEADERS, good)
    done = run_import(db, analyst, "assets", content, dry_run=False)
    assert done.applied and (done.created, done.updated, done.unchanged, done.failed) == (
        1396,
        60,
        540,
        0,
    )
    assets, events, versions = _written(db)
    assert assets == before[0] + 1396 and events == before[1] + 1396 + 60
    assert versions["A-IMP-0001"] == 2 and versions["A-IMP-0002"] == 1
    stored = db.scalar(select(Asset).where(Asset.ref == "A-IMP-1500"))
    assert (stored.name, stored.criticality, stored.hostname) == (
        "server-1500",
        "low",
        "server-1500.example.com",
    )

    again = run_import(db, analyst, "assets", content, dry_run=False)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 1996, 0)
    assert _written(db) == (assets, events, versions)


def test_a_dry_run_costs_as_many_queries_for_2000_rows_as_for_200(db, principal_for, count_queries):
    analyst = principal_for("analyst")
    costs = {}
    for size in (200, 2000):
        existing = csv_file(ASSET_HEADERS, asset_rows(size * 3 // 10))
        run_import(db, analyst, "assets", existing, dry_run=False)
        rows, expected = _file(size)
        with count_queries() as counted:
            report = run_import(db, analyst, "assets", csv_file(ASSET_HEADERS, rows), dry_run=True)
        assert problems(report) == expected
        assert (report.updated, report.unchanged) == (size * 3 // 100, size * 27 // 100)
        costs[size] = counted.count
    assert costs[2000] == costs[200] <= 12


def test_a_dry_run_finds_what_the_import_would_refuse(db, world, principal_for):
    analyst = principal_for("analyst")
    base = run_import(db, analyst, "assets", csv_file(ASSET_HEADERS, asset_rows(4)), dry_run=False)
    assert base.created == 4
    headers = ["Reference", "Unit", "Owner", "Dependencies", "Criticality"]
    rows = [
        ["A-IMP-0001", "division-a", "", "server-0001", "Low"],
        ["A-IMP-0002", "division-b", "", "", "Low"],
        ["A-IMP-0003", "team-a1", "analyst_b@example.com", "", "High"],
        ["A-IMP-0004", "team-a1", "", "no-such-server", "High"],
        ["A-IMP-0005", "team-a1", "", "", "Low"],
    ]
    for dry_run in (True, False):
        report = run_import(db, analyst, "assets", csv_file(headers, rows), dry_run=dry_run)
        assert problems(report) == [
            (2, "Dependencies", "Dependencies cannot include the asset itself"),
            (3, "Unit", "Unit: There is no unit “division-b” among the units you can see"),
            (
                4,
                "Owner",
                "Owner: There is no user “analyst_b@example.com” in the units you can see; "
                "use their name or e-mail address",
            ),
            (
                5,
                "Dependencies",
                "Dependencies: There is no asset “no-such-server” in the units you can see",
            ),
            (6, None, "Name is required: add a “Name” column"),
            (6, None, "Type is required: add a “Type” column"),
        ]
