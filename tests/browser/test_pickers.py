"""On a phone: linked objects picked and removed as chips with the keyboard; menu and register."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import (
    ANALYST,
    PHONE,
    choose,
    chosen,
    form_with,
    link_id,
    pick,
    screenshot,
    unique,
    visit,
)
from tests.browser.test_accessibility import violations
from tests.browser.test_screenshots import OVERFLOW

COLOURS = """(link) => {
  const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const [r, g, b, a = 1] = parse(getComputedStyle(link).backgroundColor);
  let base = [255, 255, 255];
  for (let node = link.parentElement; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || colour[3] === 1) { base = colour.slice(0, 3); break; }
  }
  const background = [r, g, b].map((value, i) => value * a + base[i] * (1 - a));
  return {text: parse(getComputedStyle(link).color).slice(0, 3), background};
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first: list[float], second: list[float]) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _phone(new_context: Callable[..., BrowserContext], session_state) -> Page:  # type: ignore[no-untyped-def]
    return new_context(storage_state=session_state(ANALYST), viewport=PHONE).new_page()


def test_assets_are_picked_and_removed_with_the_keyboard_on_a_phone(
    new_context: Callable[..., BrowserContext], session_state
) -> None:
    page = _phone(new_context, session_state)
    visit(page, "/risks/new")
    form = form_with(page, "title")
    title = unique("Card data read from the shop")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Unit").select_option(label="E-commerce Platform")
    form.get_by_label("Category").select_option("technical")

    search = form.get_by_label("Find assets to add")
    search.focus()
    page.keyboard.type("shop-")
    options = form.locator("#pick-asset_ids-options li")
    expect(form.locator('ul[aria-label="Matches for shop-"]')).to_be_visible()
    expect(options.filter(has_text="shop-api")).to_have_count(1)
    expect(options.filter(has_text="shop-web")).to_have_count(1)
    page.keyboard.press("Enter")  # searches at once; the form is not sent
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/risks/new$"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    chips = form.locator("#pick-asset_ids .picker-chips li")
    expect(chips).to_have_count(2)
    expect(form.locator("#pick-asset_ids [role=status]")).to_contain_text("added")
    assert len(chosen(form, "asset_ids")) == 2

    remove = form.get_by_role("button", name=re.compile(r"^Remove shop-api"))
    remove.focus()
    page.keyboard.press("Enter")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("shop-web")
    expect(form.get_by_role("button", name=re.compile(r"^Remove shop-web"))).to_be_focused()
    expect(options.filter(has_text="shop-api")).to_have_count(1)  # offered again

    assert not page.evaluate(OVERFLOW), "the form is wider than the phone"
    found = violations(page)
    assert not found, found
    screenshot(page, "risk-form-picker")

    form.get_by_role("button", name="Create risk").click()
    page.wait_for_url(re.compile(r"/risks/\d+$"))
    main = page.locator("main")
    expect(main.get_by_role("link", name="shop-web")).to_be_visible()
    expect(main.get_by_role("link", name="shop-api")).to_have_count(0)


def test_a_control_meets_requirements_chosen_as_chips_on_a_phone(
    new_context: Callable[..., BrowserContext], session_state
) -> None:
    page = _phone(new_context, session_state)
    visit(page, "/controls/new")
    form = form_with(page, "title")
    ref = unique("NET").replace(" ", "-")
    form.get_by_label("Reference").fill(ref)
    form.get_by_label("Title").fill("Network access reviewed")
    form.locator("#f-unit_id").select_option(label="IT Infrastructure")
    picker = form.locator("#pick-requirement_ids")
    expect(picker.locator("select")).to_have_count(1)  # the framework, not the requirements
    expect(picker.locator("input[type=checkbox]:not(:checked)")).not_to_have_count(0)

    pick(form, "requirement_ids", "GV.OC-01")
    search = picker.get_by_label("Find requirements to add")
    search.fill("PR.AA-01")
    first = picker.locator(".picker-options input[type=checkbox]").first
    expect(picker.locator(".picker-options li").first).to_contain_text("PR.AA-01")
    search.focus()
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Space")
    chips = picker.locator(".picker-chips li")
    expect(chips).to_have_count(2)
    expect(picker.locator("[role=status]")).to_contain_text("PR.AA-01")
    remove = form.get_by_role("button", name=re.compile(r"^Remove GV\.OC-01"))
    remove.focus()
    page.keyboard.press("Enter")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("PR.AA-01")

    scope = picker.get_by_label("In framework")
    scope.select_option(label=scope.locator("option", has_text="800-53").first.inner_text())
    search.fill("AC-2")
    expect(picker.locator(".picker-options li").first).to_contain_text("AC-2 —")
    expect(picker.locator(".picker-options")).not_to_contain_text("Cybersecurity")

    assert not page.evaluate(OVERFLOW), "the form is wider than the phone"
    found = violations(page)
    assert not found, found
    screenshot(page, "control-form-requirements")
    form.get_by_role("button", name="Create control").click()
    page.wait_for_url(re.compile(r"/controls/\d+$"))
    main = page.locator("main")
    expect(main.get_by_role("link", name="PR.AA-01")).to_be_visible()
    expect(main.get_by_role("link", name="GV.OC-01")).to_have_count(0)


