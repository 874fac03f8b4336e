"""Asset inventory pages: list, filters, CSV, form validation, dependencies, scoping, roles."""

from __future__ import annotations

import re

from tests.factories.assets import make_asset
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task
from tests.web.exported import csv_rows


def _offered(html: str, name: str) -> set[int]:
    """The ids a picker of the page offers for the field `name`."""
    return {int(v) for v in re.findall(rf'name="{name}" value="(\d+)"', html)}


def test_analyst_creates_an_asset_with_tags_and_a_dependency(
    browser_for, db, world, principal_for
) -> None:
    database = make_asset(
        db, principal_for("admin"), world.units["division-a"], name="db-01", type="database"
    )
    db.commit()
    browser = browser_for("analyst")
    form = browser.get("/assets/new")
    assert form.status_code == 200
    assert 'name="tags"' in form.text and 'name="depends_on_ids"' in form.text
    assert database.id in _offered(form.text, "depends_on_ids")
    response = browser.post(
        "/assets/new",
        {
            "name": "shop-web",
            "unit_id": str(world.units["division-a"]),
            "type": "application",
            "criticality": "high",
            "environment": "production",
            "data_classification": "confidential",
            "hostname": "shop.example.com",
            "tags": "PCI, internet-facing",
            "depends_on_ids": str(database.id),
        },
    )
    assert response.status_code == 303, response.text
    detail = browser.get(response.headers["location"])
    assert detail.status_code == 200
    assert "shop-web" in detail.text and "shop.example.com" in detail.text
    assert ">pci</a>" in detail.text and ">internet-facing</a>" in detail.text
    assert f'href="/assets/{database.id}">db-01</a>' in detail.text
    asset_id = response.headers["location"].rsplit("/", 1)[1]
    needed_by = browser.get(f"/assets/{database.id}")
    assert f'href="/assets/{asset_id}">shop-web</a>' in needed_by.text


def test_invalid_form_shows_errors_next_to_fields_and_saves_nothing(browser_for, world) -> None:
    browser = browser_for("analyst")
    base = {"unit_id": str(world.units["division-a"]), "type": "server"}
    empty = browser.post("/assets/new", {**base, "name": ""})
    assert empty.status_code == 422 and 'id="e-name"' in empty.text
    bad = browser.post(
        "/assets/new",
        {**base, "name": "edge-01", "ip_address": "999.1.1.1", "tags": "ok, not a tag!"},
    )
    assert bad.status_code == 422
    assert 'id="e-ip_address"' in bad.text and 'id="e-tags"' in bad.text
    assert 'value="edge-01"' in bad.text and 'value="ok, not a tag!"' in bad.text
    assert "No assets match" in browser.get("/assets").text


def test_an_asset_cannot_depend_on_itself(browser_for, db, world, principal_for) -> None:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"], name="loop")
    db.commit()
    browser = browser_for("analyst")
    form = browser.get(f"/assets/{asset.id}/edit")
    assert form.status_code == 200 and asset.id not in _offered(form.text, "depends_on_ids")
    response = browser.post(
        f"/assets/{asset.id}/edit",
        {
            "name": "loop",
            "unit_id": str(world.units["division-a"]),
            "type": "server",
            "criticality": "medium",
            "environment": "production",
            "data_classification": "internal",
            "depends_on_ids": str(asset.id),
        },
    )
    assert response.status_code == 422 and 'id="e-depends_on_ids"' in response.text
    assert browser.get(f"/assets/{asset.id}").text.count("This asset depends on no other") == 1


