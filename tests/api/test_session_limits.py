"""API sessions: unforgeable on a default install, unguessable ids, idle and absolute limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.security import JWT_AUDIENCE, token_digest
from aegis.models import AuthSession
from tests.conftest import PASSWORD, Clock

OLD_CONSTANT = "aegis-development-only-secret-do-not-use-in-production"


def login(client: TestClient, email: str = "analyst@example.com", agent: str | None = None):
    headers = {"User-Agent": agent} if agent else {}
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def refresh(client: TestClient, tokens: dict):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})


def forge(secret: str, user_id: int, sid: object) -> dict[str, str]:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "sid": sid, "aud": JWT_AUDIENCE, "iat": now}
    token = jwt.encode({**claims, "exp": now + timedelta(minutes=5)}, secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def test_a_token_forged_with_the_old_constant_secret_is_refused(
    client: TestClient, world, db: Session
) -> None:
    login(client, "admin@example.com")
    first_id = db.scalars(select(AuthSession.id).order_by(AuthSession.id)).first()
    for secret in (OLD_CONSTANT, OLD_CONSTANT + "-jwt"):
        for sid in (1, first_id, str(first_id)):
            response = client.get("/api/v1/users", headers=forge(secret, world.users["admin"], sid))
            assert response.status_code == 401


def test_session_ids_are_random_keys_stored_only_as_digests(
    client: TestClient, settings, world, db: Session
) -> None:
    keys = []
    for _ in range(3):
        tokens = login(client)
        claims = jwt.decode(
            tokens["access_token"], settings.jwt_secret_key, ["HS256"], audience=JWT_AUDIENCE
        )
        keys.append(claims["sid"])
    assert all(isinstance(key, str) and len(key) >= 43 for key in keys)  # 256 random bits
    assert len(set(keys)) == 3 and not any(key.isdigit() for key in keys)
    rows = db.scalars(select(AuthSession).where(AuthSession.user_id == world.users["analyst"]))
    stored = {row.key_hash for row in rows}
    assert {token_digest(key) for key in keys} <= stored
    assert not set(keys) & stored
    # what a database read reveals (row id, digest) does not name a session, even signed
    row = db.scalars(select(AuthSession).where(AuthSession.key_hash == token_digest(keys[0]))).one()
    for sid in (row.id, str(row.id), row.key_hash):
        forged = forge(settings.jwt_secret_key, world.users["analyst"], sid)
        assert client.get("/api/v1/auth/me", headers=forged).status_code == 401
    genuine = forge(settings.jwt_secret_key, world.users["analyst"], keys[0])
    assert client.get("/api/v1/auth/me", headers=genuine).status_code == 200
    # a session key is not accepted for another user
    other = forge(settings.jwt_secret_key, world.users["admin"], keys[0])
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401


def test_a_session_idle_for_30_minutes_ends_with_a_clear_code(
    client: TestClient, clock: Clock
) -> None:
    tokens = login(client)
    clock.advance(minutes=29)
    assert client.get("/api/v1/auth/me", headers=bearer(tokens)).status_code == 200
    clock.advance(minutes=29)  # activity postponed the timeout: 29 minutes since last use
    assert client.get("/api/v1/auth/me", headers=bearer(tokens)).status_code == 200
    clock.advance(minutes=31)
    response = client.get("/api/v1/auth/me", headers=bearer(tokens))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "session_expired"
    assert error["message"] == (
        "Your session ended after 30 minutes without activity; sign in again"
    )
    refused = refresh(client, tokens)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_expired"


def test_the_refresh_chain_is_cut_at_the_absolute_lifetime(
    client: TestClient, clock: Clock
) -> None:
    tokens = login(client)
    for _ in range(47):  # refreshed every 15 minutes: never idle, for 11 h 45 min
        clock.advance(minutes=15)
        response = refresh(client, tokens)
        assert response.status_code == 200, response.text
        tokens = response.json()
    clock.advance(minutes=14)
    assert client.get("/api/v1/auth/me", headers=bearer(tokens)).status_code == 200
    clock.advance(minutes=1)  # 12 hours since sign-in
    cut = refresh(client, tokens)
    assert cut.status_code == 401
    assert cut.json()["error"] == {
        "code": "session_expired",
        "message": "Your session reached its limit of 12 hours; sign in again",
        "details": None,
    }
    assert client.get("/api/v1/auth/me", headers=bearer(tokens)).status_code == 401


def test_access_tokens_do_not_outlive_their_session(client: TestClient, clock: Clock) -> None:
    tokens = login(client)
    assert tokens["expires_in"] == 15 * 60
    for _ in range(47):
        clock.advance(minutes=15)
        tokens = refresh(client, tokens).json()
    clock.advance(minutes=5)  # 11 h 50 min: the session has 10 minutes left
    last = refresh(client, tokens).json()
    assert 9 * 60 < last["expires_in"] <= 10 * 60


def test_limits_come_from_the_settings(app, client: TestClient, clock: Clock) -> None:
    app.state.settings.session_idle_minutes = 5
    app.state.settings.session_absolute_hours = 1
    tokens = login(client)
    clock.advance(minutes=6)
    response = client.get("/api/v1/auth/me", headers=bearer(tokens))
    assert response.json()["error"]["message"].startswith("Your session ended after 5 minutes")
    tokens = login(client)
    for _ in range(14):
        clock.advance(minutes=4)
        tokens = refresh(client, tokens).json()
    clock.advance(minutes=4)
    assert refresh(client, tokens).json()["error"]["message"] == (
        "Your session reached its limit of 1 hour; sign in again"
    )


def test_sessions_are_listed_with_device_address_and_times(
    client: TestClient, clock: Clock
) -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    browser = login(client, agent=firefox)
    script = login(client, agent="curl/8.5.0")
    clock.advance(minutes=5)
    listed = client.get("/api/v1/auth/sessions", headers=bearer(script))
    assert listed.status_code == 200
    sessions = listed.json()
    assert [s["device"] for s in sessions] == ["curl 8.5.0", "Firefox on Linux"]
    assert [s["current"] for s in sessions] == [True, False]
    assert sessions[1]["user_agent"] == firefox
    assert sessions[1]["client_address"] == "testclient"
    assert sessions[0]["last_used_at"] > sessions[1]["last_used_at"]  # just used by this call
    assert sessions[1]["started_at"] == sessions[1]["last_used_at"]
    assert browser  # still open: listed


def test_revoking_one_session_and_signing_out_everywhere(client: TestClient) -> None:
    first, second, third = login(client), login(client), login(client)
    listed = client.get("/api/v1/auth/sessions", headers=bearer(first)).json()
    second_id = next(s["id"] for s in listed if not s["current"])
    assert (
        client.delete(f"/api/v1/auth/sessions/{second_id}", headers=bearer(first)).status_code
        == 204
    )
    after = client.get("/api/v1/auth/sessions", headers=bearer(first)).json()
    assert second_id not in {s["id"] for s in after} and len(after) == len(listed) - 1
    ended = [
        t
        for t in (second, third)
        if client.get("/api/v1/auth/me", headers=bearer(t)).status_code == 401
    ]
    assert len(ended) == 1
    assert refresh(client, ended[0]).status_code == 401

    assert client.delete("/api/v1/auth/sessions", headers=bearer(first)).status_code == 204
    for tokens in (first, second, third):
        assert client.get("/api/v1/auth/me", headers=bearer(tokens)).status_code == 401
        assert refresh(client, tokens).status_code == 401


def test_other_users_neither_see_nor_end_your_sessions(client: TestClient) -> None:
    mine = login(client, "analyst@example.com")
    theirs = login(client, "analyst_b@example.com")
    admin = login(client, "admin@example.com")
    my_ids = {s["id"] for s in client.get("/api/v1/auth/sessions", headers=bearer(mine)).json()}
    for other in (theirs, admin):
        seen = client.get("/api/v1/auth/sessions", headers=bearer(other)).json()
        assert not my_ids & {s["id"] for s in seen}
        for session_id in my_ids:
            refused = client.delete(f"/api/v1/auth/sessions/{session_id}", headers=bearer(other))
            assert refused.status_code == 404
            assert refused.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/auth/me", headers=bearer(mine)).status_code == 200


def test_session_ids_out_of_range_are_refused_plainly(client: TestClient) -> None:
    tokens = login(client)
    for bad in ("0", str(2**64), "abc"):
        response = client.delete(f"/api/v1/auth/sessions/{bad}", headers=bearer(tokens))
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "session_id"
