"""A refused save comes back as the form, with the message next to the field and the input kept."""

from __future__ import annotations

import html
import re
from collections import defaultdict

import pytest

from tests.factories.controls import insert_framework
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task
from tests.web.conftest import Browser
from tests.web.html_forms import submitted_fields, with_changes


def _errors(page: str) -> dict[str, str]:
    """The message shown next to each field, by field name."""
    found = re.findall(r'<p class="error" id="e-([^"]+)">(.*?)</p>', page, flags=re.S)
    return {name: html.unescape(text.strip()) for name, text in found}


def _options(page: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of the options of one select."""
    block = re.search(rf'<select id="f-{name}".*?</select>', page, re.S)
    assert block, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block.group(0))


def _selected(page: str, name: str) -> str:
    block = re.search(rf'<select id="f-{name}".*?</select>', page, re.S)
    assert block, f"no select {name}"
    found = re.search(r'<option value="([^"]*)" selected>', block.group(0))
    return found.group(1) if found else ""


def _resubmit(browser: Browser, url: str, **changes: str):  # type: ignore[no-untyped-def]
    """Open an edit page, change some fields as a person (or a forged request) would, save."""
    page = browser.get(url)
    assert page.status_code == 200, page.text
    form: dict[str, list[str]] = defaultdict(list)
    for name, value in with_changes(submitted_fields(page.text, url), **changes):
        form[name].append(value)
    return browser.post(url, dict(form))


def test_the_risk_form_offers_the_current_status_and_the_next_ones(
    browser_for, db, world, principal_for
) -> None:
    unit = world.units["division-a"]
    new = make_risk(db, principal_for("analyst"), unit, title="New one")
    assessed = make_risk(db, principal_for("analyst"), unit, title="Rated", status="assessed")
    db.commit()
    browser = browser_for("analyst")
    page = browser.get(f"/risks/{new.id}/edit").text
    assert _options(page, "status") == [
        ("identified", "Identified"),
        ("assessed", "Assessed"),
        ("closed", "Closed"),
    ]
    assert _selected(page, "status") == "identified"
    page = browser.get(f"/risks/{assessed.id}/edit").text
    assert [label for _, label in _options(page, "status")] == [
        "Assessed",
        "Treatment planned",
        "Closed",
    ]
    # accepted and acceptance expired come from approved requests, never from the form
    assert [label for _, label in _options(browser.get("/risks/new").text, "status")] == [
        "Identified",
        "Assessed",
        "Treatment planned",
        "In treatment",
        "Monitoring",
        "Closed",
    ]


def test_a_forbidden_risk_status_is_refused_on_the_form(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], title="Old title")
    db.commit()
    browser = browser_for("analyst")
    url = f"/risks/{risk.id}/edit"
    refused = _resubmit(
        browser, url, title="Typed title", description="Typed words", status="monitoring"
    )
    assert refused.status_code == 409
    assert _errors(refused.text) == {
        "status": "A risk cannot go from Identified to Monitoring; "
        "from Identified it can go to: Assessed, Closed"
    }
    assert 'value="Typed title"' in refused.text and ">Typed words</textarea>" in refused.text
    assert _selected(refused.text, "status") == "monitoring"
    assert ("monitoring", "Monitoring") in _options(refused.text, "status")
    assert "Back to the dashboard" not in refused.text
    assert "Old title" in browser.get(f"/risks/{risk.id}").text  # nothing saved


def test_acceptance_rules_and_a_forbidden_unit_are_shown_on_the_risk_form(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], status="assessed")
    db.commit()
    browser = browser_for("analyst")
    url = f"/risks/{risk.id}/edit"
    unaccepted = _resubmit(browser, url, title="Accept it", status="accepted")
    assert unaccepted.status_code == 409
    assert _errors(unaccepted.text) == {
        "status": "A risk becomes accepted only when someone other than the requester approves "
        "a request to accept it: ask for acceptance on the risk's page"
    }
    assert _selected(unaccepted.text, "status") == "accepted"
    assert 'value="Accept it"' in unaccepted.text
    moved = _resubmit(browser, url, title="Moved away", unit_id=str(world.units["division-b"]))
    assert moved.status_code == 403
    assert _errors(moved.text) == {"unit_id": "You may not change objects of this unit"}
    assert 'value="Moved away"' in moved.text


def test_a_duplicate_control_reference_is_shown_on_the_form(browser_for, world) -> None:
    browser = browser_for("analyst")
    body = {"ref": "AC-7", "title": "Access reviews", "unit_id": str(world.units["division-a"])}
    assert browser.post("/controls/new", body).status_code == 303
    taken = browser.post("/controls/new", {**body, "title": "Typed again"})
    assert taken.status_code == 409
    assert _errors(taken.text) == {"ref": "Another control of this unit already has this reference"}
    assert 'value="Typed again"' in taken.text and 'value="AC-7"' in taken.text


def test_a_forbidden_task_status_is_refused_on_the_edit_form(
    browser_for, db, world, principal_for
) -> None:
    task = make_task(db, principal_for("analyst"), world.units["division-a"], title="Old")
    db.commit()
    browser = browser_for("analyst")
    url = f"/tasks/{task.id}/edit"
    assert browser.post(f"/tasks/{task.id}/status", {"status": "cancelled"}).status_code == 303
    page = browser.get(url).text
    assert _options(page, "status") == [("cancelled", "Cancelled"), ("open", "Open")]
    refused = _resubmit(browser, url, title="Typed title", status="done")
    assert refused.status_code == 409
    assert _errors(refused.text) == {
        "status": "A task cannot go from Cancelled to Done; from Cancelled it can go to: Open"
    }
    assert 'value="Typed title"' in refused.text
    assert _selected(refused.text, "status") == "done"
    assert ("done", "Done") in _options(refused.text, "status")


def test_a_refused_move_shows_the_task_page_with_the_message(
    browser_for, db, world, principal_for
) -> None:
    task = make_task(db, principal_for("analyst"), world.units["division-a"], title="Patch it")
    db.commit()
    browser = browser_for("analyst")
    assert browser.post(f"/tasks/{task.id}/status", {"status": "blocked"}).status_code == 303
    refused = browser.post(f"/tasks/{task.id}/status", {"status": "done"})
    assert refused.status_code == 409
    assert f'<p class="error" id="move-error-{task.id}">' in refused.text
    assert "A task cannot go from Blocked to Done" in refused.text
    assert 'aria-invalid="true"' in refused.text and "Patch it" in refused.text
    unknown = browser.post(f"/tasks/{task.id}/status", {"status": "finished"})
    assert unknown.status_code == 422 and "Choose a status" in unknown.text


def test_a_refused_move_on_the_board_shows_the_board_again(
    browser_for, db, world, principal_for
) -> None:
    task = make_task(db, principal_for("analyst"), world.units["division-a"], title="Rotate")
    db.commit()
    browser = browser_for("analyst")
    assert browser.post(f"/tasks/{task.id}/status", {"status": "blocked"}).status_code == 303
    refused = browser.client.post(
        f"/tasks/{task.id}/status",
        data={"status": "done", "next": "/tasks/board?priority=medium"},
        headers={"HX-Request": "true", "X-CSRF-Token": browser.csrf, "Accept": "text/html"},
    )
    assert refused.status_code == 409
    assert 'id="board"' in refused.text
    assert "“Rotate” was not moved: A task cannot go from Blocked to Done" in refused.text
    assert 'name="next" value="/tasks/board?priority=medium"' in refused.text


FORGED_UNIT = {
    "/risks/new": {
        "title": "Typed risk",
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": "3",
        "inherent_impact": "3",
    },
    "/assets/new": {"name": "Typed asset", "type": "server"},
    "/controls/new": {"ref": "X-1", "title": "Typed control"},
    "/evidence/links/new": {"title": "Typed link", "url": "https://wiki.example/typed"},
}


@pytest.mark.parametrize("url", list(FORGED_UNIT))
def test_a_unit_the_user_may_not_change_is_refused_next_to_the_unit(
    browser_for, world, url
) -> None:
    browser = browser_for("analyst")
    body = {**FORGED_UNIT[url], "unit_id": str(world.units["division-b"])}
    refused = browser.post(url, body)
    assert refused.status_code == 403
    assert _errors(refused.text) == {"unit_id": "You may not change objects of this unit"}
    typed = next(value for key, value in body.items() if key in ("title", "name"))
    assert f'value="{typed}"' in refused.text


def test_an_assessment_in_a_unit_the_user_may_not_change_is_refused_on_the_form(
    browser_for, db, world
) -> None:
    framework, _ = insert_framework(db, world.units["company"], ("R1",))
    db.commit()
    browser = browser_for("analyst")
    body = {
        "name": "Typed review",
        "framework_id": str(framework.id),
        "unit_id": str(world.units["division-b"]),
        "status": "planned",
    }
    refused = browser.post("/assessments/new", body)
    assert refused.status_code == 403
    assert _errors(refused.text) == {"unit_id": "You may not change objects of this unit"}
    assert 'value="Typed review"' in refused.text
