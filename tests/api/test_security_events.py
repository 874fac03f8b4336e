"""Refused requests (403) are recorded attributably: user, client address, route, unit, reason."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from structlog.testing import capture_logs

from aegis.models import AuditEvent, Risk
from tests.conftest import World
from tests.web.conftest import sign_in


def _denials(db) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == "permission_denied")
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def test_an_api_refusal_is_in_the_audit_trail_and_the_log(app, db, world: World, token_for) -> None:
    risk = {
        "unit_id": world.units["company"],
        "title": "Written by a reader",
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": 2,
        "inherent_impact": 2,
    }
    with capture_logs() as logs, TestClient(app, client=("198.51.100.20", 4000)) as client:
        refused = client.post("/api/v1/risks", json=risk, headers=token_for("readonly"))
    assert refused.status_code == 403
    assert db.scalar(select(func.count()).select_from(Risk)) == 0
    [event] = _denials(db)
    assert (event.actor_id, event.actor_email) == (world.users["readonly"], "readonly@example.com")
    assert event.unit_id == world.units["company"]
    assert event.entity_type == "request"
    assert event.changes["route"] == [None, "POST /api/v1/risks"]
    assert event.changes["client_address"] == [None, "198.51.100.20"]
    assert event.changes["reason"] == [None, "You may not change objects of this unit"]
    [line] = [line for line in logs if line["event"] == "permission_denied"]
    assert line["user"] == "readonly@example.com"
    assert line["client_address"] == "198.51.100.20"
    assert line["route"] == "POST /api/v1/risks"
    assert "authorization" not in repr(line).lower()  # no token in the log
    trail = TestClient(app).get(
        "/api/v1/audit-events",
        params={"action": "permission_denied"},
        headers=token_for("admin"),
    )
    assert trail.status_code == 200
    [entry] = trail.json()["items"]
    assert entry["actor_name"] == "Readonly" and entry["unit_name"] == "company"


def test_a_page_refusal_names_the_signed_in_user(client: TestClient, db, world: World) -> None:
    browser = sign_in(client, "analyst_b@example.com")
    refused = client.post(
        f"/admin/users/{world.users['analyst']}/unlock",
        data={"csrf_token": "forged"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 403
    assert browser.csrf != "forged"
    [event] = _denials(db)
    assert event.actor_id == world.users["analyst_b"]
    assert event.changes["route"] == [None, "POST /admin/users/{user_id}/unlock"]
    assert event.unit_id == world.units["division-b"]  # the user's own unit
