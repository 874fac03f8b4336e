"""Error answers and pages never show an exception's text, a traceback or a submitted secret."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from aegis.core.settings import Settings
from tests.web.conftest import post_login

SUBMITTED = "Pw-only-the-user-knows-4f9c"
LEAKS = ("Traceback", 'File "', "test_error_disclosure", "RuntimeError", "_explode")


def _explode(request: Request) -> None:
    settings: Settings = request.app.state.settings
    raise RuntimeError(
        f"cannot connect with password {SUBMITTED} (secret key {settings.secret_key}, "
        f"signing key {settings.jwt_secret_key}, chain key {settings.audit_chain_key})"
    )


def _page_with_failing_dependency(_: None = Depends(_explode)) -> None:
    """A page whose dependency fails before the page runs."""


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    """The application with an API route, a page and a page dependency that fail."""
    app.add_api_route("/api/v1/explode", _explode)
    app.add_api_route("/explode", _explode, include_in_schema=False)
    app.add_api_route("/explode-early", _page_with_failing_dependency, include_in_schema=False)
    return app


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    """The log lines of the test (the error is logged for operators, with its traceback)."""
    with capture_logs() as captured:
        yield captured


@pytest.fixture
def quiet_client(failing_app: FastAPI, logs: list[dict[str, Any]]) -> Iterator[TestClient]:
    """A client that receives the 500 answers instead of the server's exception."""
    with TestClient(failing_app, raise_server_exceptions=False) as client:
        yield client


def _logged_error(logs: list[dict[str, Any]], request_id: str) -> dict[str, Any]:
    [line] = [line for line in logs if line["event"] == "unhandled_error"]
    assert line["error_type"] == "RuntimeError" and line["exc_info"] is True
    [access] = [line for line in logs if line["event"] == "request"]
    assert (access["status"], access["request_id"]) == (500, request_id)
    return line


def _secrets(settings: Settings) -> list[str]:
    return [SUBMITTED, settings.secret_key, settings.jwt_secret_key, settings.audit_chain_key]


def _assert_discloses_nothing(text: str, settings: Settings) -> None:
    for secret in _secrets(settings):
        assert secret not in text
    for leak in (*LEAKS, "cannot connect"):
        assert leak not in text, leak


def test_an_api_error_answers_only_its_request_id(
    quiet_client: TestClient, settings: Settings, logs: list[dict[str, Any]]
) -> None:
    response = quiet_client.get("/api/v1/explode", headers={"X-Request-ID": "disclose-1"})
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "An unexpected error occurred",
            "details": {"request_id": "disclose-1"},
        }
    }
    _assert_discloses_nothing(response.text, settings)
    _assert_discloses_nothing(str(response.headers), settings)
    _logged_error(logs, "disclose-1")


@pytest.mark.parametrize("path", ["/explode", "/explode-early"])
def test_an_error_page_says_what_happened_without_the_exception(
    quiet_client: TestClient, settings: Settings, logs: list[dict[str, Any]], path: str
) -> None:
    response = quiet_client.get(path, headers={"Accept": "text/html", "X-Request-ID": "page-2"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "An unexpected error occurred (request id page-2)" in response.text
    _assert_discloses_nothing(response.text, settings)
    _logged_error(logs, "page-2")


def test_when_the_error_page_fails_too_the_answer_is_still_plain(
    failing_app: FastAPI, quiet_client: TestClient, settings: Settings
) -> None:
    def broken_page(request: Request, status: int, message: str) -> Any:
        raise RuntimeError(f"template broke near {settings.secret_key}")

    failing_app.state.render_error = broken_page
    response = quiet_client.get("/explode", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.json()["error"]["message"] == "An unexpected error occurred"
    _assert_discloses_nothing(response.text, settings)
    assert "template broke" not in response.text


def _refused_sign_ins(client: TestClient) -> list[Callable[[], Any]]:
    return [
        lambda: client.post(
            "/api/v1/auth/login", json={"email": "a@example.com", "password": SUBMITTED * 50}
        ),
        lambda: client.post(
            "/api/v1/auth/login", json={"email": "a@example.com", "password": [SUBMITTED]}
        ),
        lambda: client.post(
            "/api/v1/auth/login", json={"email": SUBMITTED, "password": SUBMITTED, "x": 1}
        ),
        lambda: client.post(
            "/api/v1/auth/login",
            content=f'{{"email": "a@example.com", "password": "{SUBMITTED}',
            headers={"Content-Type": "application/json"},
        ),
        lambda: client.post(
            "/api/v1/auth/refresh", json={"refresh_token": f"{SUBMITTED}.{SUBMITTED}"}
        ),
    ]


def test_a_refused_sign_in_never_repeats_the_password_or_token(
    client: TestClient, settings: Settings
) -> None:
    for send in _refused_sign_ins(client):
        response = send()
        assert response.status_code in (401, 422), response.text
        assert SUBMITTED not in response.text
        _assert_discloses_nothing(response.text, settings)


def test_the_sign_in_page_never_repeats_the_password(client: TestClient) -> None:
    wrong = post_login(client, "analyst@example.com", SUBMITTED)
    assert wrong.status_code == 401
    assert 'value="analyst@example.com"' in wrong.text  # the e-mail is kept to correct
    too_long = post_login(client, "analyst@example.com", SUBMITTED * 50)
    assert too_long.status_code == 422
    for page in (wrong, too_long):
        assert SUBMITTED not in page.text
