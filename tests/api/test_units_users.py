"""Units, users and role assignments through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD
from tests.openapi_answers import assert_declared


def test_units_list_shows_only_reachable_units(client: TestClient, world, token_for):
    body = client.get("/api/v1/units", headers=token_for("analyst")).json()
    assert {u["name"] for u in body["items"]} == {"division-a", "team-a1"}
    assert {"id", "name", "parent_id"} <= set(body["items"][0])
    everything = client.get("/api/v1/units", headers=token_for("admin")).json()
    assert everything["total"] == 4


def test_admin_builds_and_prunes_the_unit_tree(client, world, token_for):
    headers = token_for("admin")
    created = client.post(
        "/api/v1/units",
        json={"name": "team-b1", "parent_id": world.units["division-b"]},
        headers=headers,
    )
    assert created.status_code == 201
    unit_id = created.json()["id"]
    duplicate = client.post(
        "/api/v1/units",
        json={"name": "team-b1", "parent_id": world.units["division-b"]},
        headers=headers,
    )
    assert duplicate.status_code == 409
    # a unit cannot move below itself
    cycle = client.patch(
        f"/api/v1/units/{world.units['division-a']}",
        json={"parent_id": world.units["team-a1"]},
        headers=headers,
    )
    assert cycle.status_code == 422
    assert cycle.json()["error"]["details"][0]["field"] == "parent_id"
    # a unit with children cannot be deleted; an empty one can
    assert (
        client.delete(f"/api/v1/units/{world.units['division-a']}", headers=headers).status_code
        == 409
    )
    assert client.delete(f"/api/v1/units/{unit_id}", headers=headers).status_code == 204


def test_division_admin_administers_only_their_division(client, world, token_for):
    headers = token_for("admin_a")
    outside = client.post(
        "/api/v1/units", json={"name": "x", "parent_id": world.units["division-b"]}, headers=headers
    )
    assert outside.status_code == 403
    # the company admin holds roles outside division-a: a division admin cannot disable them
    response = client.patch(
        f"/api/v1/users/{world.users['admin']}", json={"is_active": False}, headers=headers
    )
    assert response.status_code in (403, 404)
    own = client.patch(
        f"/api/v1/users/{world.users['readonly_a']}", json={"name": "Auditor A"}, headers=headers
    )
    assert own.status_code == 200


def test_admin_creates_a_user_who_can_sign_in(client, world, token_for):
    body = {
        "email": "New.Analyst@Example.com",
        "name": "New Analyst",
        "password": "a sufficiently long passphrase",
        "role": "analyst",
        "unit_id": world.units["division-b"],
    }
    created = client.post("/api/v1/users", json=body, headers=token_for("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "new.analyst@example.com"
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "new.analyst@example.com", "password": "a sufficiently long passphrase"},
    )
    assert login.status_code == 200
    again = client.post("/api/v1/users", json=body, headers=token_for("admin"))
    assert again.status_code == 409


def test_weak_password_and_bad_email_are_refused_by_field(client, world, token_for):
    body = {
        "email": "not-an-email",
        "name": "X",
        "password": "short",
        "role": "superuser",
        "unit_id": world.units["division-b"],
    }
    response = client.post("/api/v1/users", json=body, headers=token_for("admin"))
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"email", "password", "role"} <= fields


def test_role_grant_takes_effect_on_the_next_request(client, world, token_for):
    headers = token_for("analyst_b")
    assert client.get(f"/api/v1/units/{world.units['team-a1']}", headers=headers).status_code == 404
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
    assert client.get(f"/api/v1/units/{world.units['team-a1']}", headers=headers).status_code == 200
    revoke = client.delete(
        f"/api/v1/role-assignments/{grant.json()['id']}", headers=token_for("admin")
    )
    assert revoke.status_code == 204
    assert client.get(f"/api/v1/units/{world.units['team-a1']}", headers=headers).status_code == 404


def test_password_change_signs_the_user_out_everywhere(client, world, token_for):
    tokens = client.post(
        "/api/v1/auth/login", json={"email": "readonly_a@example.com", "password": PASSWORD}
    ).json()
    response = client.patch(
        f"/api/v1/users/{world.users['readonly_a']}",
        json={"password": "another long passphrase"},
        headers=token_for("admin"),
    )
    assert response.status_code == 200
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 401


def test_admin_cannot_disable_themselves(client, world, token_for):
    response = client.patch(
        f"/api/v1/users/{world.users['admin']}",
        json={"is_active": False},
        headers=token_for("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "is_active"


def test_role_assignments_refused_to_a_reader_as_declared_in_the_openapi(
    client: TestClient, app, token_for
) -> None:
    response = client.get("/api/v1/role-assignments", headers=token_for("readonly"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert_declared(app, response)
