"""Validation errors of the API speak plain language and name the field they are about."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aegis.core.messages import PATTERNS, choice_label, field_label
from tests.factories.risks import risk_body

DEVELOPER_WORDING = re.compile(
    r"Input should|String should|should have|Field required|Value error|pattern|"
    r"Extra inputs|valid integer|unable to parse|_[a-z]",
)
STATUSES = (
    "Identified, Assessed, Treatment planned, In treatment, Accepted, Acceptance expired, "
    "Monitoring, Closed"
)


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    return error


def _messages(response: Any) -> dict[str, str]:
    details = _error(response)["details"]
    assert all(set(d) == {"field", "location", "message", "type"} for d in details), details
    return {d["field"]: d["message"] for d in details}


def _assert_plain(error: dict[str, Any]) -> None:
    for text in [error["message"], *(d["message"] for d in error["details"])]:
        assert not DEVELOPER_WORDING.search(text), text


def test_every_invalid_field_of_a_risk_is_named_in_plain_words(
    client: TestClient, world, token_for
) -> None:
    body = risk_body(
        world.units["division-a"],
        title="t" * 301,
        status="bogus",
        treatment_due_date="2026-13-45",
    )
    del body["category"]
    response = client.post("/api/v1/risks", json=body, headers=token_for("analyst"))
    error = _error(response)
    assert _messages(response) == {
        "title": "Title must be at most 300 characters",
        "category": "Category is required",
        "status": f"Status must be one of: {STATUSES}",
        "treatment_due_date": "Treatment due date must be a date like 2026-12-31",
    }
    assert error["message"] == (
        "These fields are not valid: Title, Category, Status and Treatment due date"
    )
    assert {d["location"] for d in error["details"]} == {"body"}
    assert [d["type"] for d in error["details"]] == [
        "string_too_long",
        "missing",
        "enum",
        "date_from_datetime_parsing",
    ]
    _assert_plain(error)


def test_a_single_error_is_the_message_itself(client: TestClient, world, token_for) -> None:
    body = risk_body(world.units["division-a"])
    del body["title"]
    error = _error(client.post("/api/v1/risks", json=body, headers=token_for("analyst")))
    assert error["message"] == "Title is required"
    assert error["details"] == [
        {"field": "title", "location": "body", "message": "Title is required", "type": "missing"}
    ]


def test_numbers_dates_lists_and_unknown_fields(client: TestClient, world, token_for) -> None:
    body = risk_body(
        world.units["division-a"],
        inherent_likelihood="high",
        inherent_impact=11,
        owner_id="someone",
        acceptance_expires_on="soon",
        next_review_date="2026-12-31T10:30:00",
        asset_ids=[1, "two"],
        control_ids="all",
        colour="red",
    )
    response = client.post("/api/v1/risks", json=body, headers=token_for("analyst"))
    assert _messages(response) == {
        "owner_id": "Owner must be a whole number",
        "inherent_likelihood": "Inherent likelihood must be a whole number",
        "inherent_impact": "Inherent impact must be at most 10",
        "acceptance_expires_on": "Acceptance expiry must be a date like 2026-12-31",
        "next_review_date": "Next review date must be a date like 2026-12-31, without a time",
        "asset_ids.1": "Item 2 of Assets must be a whole number",
        "control_ids": "Controls must be a list",
        "colour": "Unknown field: colour",
    }
    _assert_plain(_error(response))


def test_an_empty_title_on_update_is_required(client: TestClient, world, token_for) -> None:
    headers = token_for("analyst")
    risk = client.post(
        "/api/v1/risks", json=risk_body(world.units["division-a"]), headers=headers
    ).json()
    response = client.patch(f"/api/v1/risks/{risk['id']}", json={"title": "  "}, headers=headers)
    assert _messages(response) == {"title": "Title is required"}


def test_query_parameters_are_named_too(client: TestClient, token_for) -> None:
    response = client.get(
        "/api/v1/risks",
        params={"limit": 0, "status": "open", "min_inherent_score": "x"},
        headers=token_for("analyst"),
    )
    error = _error(response)
    assert {d["location"] for d in error["details"]} == {"query"}
    assert _messages(response) == {
        "limit": "Limit must be at least 1",
        "status": f"Status must be one of: {STATUSES}",
        "min_inherent_score": "Minimum inherent score must be a whole number",
    }
    _assert_plain(error)


def test_asset_patterns_addresses_and_our_own_messages(
    client: TestClient, world, token_for
) -> None:
    body = {
        "unit_id": world.units["division-a"],
        "name": "web",
        "type": "mainframe",
        "hostname": "bad host!",
        "ip_address": "10.0.0",
        "tags": ["ok", "not a tag!"],
    }
    response = client.post("/api/v1/assets", json=body, headers=token_for("analyst"))
    messages = _messages(response)
    assert messages["type"].startswith("Type must be one of: Server, Workstation, Network device")
    assert messages["hostname"] == (
        "Hostname must be a host name like server-01.example.com: "
        "letters, digits and '-' in parts separated by dots"
    )
    assert messages["ip_address"] == (
        "IP address must be an IP address like 192.0.2.10 or 2001:db8::1"
    )
    assert messages["tags.1"] == "A tag is 1-64 letters, digits, '_', '.', ':' or '-'"
    _assert_plain(_error(response))


def test_control_reference_and_framework_key_patterns(client: TestClient, world, token_for) -> None:
    headers = token_for("analyst")
    control = client.post(
        "/api/v1/controls",
        json={"unit_id": world.units["division-a"], "ref": "AC\n1", "title": "Access"},
        headers=headers,
    )
    assert _messages(control) == {
        "ref": "Reference must not contain line breaks, tabs or other control characters"
    }
    framework = client.post(
        "/api/v1/frameworks",
        json={"unit_id": world.units["company"], "key": "iso 27001!", "name": "ISO", "version": ""},
        headers=token_for("admin"),
    )
    assert _messages(framework) == {
        "key": "Key may contain only letters, digits, '.', '-' and '_', must start with a "
        "letter or digit and be at most 100 characters long",
        "version": "Version is required",
    }


def test_risk_matrix_names_the_band_and_keeps_its_own_rule(client: TestClient, token_for) -> None:
    body = {
        "likelihood_levels": 3,
        "impact_levels": 3,
        "appetite_score": 20,
        "bands": [{"name": "All", "min_score": 1, "max_score": 9, "color": "red"}],
    }
    response = client.put("/api/v1/risk-matrix", json=body, headers=token_for("admin"))
    assert _messages(response) == {
        "bands.0.color": "Colour of band 1 must be a colour like #1f77b4",
        "appetite_score": "Appetite score must be between 1 and 9 (likelihood × impact levels)",
    }


def test_user_e_mail_password_role_and_flags(client: TestClient, world, token_for) -> None:
    body = {
        "email": "not-an-address",
        "name": "",
        "password": "short",
        "role": "owner",
        "unit_id": world.units["company"],
        "include_children": "maybe",
    }
    response = client.post("/api/v1/users", json=body, headers=token_for("admin"))
    assert _messages(response) == {
        "email": "E-mail must be an e-mail address like name@example.com",
        "name": "Name is required",
        "password": "Password must be at least 12 characters",
        "role": "Role must be one of: Admin, Analyst, Read-only",
        "include_children": "Include sub-units must be true or false",
    }
    _assert_plain(_error(response))


def test_a_body_that_is_not_json_is_said_so(client: TestClient, token_for) -> None:
    response = client.post(
        "/api/v1/risks",
        content=b"{not json",
        headers={**token_for("analyst"), "Content-Type": "application/json"},
    )
    error = _error(response)
    assert error["message"] == "The request body is not valid JSON"
    assert error["details"][0]["field"] == "body"


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("owner_id", "Owner"),
        ("inherent_likelihood", "Inherent likelihood"),
        ("acceptance_expires_on", "Acceptance expiry"),
        ("ip_address", "IP address"),
        ("asset_ids", "Assets"),
        ("title", "Title"),
        ("q", "Search"),
    ],
)
def test_field_labels_come_from_field_names(name: str, label: str) -> None:
    assert field_label(name) == label


def test_choices_read_as_labels() -> None:
    assert choice_label("in_treatment") == "In treatment"


def test_every_pattern_of_the_schemas_is_described() -> None:
    domains = Path(__file__).parents[2] / "src" / "aegis" / "domains"
    found = {
        pattern
        for path in domains.glob("*/*schemas.py")
        for pattern in re.findall(r'pattern=r"([^"]+)"', path.read_text())
    }
    assert len(found) >= 4
    assert found <= set(PATTERNS), found - set(PATTERNS)
