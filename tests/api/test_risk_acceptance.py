"""Risk acceptance through the API: nobody accepts a risk alone, nor for longer than allowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from aegis.core.db import utcnow
from aegis.main import create_app
from tests.factories.risks import risk_body

TODAY = utcnow().date()
REQUESTS = "/api/v1/risk-acceptance-requests"


def _fields(response) -> list[str]:
    return [d["field"] for d in response.json()["error"]["details"]]


def _assessed(client: TestClient, headers, unit: int) -> dict[str, Any]:
    body = risk_body(unit, status="assessed", inherent_likelihood=5, inherent_impact=5)
    created = client.post("/api/v1/risks", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def _ask(client: TestClient, headers, risk_id: int, days: int = 90, why: str = "Low exposure"):
    body = {"justification": why, "expires_on": (TODAY + timedelta(days=days)).isoformat()}
    return client.post(f"/api/v1/risks/{risk_id}/acceptance-requests", json=body, headers=headers)


def test_an_analyst_cannot_register_a_critical_risk_as_accepted_by_themselves(
    client: TestClient, world, token_for
) -> None:
    headers = token_for("analyst")
    body = risk_body(
        world.units["division-a"],
        status="accepted",
        inherent_likelihood=5,
        inherent_impact=5,
        treatment="accept",
        acceptance_approver_id=world.users["analyst"],
        acceptance_justification="Trust me",
        acceptance_expires_on=(TODAY + timedelta(days=3650)).isoformat(),
    )
    refused = client.post("/api/v1/risks", json=body, headers=headers)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert _fields(refused) == ["status"]
    assert "approves a request to accept it" in error["message"]
    # the acceptance fields alone are refused too, each named
    body["status"] = "assessed"
    refused = client.post("/api/v1/risks", json=body, headers=headers)
    assert refused.status_code == 422
    assert _fields(refused) == [
        "acceptance_approver_id",
        "acceptance_justification",
        "acceptance_expires_on",
    ]
    assert client.get("/api/v1/risks", headers=token_for("admin")).json()["total"] == 0


def test_an_edit_cannot_accept_a_risk_or_stretch_its_acceptance(
    client: TestClient, world, token_for
) -> None:
    analyst = token_for("analyst")
    risk = _assessed(client, analyst, world.units["division-a"])
    url = f"/api/v1/risks/{risk['id']}"
    refused = client.patch(url, json={"status": "accepted", "treatment": "accept"}, headers=analyst)
    assert refused.status_code == 409
    assert _fields(refused) == ["status"]

    asked = _ask(client, analyst, risk["id"], days=30)
    approved = client.post(
        f"{REQUESTS}/{asked.json()['id']}/approve", json={}, headers=token_for("admin_a")
    )
    assert approved.status_code == 200, approved.text
    accepted = client.get(url, headers=analyst).json()
    assert accepted["status"] == "accepted"
    stretched = client.patch(
        url,
        json={"acceptance_expires_on": (TODAY + timedelta(days=3650)).isoformat()},
        headers=analyst,
    )
    assert stretched.status_code == 422
    assert _fields(stretched) == ["acceptance_expires_on"]
    assert "approved" in stretched.json()["error"]["details"][0]["message"]
    assert client.get(url, headers=analyst).json() == accepted


def test_a_request_is_decided_by_an_administrator_of_the_unit_not_by_its_requester(
    client: TestClient, world, token_for
) -> None:
    admin_a = token_for("admin_a")
    risk = _assessed(client, token_for("analyst"), world.units["team-a1"])
    asked = _ask(client, admin_a, risk["id"], days=120, why="Retired in the spring")
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["risk_title"], request["unit_id"]) == (
        "pending",
        risk["title"],
        world.units["team-a1"],
    )
    assert request["can_decide"] is False

    own = client.post(f"{REQUESTS}/{request['id']}/approve", json={}, headers=admin_a)
    assert own.status_code == 403
    assert "someone else" in own.json()["error"]["message"]
    analyst = client.post(
        f"{REQUESTS}/{request['id']}/approve", json={}, headers=token_for("analyst")
    )
    assert analyst.status_code == 403
    sibling = client.post(
        f"{REQUESTS}/{request['id']}/approve", json={}, headers=token_for("analyst_b")
    )
    assert sibling.status_code == 404
    assert client.get(f"/api/v1/risks/{risk['id']}", headers=admin_a).json()["status"] == "assessed"

    admin = token_for("admin")
    awaiting = client.get(REQUESTS, params={"awaiting_me": "true"}, headers=admin).json()
    assert [(r["id"], r["can_decide"]) for r in awaiting["items"]] == [(request["id"], True)]
    approved = client.post(
        f"{REQUESTS}/{request['id']}/approve", json={"comment": "Agreed"}, headers=admin
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["decided_by_id"] == world.users["admin"]
    risk_now = client.get(f"/api/v1/risks/{risk['id']}", headers=admin_a).json()
    assert risk_now["status"] == "accepted"
    assert risk_now["acceptance_approver_id"] == world.users["admin"]
    assert risk_now["acceptance_expires_on"] == (TODAY + timedelta(days=120)).isoformat()
    again = client.post(f"{REQUESTS}/{request['id']}/reject", json={"comment": "No"}, headers=admin)
    assert again.status_code == 409

    events = client.get(
        "/api/v1/audit-events",
        params={"entity_type": "risk_acceptance_request", "sort": "occurred_at"},
        headers=admin,
    ).json()["items"]
    assert [(e["action"], e["actor_email"]) for e in events] == [
        ("create", "admin_a@example.com"),
        ("update", "admin@example.com"),
    ]
    assert events[0]["summary"] == f"Created risk acceptance request on risk '{risk['title']}'"
    decision = {d["label"]: (d["before"], d["after"]) for d in events[1]["details"]}
    assert decision["Decided by"] == (None, "Admin")
    assert decision["Status"] == ("Pending", "Approved")
    assert events[1]["summary"] == f"Updated risk acceptance request on risk '{risk['title']}'"


def test_bad_requests_name_their_field_and_write_nothing(
    client: TestClient, world, token_for
) -> None:
    analyst = token_for("analyst")
    risk = _assessed(client, analyst, world.units["division-a"])
    ten_years = _ask(client, analyst, risk["id"], days=3650)
    assert ten_years.status_code == 422
    assert _fields(ten_years) == ["expires_on"]
    assert "at most 365 days" in ten_years.json()["error"]["message"]
    blank = client.post(
        f"/api/v1/risks/{risk['id']}/acceptance-requests",
        json={"justification": "  ", "expires_on": "soon"},
        headers=analyst,
    )
    assert blank.status_code == 422
    assert set(_fields(blank)) == {"justification", "expires_on"}
    readonly = _ask(client, token_for("readonly"), risk["id"])
    assert readonly.status_code == 403
    assert client.get(REQUESTS, headers=token_for("admin")).json()["total"] == 0

    request = _ask(client, analyst, risk["id"]).json()
    twice = _ask(client, token_for("admin_a"), risk["id"])
    assert twice.status_code == 409
    unexplained = client.post(
        f"{REQUESTS}/{request['id']}/reject", json={}, headers=token_for("admin_a")
    )
    assert unexplained.status_code == 422
    assert _fields(unexplained) == ["comment"]
    assert client.get(f"{REQUESTS}/{request['id']}", headers=analyst).json()["status"] == "pending"


def test_the_longest_acceptance_comes_from_the_settings(
    settings, engine, session_factory, world, token_for
) -> None:
    app = create_app(settings.model_copy(update={"risk_acceptance_max_days": 30}), engine=engine)
    app.state.session_factory = session_factory
    with TestClient(app) as client:
        analyst = token_for("analyst")
        risk = _assessed(client, analyst, world.units["division-a"])
        refused = _ask(client, analyst, risk["id"], days=31)
        assert refused.status_code == 422
        assert "at most 30 days" in refused.json()["error"]["message"]
        assert _ask(client, analyst, risk["id"], days=30).status_code == 201


def test_analysts_approve_when_the_settings_give_them_that_right(
    settings, engine, session_factory, world, token_for
) -> None:
    both = settings.model_copy(update={"risk_acceptance_approver_roles": ["admin", "analyst"]})
    app = create_app(both, engine=engine)
    app.state.session_factory = session_factory
    with TestClient(app) as client:
        risk = _assessed(client, token_for("analyst"), world.units["division-a"])
        request = _ask(client, token_for("admin_a"), risk["id"]).json()
        approved = client.post(
            f"{REQUESTS}/{request['id']}/approve", json={}, headers=token_for("analyst")
        )
        assert approved.status_code == 200, approved.text
