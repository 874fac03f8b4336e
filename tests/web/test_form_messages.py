"""Form pages show plain-language messages next to the fields, keeping what was typed."""

from __future__ import annotations

import html
import re

from tests.web.conftest import Browser

STATUSES = (
    "Identified, Assessed, Treatment planned, In treatment, Accepted, Acceptance expired, "
    "Monitoring, Closed"
)
DEVELOPER_WORDING = ("should", "Field required", "Value error", "pattern", "valid integer")


def _errors(page: str) -> dict[str, str]:
    """The message shown next to each field, by field name."""
    found = re.findall(r'<p class="error" id="e-([^"]+)">(.*?)</p>', page, flags=re.S)
    return {name: html.unescape(text.strip()) for name, text in found}


def _assert_plain(page: str) -> None:
    for message in _errors(page).values():
        assert not any(word in message for word in DEVELOPER_WORDING), message


def _risk_form(world, **fields: str) -> dict[str, str]:
    return {
        "title": "Card data leak",
        "unit_id": str(world.units["division-a"]),
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": "4",
        "inherent_impact": "5",
        **fields,
    }


def test_risk_form_names_each_field_in_plain_words(browser_for, world) -> None:
    browser: Browser = browser_for("analyst")
    typed = "A" * 301
    response = browser.post(
        "/risks/new",
        _risk_form(world, title=typed, status="bogus", treatment_due_date="31/12/2026"),
    )
    assert response.status_code == 422
    assert _errors(response.text) == {
        "title": "Title must be at most 300 characters",
        "status": f"Status must be one of: {STATUSES}",
        "treatment_due_date": "Treatment due date must be a date like 2026-12-31",
    }
    assert f'value="{typed}"' in response.text and 'value="31/12/2026"' in response.text
    assert "No risks match" in browser.get("/risks").text


def test_a_missing_title_and_a_rating_out_of_range(browser_for, world) -> None:
    browser: Browser = browser_for("analyst")
    response = browser.post(
        "/risks/new", _risk_form(world, title="", inherent_likelihood="42", description="Kept")
    )
    assert response.status_code == 422
    assert _errors(response.text) == {
        "title": "Title is required",
        "inherent_likelihood": "Inherent likelihood must be at most 10",
    }
    assert ">Kept</textarea>" in response.text
    _assert_plain(response.text)


def test_asset_form_explains_host_names_and_addresses(browser_for, world) -> None:
    browser: Browser = browser_for("analyst")
    response = browser.post(
        "/assets/new",
        {
            "unit_id": str(world.units["division-a"]),
            "type": "server",
            "name": "edge-01",
            "hostname": "edge 01!",
            "ip_address": "999.1.1.1",
        },
    )
    assert response.status_code == 422
    assert _errors(response.text) == {
        "hostname": "Hostname must be a host name like server-01.example.com: "
        "letters, digits and '-' in parts separated by dots",
        "ip_address": "IP address must be an IP address like 192.0.2.10 or 2001:db8::1",
    }
    assert 'value="edge 01!"' in response.text and 'value="999.1.1.1"' in response.text


def test_control_form_explains_the_reference(browser_for, world) -> None:
    browser: Browser = browser_for("analyst")
    response = browser.post(
        "/controls/new",
        {"unit_id": str(world.units["division-a"]), "ref": "AC\t1", "title": "Access"},
    )
    assert response.status_code == 422
    assert _errors(response.text)["ref"] == (
        "Reference must not contain line breaks, tabs or other control characters"
    )


def test_an_invalid_page_address_is_a_page_not_json(browser_for) -> None:
    response = browser_for("analyst").get("/risks/abc")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Risk must be a whole number" in html.unescape(response.text)
