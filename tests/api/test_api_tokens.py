"""API tokens: shown once, stored as digests, limited to their units and access, revocable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from structlog.testing import capture_logs

from aegis.core.db import utcnow
from aegis.core.security import token_digest
from aegis.domains.api_tokens import service as api_token_service
from aegis.models import ApiToken, Asset, AuditEvent, RoleAssignment, User, api_token_units
from tests.conftest import Clock, World
from tests.factories.assets import make_asset

Headers = Callable[[str], dict[str, str]]


def _in_days(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def _create(
    client: TestClient, token_for: Headers, user: str, units: list[int], **fields: object
) -> dict:
    body = {
        "name": "CI export",
        "access": "read_only",
        "unit_ids": units,
        "expires_on": _in_days(30),
    }
    response = client.post("/api/v1/api-tokens", json={**body, **fields}, headers=token_for(user))
    assert response.status_code == 201, response.text
    return response.json()


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _tokens(db) -> int:
    return int(db.scalar(select(func.count()).select_from(ApiToken)) or 0)


@pytest.fixture
def token_clock(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The test clock, also read by the API token checks."""
    monkeypatch.setattr(api_token_service, "utcnow", clock.now)
    return clock


def test_the_secret_is_shown_once_and_stored_only_as_its_digest(
    client: TestClient, db, world: World, token_for: Headers
) -> None:
    with capture_logs() as logs:
        created = _create(client, token_for, "analyst", [world.units["division-a"]])
    secret = created["secret"]
    assert secret.startswith("aegis_") and len(secret) == 46
    assert created["prefix"] == secret[:12]
    assert created["status"] == "active" and created["access"] == "read_only"
    assert created["unit_ids"] == [world.units["division-a"]]
    assert created["expires_at"].startswith(_in_days(30))
    listed = client.get("/api/v1/api-tokens", headers=token_for("analyst"))
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert "secret" not in item and secret not in listed.text
    assert item["prefix"] == created["prefix"] and item["name"] == "CI export"
    stored = db.scalars(select(ApiToken)).one()
    assert stored.token_hash == token_digest(secret)
    assert secret not in repr([getattr(stored, c.key) for c in ApiToken.__table__.columns])
    event = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "api_token")).one()
    assert event.action == "create" and event.actor_id == world.users["analyst"]
    assert secret not in repr(event.changes) and secret[12:] not in repr(logs)


def test_a_token_reaches_only_its_units_even_where_its_user_reaches_more(
    client: TestClient, db, world: World, token_for: Headers, principal_for
) -> None:
    mine = make_asset(db, principal_for("admin"), world.units["team-a1"], name="in team a1")
    other = make_asset(db, principal_for("admin"), world.units["division-b"], name="in division b")
    secret = _create(client, token_for, "admin", [world.units["division-a"]])["secret"]
    names = {
        a["name"] for a in client.get("/api/v1/assets", headers=_bearer(secret)).json()["items"]
    }
    assert names == {"in team a1"}  # the units below division-a are within the token's reach
    assert client.get(f"/api/v1/assets/{other.id}", headers=_bearer(secret)).status_code == 404
    assert client.get(f"/api/v1/assets/{mine.id}", headers=_bearer(secret)).status_code == 200
    everything = client.get("/api/v1/assets", headers=token_for("admin")).json()["items"]
    assert {a["name"] for a in everything} == {"in team a1", "in division b"}


def test_a_read_only_token_is_refused_every_change(
    client: TestClient, db, world: World, token_for: Headers, principal_for
) -> None:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"])
    secret = _create(client, token_for, "admin", [world.units["company"]])["secret"]
    new = {"name": "db-01", "type": "database", "unit_id": world.units["division-a"]}
    refused = client.post("/api/v1/assets", json=new, headers=_bearer(secret))
    assert refused.status_code == 403, refused.text
    changed = client.patch(
        f"/api/v1/assets/{asset.id}", json={"criticality": "high"}, headers=_bearer(secret)
    )
    assert changed.status_code == 403
    assert (
        client.delete(
            f"/api/v1/units/{world.units['team-a1']}", headers=_bearer(secret)
        ).status_code
        == 403
    )
    assert db.scalar(select(func.count()).select_from(Asset)) == 1
    assert db.get(Asset, asset.id).criticality == "medium"
    denial = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "permission_denied").order_by(AuditEvent.id)
    ).first()
    assert denial is not None and denial.actor_id == world.users["admin"]


