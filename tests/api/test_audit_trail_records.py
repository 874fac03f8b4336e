"""What the audit trail records through the API (sign-ins, downloads, role changes), its
verification route, and that no route changes or removes an event."""

from __future__ import annotations

import hashlib
import inspect as pyinspect

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from aegis.domains import audit as audit_domain
from aegis.domains.audit import chain, service, verify, wording
from aegis.models import AuditEvent
from aegis.web.routes import audit as audit_pages
from tests.conftest import PASSWORD, World
from tests.factories.discussion import make_attachment
from tests.factories.evidence import PDF, make_file
from tests.factories.risks import make_risk

WRONG = "not the password at all"


def _events(db: Session, action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def _trail(client: TestClient, headers: dict[str, str], **params: object) -> list[dict]:
    response = client.get("/api/v1/audit-events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


def test_an_api_sign_in_is_recorded_in_words(client: TestClient, db, world: World, token_for):
    with TestClient(client.app, client=("198.51.100.7", 5000)) as other:
        response = other.post(
            "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
        )
    assert response.status_code == 200
    [event] = _events(db, "sign_in")
    assert (event.actor_id, event.entity_type, event.entity_id) == (
        world.users["analyst"],
        "user",
        world.users["analyst"],
    )
    assert event.unit_id == world.units["division-a"]
    assert event.changes["client_address"] == [None, "198.51.100.7"]
    [entry] = _trail(client, token_for("admin"), action="sign_in")
    assert entry["action_label"] == "Signed in"
    assert entry["summary"] == "Signed in as Analyst (API)"
    assert "sign_in" not in entry["summary"]


def test_failed_sign_ins_and_locks_read_as_words(client: TestClient, token_for) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": "analyst@example.com", "password": WRONG})
    client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": WRONG})
    failed = _trail(client, token_for("admin"), action="sign_in_failed")
    assert {e["action_label"] for e in failed} == {"Sign-in failed"}
    assert "Sign-in failed for Analyst: wrong password" in {e["summary"] for e in failed}
    assert "Sign-in failed for nobody@example.com: unknown account" in {
        e["summary"] for e in failed
    }
    [locked] = _trail(client, token_for("admin"), action="lock")
    assert locked["action_label"] == "Account locked"
    assert locked["summary"].startswith("Account locked: Analyst until ")
    assert locked["summary"].endswith(" UTC")


def test_an_evidence_download_is_recorded_under_its_unit(
    app, client: TestClient, db, world: World, principal_for, token_for
) -> None:
    unit = world.units["division-a"]
    evidence = make_file(db, principal_for("analyst"), app.state.blob_store, unit)
    db.commit()
    latest = client.get(f"/api/v1/evidence/{evidence.id}/download", headers=token_for("readonly"))
    first = client.get(
        f"/api/v1/evidence/{evidence.id}/versions/1/download", headers=token_for("readonly")
    )
    assert latest.status_code == first.status_code == 200
    events = _events(db, "download")
    assert [(e.entity_type, e.entity_id, e.unit_id) for e in events] == [
        ("evidence", evidence.id, unit)
    ] * 2
    assert [e.changes["version_number"] for e in events] == [[None, 1]] * 2
    assert events[0].changes["sha256"] == [None, hashlib.sha256(PDF).hexdigest()]
    assert all(e.actor_id == world.users["readonly"] for e in events)
    assert events[0].changes["filename"] == [None, "policy.pdf"]
    entries = _trail(client, token_for("admin"), action="download")
    assert {e["summary"] for e in entries} == {"Downloaded evidence 'Policy'"}
    assert {e["action_label"] for e in entries} == {"Downloaded"}


def test_a_refused_download_records_no_download(
    app, client: TestClient, db, world: World, principal_for, token_for
) -> None:
    evidence = make_file(
        db, principal_for("analyst"), app.state.blob_store, world.units["division-a"]
    )
    response = client.get(
        f"/api/v1/evidence/{evidence.id}/download", headers=token_for("analyst_b")
    )
    assert response.status_code == 404
    assert _events(db, "download") == []


def test_a_risk_attachment_download_names_its_risk(
    app, client: TestClient, db, world: World, principal_for, token_for
) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"], title="Ransomware")
    attachment = make_attachment(db, analyst, app.state.blob_store, risk.id)
    url = f"/api/v1/risks/{risk.id}/attachments/{attachment.id}/download"
    assert client.get(url, headers=token_for("analyst")).status_code == 200
    [event] = _events(db, "download")
    assert (event.entity_type, event.entity_id) == ("risk_attachment", attachment.id)
    assert event.unit_id == world.units["division-a"]
    [entry] = _trail(client, token_for("admin"), action="download")
    assert entry["summary"] == "Downloaded risk attachment 'assessment.pdf' on risk 'Ransomware'"


def test_role_changes_are_recorded_with_who_made_them(
    client: TestClient, db, world: World, token_for
) -> None:
    grant = client.post(
        "/api/v1/role-assignments",
        json={
            "user_id": world.users["analyst_b"],
            "role": "readonly",
            "unit_id": world.units["team-a1"],
        },
        headers=token_for("admin"),
    )
    assert grant.status_code == 201
    revoke = client.delete(
        f"/api/v1/role-assignments/{grant.json()['id']}", headers=token_for("admin")
    )
    assert revoke.status_code == 204
    stmt = select(AuditEvent).where(AuditEvent.entity_type == "role_assignment")
    events = list(db.scalars(stmt.order_by(AuditEvent.id)))
    assert [(e.action, e.actor_id) for e in events] == [
        ("create", world.users["admin"]),
        ("delete", world.users["admin"]),
    ]
    assert events[0].changes["role"] == [None, "readonly"]
    entries = _trail(client, token_for("admin"), entity_type="role_assignment")
    assert {e["summary"] for e in entries} == {
        "Created role assignment for user 'Analyst_B'",
        "Deleted role assignment for user 'Analyst_B'",
    }


def test_the_whole_organisation_admin_verifies_the_trail(
    client: TestClient, db, world: World, principal_for, token_for
) -> None:
    make_risk(db, principal_for("analyst"), world.units["division-a"], title="First")
    make_risk(db, principal_for("analyst"), world.units["division-a"], title="Second")
    response = client.get("/api/v1/audit-events/verify", headers=token_for("admin"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["intact"] is True and report["broken"] is None
    assert report["checked"] == report["last_position"] >= 2
    assert len(report["last_seal"]) == 64
    assert report["summary"].startswith("The audit trail is intact")


def test_verifying_names_the_first_broken_link(
    client: TestClient, db, world: World, principal_for, token_for
) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], title="First")
    make_risk(db, principal_for("analyst"), world.units["division-a"], title="Second")
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "risk", AuditEvent.entity_id == risk.id)
    )
    assert event is not None
    db.execute(text("UPDATE audit_events SET action = 'update' WHERE id = :id"), {"id": event.id})
    report = client.get("/api/v1/audit-events/verify", headers=token_for("admin")).json()
    assert report["intact"] is False
    assert report["broken"]["problem"] == "edited"
    assert report["broken"]["problem_label"] == "Edited"
    assert report["broken"]["event_id"] == event.id
    assert report["broken"]["position"] == event.chain_position
    assert f"Event #{event.id}" in report["broken"]["message"]
    assert report["summary"].startswith("The audit trail is broken: edited.")


def test_only_an_admin_of_the_whole_organisation_may_verify(client: TestClient, token_for) -> None:
    for name in ("admin_a", "readonly", "analyst"):
        response = client.get("/api/v1/audit-events/verify", headers=token_for(name))
        assert response.status_code == 403, name
        assert "whole organisation" in response.json()["error"]["message"]
    assert client.get("/api/v1/audit-events/verify").status_code == 401


def test_no_route_changes_or_removes_audit_events(app) -> None:
    api = {
        method.upper()
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/audit")
        for method in operations
    }
    pages = {method for route in audit_pages.router.routes for method in route.methods}
    assert api == {"GET"} and pages <= {"GET", "HEAD"}


def test_the_audit_domain_offers_no_way_to_change_an_event() -> None:
    modules = (audit_domain, service, chain, verify, wording)
    names = {
        name
        for module in modules
        for name, value in vars(module).items()
        if pyinspect.isfunction(value) and value.__module__ == module.__name__
    }
    words = ("update", "delete", "remove", "edit", "change_event", "purge", "truncate")
    assert names and not [name for name in names if name.startswith(words)]
