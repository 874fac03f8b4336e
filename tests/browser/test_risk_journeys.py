"""The analyst records an asset and a risk on it, finds it on the heatmap, then lowers it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    ANALYST,
    chosen,
    fill_form,
    form_with,
    heatmap,
    heatmap_cell,
    id_in_url,
    pick,
    sign_in,
    submit,
    unique,
    visit,
)

UNIT = "IT Infrastructure"
CONTROL = "PR-08"  # Patch management within SLA (demo catalogue)


def _create_asset(page: Page, name: str) -> int:
    visit(page, "/assets")
    page.get_by_role("link", name="New asset").click()
    expect(page).to_have_url(re.compile(r"/assets/new$"))
    form = form_with(page, "name")
    fill_form(
        form,
        {
            "name": name,
            "unit_id": UNIT,
            "type": "server",
            "criticality": "high",
            "environment": "production",
            "data_classification": "confidential",
            "hostname": "patch-01.example.com",
            "tags": "browser-test, internet-facing",
        },
    )
    submit(form)
    asset_id = id_in_url(page, "assets")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return asset_id


def _create_risk(page: Page, title: str, asset: str) -> int:
    visit(page, "/risks")
    page.get_by_role("link", name="New risk").click()
    expect(page).to_have_url(re.compile(r"/risks/new$"))
    form = form_with(page, "title")
    fill_form(
        form,
        {
            "title": title,
            "description": "Unpatched internet-facing server exploited by a known vulnerability.",
            "unit_id": UNIT,
            "category": "technical",
            "inherent_likelihood": "4",
            "inherent_impact": "5",
        },
    )
    pick(form, "asset_ids", asset)
    submit(form)
    risk_id = id_in_url(page, "risks")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return risk_id


def test_an_asset_and_a_risk_on_it_show_in_the_register_and_the_heatmap(page: Page) -> None:
    sign_in(page, ANALYST)
    visit(page, "/")
    inherent_before = heatmap(page, "inherent").get((4, 5), 0)

    asset = unique("patch-server")
    asset_id = _create_asset(page, asset)
    title = unique("Exploited unpatched server")
    risk_id = _create_risk(page, title, asset)

    facts = page.locator("main")
    expect(facts).to_contain_text("4 × 5 = 20")
    expect(page.get_by_role("link", name=asset)).to_have_attribute("href", f"/assets/{asset_id}")
    page.get_by_role("link", name=asset).click()
    expect(page).to_have_url(re.compile(rf"/assets/{asset_id}$"))
    expect(page.get_by_role("link", name=title)).to_have_attribute("href", f"/risks/{risk_id}")

    visit(page, "/risks")
    page.get_by_label("Search").fill(title)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/risks\?.*q="))
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(title)
    expect(rows.first).to_contain_text(UNIT)
    expect(rows.first).to_contain_text("20")

    visit(page, "/")
    assert heatmap(page, "inherent").get((4, 5), 0) == inherent_before + 1
    heatmap_cell(page, "inherent", 4, 5).click()
    expect(page).to_have_url(
        re.compile(r"/risks\?(?=.*inherent_likelihood=4)(?=.*inherent_impact=5)")
    )
    expect(page.get_by_role("link", name=title)).to_be_visible()
    for row in page.locator("main table tbody tr").all():
        expect(row).to_contain_text("20")


def test_a_mitigating_control_and_a_lower_residual_rating_move_the_risk(page: Page) -> None:
    sign_in(page, ANALYST)
    visit(page, "/")
    residual_start = heatmap(page, "residual")

    asset = unique("vpn-edge")
    asset_id = _create_asset(page, asset)
    title = unique("VPN edge device exploited")
    risk_id = _create_risk(page, title, asset)
    visit(page, "/")
    residual_new = heatmap(page, "residual")
    # An open risk without a residual rating counts at its inherent position.
    assert residual_new.get((4, 5), 0) == residual_start.get((4, 5), 0) + 1
    assert residual_new.get((2, 3), 0) == residual_start.get((2, 3), 0)

    visit(page, f"/risks/{risk_id}")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/risks/{risk_id}/edit$"))
    form = form_with(page, "residual_likelihood")
    assert chosen(form, "asset_ids") == [str(asset_id)]
    kept = chosen(form, "control_ids")
    fill_form(
        form,
        {
            "residual_likelihood": "2",
            "residual_impact": "3",
            "treatment": "mitigate",
            "treatment_plan": "Patch within the SLA, monitored by the patch management control.",
        },
    )
    control_id = pick(form, "control_ids", CONTROL)
    assert chosen(form, "control_ids") == [*kept, control_id]
    submit(form)
    expect(page).to_have_url(re.compile(rf"/risks/{risk_id}$"))
    main = page.locator("main")
    expect(main).to_contain_text("4 × 5 = 20")
    expect(main).to_contain_text("2 × 3 = 6")
    control_link = page.locator(f'main a[href="/controls/{control_id}"]')
    expect(control_link).to_contain_text(CONTROL)
    expect(page.locator(f'main a[href="/assets/{asset_id}"]')).to_have_count(1)

    control_link.click()
    expect(page).to_have_url(re.compile(rf"/controls/{control_id}$"))
    expect(page.get_by_role("link", name=title)).to_have_attribute("href", f"/risks/{risk_id}")

    visit(page, "/")
    residual_after = heatmap(page, "residual")
    assert residual_after.get((2, 3), 0) == residual_new.get((2, 3), 0) + 1
    assert residual_after.get((4, 5), 0) == residual_start.get((4, 5), 0)
    heatmap_cell(page, "residual", 2, 3).click()
    expect(page).to_have_url(
        re.compile(
            r"/risks\?(?=.*(residual|current)_likelihood=2)(?=.*(residual|current)_impact=3)"
        )
    )
    expect(page.get_by_role("link", name=title)).to_be_visible()
