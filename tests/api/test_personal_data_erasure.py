"""POST /api/v1/users/{id}/erase: a former user's personal data erased on their request."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from aegis.core.security import create_access_token, token_digest
from aegis.models import AuditEvent, AuthSession, User
from tests.conftest import World, open_api_session
from tests.factories.risks import make_risk


def _erase(client: TestClient, headers: dict[str, str], user_id: int):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/users/{user_id}/erase", headers=headers)


def _disable(client: TestClient, headers: dict[str, str], user_id: int) -> None:
    answer = client.patch(f"/api/v1/users/{user_id}", json={"is_active": False}, headers=headers)
    assert answer.status_code == 200, answer.text


def test_an_administrator_erases_a_disabled_user_whose_records_stay_under_a_pseudonym(
    client: TestClient, token_for, db, world: World, principal_for
) -> None:
    user_id = world.users["readonly_a"]
    admin = token_for("admin")
    token_for("readonly_a")  # a session of theirs
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], owner_id=user_id)
    _disable(client, admin, user_id)

    answer = _erase(client, admin, user_id)

    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == f"Former user #{user_id}"
    assert answer.json()["email"] == f"former-user-{user_id}@erased.invalid"
    shown = client.get(f"/api/v1/risks/{risk.id}", headers=admin).json()
    assert shown["owner_id"] == user_id
    assert db.scalar(select(func.count()).where(AuthSession.user_id == user_id)) == 0
    verified = client.get("/api/v1/audit-events/verify", headers=admin)
    assert verified.status_code == 200 and verified.json()["broken"] is None
    trail = client.get(
        "/api/v1/audit-events", params={"entity_type": "user", "action": "erase"}, headers=admin
    ).json()["items"]
    assert [item["summary"] for item in trail] == [f"Personal data erased: Former user #{user_id}"]


def test_active_users_and_oneself_are_refused_with_a_clear_message(
    client: TestClient, token_for, db, world: World
) -> None:
    admin = token_for("admin")
    active = _erase(client, admin, world.users["analyst"])
    assert active.status_code == 409
    assert active.json()["error"]["message"] == (
        "Disable the user first: the personal data of an active user cannot be erased"
    )
    oneself = _erase(client, admin, world.users["admin"])
    assert oneself.status_code == 422
    assert oneself.json()["error"]["details"][0]["message"].startswith(
        "You cannot erase your own personal data"
    )
    assert db.get(User, world.users["analyst"]).name != f"Former user #{world.users['analyst']}"
    assert db.scalar(select(func.count()).where(AuditEvent.action == "erase")) == 0


def test_erasure_needs_a_password_typed_recently_and_a_person_not_a_token(
    client: TestClient, token_for, db, world: World, settings
) -> None:

    user_id = world.users["readonly_a"]
    _disable(client, token_for("admin"), user_id)
    key = open_api_session(db, world.users["admin"])
    db.execute(
        update(AuthSession)
        .where(AuthSession.key_hash == token_digest(key))
        .values(password_confirmed_at=None)
    )
    token, _ = create_access_token(
        user_id=world.users["admin"],
        session_key=key,
        secret=settings.jwt_secret_key,
        lifetime=timedelta(minutes=5),
    )
    stale = _erase(client, {"Authorization": f"Bearer {token}"}, user_id)
    assert stale.status_code == 403
    assert stale.json()["error"]["code"] == "password_confirmation_required"
    body = {
        "name": "Automation",
        "access": "read_write",
        "unit_ids": [world.units["company"]],
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
    }
    created = client.post("/api/v1/api-tokens", json=body, headers=token_for("admin"))
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    by_token = _erase(client, {"Authorization": f"Bearer {secret}"}, user_id)
    assert by_token.status_code == 403
    assert by_token.json()["error"]["code"] == "sign_in_required"
    db.expire_all()
    assert db.get(User, user_id).email == "readonly_a@example.com"
