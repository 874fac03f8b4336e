"""Roles in the browser: the read-only user changes nothing, divisions do not see each other."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import (
    AUDITOR,
    CORPORATE_ANALYST,
    RETAIL_ANALYST,
    Problems,
    forced_post,
    link_id,
    sign_in,
    visit,
)

# (list page, area of its detail links): the main pages of the application.
AREAS = [
    ("/risks", "risks"),
    ("/assets", "assets"),
    ("/controls", "controls"),
    ("/evidence", "evidence"),
    ("/tasks", "tasks"),
    ("/assessments", "assessments"),
    ("/frameworks", "frameworks"),
]
CHANGING = re.compile(
    r"^\s*((New|Edit|Delete|Create|Upload|Add|Attach|Import|Move|Save|Comment|Start|Record)\b"
    r"|Clear override)",
    re.IGNORECASE,
)
CORPORATE_RISK = "Phishing leads to mailbox takeover"
RETAIL_UNITS = {"Retail Division", "E-commerce Platform", "Store Operations"}


def _first_detail(page: Page, area: str) -> str:
    link = page.locator(f'main table a[href^="/{area}/"]').first
    href = link.get_attribute("href")
    assert href and re.fullmatch(rf"/{area}/\d+", href), f"no {area} detail link on {page.url}"
    return href


def _assert_read_only(page: Page, *, notes: bool = False) -> None:
    """No form, htmx request, button or action link of the main content changes data.

    With `notes`, the one exception auditors have (ADR 0005): a form adding an auditor note.
    """
    main = page.locator("main")
    where = page.url
    posting = main.locator('form[method="post"], form[method="POST"]')
    if notes:
        note_forms = main.locator('form[action$="/comments"]')
        for label in note_forms.locator("label").all_inner_texts():
            assert label.strip() == "Add an auditor note", f"{where} offers '{label}'"
        posting = posting.and_(main.locator('form:not([action$="/comments"])'))
    assert posting.count() == 0, (
        f"{where} has forms to {posting.evaluate_all('fs => fs.map(f => f.action)')}"
    )
    assert main.locator("[hx-post], [hx-put], [hx-patch], [hx-delete]").count() == 0, where
    for suffix in ("/new", "/edit", "/versions", "/import"):
        links = main.locator(f'a[href$="{suffix}"], a[href*="{suffix}?"]')
        assert links.count() == 0, f"{where} links to {suffix}: {links.all_inner_texts()}"
    buttons = main.get_by_role("button", name=CHANGING).all_inner_texts()
    if notes:
        note_buttons = main.locator('form[action$="/comments"]').get_by_role("button")
        assert set(note_buttons.all_inner_texts()) <= {"Add note"}, where
        buttons = [b for b in buttons if b != "Add note"]
    assert buttons == [], f"{where} has buttons {buttons}"
    actions = main.locator("a.button").filter(has_text=CHANGING)
    assert actions.count() == 0, f"{where} has action links {actions.all_inner_texts()}"


def test_the_auditor_sees_no_way_to_change_anything(page: Page) -> None:
    sign_in(page, AUDITOR)
    visit(page, "/")
    _assert_read_only(page)
    for path, area in AREAS:
        visit(page, path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _assert_read_only(page)
        detail = _first_detail(page, area)
        visit(page, detail)
        _assert_read_only(page, notes=area == "assessments")
    visit(page, "/tasks/board")
    _assert_read_only(page)
    assessment = _first_detail_of(page, "/assessments", "assessments")
    visit(page, assessment)
    _assert_read_only(page, notes=True)
    requirement = page.locator(f'main a[href^="{assessment}/requirements/"]').first
    requirement.click()
    expect(page).to_have_url(re.compile(r"/requirements/\d+$"))
    _assert_read_only(page, notes=True)


def _first_detail_of(page: Page, path: str, area: str) -> str:
    visit(page, path)
    return _first_detail(page, area)


def _unit_of(page: Page, title: str) -> str:
    """The unit id of a risk: its unit by name in the CSV export, then that unit's filter option."""
    response = page.request.get("/risks?format=csv")
    assert response.ok
    rows = csv.DictReader(io.StringIO(response.body().decode("utf-8-sig")))
    unit = next(row["Unit"] for row in rows if row["Title"] == title)
    visit(page, "/risks")
    for option in page.locator("select#unit_id option").all():
        if option.inner_text().strip() == unit:
            return str(option.get_attribute("value"))
    raise AssertionError(f"no filter option for the unit {unit}")


