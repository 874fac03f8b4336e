"""Sensitive actions need the password typed recently; an API token never does them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.authz import Role
from aegis.core.db import utcnow
from aegis.core.settings import Settings
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.schemas import ApiTokenCreate
from aegis.models import (
    ApiToken,
    ApiTokenAccess,
    AuditEvent,
    AuthSession,
    MfaRequirement,
    RoleAssignment,
)
from tests.conftest import PASSWORD

NEW_PASSWORD = "violet marmot under seventeen lanterns"


def _token_body(unit_id: int) -> dict[str, Any]:
    return {
        "name": "Nightly export",
        "access": "read_only",
        "unit_ids": [unit_id],
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
    }


def _stale(db: Session, user_id: int, minutes: int = 16) -> None:
    """The user's sessions last saw the password `minutes` ago."""
    for row in db.scalars(select(AuthSession).where(AuthSession.user_id == user_id)):
        row.password_confirmed_at = utcnow() - timedelta(minutes=minutes)
    db.flush()


def _count(db: Session, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _refused(response: Any, code: str = "password_confirmation_required") -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == code


def test_each_sensitive_action_asks_for_the_password_again(
    client: TestClient, token_for, db: Session, world
) -> None:
    admin = token_for("admin")
    analyst = world.users["analyst"]
    assignment = db.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == analyst))
    _stale(db, world.users["admin"])
    before = {model: _count(db, model) for model in (ApiToken, RoleAssignment, MfaRequirement)}
    unit = world.units["division-a"]
    attempts = [
        client.post("/api/v1/api-tokens", json=_token_body(unit), headers=admin),
        client.patch(f"/api/v1/users/{analyst}", json={"password": NEW_PASSWORD}, headers=admin),
        client.patch(f"/api/v1/users/{analyst}", json={"is_active": False}, headers=admin),
        client.delete(f"/api/v1/users/{analyst}", headers=admin),
        client.post(
            "/api/v1/role-assignments",
            json={"user_id": analyst, "role": "readonly", "unit_id": world.units["division-b"]},
            headers=admin,
        ),
        client.delete(f"/api/v1/role-assignments/{assignment}", headers=admin),
        client.post(
            "/api/v1/users",
            json={
                "email": "newcomer@example.com",
                "name": "Newcomer",
                "password": NEW_PASSWORD,
                "role": "analyst",
                "unit_id": unit,
            },
            headers=admin,
        ),
        client.post(f"/api/v1/users/{analyst}/mfa/reset", headers=admin),
        client.post(
            "/api/v1/mfa-requirements", json={"unit_id": unit, "role": "any"}, headers=admin
        ),
        client.delete("/api/v1/auth/sessions", headers=admin),
    ]
    for response in attempts:
        _refused(response)
        assert "/api/v1/auth/confirm-password" in response.json()["error"]["message"]
    assert {model: _count(db, model) for model in before} == before
    assert client.get("/api/v1/auth/me", headers=admin).status_code == 200  # still signed in
    # what is not sensitive goes on without it
    renamed = client.patch(f"/api/v1/users/{analyst}", json={"name": "Ana"}, headers=admin)
    assert renamed.status_code == 200

    confirmed = client.post(
        "/api/v1/auth/confirm-password", json={"password": PASSWORD}, headers=admin
    )
    assert confirmed.status_code == 204
    created = client.post("/api/v1/api-tokens", json=_token_body(unit), headers=admin)
    assert created.status_code == 201, created.text
    granted = client.post(
        "/api/v1/role-assignments",
        json={"user_id": analyst, "role": "readonly", "unit_id": world.units["division-b"]},
        headers=admin,
    )
    assert granted.status_code == 201, granted.text


def test_the_confirmation_lasts_the_configured_minutes(
    client: TestClient, token_for, db: Session, world
) -> None:
    admin = token_for("admin")
    unit = world.units["division-a"]
    _stale(db, world.users["admin"], minutes=14)  # within the default 15 minutes
    assert (
        client.post("/api/v1/api-tokens", json=_token_body(unit), headers=admin).status_code == 201
    )
    _stale(db, world.users["admin"], minutes=15)
    _refused(client.post("/api/v1/api-tokens", json=_token_body(unit), headers=admin))


def test_the_setting_is_bounded(settings: Settings) -> None:
    assert settings.password_confirmation_minutes == 15
    assert Settings(password_confirmation_minutes=60).password_confirmation_minutes == 60
    for wrong in (0, -5, 24 * 60 + 1):
        with pytest.raises(ValidationError, match="password_confirmation_minutes"):
            Settings(password_confirmation_minutes=wrong)


def test_ending_other_sessions_needs_it_but_signing_out_this_one_does_not(
    client: TestClient, token_for, db: Session, world
) -> None:
    own = token_for("analyst")
    other_login = client.post(
        "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
    )
    other = {"Authorization": f"Bearer {other_login.json()['access_token']}"}
    _stale(db, world.users["analyst"])
    sessions = client.get("/api/v1/auth/sessions", headers=own).json()
    mine = next(item["id"] for item in sessions if item["current"])
    theirs = next(item["id"] for item in sessions if not item["current"])
    _refused(client.delete(f"/api/v1/auth/sessions/{theirs}", headers=own))
    _refused(client.delete("/api/v1/auth/sessions", headers=own))
    assert client.get("/api/v1/auth/me", headers=other).status_code == 200
    assert client.delete(f"/api/v1/auth/sessions/{mine}", headers=own).status_code == 204
    assert client.get("/api/v1/auth/me", headers=own).status_code == 401

    client.post("/api/v1/auth/confirm-password", json={"password": PASSWORD}, headers=other)
    assert client.delete("/api/v1/auth/sessions", headers=other).status_code == 204
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401


