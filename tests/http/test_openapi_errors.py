"""The OpenAPI document declares the error answers the API gives, each with the shared body."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from aegis.core.settings import Settings
from aegis.main import create_app
from tests.openapi_answers import assert_declared


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    ]


def test_every_error_answer_is_declared_with_the_shared_body(app: Any) -> None:
    spec = app.openapi()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        assert {"401", "429"} <= set(responses), f"{method} {path}"
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(responses), f"{method} {path}"
        if "{" in path:
            assert "404" in responses, f"{method} {path}"
        if method != "get":
            assert {"409", "503"} <= set(responses), f"{method} {path}"
        for status, response in responses.items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                body = spec["components"]["schemas"][ref.rpartition("/")[2]]
                assert body["required"] == ["error"], f"{method} {path} {status}"
        assert "Retry-After" in responses["429"]["headers"]


def test_a_body_that_is_not_text_is_a_declared_400(
    client: TestClient, app: Any, token_for: Any
) -> None:
    response = client.post(
        "/api/v1/assets",
        content=b'{"name": "\xff"}',
        headers={**token_for("analyst"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert_declared(app, response)


def test_invalid_input_is_a_declared_422_naming_the_field(
    client: TestClient, app: Any, token_for: Any, world: Any
) -> None:
    response = client.post(
        "/api/v1/assets",
        json={"name": "", "type": "server", "unit_id": world.units["division-a"]},
        headers=token_for("analyst"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "name"
    assert_declared(app, response)


def test_signing_out_without_credentials_is_a_declared_401(client: TestClient, app: Any) -> None:
    response = client.get("/api/v1/assets")
    assert response.status_code == 401
    assert_declared(app, response)


def test_a_rate_limited_answer_is_a_declared_429(
    settings: Settings, engine: Any, session_factory: Any, token_for: Any
) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_read": "1/minute"}), engine=engine)
    app.state.session_factory = session_factory
    with TestClient(app) as client:
        client.get("/api/v1/assets", headers=token_for("readonly"))
        response = client.get("/api/v1/assets", headers=token_for("readonly"))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert_declared(app, response)


def test_readiness_declares_its_503(app: Any) -> None:
    assert "503" in app.openapi()["paths"]["/readyz"]["get"]["responses"]
