"""Sign-in, refresh rotation, logout and revocation through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD


def login(client: TestClient, email: str = "analyst@example.com", password: str = PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_token_pair_and_me_works(client: TestClient) -> None:
    response = login(client)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["access_token"] and body["refresh_token"]
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == "analyst@example.com"
    assert [r["role"] for r in me.json()["roles"]] == ["analyst"]


def test_login_is_case_insensitive_on_email(client: TestClient) -> None:
    assert login(client, email="Analyst@Example.COM").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(client: TestClient) -> None:
    wrong = login(client, password="not the password")
    unknown = login(client, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "authentication_failed"


def test_login_validation_names_the_missing_field(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "analyst@example.com"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "password"


def test_requests_without_or_with_bad_token_get_401(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
    response = client.get("/api/v1/auth/me", headers=bearer("not-a-jwt"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_refresh_rotates_and_old_refresh_token_cannot_be_reused(client: TestClient) -> None:
    first = login(client).json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    # reuse revokes the whole session: the rotated token and its access token die too
    again = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    assert again.status_code == 401
    assert (
        client.get("/api/v1/auth/me", headers=bearer(second.json()["access_token"])).status_code
        == 401
    )


def test_logout_revokes_access_and_refresh_tokens(client: TestClient) -> None:
    tokens = login(client).json()
    headers = bearer(tokens["access_token"])
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_disabling_a_user_revokes_their_tokens_at_once(client: TestClient, token_for) -> None:
    tokens = login(client).json()
    me = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).json()
    disabled = client.patch(
        f"/api/v1/users/{me['id']}", json={"is_active": False}, headers=token_for("admin")
    )
    assert disabled.status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    assert login(client).status_code == 401
