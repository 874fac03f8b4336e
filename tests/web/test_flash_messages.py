"""After a create or a save the next page says so once, through a signed cookie."""

from __future__ import annotations

import re

import pytest

from tests.factories.controls import insert_framework
from tests.factories.tasks import make_risk
from tests.web.conftest import Browser
from tests.web.html_forms import submitted_fields

COOKIE_NAME = "aegis_flash"
MESSAGE = re.compile(r'<p class="alert alert--success" role="status">([^<]*)</p>')


def _message(page: str) -> str | None:
    found = MESSAGE.search(page)
    return found.group(1) if found else None


def _created(browser: Browser, url: str, body: dict[str, str]) -> str:
    response = browser.post(url, body)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert "?" not in location
    return str(location)


def test_a_created_risk_is_announced_once(browser_for, world) -> None:
    browser = browser_for("analyst")
    body = {
        "title": "Card data leak",
        "unit_id": str(world.units["division-a"]),
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": "4",
        "inherent_impact": "5",
    }
    page = _created(browser, "/risks/new", body)
    first = browser.get(page)
    assert _message(first.text) == "The risk was created."
    assert _message(browser.get(page).text) is None
    assert _message(browser.get("/risks").text) is None


def test_a_saved_risk_is_announced_and_a_refused_one_is_not(browser_for, world) -> None:
    browser = browser_for("analyst")
    body = {
        "title": "Card data leak",
        "unit_id": str(world.units["division-a"]),
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": "4",
        "inherent_impact": "5",
    }
    page = _created(browser, "/risks/new", body)
    browser.get(page)
    refused = browser.post(f"{page}/edit", {**body, "inherent_likelihood": "42"})
    assert refused.status_code == 422 and _message(refused.text) is None
    saved = browser.post(f"{page}/edit", {**body, "title": "Card data leak (PCI)"})
    assert saved.status_code == 303
    assert _message(browser.get(saved.headers["location"]).text) == "The risk was saved."


def test_every_kind_of_object_is_announced(browser_for, db, world) -> None:
    unit = str(world.units["division-a"])
    risk = make_risk(db, world.units["division-a"])
    framework, _ = insert_framework(db, world.units["company"], ("R1",))
    db.commit()
    browser = browser_for("analyst")
    creations = {
        "/assets/new": ({"name": "db-01", "type": "database", "unit_id": unit}, "asset"),
        "/controls/new": ({"ref": "AC-1", "title": "Access reviews", "unit_id": unit}, "control"),
        "/tasks/new": (
            {"title": "Patch", "kind": "remediation", "priority": "high", "risk_id": str(risk.id)},
            "task",
        ),
        "/assessments/new": (
            {"name": "Q3", "framework_id": str(framework.id), "unit_id": unit, "status": "planned"},
            "assessment",
        ),
    }
    for url, (body, noun) in creations.items():
        page = _created(browser, url, body)
        assert _message(browser.get(page).text) == f"The {noun} was created.", url
        edit = f"{page}/edit"
        saved = browser.post(edit, dict(submitted_fields(browser.get(edit).text, edit)))
        assert saved.status_code == 303, saved.text
        assert _message(browser.get(page).text) == f"The {noun} was saved.", url
        assert _message(browser.get(page).text) is None
    link = {"title": "Runbook", "unit_id": unit, "url": "https://wiki.example/runbook"}
    page = _created(browser, "/evidence/links/new", link)
    assert _message(browser.get(page).text) == "The evidence was added."
    assert browser.post(f"{page}/edit", {**link, "title": "Runbook v2"}).status_code == 303
    assert _message(browser.get(page).text) == "The evidence was saved."


def test_an_htmx_fragment_leaves_the_message_for_the_page(browser_for, world) -> None:
    browser = browser_for("analyst")
    unit = str(world.units["division-a"])
    page = _created(browser, "/controls/new", {"ref": "AC-2", "title": "Backups", "unit_id": unit})
    fragment = browser.client.get(
        "/form-parts/requirements?name=requirement_ids",
        headers={"HX-Request": "true", "Accept": "text/html"},
    )
    assert fragment.status_code == 200 and _message(fragment.text) is None
    assert _message(browser.get(page).text) == "The control was created."


@pytest.mark.parametrize("value", ["The risk was deleted.", "junk"])
def test_a_message_not_signed_by_aegis_is_ignored_and_dropped(browser_for, value) -> None:
    browser = browser_for("analyst")
    browser.client.cookies.set(COOKIE_NAME, value)
    page = browser.get("/risks")
    assert page.status_code == 200 and _message(page.text) is None
    assert COOKIE_NAME in page.headers.get("set-cookie", "")  # deleted