def test_a_read_write_token_changes_only_within_its_units(
    client: TestClient, db, world: World, token_for: Headers
) -> None:
    secret = _create(client, token_for, "admin", [world.units["division-a"]], access="read_write")[
        "secret"
    ]
    inside = {"name": "db-01", "type": "database", "unit_id": world.units["team-a1"]}
    assert client.post("/api/v1/assets", json=inside, headers=_bearer(secret)).status_code == 201
    outside = {**inside, "unit_id": world.units["division-b"]}
    assert client.post("/api/v1/assets", json=outside, headers=_bearer(secret)).status_code == 403
    assert db.scalar(select(func.count()).select_from(Asset)) == 1


def test_removing_a_role_narrows_the_token_at_once(
    client: TestClient, db, world: World, token_for: Headers, principal_for
) -> None:
    extra = RoleAssignment(
        user_id=world.users["analyst"], role="analyst", unit_id=world.units["division-b"]
    )
    db.add(extra)
    db.flush()
    asset_b = make_asset(db, principal_for("admin"), world.units["division-b"])
    units = [world.units["division-a"], world.units["division-b"]]
    secret = _create(client, token_for, "analyst", units, access="read_write")["secret"]
    assert client.get(f"/api/v1/assets/{asset_b.id}", headers=_bearer(secret)).status_code == 200
    db.execute(delete(RoleAssignment).where(RoleAssignment.id == extra.id))
    db.flush()
    assert client.get(f"/api/v1/assets/{asset_b.id}", headers=_bearer(secret)).status_code == 404
    db.execute(
        RoleAssignment.__table__.update()
        .where(RoleAssignment.user_id == world.users["analyst"])
        .values(role="readonly")
    )
    db.flush()
    new = {"name": "db-01", "type": "database", "unit_id": world.units["division-a"]}
    assert client.post("/api/v1/assets", json=new, headers=_bearer(secret)).status_code == 403


def test_an_expired_token_is_refused_with_a_clear_message(
    client: TestClient, world: World, token_for: Headers, token_clock: Clock
) -> None:
    secret = _create(
        client, token_for, "analyst", [world.units["division-a"]], expires_on=_in_days(2)
    )["secret"]
    assert client.get("/api/v1/assets", headers=_bearer(secret)).status_code == 200
    token_clock.advance(days=2)
    refused = client.get("/api/v1/assets", headers=_bearer(secret))
    assert refused.status_code == 401
    error = refused.json()["error"]
    assert error["code"] == "api_token_expired"
    assert error["message"].startswith(f"This API token expired on {_in_days(2)}")


def test_a_revoked_token_stops_working_and_the_revocation_is_recorded(
    client: TestClient, db, world: World, token_for: Headers
) -> None:
    created = _create(client, token_for, "analyst", [world.units["division-a"]])
    revoked = client.delete(f"/api/v1/api-tokens/{created['id']}", headers=token_for("analyst"))
    assert revoked.status_code == 204
    refused = client.get("/api/v1/assets", headers=_bearer(created["secret"]))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "api_token_revoked"
    assert "revoked" in refused.json()["error"]["message"]
    [item] = client.get("/api/v1/api-tokens", headers=token_for("analyst")).json()["items"]
    assert item["status"] == "revoked" and item["revoked_at"]
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "api_token").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "update"]
    assert "revoked_at" in events[1].changes
    assert created["secret"] not in repr([e.changes for e in events])
    trail = client.get(
        "/api/v1/audit-events", params={"entity_type": "api_token"}, headers=token_for("admin")
    )
    assert trail.status_code == 200, trail.text
    entries = {entry["action"]: entry for entry in trail.json()["items"]}
    assert entries["create"]["summary"] == "Created API token 'CI export'"
    words = {d["field"]: d for d in entries["create"]["details"]}
    assert words["unit_ids"]["after"] == "division-a" and words["owner_id"]["after"] == "Analyst"
    assert created["secret"] not in trail.text


def test_the_token_of_a_disabled_user_is_refused(
    client: TestClient, db, world: World, token_for: Headers
) -> None:
    secret = _create(client, token_for, "analyst", [world.units["division-a"]])["secret"]
    db.get(User, world.users["analyst"]).is_active = False
    db.flush()
    refused = client.get("/api/v1/assets", headers=_bearer(secret))
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == (
        "The account this API token belongs to is disabled"
    )


