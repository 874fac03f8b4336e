"""List pages read the new filters from the URL, show them as chips and export the same rows."""

from __future__ import annotations

from tests.factories.register import build_register
from tests.web.exported import csv_rows


def test_the_page_and_the_export_share_the_filters(
    browser_for, client, token_for, db, world, principal_for
) -> None:
    build_register(db, world, principal_for, seed=5)
    db.commit()
    query = f"above_appetite=true&open=true&within_unit_id={world.units['division-a']}"
    api = client.get(f"/api/v1/risks?{query}&limit=200", headers=token_for("analyst")).json()
    analyst = browser_for("analyst")
    page = analyst.get(f"/risks?{query}")
    assert page.status_code == 200
    assert "Above appetite (score &gt; 10)" in page.text
    assert "Unit: division-a and the units below it" in page.text
    assert 'name="above_appetite" type="checkbox" value="true" checked' in page.text
    assert f'name="within_unit_id" value="{world.units["division-a"]}"' in page.text
    titles = {item["title"] for item in api["items"]}
    assert titles and all(title in page.text for title in titles)
    rows = csv_rows(analyst.get(f"/risks?{query}&format=csv"))
    assert {row["Title"] for row in rows} == titles


def test_chips_word_each_filter_and_remove_it(browser_for, db, world, principal_for) -> None:
    build_register(db, world, principal_for, seed=2)
    db.commit()
    admin = browser_for("admin")
    owner = world.users["analyst"]
    page = admin.get(f"/risks?owner_id={owner}&current_level=High&review_overdue=true").text
    assert "Owner: Analyst" in page and "Current level (residual once assessed): High" in page
    assert "Review overdue" in page
    assert f'href="/risks?owner_id={owner}&amp;current_level=High"' in page
    tasks = admin.get(f"/tasks?overdue=true&within_unit_id={world.units['team-a1']}").text
    assert "Overdue" in tasks and "Unit: team-a1 and the units below it" in tasks
    evidence = admin.get("/evidence?expiring_within_days=0").text
    assert "Expiring today" in evidence and 'href="/evidence"' in evidence
