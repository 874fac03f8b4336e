"""The audit trail records every change; health probes answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.openapi_answers import assert_declared


def test_every_change_is_recorded_with_actor_fields_and_request_id(client, world, token_for):
    headers = token_for("analyst")
    created = client.post(
        "/api/v1/assets",
        json={"name": "erp", "type": "application", "unit_id": world.units["division-a"]},
        headers={**headers, "X-Request-ID": "req-123"},
    ).json()
    client.patch(
        f"/api/v1/assets/{created['id']}", json={"criticality": "critical"}, headers=headers
    )
    client.delete(f"/api/v1/assets/{created['id']}", headers=headers)

    events = client.get(
        "/api/v1/audit-events",
        params={"entity_type": "asset", "entity_id": created["id"], "sort": "occurred_at"},
        headers=token_for("readonly"),
    ).json()["items"]
    assert [e["action"] for e in events] == ["create", "update", "delete"]
    create, update, delete = events
    assert create["actor_email"] == "analyst@example.com"
    assert create["unit_id"] == world.units["division-a"]
    assert create["request_id"] == "req-123"
    assert update["changes"] == {"criticality": ["medium", "critical"], "version": [1, 2]}
    assert delete["changes"]["name"] == ["erp", None]


def test_audit_trail_is_scoped_and_closed_to_analysts(client, world, token_for):
    client.post(
        "/api/v1/assets",
        json={"name": "erp", "type": "application", "unit_id": world.units["division-a"]},
        headers=token_for("analyst"),
    )
    assert client.get("/api/v1/audit-events", headers=token_for("analyst")).status_code == 403
    division_b_admin_view = client.get(
        "/api/v1/audit-events", params={"entity_type": "asset"}, headers=token_for("admin")
    ).json()
    assert division_b_admin_view["total"] == 1


def test_request_id_and_security_headers_on_every_response(client: TestClient):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert len(response.headers["x-request-id"]) == 32


def test_readiness_checks_database_and_migrations(client: TestClient):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_openapi_and_docs_are_served(client: TestClient):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/assets" in spec.json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_unknown_route_uses_the_shared_error_body(client: TestClient):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_readiness_is_503_when_the_schema_is_behind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from aegis.core.db import build_engine
    from aegis.core.settings import Settings
    from aegis.main import create_app

    url = f"sqlite:///{tmp_path}/empty.db"
    app = create_app(
        Settings(env="test", database_url=url, data_dir=tmp_path), engine=build_engine(url)
    )
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"].startswith("at None")


def test_refusals_of_the_audit_trail_are_declared_in_the_openapi(
    client: TestClient, app, token_for
) -> None:
    listing = client.get("/api/v1/audit-events", headers=token_for("analyst"))
    verifying = client.get("/api/v1/audit-events/verify", headers=token_for("readonly"))
    for response in (listing, verifying):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert_declared(app, response)
