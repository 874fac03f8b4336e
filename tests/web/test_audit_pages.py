"""The audit trail page: who may read it, filters, before → after, CSV export and scoping."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskUpdate
from tests.factories.risks import make_risk
from tests.web.exported import csv_rows

SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@pytest.fixture
def changes(db, world, principal_for):
    """A risk in each division, the one in division-a then renamed."""
    admin = principal_for("admin")
    alpha = make_risk(db, admin, world.units["division-a"], title="Alpha phishing")
    beta = make_risk(db, admin, world.units["division-b"], title="Beta fraud")
    risks.update_risk(
        session=db, principal=admin, risk_id=alpha.id, data=RiskUpdate(title="Alpha spear phishing")
    )
    db.commit()
    return {"alpha": alpha.id, "beta": beta.id}


@pytest.mark.parametrize("name", ["admin", "readonly", "admin_a", "readonly_a"])
def test_admins_and_readonly_users_read_the_trail(browser_for, name) -> None:
    browser = browser_for(name)
    assert 'href="/audit"' in browser.get("/audit").text
    assert browser.get("/audit").status_code == 200
    assert browser.get("/audit?format=csv").status_code == 200


@pytest.mark.parametrize("name", ["analyst", "analyst_b"])
def test_analysts_are_refused(browser_for, name) -> None:
    browser = browser_for(name)
    assert 'href="/audit"' not in browser.get("/risks").text
    assert browser.get("/audit").status_code == 403
    assert browser.get("/audit?format=csv").status_code == 403


def test_events_show_actor_unit_link_and_before_after(browser_for, changes) -> None:
    page = browser_for("admin").get("/audit?entity_type=risk").text
    assert page.index("Alpha spear phishing") < page.index("Beta fraud")  # newest first
    assert f'href="/risks/{changes["alpha"]}"' in page
    assert "Admin" in page and "admin@example.com" in page
    assert "division-a" in page and "division-b" in page
    assert "<del>Alpha phishing</del>" in page and "<ins>Alpha spear phishing</ins>" in page
    assert 'name="entity_type"' in page and '<option value="risk" selected>' in page


def test_filters_narrow_the_events(browser_for, world, changes) -> None:
    admin = browser_for("admin")
    updates = admin.get("/audit?entity_type=risk&action=update").text
    assert "Alpha spear phishing" in updates and "Beta fraud" not in updates
    by_id = admin.get(f"/audit?entity_type=risk&entity_id={changes['beta']}").text
    assert "Beta fraud" in by_id and "Alpha" not in by_id
    by_actor = admin.get(f"/audit?entity_type=risk&actor_id={world.users['admin']}").text
    assert "Beta fraud" in by_actor
    nobody = admin.get(f"/audit?entity_type=risk&actor_id={world.users['analyst']}").text
    assert "No changes match" in nobody
    today = datetime.now(UTC).date()
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    assert "Beta fraud" in admin.get(f"/audit?since={today}&until={today}").text
    assert "No changes match" in admin.get(f"/audit?since={tomorrow}").text
    assert "No changes match" in admin.get(f"/audit?until={yesterday}").text
    invalid = admin.get("/audit?since=last-week&entity_id=abc")
    assert invalid.status_code == 422
    assert 'id="e-since"' in invalid.text and 'id="e-entity_id"' in invalid.text
    reversed_range = admin.get(f"/audit?since={today}&until={yesterday}")
    assert reversed_range.status_code == 422 and 'id="e-until"' in reversed_range.text


def test_pagination_keeps_the_filters(browser_for, changes) -> None:
    page = browser_for("admin").get("/audit?entity_type=risk&limit=2").text
    assert "1–2 of 3" in page
    assert 'href="?entity_type=risk&amp;limit=2&amp;offset=2"' in page


def test_csv_export_of_the_filtered_events(browser_for, changes) -> None:
    rows = csv_rows(browser_for("admin").get("/audit?entity_type=risk&action=update&format=csv"))
    assert len(rows) == 1
    (row,) = rows
    assert row["Object type"] == "Risk" and row["Object id"] == str(changes["alpha"])
    assert row["Object"] == "Alpha spear phishing"
    assert row["Actor email"] == "admin@example.com" and row["Actor"] == "Admin"
    assert row["Unit"] == "division-a" and row["Action"] == "Updated"
    assert row["Changes"] == "Title: Alpha phishing → Alpha spear phishing"
    assert SECOND.fullmatch(row["Occurred at"])
    everything = csv_rows(browser_for("admin").get("/audit?entity_type=risk&format=csv"))
    assert {r["Object id"] for r in everything} == {str(changes["alpha"]), str(changes["beta"])}


def test_readers_only_see_events_of_their_units(browser_for, changes) -> None:
    readonly_a = browser_for("readonly_a")
    page = readonly_a.get("/audit?entity_type=risk").text
    assert "Alpha spear phishing" in page and "Beta fraud" not in page
    rows = csv_rows(readonly_a.get("/audit?format=csv"))
    assert rows and all(row["Unit"] in ("division-a", "team-a1") for row in rows)
    assert str(changes["beta"]) not in {r["Object id"] for r in rows if r["Object type"] == "Risk"}
    hidden = readonly_a.get(f"/audit?entity_type=risk&entity_id={changes['beta']}").text
    assert "No changes match" in hidden


def test_admin_changes_appear_with_links_for_administrators(browser_for, world) -> None:
    admin_a = browser_for("admin_a")
    created = admin_a.post(
        "/admin/units/new", {"parent_id": str(world.units["division-a"]), "name": "squad-z"}
    )
    unit_id = created.headers["location"].split("/")[-1].split("?")[0]
    page = admin_a.get("/audit?entity_type=unit&action=create").text
    assert "squad-z" in page and f'href="/admin/units/{unit_id}"' in page
    readonly_page = browser_for("readonly").get("/audit?entity_type=unit").text
    assert "squad-z" in readonly_page and f'href="/admin/units/{unit_id}"' not in readonly_page


def test_the_page_reads_the_database_a_fixed_number_of_times(
    browser_for, db, world, principal_for, count_queries
) -> None:
    make_risk(db, principal_for("admin"), world.units["division-a"], title="First")
    db.commit()
    admin = browser_for("admin")
    with count_queries() as few:
        assert admin.get("/audit").status_code == 200
    for n in range(12):
        make_risk(db, principal_for("admin"), world.units["division-a"], title=f"Risk {n}")
    db.commit()
    with count_queries() as many:
        page = admin.get("/audit")
    assert page.status_code == 200 and "Risk 11" in page.text
    assert many.count == few.count
