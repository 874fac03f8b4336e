"""The dashboard page: KPIs and heatmaps scoped to the user, cells linking to the register."""

from __future__ import annotations

import re

from tests.factories.risks import make_risk


def _cell(html: str, kind: str, likelihood: int, impact: int) -> str:
    """The accessible label of one heatmap cell."""
    href = f"/risks?open=true&amp;{kind}_likelihood={likelihood}&amp;{kind}_impact={impact}"
    match = re.search(rf'<a href="{re.escape(href)}"><title>([^<]+)</title>', html)
    assert match, href
    return match.group(1)


def test_a_4x5_risk_is_counted_in_the_right_cells(browser_for, db, world, principal_for) -> None:
    risk = make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        title="Card leak",
        inherent_likelihood=4,
        inherent_impact=5,
    )
    db.commit()
    analyst = browser_for("analyst")
    page = analyst.get("/")
    assert page.status_code == 200
    assert _cell(page.text, "inherent", 4, 5) == (
        "Likelihood 4, impact 5: 1 risk, level Critical, above appetite"
    )
    assert _cell(page.text, "current", 4, 5).startswith("Likelihood 4, impact 5: 1 risk")
    assert "Card leak" in page.text

    listed = analyst.get("/risks?inherent_likelihood=4&inherent_impact=5")
    assert "Card leak" in listed.text

    from aegis.domains.risks import service
    from aegis.domains.risks.schemas import RiskUpdate

    service.update_risk(
        session=db,
        principal=principal_for("admin"),
        risk_id=risk.id,
        data=RiskUpdate(residual_likelihood=2, residual_impact=3),
    )
    db.commit()
    moved = analyst.get("/").text
    assert _cell(moved, "current", 4, 5).startswith("Likelihood 4, impact 5: 0 risks")
    assert _cell(moved, "current", 2, 3).startswith("Likelihood 2, impact 3: 1 risk")
    assert "Card leak" in analyst.get("/risks?current_likelihood=2&current_impact=3").text


def test_the_sibling_division_sees_none_of_it(browser_for, db, world, principal_for) -> None:
    make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        title="Secret plan",
        inherent_likelihood=4,
        inherent_impact=5,
    )
    db.commit()
    page = browser_for("analyst_b").get("/")
    assert page.status_code == 200
    assert "Secret plan" not in page.text
    assert _cell(page.text, "inherent", 4, 5).startswith("Likelihood 4, impact 5: 0 risks")


def test_dashboard_needs_a_signed_in_user(client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
