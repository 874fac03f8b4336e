"""Every list export re-imports unchanged: the CSV and the workbook, as the admin and as a
division analyst who sees only part of what the objects are linked to."""

from __future__ import annotations

import re

import pytest

from tests.factories.imports import csv_file
from tests.web.exported import csv_rows, xlsx_rows
from tests.web.round_trip import (
    KINDS,
    Linked,
    api_import,
    build_linked,
    change_everything,
    exported,
    moving,
    stored,
)

OUTSIDE = "(outside your units)"
TOKEN = re.compile(r'name="upload_token" value="([^"]+)"')
SELECTED = re.compile(r'<select id="f-column-(\d+)" name="column-\d+">.*?</select>', re.S)
FIRST = {"assets": "Name", "risks": "Title", "controls": "Title", "tasks": "Title"}


@pytest.fixture
def linked(db, world, principal_for, scene) -> Linked:
    """The listed register, objects linked out of division-a, names shared by two objects."""
    return build_linked(db, world, principal_for, scene)


@pytest.mark.parametrize("user", ["admin", "analyst"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_export_reimports_unchanged(
    kind, fmt, user, linked: Linked, browser_for, client, token_for, db, principal_for
):
    content = exported(browser_for(user), kind, fmt)
    headers = token_for(user)
    admin = principal_for("admin")
    before = stored(db, admin, kind)

    dry = api_import(client, headers, kind, content, fmt, dry_run=True)
    assert dry["errors"] == []
    assert dry["total"] > 1 and (dry["created"], dry["updated"], dry["failed"]) == (0, 0, 0)
    assert dry["unchanged"] == dry["total"] and not dry["applied"]
    columns = {column["header"]: column["field"] for column in dry["columns"]}
    assert columns["Reference"] == "ref" and columns["Unit"] == "unit_id"
    assert stored(db, admin, kind) == before

    done = api_import(client, headers, kind, content, fmt, dry_run=False)
    assert done["errors"] == [] and done["applied"]
    assert done["unchanged"] == done["total"] == dry["total"]
    assert stored(db, admin, kind) == before  # versions, links, owners and audit trail


@pytest.mark.parametrize("kind", KINDS)
def test_every_export_starts_with_the_reference(kind, linked: Linked, browser_for):
    rows = csv_rows(browser_for("admin").get(f"/{kind}?format=csv"))
    assert list(rows[0])[:2] == ["Reference", FIRST[kind]]
    assert all(row["Reference"] for row in rows)


def test_the_analysts_export_names_what_is_out_of_sight_and_the_import_keeps_it(
    linked: Linked, browser_for, client, token_for, db, principal_for
):
    analyst = browser_for("analyst")
    assets = {row["Reference"]: row for row in csv_rows(analyst.get("/assets?format=csv"))}
    assert assets["A-PROXY"]["Dependencies"] == f"shop-web; {OUTSIDE}"
    assert assets["A-PROXY"]["Owner"] == OUTSIDE
    risks = {row["Reference"]: row for row in csv_rows(analyst.get("/risks?format=csv"))}
    assert risks["R-PROXY"]["Assets"] == f"shop-web; {OUTSIDE}"
    assert risks["R-PROXY"]["Controls"].endswith(OUTSIDE)
    tasks = {row["Reference"]: row for row in csv_rows(analyst.get("/tasks?format=csv"))}
    assert (tasks["T-PROXY"]["Control"], tasks["T-PROXY"]["Assignee"]) == (OUTSIDE, OUTSIDE)

    admin = principal_for("admin")
    before = {kind: stored(db, admin, kind) for kind in KINDS}
    for kind in KINDS:
        content = exported(analyst, kind, "xlsx")
        report = api_import(client, token_for("analyst"), kind, content, "xlsx", dry_run=False)
        assert report["unchanged"] == report["total"], report
    after = {kind: stored(db, admin, kind) for kind in KINDS}
    assert after == before
    proxy = after["assets"]["objects"][linked.proxy]
    assert sorted(proxy["depends_on_ids"]) == sorted(
        [linked.scene.hidden_asset, linked.scene.seen_asset]
    )
    assert proxy["owner_id"] == linked.scene.owner
    risk = after["risks"]["objects"][linked.proxy_risk]
    assert linked.scene.hidden_control in risk["control_ids"]
    assert linked.scene.hidden_asset in risk["asset_ids"]
    task = after["tasks"]["objects"][linked.proxy_task]
    assert (task["control_id"], task["assignee_id"]) == (
        linked.scene.hidden_control,
        linked.scene.owner,
    )


def test_the_export_reads_in_labels_names_and_dates_that_the_import_reads_back(
    linked: Linked, browser_for, client, token_for, db, principal_for, world
):
    admin_browser, headers = browser_for("admin"), token_for("admin")
    files = {kind: exported(admin_browser, kind, "xlsx") for kind in KINDS}
    risk_rows = xlsx_rows(admin_browser.get("/risks?format=xlsx"))
    (risk,) = [row for row in risk_rows if row["Reference"] == f"R-{linked.listed['risk']:06d}"]
    assert (risk["Status"], risk["Category"], risk["Treatment"]) == (
        "In treatment",
        "Operational",
        "Mitigate",
    )
    assert (risk["Owner"], risk["Unit"], risk["Assets"]) == ("Analyst_B", "division-a", "web-01")
    assert str(risk["Next review date"].date()) == "2027-01-15"
    (task,) = [
        r
        for r in csv_rows(admin_browser.get("/tasks?format=csv"))
        if r["Title"] == "Train accountants"
    ]
    assert (task["Priority"], task["Assignee"], task["Due date"]) == (
        "Urgent",
        "Analyst",
        "2027-02-01",
    )
    assert task["Risk"] == "Hameçonnage ciblé"  # shared by two risks: read as the one linked

    admin = principal_for("admin")
    before = {kind: stored(db, admin, kind) for kind in KINDS}
    changed = change_everything(db, admin, linked, world)
    for kind in KINDS:
        report = api_import(client, headers, kind, files[kind], "xlsx", dry_run=False)
        assert report["errors"] == [] and report["updated"] == 1, report
        (row,) = [row for row in report["rows"] if row["action"] == "update"]
        assert {change["label"] for change in row["changes"]} == changed[kind]
    after = {kind: stored(db, admin, kind)["objects"] for kind in KINDS}
    for kind in KINDS:
        assert after[kind] == {
            oid: {**read, **moving(after[kind][oid])}
            for oid, read in before[kind]["objects"].items()
        }


def test_the_import_pages_find_nothing_to_change_in_an_export(linked: Linked, browser_for, db):
    analyst = browser_for("analyst")
    content = exported(analyst, "risks", "xlsx")
    page = analyst.post(
        "/imports/risks",
        files={"file": ("risks.xlsx", content, "application/octet-stream")},
        data={"unit_id": ""},
    )
    assert page.status_code == 200, page.text
    chosen = {}
    for match in SELECTED.finditer(page.text):
        selected = re.search(r'<option value="([^"]*)" selected>', match.group(0))
        chosen[f"column-{match.group(1)}"] = selected.group(1) if selected else ""
    form = {"upload_token": TOKEN.search(page.text).group(1), "unit_id": "", **chosen}
    check = analyst.post("/imports/risks/check", form)
    assert check.status_code == 200, check.text
    assert "importing it would change nothing" in check.text


def test_a_file_written_by_hand_in_the_export_format_still_imports(linked, client, token_for):
    content = csv_file(
        ["Reference", "Name", "Unit", "Type", "Criticality", "Owner", "Dependencies"],
        [["A-HAND-1", "hand-made", "division-a", "Database", "High", "Analyst", "shop-web"]],
    )
    report = api_import(client, token_for("analyst"), "assets", content, "csv", dry_run=True)
    assert (report["created"], report["errors"]) == (1, [])
