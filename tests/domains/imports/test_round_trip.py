"""Files in the list exports' format (labels, names, '; ' lists, ISO dates) re-import unchanged."""

from __future__ import annotations

from sqlalchemy import select

from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskCreate
from aegis.models import Control, Risk, Task
from tests.domains.imports.helpers import problems, run_import
from tests.factories.assets import make_asset
from tests.factories.imports import csv_file, xlsx_file
from tests.factories.tasks import make_control

RISK_HEADERS = [
    "ID",
    "Reference",
    "Title",
    "Unit",
    "Category",
    "Owner",
    "Status",
    "Inherent likelihood",
    "Inherent impact",
    "Inherent score",
    "Residual likelihood",
    "Residual impact",
    "Treatment",
    "Treatment due date",
    "Next review date",
    "Assets",
    "Created at",
]


def test_risks_in_the_export_format_import_then_reimport_unchanged(db, world, principal_for):
    analyst = principal_for("analyst")
    make_asset(db, analyst, world.units["division-a"], name="crm", ref="AS-CRM")
    make_asset(db, analyst, world.units["division-a"], name="erp", ref="AS-ERP")
    rows = [
        [
            "",
            "R-IMP-1",
            "Phishing of staff",
            "division-a",
            "Operational",
            "Analyst",
            "In treatment",
            "4",
            "3",
            "12",
            "2",
            "2",
            "Mitigate",
            "2027-03-31",
            "2027-01-15",
            "crm; erp",
            "2026-11-30 10:00:00",
        ],
        [
            *("", "R-IMP-2", "Vendor outage", "team-a1", "third_party", "analyst@example.com"),
            *("identified", "2", "5", "10", "", "", "", "", "", "AS-ERP", ""),
        ],
    ]
    for build, name in ((csv_file, "risks.csv"), (xlsx_file, "risks.xlsx")):
        content = build(RISK_HEADERS, rows)
        first = run_import(db, analyst, "risks", content, dry_run=False, filename=name)
        assert problems(first) == []
        again = run_import(db, analyst, "risks", content, dry_run=False, filename=name)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    risk = db.scalar(select(Risk).where(Risk.ref == "R-IMP-1"))
    assert (risk.status, risk.treatment, str(risk.treatment_due_date)) == (
        "in_treatment",
        "mitigate",
        "2027-03-31",
    )
    read = risks.get_risk(session=db, principal=analyst, risk_id=risk.id)
    assert len(read.asset_ids) == 2 and read.inherent_score == 12


def test_an_update_keeps_the_links_the_importer_cannot_see(db, world, principal_for):
    admin, analyst = principal_for("admin"), principal_for("analyst")
    mine = make_asset(db, admin, world.units["division-a"], name="crm")
    hidden = make_asset(db, admin, world.units["division-b"], name="secret")
    other = make_asset(db, admin, world.units["division-a"], name="erp")
    data = RiskCreate(
        unit_id=world.units["division-a"],
        ref="R-LINKED",
        title="Linked",
        category="technical",
        inherent_likelihood=2,
        inherent_impact=2,
        asset_ids=[mine.id, hidden.id],
    )
    risk = risks.create_risk(session=db, principal=admin, data=data)
    content = csv_file(["Reference", "Assets"], [["R-LINKED", "erp"]])
    report = run_import(db, analyst, "risks", content, dry_run=False)
    assert [(c.before, c.after) for row in report.rows for c in row.changes] == [("crm", "erp")]
    after = risks.get_risk(session=db, principal=admin, risk_id=risk.id)
    assert sorted(after.asset_ids) == sorted([hidden.id, other.id])


def test_controls_and_tasks_import_and_reimport_unchanged(db, world, principal_for):
    analyst = principal_for("analyst")
    controls = csv_file(
        ["Reference", "Title", "Unit", "Owner", "Status"],
        [["AC-1", "Access reviews", "division-a", "Analyst", "Partially implemented"]],
    )
    tasks = csv_file(
        ["Reference", "Title", "Unit", "Status", "Priority", "Assignee", "Due date", "Control"],
        [
            [
                "T-IMP-1",
                "Review access",
                "division-a",
                "Done",
                "High",
                "Analyst",
                "2027-01-31",
                "AC-1",
            ]
        ],
    )
    for kind, content in (("controls", controls), ("tasks", tasks)):
        assert problems(run_import(db, analyst, kind, content, dry_run=False)) == []
        again = run_import(db, analyst, kind, content, dry_run=False)
        assert (again.unchanged, again.failed) == (1, 0)
    control = db.scalar(select(Control).where(Control.ref == "AC-1"))
    task = db.scalar(select(Task).where(Task.ref == "T-IMP-1"))
    assert control.status == "partially_implemented"
    assert (task.status, task.priority, task.control_id) == ("done", "high", control.id)
    assert task.completed_at is not None


def test_lookups_cost_the_same_whatever_the_number_of_rows(db, world, principal_for, count_queries):
    analyst = principal_for("analyst")
    headers = ["Reference", "Name", "Unit", "Type", "Owner", "Tags", "Dependencies"]

    def rows(n: int) -> list[list[str]]:
        return [
            [f"Q-{i}", f"q-{i}", "division-a", "Server", "Analyst", "a; b", "base"]
            for i in range(n)
        ]

    make_asset(db, analyst, world.units["division-a"], name="base")
    small, large = csv_file(headers, rows(5)), csv_file(headers, rows(60))
    run_import(db, analyst, "assets", large, dry_run=False)
    with count_queries() as few:
        report = run_import(db, analyst, "assets", small, dry_run=True)
    assert report.unchanged == 5
    with count_queries() as many:
        report = run_import(db, analyst, "assets", large, dry_run=True)
    assert report.unchanged == 60
    assert many.count == few.count


def test_what_the_export_shows_as_outside_the_readers_units_is_kept(db, world, principal_for):
    admin, analyst = principal_for("admin"), principal_for("analyst")
    seen = make_control(db, world.units["division-a"], ref="AC-1", title="Access")
    hidden = make_control(db, world.units["division-b"], ref="BC-9", title="Backups")
    data = RiskCreate(
        unit_id=world.units["division-a"],
        ref="R-OUT",
        title="Fraud",
        category="financial",
        owner_id=world.users["analyst_b"],
        inherent_likelihood=2,
        inherent_impact=3,
        control_ids=[seen.id, hidden.id],
    )
    risk = risks.create_risk(session=db, principal=admin, data=data)
    headers = ["Reference", "Title", "Owner", "Controls", "Treatment plan"]
    row = ["R-OUT", "Fraud", "(outside your units)", "AC-1; (outside your units)", "'-"]
    report = run_import(db, analyst, "risks", csv_file(headers, [row]), dry_run=False)
    assert problems(report) == [] and report.updated == 1
    assert [(c.label, c.after) for c in report.rows[0].changes] == [("Treatment plan", "-")]
    after = risks.get_risk(session=db, principal=admin, risk_id=risk.id)
    assert after.owner_id == world.users["analyst_b"]
    assert sorted(after.control_ids) == sorted([seen.id, hidden.id])
    new = ["R-NEW", "New", "(outside your units)", "", ""]
    refused = run_import(db, analyst, "risks", csv_file(headers, [new]), dry_run=True)
    assert [(p.row, p.column) for p in refused.errors][:1] == [(2, "Owner")]