def test_list_filters_sort_and_csv_export_are_scoped(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    unit_a, unit_b = world.units["division-a"], world.units["division-b"]
    make_asset(db, admin, unit_a, name="alpha-db", type="database", criticality="critical")
    make_asset(db, admin, unit_a, name="alpha-web", tags=["pci"], environment="staging")
    make_asset(db, admin, unit_b, name="beta-db", type="database", criticality="critical")
    db.commit()
    analyst = browser_for("analyst")
    assert analyst.get("/assets").status_code == 200
    found = analyst.get("/assets?type=database&criticality=critical&sort=-name").text
    assert "alpha-db" in found and "alpha-web" not in found and "beta-db" not in found
    assert "alpha-web" in analyst.get("/assets?tag=pci").text
    staged = analyst.get("/assets?environment=staging").text
    assert "alpha-web" in staged and "alpha-db" not in staged
    searched = analyst.get("/assets?q=alpha").text
    assert "alpha-db" in searched and "alpha-web" in searched
    rows = csv_rows(analyst.get("/assets?format=csv&q=alpha&sort=name"))
    assert [row["Name"] for row in rows] == ["alpha-db", "alpha-web"]
    assert rows[1]["Tags"] == "pci" and rows[1]["Environment"] == "Staging"
    sibling = browser_for("analyst_b")
    assert "No assets match" in sibling.get("/assets?q=alpha").text
    assert [row["Name"] for row in csv_rows(sibling.get("/assets?format=csv"))] == ["beta-db"]
    by_type = sibling.get("/assets?type=database").text
    assert "beta-db" in by_type and "alpha-db" not in by_type


def test_detail_shows_dependencies_both_ways_risks_and_tasks_within_scope(
    browser_for, db, world, principal_for
) -> None:
    admin = principal_for("admin")
    unit_a, unit_b = world.units["division-a"], world.units["division-b"]
    storage = make_asset(db, admin, unit_a, name="san-01")
    hidden = make_asset(db, admin, unit_b, name="beta-dns")
    app = make_asset(db, admin, unit_a, name="erp", depends_on_ids=[storage.id, hidden.id])
    frontend = make_asset(db, admin, unit_a, name="erp-portal", depends_on_ids=[app.id])
    make_risk(db, admin, unit_a, title="ERP outage", asset_ids=[app.id])
    make_task(db, admin, unit_a, title="Patch the ERP", asset_id=app.id)
    db.commit()
    page = browser_for("analyst").get(f"/assets/{app.id}")
    assert page.status_code == 200
    assert f'href="/assets/{storage.id}">san-01</a>' in page.text
    assert f'href="/assets/{frontend.id}">erp-portal</a>' in page.text
    assert "beta-dns" not in page.text
    assert "ERP outage" in page.text and "Patch the ERP" in page.text
    assert f'href="/tasks/new?asset_id={app.id}"' in page.text


def test_sibling_division_cannot_open_change_or_delete_an_asset(
    browser_for, db, world, principal_for
) -> None:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"], name="hidden")
    db.commit()
    sibling = browser_for("analyst_b")
    assert sibling.get(f"/assets/{asset.id}").status_code == 404
    assert sibling.get(f"/assets/{asset.id}/edit").status_code == 404
    assert sibling.post(f"/assets/{asset.id}/edit", {"name": "x"}).status_code == 404
    assert sibling.post(f"/assets/{asset.id}/delete").status_code == 404
    assert browser_for("analyst").get(f"/assets/{asset.id}").status_code == 200


def test_readonly_sees_no_edit_controls_and_is_refused_by_the_server(
    browser_for, db, world, principal_for
) -> None:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"], name="read-me")
    db.commit()
    reader = browser_for("readonly")
    detail = reader.get(f"/assets/{asset.id}")
    assert detail.status_code == 200 and "read-me" in detail.text
    assert f"/assets/{asset.id}/edit" not in detail.text and "Delete" not in detail.text
    listing = reader.get("/assets")
    assert listing.status_code == 200 and "New asset" not in listing.text
    assert "/assets/new" not in listing.text
    assert reader.get("/assets/new").status_code == 403
    assert reader.get(f"/assets/{asset.id}/edit").status_code == 403
    assert reader.post("/assets/new", {"name": "x", "type": "server"}).status_code == 403
    assert reader.post(f"/assets/{asset.id}/edit", {"name": ""}).status_code == 403
    assert reader.post(f"/assets/{asset.id}/delete").status_code == 403
    assert "read-me" in reader.get(f"/assets/{asset.id}").text


def test_edit_clears_blank_fields_and_delete_asks_first(
    browser_for, db, world, principal_for
) -> None:
    asset = make_asset(
        db,
        principal_for("admin"),
        world.units["division-a"],
        name="mail-01",
        hostname="mail.example.com",
        tags=["legacy"],
    )
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get(f"/assets/{asset.id}/edit")
    assert 'value="legacy"' in form.text and 'value="mail.example.com"' in form.text
    saved = analyst.post(
        f"/assets/{asset.id}/edit",
        {
            "name": "mail-02",
            "unit_id": str(world.units["division-a"]),
            "type": "server",
            "criticality": "low",
            "environment": "corporate",
            "data_classification": "internal",
            "hostname": "",
            "tags": "",
        },
    )
    assert saved.status_code == 303, saved.text
    detail = analyst.get(f"/assets/{asset.id}").text
    assert "mail-02" in detail and "mail.example.com" not in detail and "legacy" not in detail
    assert 'data-confirm="Delete this asset?' in detail
    assert analyst.post(f"/assets/{asset.id}/delete").status_code == 303
    assert analyst.get(f"/assets/{asset.id}").status_code == 404


def test_the_empty_inventory_says_what_to_do_next(browser_for) -> None:
    analyst = browser_for("analyst").get("/assets")
    assert "No assets match" in analyst.text and 'href="/assets/new"' in analyst.text
    reader = browser_for("readonly").get("/assets")
    assert "No assets match" in reader.text and 'href="/assets/new"' not in reader.text


def test_list_and_detail_cost_the_same_queries_whatever_their_size(
    browser_for, db, world, principal_for, count_queries
) -> None:
    admin = principal_for("admin")
    unit = world.units["division-a"]
    hub = make_asset(db, admin, unit, name="hub")
    make_asset(db, admin, unit, name="spoke-0", tags=["t0"], depends_on_ids=[hub.id])
    make_risk(db, admin, unit, title="Risk 0", asset_ids=[hub.id])
    make_task(db, admin, unit, title="Task 0", asset_id=hub.id)
    db.commit()
    analyst = browser_for("analyst")
    with count_queries() as few:
        assert analyst.get("/assets").status_code == 200
        assert analyst.get(f"/assets/{hub.id}").status_code == 200
    for n in range(1, 12):
        make_asset(db, admin, unit, name=f"spoke-{n}", tags=[f"t{n}"], depends_on_ids=[hub.id])
        make_risk(db, admin, unit, title=f"Risk {n}", asset_ids=[hub.id])
        make_task(db, admin, unit, title=f"Task {n}", asset_id=hub.id)
    db.commit()
    with count_queries() as many:
        assert analyst.get("/assets").status_code == 200
        assert analyst.get(f"/assets/{hub.id}").status_code == 200
    assert many.count == few.count
