"""What the browser journeys share: demo sign-ins, forms, heatmap reading, screenshots."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    WebError,
    expect,
)

from aegis.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def demo_user(local: str) -> str:
    """The e-mail address of a demo person by the local part (see aegis.demo.catalog)."""
    return f"{local}@{DEMO_DOMAIN}"


ADMIN = demo_user("admin")
ANALYST = demo_user("analyst")
AUDITOR = demo_user("auditor")
RETAIL_ANALYST = demo_user("retail.analyst")
CORPORATE_ANALYST = demo_user("corporate.analyst")


def unique(text: str) -> str:
    """A name no other test uses, so searches find exactly this object."""
    return f"{text} {uuid.uuid4().hex[:8]}"


def sign_in(
    page: Page, email: str, password: str = DEMO_PASSWORD, *, then: str | None = None
) -> None:
    """Sign in through the login form and wait until the page after it is shown.

    That page is the dashboard, or `then` (a path) as when a protected page sent the user
    to the login page.
    """
    page.goto(f"/login?next={quote(then, safe='')}" if then else "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator("form[action='/logout']")).to_have_count(1)


def visit(page: Page, path: str, status: int = 200) -> None:
    """Open a page and check the status it answered with."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"


def form_with(page: Page, field: str) -> Locator:
    """The form of the main content that has an input named `field`."""
    form = page.locator(f'main form:has([name="{field}"])').first
    expect(form).to_be_visible()
    return form


def fill_form(form: Locator, values: Mapping[str, Any]) -> None:
    """Fill inputs by their name: text, textarea, select (value or label), file, checkbox."""
    for name, value in values.items():
        target = form.locator(f'[name="{name}"]')
        first = target.first
        tag = first.evaluate("element => element.tagName.toLowerCase()")
        kind = (first.get_attribute("type") or "").lower()
        if tag == "select":
            options = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
            first.select_option(options)
        elif kind == "file":
            first.set_input_files(value)
        elif kind == "checkbox":
            first.set_checked(bool(value))
        elif kind == "radio":
            form.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            first.fill(str(value))


def submit(form: Locator) -> None:
    """Press the form's submit button."""
    form.locator('button[type="submit"], input[type="submit"]').first.click()


def pick(form: Locator, name: str, text: str) -> str:
    """Search a picker for `text` and tick the first match; the chosen object's id."""
    picker = form.locator(f"#pick-{name}")
    picker.get_by_role("searchbox").fill(text)
    option = picker.locator(".picker-options li", has_text=text).first
    expect(option).to_be_visible()
    box = option.locator("input[type=checkbox]")
    value = box.get_attribute("value")
    assert value, f"no match for {text!r} in the {name} picker"
    box.click()
    expect(picker.locator(f'.picker-chips input[value="{value}"]')).to_have_count(1)
    return value


def choose(form: Locator, name: str, text: str) -> str:
    """Search a picker of one object for `text` and choose the first match; the chosen id."""
    picker = form.locator(f"#pick-{name}")
    picker.get_by_role("searchbox").fill(text)
    option = picker.locator(".picker-options [data-picker-choose]", has_text=text).first
    expect(option).to_be_visible()
    value = option.get_attribute("value")
    assert value, f"no match for {text!r} in the {name} picker"
    option.click()
    expect(picker.locator(".picker-chips li")).to_have_count(1)
    expect(picker.locator(".picker-chips li")).to_contain_text(text)
    assert form.locator(f'select[name="{name}"]').input_value() == value
    return value


def chosen(form: Locator, name: str) -> list[str]:
    """The ids a picker shows as chosen (its chips)."""
    values: list[str] = form.locator(f"#pick-{name} .picker-chips input").evaluate_all(
        "inputs => inputs.map(input => input.value)"
    )
    return values


