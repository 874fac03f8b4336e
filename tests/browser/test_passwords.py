"""Password fields in the browser: pasting works, the typed password can be shown, the
strength meter follows what is typed, and a password set by an administrator is replaced first."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Locator, Page, expect

from aegis.demo.seed import DEMO_PASSWORD
from tests.browser.helpers import ADMIN, AUDITOR, sign_in, unique

CLIPBOARD = ["clipboard-read", "clipboard-write"]
STRONG = "heron drifts past 9 silver mills"


def _paste(page: Page, field: Locator, text: str) -> None:
    """Put text on the clipboard and paste it into the field with the keyboard, as people do."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    field.click()
    field.press("ControlOrMeta+a")
    field.press("ControlOrMeta+v")


def _toggle_shows_and_hides(page: Page, field: Locator, button_of: str) -> None:
    button = page.locator(f'button[data-show-password="{button_of}"]')
    expect(button).to_be_visible()
    expect(button).to_have_accessible_name("Show password")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(field).to_have_attribute("type", "password")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(field).to_have_attribute("type", "text")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(field).to_have_attribute("type", "password")


def test_a_pasted_password_signs_in_and_can_be_shown(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(permissions=CLIPBOARD).new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill(AUDITOR)
    field = page.get_by_label("Password", exact=True)
    _paste(page, field, DEMO_PASSWORD)
    expect(field).to_have_value(DEMO_PASSWORD)
    _toggle_shows_and_hides(page, field, "f-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator("form[action='/logout']")).to_have_count(1)


def test_the_meter_follows_a_pasted_new_password_which_can_be_shown(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(permissions=CLIPBOARD).new_page()
    sign_in(page, AUDITOR, then="/account/password")
    new = page.get_by_label("New password", exact=False).first
    meter = page.locator("#m-new_password")

    _paste(page, new, "Password1234")
    expect(new).to_have_value("Password1234")
    expect(meter).to_contain_text("Too easy to guess")
    expect(meter.locator("meter")).to_have_attribute("value", "0")

    _paste(page, new, STRONG)
    expect(meter).to_contain_text("Strong enough")
    expect(meter.locator("meter")).to_have_attribute("value", re.compile("[34]"))
    expect(meter.get_by_text("Strength:")).to_be_visible()

    _toggle_shows_and_hides(page, new, "f-new_password")
    repeat = page.get_by_label("Repeat the new password")
    _paste(page, repeat, STRONG)
    expect(repeat).to_have_value(STRONG)


def test_a_user_an_admin_creates_chooses_their_own_password_first(
    new_context: Callable[..., BrowserContext],
) -> None:
    email = unique("first.login").replace(" ", ".") + "@example.com"
    first = "amber quarry lantern 5612"
    admin = new_context().new_page()
    sign_in(admin, ADMIN, then="/admin/users/new")
    admin.get_by_label("Full name").fill("Morgan First")
    admin.get_by_label("E-mail address").fill(email)
    admin.locator("#f-password").fill(first)
    expect(admin.locator("#m-password")).to_contain_text("Strong enough")
    admin.get_by_label("Repeat the password").fill(first)
    admin.get_by_label("Role").select_option("readonly")
    admin.get_by_role("button", name="Create user").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Morgan First")

    user = new_context().new_page()
    sign_in(user, email, first)
    expect(user).to_have_url(re.compile(r"/account/password$"))
    expect(user.get_by_role("alert")).to_contain_text("An administrator set your password")
    user.goto("/risks")
    expect(user).to_have_url(re.compile(r"/account/password$"))
    user.get_by_label("Current password").fill(first)
    user.get_by_label("New password", exact=False).first.fill(STRONG)
    user.get_by_label("Repeat the new password").fill(STRONG)
    user.get_by_role("button", name="Change password").click()
    expect(user.get_by_role("status")).to_contain_text("Password changed")
    sign_in(user, email, STRONG, then="/risks")
    expect(user).to_have_url(re.compile(r"/risks$"))
