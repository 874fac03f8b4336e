"""axe-core (vendored, see scripts/vendor-test-tools) finds no serious problem on the main pages."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import PHONE
from tests.browser.pages import CHECKED_FOR_ACCESSIBILITY, MainPage

VENDOR = Path(__file__).parent / "vendor"
BLOCKING = {"serious", "critical"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '')),
  }));
}"""


def _axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now.

    The script is evaluated through the browser's debugging protocol, which the page's
    Content-Security-Policy does not apply to; the page itself still allows no inline code.
    """
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(_axe_source())
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [violation for violation in found if violation["impact"] in BLOCKING]


def _report(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("main_page", CHECKED_FOR_ACCESSIBILITY, ids=lambda p: p.name)
def test_no_serious_accessibility_violations(
    page_as: Callable[[str | None], Page], main_page: MainPage
) -> None:
    page = page_as(main_page.user)
    main_page.open(page)
    found = violations(page)
    assert not found, f"{page.url} at desktop width:\n{_report(found)}"

    page.set_viewport_size(PHONE)
    found = violations(page)
    assert not found, f"{page.url} at phone width:\n{_report(found)}"


def test_vendored_axe_matches_its_checksum_and_carries_its_licence() -> None:
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split()
        listed[name] = digest
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert {"axe.min.js", "axe-core.LICENSE.txt"} <= set(listed)
    assert _axe_source().startswith("/*! axe v")