def test_a_task_links_one_risk_chosen_by_search_and_replaced_on_a_phone(
    new_context: Callable[..., BrowserContext], session_state
) -> None:
    page = _phone(new_context, session_state)
    visit(page, "/tasks/new")
    form = form_with(page, "title")
    title = unique("Restore drill")
    form.get_by_label("Title").fill(title)
    risk = form.locator("#pick-risk_id")
    expect(risk.locator("select")).to_be_hidden()
    expect(risk).to_contain_text("No risk.")

    choose(form, "risk_id", "Card data exfiltration")
    search = risk.get_by_label("Find a risk")
    search.fill("Ransomware")
    expect(risk.locator(".picker-options li")).to_have_count(1)
    search.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chip = risk.locator(".picker-chips li")
    expect(chip).to_have_count(1)  # the new choice replaced the first one
    expect(chip).to_contain_text("Ransomware encrypts production databases")
    remove = risk.get_by_role("button", name=re.compile(r"^Remove Ransomware"))
    expect(remove).to_be_focused()
    expect(risk.locator("[role=status]")).to_contain_text("chosen")
    page.keyboard.press("Enter")
    expect(chip).to_have_count(0)
    expect(risk).to_contain_text("No risk.")
    assert form.locator('select[name="risk_id"]').input_value() == ""

    unit = page.locator("#f-unit_id")
    unit.select_option(label="Store Operations")
    risk_id = choose(form, "risk_id", "Ransomware encrypts")
    warning = page.locator("#unit-check")
    expect(warning).to_contain_text("through IT Infrastructure will not see")
    unit.select_option(label="IT Infrastructure")
    expect(warning).not_to_contain_text("will not see")
    choose(form, "assignee_id", "Riley Chen")
    assert not page.evaluate(OVERFLOW), "the form is wider than the phone"
    found = violations(page)
    assert not found, found
    screenshot(page, "task-form-single-pickers")
    form.get_by_role("button", name="Create task").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    main = page.locator("main")
    expect(main.locator(f'a[href="/risks/{risk_id}"]')).to_have_text(
        "Ransomware encrypts production databases"
    )
    expect(main).to_contain_text("Riley Chen")


def test_the_unit_check_warns_when_the_unit_hides_the_evidence_from_its_control(
    new_context: Callable[..., BrowserContext], session_state
) -> None:
    page = _phone(new_context, session_state)
    visit(page, "/controls?q=PR-06")
    control_id = link_id(page, "controls", "PR-06")
    visit(page, f"/evidence/new?control_id={control_id}")
    form = form_with(page, "file")
    unit = page.locator("#f-unit_id")
    assert unit.evaluate("select => select.selectedOptions[0].text") == "IT Infrastructure"
    assert chosen(form, "control_ids") == [str(control_id)]
    warning = page.locator("#unit-check")
    expect(warning).not_to_contain_text("will not see")
    unit.select_option(label="Store Operations")
    expect(warning).to_contain_text(
        "People who see control “PR-06 Immutable, isolated backups” through IT Infrastructure"
    )
    expect(warning.get_by_label("Save this evidence in the chosen unit anyway")).to_be_visible()
    unit.select_option(label="IT Infrastructure")
    expect(warning).not_to_contain_text("will not see")
    # a control of the whole company is seen from IT Infrastructure: no warning
    pick(form, "control_ids", "GV-01")
    assert len(chosen(form, "control_ids")) == 2
    page.wait_for_load_state("networkidle")
    expect(warning).not_to_contain_text("will not see")
    expect(page.locator("#upload-form")).to_have_count(1)  # the search swapped only its matches
    expect(page.locator("#pick-control_ids-options")).to_have_count(1)


def test_the_current_menu_item_is_readable_on_a_phone(
    new_context: Callable[..., BrowserContext], session_state
) -> None:
    page = _phone(new_context, session_state)
    visit(page, "/risks")
    page.locator(".menu-toggle summary").click()
    current = page.locator('.menu-toggle a[aria-current="page"]')
    expect(current).to_be_visible()
    expect(current).to_have_text("Risks")
    colours = current.evaluate(COLOURS)
    assert _contrast(colours["text"], colours["background"]) >= 4.5, colours


def test_register_rows_show_title_score_and_status_without_scrolling_on_a_phone(
    new_context: Callable[..., BrowserContext], session_state
) -> None:
    page = _phone(new_context, session_state)
    visit(page, "/risks")
    row = page.locator("main table tbody tr").first
    for cell in (
        row.locator("td").nth(0),
        row.locator('td[data-label="Inherent"]'),
        row.locator('td[data-label="Status"]'),
    ):
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert not page.evaluate(OVERFLOW)
    screenshot(page, "risks-cards")