def id_in_url(page: Page, area: str) -> int:
    """The id in a detail page URL like /risks/12."""
    page.wait_for_url(re.compile(rf"/{area}/\d+(\?.*)?$"))
    match = re.search(rf"/{area}/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def link_id(page: Page, area: str, text: str) -> int:
    """The id of the object a link of the main content points to, found by its text."""
    href = page.locator(f'main a[href^="/{area}/"]', has_text=text).first.get_attribute("href")
    match = re.match(rf"/{area}/(\d+)", href or "")
    assert match, f"no link to {area} named {text!r}"
    return int(match.group(1))


FORCED_POST = """async ({path, data, htmx}) => {
  const field = document.querySelector('input[name="csrf_token"]');
  const headers = JSON.parse(document.body.getAttribute('hx-headers') || '{}');
  const token = (field && field.value) || headers['X-CSRF-Token'] || '';
  const body = new URLSearchParams(data);
  body.set('csrf_token', token);
  const sent = {'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': token};
  if (htmx) { sent['HX-Request'] = 'true'; }
  const response = await fetch(path, {
    method: 'POST', body, headers: sent, redirect: 'manual', credentials: 'same-origin'});
  return {status: response.status, token: token.length > 0};
}"""


def forced_post(
    page: Page, path: str, data: Mapping[str, str] | None = None, *, htmx: bool = False
) -> int:
    """POST from the page as its own script would, with the page's CSRF token; the status.

    A redirect (what a successful form post answers) shows as status 0.
    """
    result = page.evaluate(FORCED_POST, {"path": path, "data": dict(data or {}), "htmx": htmx})
    assert result["token"], f"no CSRF token on {page.url}"
    status: int = result["status"]
    return status


HEATMAP = """(prefix) => {
  const cells = {};
  for (const link of document.querySelectorAll('main a[href]')) {
    const url = new URL(link.getAttribute('href'), location.href);
    const likelihood = url.searchParams.get(prefix + '_likelihood');
    const impact = url.searchParams.get(prefix + '_impact');
    if (url.pathname !== '/risks' || !likelihood || !impact) continue;
    const title = link.querySelector('title');
    const label = link.getAttribute('aria-label') || (title ? title.textContent : '');
    const counted = label.match(/(\\d+)\\s+risks?\\b/);
    const numbers = (link.textContent || '').match(/\\d+/g) || ['0'];
    cells[likelihood + 'x' + impact] = Number(counted ? counted[1] : numbers[numbers.length - 1]);
  }
  return cells;
}"""
# The residual grid places a risk at its residual rating, or at its inherent one until it
# is re-assessed; its cells link to the register by that "current" rating.
HEATMAP_PREFIXES = {"inherent": ("inherent",), "residual": ("residual", "current")}


def heatmap_cells(page: Page, kind: str) -> tuple[str, dict[tuple[int, int], int]]:
    """The link parameter prefix and counts of a dashboard heatmap by (likelihood, impact).

    `kind` is "inherent" or "residual". Counts are read from the cells' links to the
    filtered register (the count in the link's label, else the last number of its text).
    """
    for prefix in HEATMAP_PREFIXES[kind]:
        cells: dict[str, int] = page.evaluate(HEATMAP, prefix)
        if cells:
            counts: dict[tuple[int, int], int] = {}
            for key, count in cells.items():
                likelihood, impact = key.split("x")
                counts[int(likelihood), int(impact)] = count
            return prefix, counts
    raise AssertionError(f"no {kind} heatmap cell links to the register on {page.url}")


def heatmap(page: Page, kind: str) -> dict[tuple[int, int], int]:
    """Counts of a dashboard heatmap ("inherent" or "residual") by (likelihood, impact)."""
    return heatmap_cells(page, kind)[1]


def heatmap_cell(page: Page, kind: str, likelihood: int, impact: int) -> Locator:
    """The link of one heatmap cell."""
    prefix, _counts = heatmap_cells(page, kind)
    return page.locator(
        f'main a[href*="{prefix}_likelihood={likelihood}"][href*="{prefix}_impact={impact}"]'
    ).first


def screenshot(page: Page, name: str, max_height: int = 8000) -> Path:
    """Save the page as var/screenshots/<name>-<viewport width>.png (whole, up to max_height)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOTS / f"{name}-{width}.png"
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": width, "height": max_height} if height > max_height else None
    page.screenshot(path=path, full_page=True, clip=clip)
    return path


@dataclass
class Problems:
    """Errors seen by the browser during a test; anything not explicitly allowed fails it."""

    found: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Accept problems matching this regular expression (an error the test provokes)."""
        self.allowed.append(re.compile(pattern))

    def note(self, text: str) -> None:
        if not any(pattern.search(text) for pattern in self.allowed):
            self.found.append(text)

    def watch(self, context: BrowserContext) -> None:
        """Record the problems of every page of this context."""
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.note(
                f"console error: {message.text} ({where or (message.page and message.page.url)})"
            )

    def _web_error(self, error: WebError) -> None:
        page = error.page.url if error.page else "?"
        self.note(f"uncaught exception on {page}: {error.error}")

    def _request_failed(self, request: Request) -> None:
        failure = request.failure or "failed"
        if "ERR_ABORTED" in failure and request.resource_type != "document":
            return  # cancelled by a navigation that superseded the page (not a failure)
        self.note(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.note(f"server error {response.status}: {response.request.method} {response.url}")

    def summary(self) -> str:
        return "\n".join(f"- {problem}" for problem in self.found)

    def check(self) -> None:
        """Fail the test when anything went wrong in the browser."""
        if self.found:
            pytest.fail(f"problems in the browser:\n{self.summary()}", pytrace=False)
