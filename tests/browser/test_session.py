"""Signing in and out: the login page, the dashboard after it, protected pages after logout."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from aegis.demo.seed import DEMO_PASSWORD
from tests.browser.helpers import ANALYST, Problems, sign_in, visit


def test_the_first_page_is_the_login_page_and_the_analyst_lands_on_the_dashboard(
    page: Page,
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aegis")

    sign_in(page, ANALYST)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Riley Chen")).to_be_visible()
    expect(page).to_have_title(re.compile("^Dashboard"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Risks").first).to_be_visible()


def test_a_wrong_password_says_so_next_to_the_form(page: Page, problems: Problems) -> None:
    problems.allow(r"status of 401")
    page.goto("/login")
    page.get_by_label("E-mail").fill(ANALYST)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Invalid e-mail or password")
    expect(page.get_by_label("E-mail")).to_have_value(ANALYST)


def test_a_protected_page_returns_there_after_sign_in(page: Page) -> None:
    page.goto("/risks?q=ransomware")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Frisks%3Fq%3Dransomware$"))
    page.get_by_label("E-mail").fill(ANALYST)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/risks\?q=ransomware$"))
    expect(
        page.get_by_role("link", name="Ransomware encrypts production databases")
    ).to_be_visible()


def test_logout_returns_to_the_login_page_and_protected_pages_redirect(page: Page) -> None:
    sign_in(page, ANALYST)
    visit(page, "/risks")

    page.get_by_role("button", name="Sign out").first.click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Password")).to_be_visible()
    for path in ("/", "/risks", "/assets", "/tasks", "/account"):
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.get_by_label("Password")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/login"))


def test_my_account_lists_where_i_am_signed_in_and_signs_out_everywhere(
    page: Page, new_context
) -> None:
    other = new_context().new_page()
    sign_in(other, ANALYST)
    sign_in(page, ANALYST)
    visit(page, "/account")
    sessions = page.get_by_role("region", name="Your sessions")
    expect(sessions.get_by_text("this session")).to_have_count(1)
    assert sessions.get_by_role("row").count() >= 3  # header, this browser, the other one
    expect(sessions).to_contain_text("Chrome on Linux")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out everywhere").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("You are signed out everywhere")
    other.goto("/account")
    expect(other).to_have_url(re.compile(r"/login\?next="))
