"""A form refusing an address held in a hidden unit says nothing about that account."""

from __future__ import annotations


def test_the_admin_form_shows_the_refusal_by_the_address(browser_for, world) -> None:
    browser = browser_for("admin_a")
    page = browser.post(
        "/admin/users/new",
        {
            "email": "analyst_b@example.com",
            "name": "New Person",
            "password": "violet lantern harbour 1987",
            "confirm_password": "violet lantern harbour 1987",
            "role": "readonly",
            "unit_id": str(world.units["division-a"]),
        },
    )
    assert page.status_code == 409
    assert 'id="e-email"' in page.text
    assert "cannot be used for a new account here" in page.text
