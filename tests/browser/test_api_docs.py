"""The API documentation works in the browser under the page policy, from Aegis's own files."""

from __future__ import annotations

from playwright.sync_api import Page, Request, expect

from tests.browser.helpers import Problems


def test_swagger_ui_lists_the_operations_without_any_request_elsewhere(
    page: Page, problems: Problems
) -> None:
    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    page.on("request", note)
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name="Aegis")).to_be_visible()
    expect(page.get_by_text("/api/v1/api-tokens").first).to_be_visible()

    # The list renders what is on screen; the tag filter brings the assets up.
    page.get_by_placeholder("Filter by tag").fill("assets")
    expect(page.get_by_text("/api/v1/assets/{asset_id}").first).to_be_visible()
    page.get_by_text("/api/v1/assets/{asset_id}").first.click()
    expect(page.get_by_text("Parameters").first).to_be_visible()
    expect(page.locator(".parameter__name", has_text="asset_id").first).to_be_visible()
    origin = page.url.split("/api/docs")[0]
    assert requested and all(url.startswith(origin) for url in requested), requested
    # problems (checked after the test) fails it on any refused script, style or image
    assert problems is not None