def test_forcing_a_change_as_the_auditor_is_refused(page: Page, problems: Problems) -> None:
    problems.allow(r"status of 403")
    sign_in(page, AUDITOR, then="/risks")
    risk = _first_detail(page, "risks")
    visit(page, risk)
    title = page.get_by_role("heading", level=1).inner_text()
    unit_id = _unit_of(page, title)
    task = _first_detail_of(page, "/tasks", "tasks")
    control = _first_detail_of(page, "/controls", "controls")
    visit(page, risk)

    # Complete, valid forms: the only reason left to refuse them is the role.
    new_risk = {
        "title": "Risk forced in by the auditor",
        "unit_id": unit_id,
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": "1",
        "inherent_impact": "1",
    }
    new_asset = {
        "name": "auditor-box",
        "unit_id": unit_id,
        "type": "server",
        "criticality": "low",
        "environment": "production",
        "data_classification": "internal",
    }
    attempts = [
        (f"{risk}/delete", {}),
        (f"{risk}/edit", {**new_risk, "title": "Changed by the auditor"}),
        ("/risks/new", new_risk),
        ("/assets/new", new_asset),
        (f"{control}/delete", {}),
        (f"{task}/comments", {"body": "The auditor was here"}),
        (f"{task}/status", {"status": "cancelled"}),
    ]
    for path, data in attempts:
        assert forced_post(page, path, data) == 403, f"POST {path} was not refused"
        assert forced_post(page, path, data, htmx=True) == 403, f"htmx POST {path} not refused"

    for path in ("/risks/new", f"{risk}/edit", "/assets/new", "/tasks/new", "/evidence/new"):
        visit(page, path, status=403)
        expect(page.get_by_role("heading", level=1)).to_have_text("You may not do this")

    visit(page, risk)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    visit(page, control)
    visit(page, task)
    expect(page.locator("#comments")).not_to_contain_text("The auditor was here")
    visit(page, "/risks?q=forced")
    expect(page.get_by_role("link", name=new_risk["title"])).to_have_count(0)


def test_a_retail_analyst_cannot_find_a_corporate_risk(
    new_context: Callable[..., BrowserContext], problems: Problems
) -> None:
    problems.allow(r"status of 404")
    corporate = new_context().new_page()
    sign_in(corporate, CORPORATE_ANALYST, then="/risks")
    visit(corporate, "/risks?q=" + CORPORATE_RISK.split()[0])
    risk_id = link_id(corporate, "risks", CORPORATE_RISK)
    visit(corporate, f"/risks/{risk_id}")
    expect(corporate.get_by_role("heading", level=1)).to_have_text(CORPORATE_RISK)

    page = new_context().new_page()
    sign_in(page, RETAIL_ANALYST, then="/risks")
    for words in (CORPORATE_RISK, "Phishing", "mailbox"):
        page.get_by_role("searchbox", name="Search", exact=True).fill(words)
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("main")).to_contain_text("No risks match")
        # the filter chip repeats the search words; no link may lead to the risk itself
        expect(page.get_by_role("link", name=CORPORATE_RISK, exact=True)).to_have_count(0)
        expect(page.locator(f'main a[href="/risks/{risk_id}"]')).to_have_count(0)

    visit(page, "/risks")
    units = {
        text.strip()
        for text in page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()
    }
    assert units, "the retail analyst sees no risk at all"
    assert units <= RETAIL_UNITS, f"risks of other units shown: {units - RETAIL_UNITS}"

    for path in (f"/risks/{risk_id}", f"/risks/{risk_id}/edit"):
        visit(page, path, status=404)
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(page.locator("main")).not_to_contain_text(CORPORATE_RISK)
    assert forced_post(page, f"/risks/{risk_id}/delete") == 404

    export = page.request.get("/risks?format=csv")
    assert export.ok
    assert CORPORATE_RISK not in export.text()
    visit(page, "/")
    expect(page.locator("main")).not_to_contain_text(CORPORATE_RISK)
    visit(corporate, f"/risks/{risk_id}")
    expect(corporate.get_by_role("heading", level=1)).to_have_text(CORPORATE_RISK)
