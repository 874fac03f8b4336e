"""Fixtures of the browser tests: the real server on a fresh database, Chromium, problem watch.

`server` starts `aegis run` as a user does (a new SQLite database in a temporary data
directory, seeded with the demo organisation) once per test session, or once per worker
under xdist, each on its own port. `browser` is one Chromium per session; every test gets
new contexts from `new_context` (or `context` and `page`), watched by `problems`: an error
in the console, an uncaught exception, a failed request or a server error fails the test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.browser.helpers import DESKTOP, REPO, Problems, sign_in
from tests.live_server import Server, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAILURES = REPO / "var" / "screenshots" / "failures"
REUSE_SECONDS = 15 * 60

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`aegis run` on a new SQLite database with the demo organisation, until the session ends."""
    data_dir = tmp_path_factory.mktemp("aegis-browser")
    with running_server(f"sqlite:///{data_dir / 'aegis.db'}", data_dir) as server:
        yield server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium (Debian's, installed by scripts/install-browser) per session."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser (make browser)")
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def problems() -> Problems:
    """The browser problems of this test (`problems.allow(...)` for provoked ones)."""
    return Problems()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body, fail it when the browser reported problems."""
    watched = getattr(item, "funcargs", {}).get("problems")
    try:
        result = yield
    except BaseException:
        if isinstance(watched, Problems) and watched.found:
            item.add_report_section("call", "browser problems", watched.summary())
        raise
    if isinstance(watched, Problems):
        watched.check()
    return result


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(node: pytest.Item) -> bool:
    reports = node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


@pytest.fixture
def new_context(
    browser: Browser, server: Server, problems: Problems, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """Make a new, watched browser context (own cookies) on the server; closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**{"base_url": server.url, "viewport": DESKTOP, **options})
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        problems.watch(context)
        contexts.append(context)
        return context

    yield make
    failed = _failed(request.node)
    for number, context in enumerate(contexts):
        if failed:
            _save_failure(request.node.name, number, context.pages)
        context.close()


def _save_failure(test: str, number: int, pages: list[Page]) -> None:
    FAILURES.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", test)
    for index, page in enumerate(pages):
        try:
            page.screenshot(path=FAILURES / f"{name}-{number}-{index}.png", full_page=True)
        except Exception as exc:  # best effort: the test has failed already
            print(f"no failure screenshot of {page.url}: {exc}")


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A fresh browser context at desktop size."""
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A new page in a fresh context, not signed in."""
    return context.new_page()


@pytest.fixture(scope="session")
def session_state(browser: Browser, server: Server) -> Callable[[str], Any]:
    """The cookies of a signed-in demo user, signed in once per test session and reused.

    For tests about a page rather than about signing in: a context made with
    `new_context(storage_state=session_state(email))` starts signed in.
    """
    states: dict[str, tuple[float, Any]] = {}

    def state(email: str) -> Any:
        # signed in again well before the session's idle timeout (30 minutes) ends it
        if email not in states or time.monotonic() - states[email][0] > REUSE_SECONDS:
            context = browser.new_context(base_url=server.url)
            sign_in(context.new_page(), email, then="/account")
            states[email] = (time.monotonic(), context.storage_state())
            context.close()
        return states[email][1]

    return state


@pytest.fixture
def page_as(
    new_context: Callable[..., BrowserContext], session_state: Callable[[str], Any]
) -> Callable[[str | None], Page]:
    """A new page in a fresh context, signed in as this demo user (None: signed out)."""

    def make(email: str | None) -> Page:
        if email is None:
            return new_context().new_page()
        return new_context(storage_state=session_state(email)).new_page()

    return make
