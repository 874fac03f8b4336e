"""The main pages of the application, as the accessibility checks and screenshots open them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.browser.helpers import ADMIN, ANALYST, AUDITOR, visit


@dataclass(frozen=True)
class MainPage:
    """A page by name: who looks at it and where it is.

    `path` may name the first detail page of a list instead: "first:/risks" opens the
    first link to /risks/<id> found on /risks.
    """

    name: str
    path: str
    user: str | None = ANALYST

    def open(self, page: Page) -> None:
        """Open the page (in a page already signed in as `user`)."""
        target = self.path
        if target.startswith("first:"):
            listing = target.removeprefix("first:")
            visit(page, listing)
            href = page.locator(f'main table a[href^="{listing}/"]').first.get_attribute("href")
            assert href and re.fullmatch(rf"{listing}/\d+", href), f"no detail link on {listing}"
            target = href
        visit(page, target)
        expect(page.get_by_role("heading", level=1)).to_be_visible()


LOGIN = MainPage("login", "/login", user=None)
DASHBOARD = MainPage("dashboard", "/")
RISKS = MainPage("risks", "/risks")
RISK = MainPage("risk-detail", "first:/risks")
RISK_FORM = MainPage("risk-form", "/risks/new")
ASSETS = MainPage("assets", "/assets")
ASSET = MainPage("asset-detail", "first:/assets")
CONTROLS = MainPage("controls", "/controls")
CONTROL = MainPage("control-detail", "first:/controls")
TASKS = MainPage("tasks", "/tasks")
TASK_BOARD = MainPage("task-board", "/tasks/board")
TASK = MainPage("task-detail", "first:/tasks")
EVIDENCE = MainPage("evidence", "/evidence")
EVIDENCE_ITEM = MainPage("evidence-detail", "first:/evidence")
FRAMEWORKS = MainPage("frameworks", "/frameworks")
ASSESSMENTS = MainPage("assessments", "/assessments")
ASSESSMENT = MainPage("assessment-detail", "first:/assessments")
AUDIT = MainPage("audit", "/audit", user=AUDITOR)
ADMIN_HOME = MainPage("admin", "/admin", user=ADMIN)
ACCOUNT = MainPage("account", "/account")

CHECKED_FOR_ACCESSIBILITY = [
    LOGIN,
    DASHBOARD,
    RISKS,
    RISK,
    RISK_FORM,
    ASSETS,
    ASSET,
    CONTROLS,
    CONTROL,
    TASKS,
    TASK,
    EVIDENCE,
    EVIDENCE_ITEM,
    ASSESSMENTS,
]
PHOTOGRAPHED = [
    LOGIN,
    DASHBOARD,
    RISKS,
    RISK,
    RISK_FORM,
    ASSETS,
    ASSET,
    CONTROLS,
    CONTROL,
    TASKS,
    TASK_BOARD,
    TASK,
    EVIDENCE,
    EVIDENCE_ITEM,
    FRAMEWORKS,
    ASSESSMENTS,
    ASSESSMENT,
    AUDIT,
    ADMIN_HOME,
    ACCOUNT,
]
