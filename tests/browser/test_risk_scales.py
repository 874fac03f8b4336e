"""The risk form previews score and level live; the matrix editor passes the axe checks."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    ADMIN,
    ANALYST,
    PHONE,
    fill_form,
    form_with,
    sign_in,
    submit,
    unique,
)
from tests.browser.test_accessibility import _report, violations


def test_the_risk_form_follows_the_ratings_as_they_change(page: Page) -> None:
    sign_in(page, ANALYST, then="/risks/new")
    form = form_with(page, "inherent_likelihood")
    inherent = form.locator('[data-rating-preview="inherent"]')
    residual = form.locator('[data-rating-preview="residual"]')
    warning = form.locator("[data-rating-status] .rating-warning")
    expect(inherent).to_contain_text("Score 9")
    expect(inherent.locator("[data-preview-level]")).to_have_text("Medium")
    expect(residual).to_contain_text("Not rated yet")
    expect(form.locator('[name="inherent_likelihood"] option:checked')).to_have_text("3 — Possible")

    fill_form(form, {"inherent_likelihood": "4 — Likely", "inherent_impact": "5"})
    expect(inherent).to_contain_text("Score 20")
    level = inherent.locator("[data-preview-level]")
    expect(level).to_have_text("Critical")
    expect(level).to_have_class("badge badge--critical")
    expect(inherent.locator("[data-preview-appetite]")).to_be_visible()
    expect(form.locator("#c-inherent_impact")).to_have_text("Over €1M or regulatory action")
    expect(warning).to_have_count(0)

    fill_form(form, {"residual_likelihood": "5", "residual_impact": "1"})
    expect(residual).to_contain_text("Score 5")
    expect(residual.locator("[data-preview-level]")).to_have_text("Low")
    expect(residual.locator("[data-preview-appetite]")).to_be_hidden()
    expect(warning).to_contain_text("The residual rating is higher than the inherent one")
    found = violations(page)
    assert not found, _report(found)

    fill_form(form, {"residual_likelihood": "2"})
    expect(residual).to_contain_text("Score 2")
    expect(warning).to_have_count(0)
    fill_form(form, {"residual_likelihood": ""})
    expect(residual).to_contain_text("Not rated yet")
    expect(residual.locator("[data-preview-level]")).to_be_hidden()

    title = unique("Rated higher after controls")
    fill_form(
        form,
        {
            "title": title,
            "unit_id": "IT Infrastructure",
            "category": "technical",
            "residual_likelihood": "5",
        },
    )
    expect(warning).to_be_visible()
    submit(form)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main .rating-warning")).to_contain_text(
        "residual likelihood 5 (Almost certain) is above inherent likelihood 4 (Likely)"
    )


def test_the_matrix_editor_has_no_serious_accessibility_violations(
    page_as: Callable[[str | None], Page],
) -> None:
    page = page_as(ADMIN)
    page.goto("/admin/risk-matrix")
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk matrix")
    expect(page.locator('select[name="cell.5.1"]')).to_be_visible()
    found = violations(page)
    assert not found, f"desktop:\n{_report(found)}"
    page.set_viewport_size(PHONE)
    found = violations(page)
    assert not found, f"phone:\n{_report(found)}"