def test_a_wrong_password_is_refused_recorded_and_counted_towards_the_lock(
    client: TestClient, token_for, db: Session, world
) -> None:
    admin = token_for("admin")
    user_id = world.users["admin"]
    _stale(db, user_id)
    for _ in range(4):
        wrong = client.post(
            "/api/v1/auth/confirm-password", json={"password": "not it"}, headers=admin
        )
        assert wrong.status_code == 422
        assert wrong.json()["error"]["details"][0]["field"] == "password"
    failures = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "sign_in_failed", AuditEvent.entity_id == user_id
        )
    ).all()
    assert len(failures) == 4
    assert failures[0].changes["reason"][1] == "wrong password when confirming it"
    _refused(client.post("/api/v1/api-tokens", json=_token_body(1), headers=admin))
    locked = client.post(
        "/api/v1/auth/confirm-password", json={"password": "still not"}, headers=admin
    )
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    # while locked, even the right password confirms nothing (nor signs in)
    right = client.post("/api/v1/auth/confirm-password", json={"password": PASSWORD}, headers=admin)
    assert right.status_code == 429
    signing_in = client.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    assert signing_in.status_code == 429
    _refused(client.post("/api/v1/api-tokens", json=_token_body(1), headers=admin))


def test_a_confirmation_is_recorded_and_bad_input_is_named(
    client: TestClient, token_for, db: Session, world
) -> None:
    admin = token_for("admin")
    for body in ({}, {"password": ""}, {"password": "x" * 1025}, {"password": PASSWORD, "x": 1}):
        response = client.post("/api/v1/auth/confirm-password", json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.json()["error"]["details"][0]["field"] in ("password", "x")
    assert (
        client.post("/api/v1/auth/confirm-password", json={"password": PASSWORD}).status_code == 401
    )
    ok = client.post("/api/v1/auth/confirm-password", json={"password": PASSWORD}, headers=admin)
    assert ok.status_code == 204
    event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "password_confirmed",
            AuditEvent.entity_id == world.users["admin"],
        )
    ).one()
    assert event.actor_id == world.users["admin"]
    session = db.scalars(
        select(AuthSession).where(AuthSession.user_id == world.users["admin"])
    ).one()
    assert session.password_confirmed_at is not None
    assert utcnow() - session.password_confirmed_at < timedelta(minutes=1)


def test_signing_in_with_the_password_confirms_the_new_session(
    client: TestClient, db: Session, world
) -> None:
    login = client.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    body = _token_body(world.units["division-a"])
    assert client.post("/api/v1/api-tokens", json=body, headers=headers).status_code == 201


def test_an_api_token_never_does_sensitive_actions(
    client: TestClient, db: Session, world, principal_for
) -> None:
    created = api_tokens.create_token(
        session=db,
        principal=principal_for("admin"),
        data=ApiTokenCreate(
            name="Provisioning",
            access=ApiTokenAccess.READ_WRITE,
            unit_ids=[world.units["company"]],
            expires_on=date.today() + timedelta(days=30),
        ),
        max_days=365,
    )
    db.flush()
    token = {"Authorization": f"Bearer {created.secret}"}
    analyst = world.users["analyst"]
    before = _count(db, RoleAssignment)
    for response in (
        client.patch(f"/api/v1/users/{analyst}", json={"password": NEW_PASSWORD}, headers=token),
        client.patch(f"/api/v1/users/{analyst}", json={"is_active": False}, headers=token),
        client.post(
            "/api/v1/role-assignments",
            json={"user_id": analyst, "role": "admin", "unit_id": world.units["company"]},
            headers=token,
        ),
        client.post(f"/api/v1/users/{analyst}/mfa/reset", headers=token),
        client.post("/api/v1/auth/confirm-password", json={"password": PASSWORD}, headers=token),
    ):
        _refused(response, "sign_in_required")
    assert _count(db, RoleAssignment) == before
    assert client.get("/api/v1/users", headers=token).status_code == 200  # it still reads


SENSITIVE_OPERATIONS = [
    ("post", "/api/v1/api-tokens"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{user_id}"),
    ("delete", "/api/v1/users/{user_id}"),
    ("post", "/api/v1/role-assignments"),
    ("delete", "/api/v1/role-assignments/{assignment_id}"),
    ("post", "/api/v1/users/{user_id}/mfa/reset"),
    ("post", "/api/v1/mfa-requirements"),
    ("delete", "/api/v1/mfa-requirements/{requirement_id}"),
    ("delete", "/api/v1/auth/sessions"),
    ("delete", "/api/v1/auth/sessions/{session_id}"),
]


def test_the_api_document_declares_the_refusal(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for method, path in SENSITIVE_OPERATIONS:
        refusal = paths[path][method]["responses"]["403"]
        assert "password_confirmation_required" in refusal["description"], (method, path)
        assert refusal["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
    confirm = paths["/api/v1/auth/confirm-password"]["post"]
    assert {"204", "401", "403", "422", "429"} <= set(confirm["responses"])


def test_roles_are_checked_before_the_password(
    client: TestClient, token_for, db: Session, world
) -> None:
    analyst = token_for("analyst")
    _stale(db, world.users["analyst"])
    response = client.post(
        "/api/v1/role-assignments",
        json={"user_id": world.users["readonly"], "role": Role.ADMIN.value, "unit_id": 1},
        headers=analyst,
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