def test_an_unknown_or_mangled_token_is_refused(client: TestClient) -> None:
    for secret in ("aegis_" + "x" * 40, "aegis_", "aegis_" + "y" * 5000):
        refused = client.get("/api/v1/assets", headers=_bearer(secret))
        assert refused.status_code == 401
        assert "not valid" in refused.json()["error"]["message"]


def test_a_token_cannot_manage_tokens_sessions_or_sign_out(
    client: TestClient, db, world: World, token_for: Headers
) -> None:
    created = _create(client, token_for, "admin", [world.units["company"]], access="read_write")
    token = _bearer(created["secret"])
    body = {
        "name": "x",
        "access": "read_only",
        "unit_ids": [world.units["company"]],
        "expires_on": _in_days(3),
    }
    calls = [
        ("GET", "/api/v1/api-tokens", None),
        ("POST", "/api/v1/api-tokens", body),
        ("GET", "/api/v1/api-tokens/administered", None),
        ("DELETE", f"/api/v1/api-tokens/{created['id']}", None),
        ("GET", "/api/v1/auth/sessions", None),
        ("DELETE", "/api/v1/auth/sessions", None),
        ("POST", "/api/v1/auth/logout", None),
    ]
    for method, path, json in calls:
        refused = client.request(method, path, json=json, headers=token)
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json()["error"]["code"] == "sign_in_required"
        assert "sign in to Aegis" in refused.json()["error"]["message"]
    assert _tokens(db) == 1
    assert db.scalars(select(ApiToken)).one().revoked_at is None


def test_a_token_cannot_open_the_web_pages(
    client: TestClient, world: World, token_for: Headers
) -> None:
    secret = _create(client, token_for, "admin", [world.units["company"]])["secret"]
    page = client.get(
        "/account", headers={**_bearer(secret), "Accept": "text/html"}, follow_redirects=False
    )
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"unit_ids": ["division-b"]}, "unit_ids", "Choose only units you hold a role on"),
        ({"unit_ids": [2_000_000]}, "unit_ids", "Choose only units you hold a role on"),
        ({"unit_ids": []}, "unit_ids", ""),
        ({"expires_on": _in_days(0)}, "expires_on", "after today"),
        ({"expires_on": _in_days(366)}, "expires_on", "at most 365 days"),
        ({"expires_on": None}, "expires_on", ""),
        ({"access": "admin"}, "access", ""),
        ({"name": ""}, "name", ""),
        ({"name": "a\u202eb"}, "name", ""),
        ({"secret": "aegis_chosen"}, "secret", ""),
    ],
)
def test_a_refused_token_names_its_field_and_writes_nothing(
    client: TestClient, db, world: World, token_for: Headers, change: dict, field: str, words: str
) -> None:
    body = {
        "name": "n",
        "access": "read_only",
        "unit_ids": [world.units["division-a"]],
        "expires_on": _in_days(5),
    }
    body.update(change)
    if change.get("unit_ids") == ["division-b"]:
        body["unit_ids"] = [world.units["division-b"]]
    body = {k: v for k, v in body.items() if v is not None}
    refused = client.post("/api/v1/api-tokens", json=body, headers=token_for("analyst"))
    assert refused.status_code == 422, refused.text
    details = refused.json()["error"]["details"]
    assert field in {d["field"] for d in details}, details
    assert words in refused.json()["error"]["message"] + repr(details)
    assert _tokens(db) == 0
    assert db.scalar(select(func.count()).select_from(api_token_units)) == 0


def test_the_longest_validity_comes_from_the_settings(
    app, client: TestClient, world: World, token_for: Headers
) -> None:
    app.state.settings.api_token_max_days = 30
    body = {"name": "n", "access": "read_only", "unit_ids": [world.units["division-a"]]}
    headers = token_for("analyst")
    refused = client.post(
        "/api/v1/api-tokens", json={**body, "expires_on": _in_days(31)}, headers=headers
    )
    assert refused.status_code == 422 and "at most 30 days" in refused.json()["error"]["message"]
    allowed = client.post(
        "/api/v1/api-tokens", json={**body, "expires_on": _in_days(30)}, headers=headers
    )
    assert allowed.status_code == 201


