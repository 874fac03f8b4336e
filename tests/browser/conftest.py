"""Fixtures of the browser tests: the real server on a fresh database, Chromium, problem watch.

`server` starts `aegis run` as a user does (a new SQLite database in a temporary data
directory, seeded with the demo organisation) once per test session, or once per worker
under xdist, each on its own port. `browser` is one Chromium per session; every test gets
new contexts from `new_context` (or `context` and `page`), watched by `problems`: an error
in the console, an uncaught exception, a failed request or a server error fails the test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
# Settings a developer's shell may carry that would change the server under test.
CLEARED_VARIABLES = ("DATABASE_URL", "SECRET_KEY", "JWT_SECRET_KEY", "CORS_ORIGINS", "REDIS_URL")
STARTUP_SECONDS = 180
FAILURES = REPO / "var" / "screenshots" / "failures"

expect.set_options(timeout=10_000)


@dataclass
class Server:
    """A running Aegis: its base URL, data directory and log file."""

    url: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _command() -> list[str]:
    """The `aegis run` command of the environment the tests run in."""
    script = Path(sys.executable).parent / "aegis"
    if script.is_file():
        return [str(script), "run"]
    return [sys.executable, "-c", "from aegis.cli.app import main; main()", "run"]


def _environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AEGIS_") and name not in CLEARED_VARIABLES
    }
    env.update(
        DATABASE_URL=f"sqlite:///{data_dir / 'aegis.db'}",
        AEGIS_DATA_DIR=str(data_dir),
        AEGIS_HOST="127.0.0.1",
        AEGIS_PORT=str(port),
        AEGIS_ENV="development",
        PYTHONUNBUFFERED="1",
    )
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and everything it started (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _tail(log: Path, lines: int = 40) -> str:
    if not log.is_file():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`aegis run` on a new SQLite database with the demo organisation, until the session ends."""
    for _attempt in range(3):
        data_dir = tmp_path_factory.mktemp("aegis-browser")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = data_dir / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603  (our own `aegis run`, no shell)
                _command(),
                cwd=data_dir,
                env=_environment(data_dir, port),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while process.poll() is None and time.monotonic() < deadline and not _ready(url):
            time.sleep(0.25)
        if process.poll() is None and _ready(url):
            break
        _stop(process)
        if "address already in use" not in _tail(log).lower():
            pytest.fail(f"aegis run did not become ready at {url}:\n{_tail(log)}")
    else:
        pytest.fail(f"no free port for aegis run:\n{_tail(log)}")
    try:
        yield Server(url=url, data_dir=data_dir, log=log)
    finally:
        _stop(process)


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
    states: dict[str, Any] = {}

    def state(email: str) -> Any:
        if email not in states:
            context = browser.new_context(base_url=server.url)
            sign_in(context.new_page(), email, then="/account")
            states[email] = context.storage_state()
            context.close()
        return states[email]

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
