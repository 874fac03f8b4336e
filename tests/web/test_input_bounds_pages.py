"""Forms and lists refuse hidden characters and oversized numbers by the field, keeping the rest."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.models import Risk, User
from tests.conftest import World
from tests.web.conftest import sign_in


def test_a_risk_form_with_a_direction_override_comes_back_with_the_reason(
    browser_for: Any, world: World, db: Session
) -> None:
    browser = browser_for("analyst")
    title = "Payroll \u202eexe.pdf"
    response = browser.post(
        "/risks/new",
        {
            "unit_id": str(world.units["division-a"]),
            "title": title,
            "category": "technical",
            "status": "identified",
            "inherent_likelihood": "3",
            "inherent_impact": "3",
            "description": "Seen in the\nmail gateway",
        },
    )
    assert response.status_code == 422
    assert "Title must not contain characters that change the direction of the text" in (
        response.text
    )
    assert "Seen in the\nmail gateway" in response.text  # what was typed is kept
    assert db.scalar(select(Risk).where(Risk.title == title)) is None


def test_a_display_name_of_an_override_or_invisible_characters_is_refused(
    client: TestClient, world: World, db: Session
) -> None:
    browser = sign_in(client, "analyst_b@example.com")
    for name in ("\u202enimda", "\u200b\u200b", "Bea\x1b[8m"):
        refused = browser.post("/account/name", {"name": name})
        assert refused.status_code == 422, name
        assert 'id="e-name"' in refused.text
    user = db.get(User, world.users["analyst_b"])
    assert user is not None and user.name == "Analyst_B"


def test_a_list_page_with_an_offset_out_of_range_says_so(browser_for: Any) -> None:
    response = browser_for("analyst").get(f"/risks?offset={2**64}&owner_id={2**63}")
    assert response.status_code in (200, 422)
    assert "Offset must be at most 2147483647" in response.text
    assert "Owner must be at most 2147483647" in response.text
