"""Security headers on every answer, errors included; no caching of anything but static files."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aegis.core.settings import Settings
from aegis.main import create_app
from tests.web.conftest import Browser

EVERY_RESPONSE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}


def assert_secured(response: Any, *, cached: bool = False) -> None:
    """Every security header, a request id, and no-store unless a static file."""
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, (response.status_code, name)
    policy = response.headers.get("content-security-policy", "")
    assert "default-src" in policy
    assert "frame-ancestors 'none'" in policy or "sandbox" in policy  # downloads: sandboxed
    assert "unsafe-inline" not in policy
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", response.headers.get("x-request-id", ""))
    if not cached:
        assert response.headers.get("cache-control") == "no-store", response.status_code


def _boom() -> None:
    raise RuntimeError("a bug")


def _overflow() -> None:
    raise OverflowError("Python int too large to convert to SQLite INTEGER")


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    """The application with one API route and one page that fail unexpectedly."""
    app.add_api_route("/api/v1/boom", _boom)
    app.add_api_route("/boom", _boom, include_in_schema=False)
    app.add_api_route("/api/v1/overflow", _overflow)
    return app


@pytest.fixture
def quiet_client(failing_app: FastAPI) -> Iterator[TestClient]:
    """A client that receives 500 answers instead of raising the server's exception."""
    with TestClient(failing_app, raise_server_exceptions=False) as client:
        yield client


def test_success_answers_of_api_pages_and_health_are_secured(
    client: TestClient, token_for: Callable[[str], dict[str, str]], browser_for: Any
) -> None:
    assert_secured(client.get("/healthz"))
    assert_secured(client.get("/api/v1/assets", headers=token_for("analyst")))
    page = browser_for("analyst").get("/risks")
    assert page.status_code == 200
    assert_secured(page)
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_csv_export_and_evidence_download_are_not_stored(
    browser_for: Any, client: TestClient, token_for: Callable[[str], dict[str, str]], world: Any
) -> None:
    headers = token_for("analyst")
    uploaded = client.post(
        "/api/v1/evidence",
        headers=headers,
        data={"unit_id": str(world.units["division-a"]), "title": "Firewall rules"},
        files={"file": ("rules.txt", b"allow tcp 443\n", "text/plain")},
    )
    assert uploaded.status_code == 201, uploaded.text
    download = client.get(f"/api/v1/evidence/{uploaded.json()['id']}/download", headers=headers)
    assert download.status_code == 200 and download.content == b"allow tcp 443\n"
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert_secured(download)
    browser: Browser = browser_for("admin")
    export = browser.get("/risks?format=csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert_secured(export)
    workbook = browser.get("/assets?format=xlsx")
    assert workbook.status_code == 200
    assert_secured(workbook)


def test_static_files_keep_their_long_cache(client: TestClient, app: FastAPI) -> None:
    url = app.state.static_assets.url("app.css")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_secured(response, cached=True)


def test_errors_carry_every_header(
    client: TestClient, token_for: Callable[[str], dict[str, str]]
) -> None:
    headers = token_for("analyst")
    answers = {
        401: client.get("/api/v1/assets"),
        404: client.get("/api/v1/no-such-thing", headers=headers),
        405: client.put("/api/v1/assets", headers=headers, json={}),
        413: client.post(
            "/api/v1/assets",
            headers={**headers, "Content-Type": "application/json"},
            content=b"[" + b"1," * 600_000 + b"1]",
        ),
        422: client.get("/api/v1/assets", params={"limit": 0}, headers=headers),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert_secured(response)
    page_404 = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page_404.status_code == 404
    assert_secured(page_404)


def test_too_many_requests_carries_every_header(
    settings: Settings, engine: Any, session_factory: Any
) -> None:
    limited = settings.model_copy(update={"rate_limit_sign_in": "2/minute"})
    application = create_app(limited, engine=engine)
    application.state.session_factory = session_factory
    with TestClient(application) as client:
        answers = [
            client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "x"})
            for _ in range(3)
        ]
    assert answers[-1].status_code == 429
    assert answers[-1].headers["retry-after"]
    assert_secured(answers[-1])


def test_an_unexpected_error_is_a_500_with_its_request_id_and_every_header(
    quiet_client: TestClient,
) -> None:
    response = quiet_client.get("/api/v1/boom", headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 500
    assert_secured(response)
    assert response.headers["x-request-id"] == "trace-42"
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "An unexpected error occurred",
            "details": {"request_id": "trace-42"},
        }
    }
    generated = quiet_client.get("/api/v1/boom")
    assert generated.json()["error"]["details"]["request_id"] == generated.headers["x-request-id"]


def test_an_unexpected_error_in_a_page_is_a_page_with_its_request_id(
    quiet_client: TestClient,
) -> None:
    response = quiet_client.get("/boom", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert_secured(response)
    assert f"request id {response.headers['x-request-id']}" in response.text
    assert "a bug" not in response.text and "Traceback" not in response.text


def test_a_number_the_database_cannot_store_is_the_callers_error(
    quiet_client: TestClient,
) -> None:
    response = quiet_client.get("/api/v1/overflow")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"
    assert response.json()["error"]["message"] == (
        "A value in the request is too large or too long to be stored"
    )
    assert_secured(response)
