"""No route reads a token, password, key or session from the address; the API reads no cookie."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.models import ApiToken, Risk, User
from aegis.web.cookies import COOKIE_NAME
from tests.conftest import PASSWORD
from tests.web.conftest import sign_in

SECRET_WORDS = re.compile(r"token|password|passwd|key|secret|session|credential|otp|code")
# names that match but carry no secret: a framework's public short name, such as iso-27001
NOT_SECRETS = {("/api/v1/frameworks", "key")}


def _names(param: Any) -> list[str]:
    """The names a parameter is read under: its alias, or the fields of a query model."""
    annotation = getattr(param.field_info, "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return [param.alias]


def _dependants(dependant: Dependant) -> list[Dependant]:
    """A route's dependant and all those it depends on."""
    return [dependant, *(d for sub in dependant.dependencies for d in _dependants(sub))]


def _address_parameters(app: Any) -> list[tuple[str, str, str]]:
    """(route path, where, name) of every query and path parameter of every route."""
    found = []
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for dependant in _dependants(route.dependant):
            for where, params in (
                ("query", dependant.query_params),
                ("path", dependant.path_params),
            ):
                for param in params:
                    found.extend((context.path, where, name) for name in _names(param))
    return found


def _reads_a_secret(name: str) -> bool:
    """Whether a parameter's name says it carries a secret (ids of sessions and keys do not)."""
    lowered = name.lower()
    return bool(SECRET_WORDS.search(lowered)) and not lowered.endswith("_id")


def test_no_route_reads_a_secret_from_its_address(app) -> None:
    parameters = _address_parameters(app)
    assert len({path for path, _, _ in parameters}) > 50  # API and pages were walked
    assert ("/api/v1/auth/sessions/{session_id}", "path", "session_id") in parameters
    assert any(where == "query" and name == "limit" for _, where, name in parameters)
    secrets = [
        entry
        for entry in parameters
        if _reads_a_secret(entry[2]) and (entry[0], entry[2]) not in NOT_SECRETS
    ]
    assert secrets == []


def test_the_api_document_names_no_secret_in_an_address(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    named = [
        (path, parameter["name"])
        for path, operations in spec["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] in ("query", "path") and _reads_a_secret(parameter["name"])
    ]
    named = [entry for entry in named if entry not in NOT_SECRETS]
    assert named == []
    schemes = spec["components"]["securitySchemes"]
    assert all(scheme["type"] == "http" for scheme in schemes.values())  # a header, no query


def test_a_token_in_the_query_string_is_not_read(client: TestClient) -> None:
    login = client.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    access = login.json()["access_token"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"}).is_success
    for name in ("access_token", "token", "api_key", "session"):
        for path in ("/api/v1/auth/me", "/api/v1/auth/sessions", "/api/v1/api-tokens"):
            response = client.get(f"{path}?{name}={access}")
            assert response.status_code == 401, (path, name)
            assert response.headers["WWW-Authenticate"] == "Bearer"


def _count(db: Session, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_the_api_ignores_a_signed_in_browsers_cookie(app, db: Session, world) -> None:
    """A cross-site request carrying the browser's cookie is not signed in to the API."""
    with TestClient(app) as client:
        browser = sign_in(client, "admin@example.com")
        assert COOKIE_NAME in client.cookies
        assert client.get("/account").status_code == 200  # the pages know the cookie
        counts = {model: _count(db, model) for model in (ApiToken, Risk)}
        body = {
            "name": "From another site",
            "access": "read_write",
            "unit_ids": [world.units["company"]],
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        }
        with_csrf = {"X-CSRF-Token": browser.csrf}
        for response in (
            client.get("/api/v1/auth/me"),
            client.post("/api/v1/api-tokens", json=body),
            client.post("/api/v1/api-tokens", json=body, headers=with_csrf),
            client.patch(f"/api/v1/users/{world.users['analyst']}", json={"name": "Changed"}),
            client.post("/api/v1/risks", json={"title": "x", "unit_id": world.units["company"]}),
        ):
            assert response.status_code == 401, response.text
            assert response.json()["error"]["code"] == "authentication_failed"
        assert {model: _count(db, model) for model in counts} == counts
        analyst = db.get(User, world.users["analyst"])
        assert analyst is not None and analyst.name != "Changed"
