"""Searching from the top bar on a phone and on a desktop: results, accessibility, layout."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import ANALYST, DESKTOP, PHONE, screenshot, visit
from tests.browser.test_accessibility import _report, violations
from tests.browser.test_screenshots import OVERFLOW


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1440"])
def test_the_top_bar_search_finds_objects_of_every_kind(
    page_as: Callable[[str | None], Page], viewport: dict[str, int]
) -> None:
    page = page_as(ANALYST)
    page.set_viewport_size(viewport)
    visit(page, "/risks")
    box = page.get_by_role("searchbox", name="Find in your units")
    expect(box).to_be_visible()
    box.fill("backup")
    box.press("Enter")
    page.wait_for_url("**/search?q=backup")
    expect(page.get_by_role("heading", level=1, name="Search")).to_be_visible()
    expect(page.locator("main .search-group").first).to_be_visible()
    first = page.locator("main a.search-title").first
    href = first.get_attribute("href") or ""
    assert href.startswith("/"), href

    found = violations(page)
    assert not found, f"{page.url}:\n{_report(found)}"
    wider = page.evaluate(OVERFLOW)
    assert not wider, f"{page.url} is wider than the window: {wider}"
    assert screenshot(page, "search").stat().st_size > 0

    first.click()
    page.wait_for_url(f"**{href}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