def test_last_use_is_recorded_at_most_once_a_minute(
    app, db, world: World, token_for: Headers, token_clock: Clock, count_queries
) -> None:
    with TestClient(app, client=("203.0.113.9", 5000)) as client:
        created = _create(client, token_for, "analyst", [world.units["division-a"]])
        assert created["last_used_at"] is None
        assert client.get("/api/v1/assets", headers=_bearer(created["secret"])).status_code == 200
        token = db.get(ApiToken, created["id"])
        db.refresh(token)
        first = token.last_used_at
        assert first is not None and token.last_used_address == "203.0.113.9"
        with count_queries() as counted:
            client.get("/api/v1/assets", headers=_bearer(created["secret"]))
        assert not [s for s in counted.statements if s.lstrip().upper().startswith("UPDATE")]
        token_clock.advance(minutes=2)
        client.get("/api/v1/assets", headers=_bearer(created["secret"]))
        db.refresh(token)
        assert token.last_used_at > first
        [item] = client.get("/api/v1/api-tokens", headers=token_for("analyst")).json()["items"]
        assert item["last_used_address"] == "203.0.113.9" and item["last_used_at"]


def test_administrators_list_and_revoke_the_tokens_of_their_users(
    client: TestClient, world: World, token_for: Headers
) -> None:
    of_analyst = _create(client, token_for, "analyst", [world.units["division-a"]], name="a-token")
    of_sibling = _create(
        client, token_for, "analyst_b", [world.units["division-b"]], name="b-token"
    )
    seen = client.get("/api/v1/api-tokens/administered", headers=token_for("admin_a")).json()
    assert [item["name"] for item in seen["items"]] == ["a-token"]
    assert all("secret" not in item for item in seen["items"])
    everyone = client.get("/api/v1/api-tokens/administered", headers=token_for("admin")).json()
    assert {item["name"] for item in everyone["items"]} == {"a-token", "b-token"}
    refused = client.get("/api/v1/api-tokens/administered", headers=token_for("analyst"))
    assert refused.status_code == 403
    assert (
        client.delete(
            f"/api/v1/api-tokens/{of_sibling['id']}", headers=token_for("admin_a")
        ).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/api-tokens/{of_analyst['id']}", headers=token_for("analyst_b")
        ).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/api-tokens/{of_analyst['id']}", headers=token_for("admin_a")
        ).status_code
        == 204
    )
    assert client.get("/api/v1/assets", headers=_bearer(of_analyst["secret"])).status_code == 401
    assert client.get("/api/v1/assets", headers=_bearer(of_sibling["secret"])).status_code == 200
    revoked = client.get(
        "/api/v1/api-tokens/administered", params={"status": "revoked"}, headers=token_for("admin")
    ).json()["items"]
    assert [item["name"] for item in revoked] == ["a-token"]
    own = client.get("/api/v1/api-tokens", headers=token_for("admin")).json()
    assert own["items"] == []  # an administrator's own list holds only their tokens


def test_each_user_lists_only_their_own_tokens(
    client: TestClient, world: World, token_for: Headers
) -> None:
    _create(client, token_for, "analyst", [world.units["division-a"]], name="mine")
    _create(client, token_for, "readonly", [world.units["company"]], name="theirs")
    items = client.get("/api/v1/api-tokens", headers=token_for("analyst")).json()["items"]
    assert [item["name"] for item in items] == ["mine"]


def test_a_token_cannot_set_a_password_even_for_an_administrator(
    client: TestClient, db, world: World, token_for: Headers
) -> None:
    secret = _create(client, token_for, "admin", [world.units["company"]], access="read_write")[
        "secret"
    ]
    before = db.get(User, world.users["readonly_a"]).password_hash
    refused = client.patch(
        f"/api/v1/users/{world.users['readonly_a']}",
        json={"password": "a brand new long passphrase 42"},
        headers=_bearer(secret),
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "sign_in_required"
    db.expire_all()
    assert db.get(User, world.users["readonly_a"]).password_hash == before
    renamed = client.patch(
        f"/api/v1/users/{world.users['readonly_a']}",
        json={"name": "Renamed"},
        headers=_bearer(secret),
    )
    assert renamed.status_code == 200  # the rest of user administration stays within its rights
