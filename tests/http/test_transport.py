"""Client address and https behind trusted proxies only, HSTS over https, CORS for set origins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import ValidationError

from aegis.core.settings import Settings
from aegis.main import create_app

PROXY = ("10.0.0.5", 41000)
HSTS = "max-age=31536000; includeSubDomains"
ALLOWED = "https://grc.example.com"


def _seen(request: Request) -> dict[str, str]:
    client = request.client
    return {"client": client.host if client else "", "scheme": request.url.scheme}


def _app(settings: Settings, engine: Any, session_factory: Any, **changes: Any) -> FastAPI:
    application = create_app(settings.model_copy(update=changes), engine=engine)
    application.state.session_factory = session_factory
    application.add_api_route("/api/v1/seen", _seen)
    return application


@pytest.fixture
def behind_proxy(settings: Settings, engine: Any, session_factory: Any) -> Iterator[TestClient]:
    """Aegis behind proxies of 10.0.0.0/24, called by the one at 10.0.0.5."""
    application = _app(settings, engine, session_factory, trusted_proxies=["10.0.0.0/24"])
    with TestClient(application, client=PROXY) as client:
        yield client


def test_forwarded_headers_are_ignored_without_trusted_proxies(
    settings: Settings, engine: Any, session_factory: Any
) -> None:
    with TestClient(_app(settings, engine, session_factory), client=PROXY) as client:
        response = client.get(
            "/api/v1/seen",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        )
    assert response.json() == {"client": "10.0.0.5", "scheme": "http"}
    assert "strict-transport-security" not in response.headers


def test_a_trusted_proxy_gives_the_client_address_and_https(behind_proxy: TestClient) -> None:
    response = behind_proxy.get(
        "/api/v1/seen", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    )
    assert response.json() == {"client": "203.0.113.7", "scheme": "https"}
    assert response.headers["strict-transport-security"] == HSTS


def test_a_client_cannot_prepend_an_address_of_its_choice(behind_proxy: TestClient) -> None:
    spoofed = behind_proxy.get("/api/v1/seen", headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.7"})
    assert spoofed.json()["client"] == "203.0.113.7"
    chained = behind_proxy.get("/api/v1/seen", headers={"X-Forwarded-For": "203.0.113.7, 10.0.0.9"})
    assert chained.json()["client"] == "203.0.113.7"
    garbage = behind_proxy.get("/api/v1/seen", headers={"X-Forwarded-For": "<script>"})
    assert garbage.json()["client"] == "10.0.0.5"


def test_headers_from_an_untrusted_address_are_ignored(
    settings: Settings, engine: Any, session_factory: Any
) -> None:
    application = _app(settings, engine, session_factory, trusted_proxies=["10.0.0.0/24"])
    with TestClient(application, client=("198.51.100.20", 5000)) as client:
        response = client.get(
            "/api/v1/seen",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        )
    assert response.json() == {"client": "198.51.100.20", "scheme": "http"}
    assert "strict-transport-security" not in response.headers


def test_hsts_is_sent_over_https_only(client: TestClient, app: FastAPI) -> None:
    assert "strict-transport-security" not in client.get("/healthz").headers
    with TestClient(app, base_url="https://testserver") as secure:
        assert secure.get("/healthz").headers["strict-transport-security"] == HSTS
        missing = secure.get("/api/v1/no-such-thing")
        assert missing.status_code in (401, 404)
        assert missing.headers["strict-transport-security"] == HSTS


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValidationError, match="addresses or networks"):
        Settings(env="test", trusted_proxies="proxy.internal")
    assert Settings(env="test", trusted_proxies="10.0.0.5, fd00::/8").trusted_proxies == [
        "10.0.0.5",
        "fd00::/8",
    ]


@pytest.fixture
def cors_client(settings: Settings, engine: Any, session_factory: Any) -> Iterator[TestClient]:
    """Aegis allowing one browser origin."""
    with TestClient(_app(settings, engine, session_factory, cors_origins=[ALLOWED])) as client:
        yield client


def _preflight(client: TestClient, origin: str) -> Any:
    return client.options(
        "/api/v1/assets",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )


def test_cors_answers_the_listed_origin(cors_client: TestClient, token_for: Any) -> None:
    preflight = _preflight(cors_client, ALLOWED)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "if-match" in preflight.headers["access-control-allow-headers"].lower()
    response = cors_client.get(
        "/api/v1/assets", headers={"Origin": ALLOWED, **token_for("analyst")}
    )
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "etag" in response.headers["access-control-expose-headers"].lower()


def test_cors_refuses_any_other_origin(cors_client: TestClient, token_for: Any) -> None:
    for origin in ("https://evil.example", "https://grc.example.com.evil.example", "null"):
        preflight = _preflight(cors_client, origin)
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in preflight.headers
        response = cors_client.get(
            "/api/v1/assets", headers={"Origin": origin, **token_for("analyst")}
        )
        assert "access-control-allow-origin" not in response.headers


def test_without_cors_origins_no_origin_is_allowed(client: TestClient) -> None:
    preflight = _preflight(client, ALLOWED)
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_origins_must_be_origins() -> None:
    with pytest.raises(ValidationError, match="scheme, host and port only"):
        Settings(env="test", cors_origins="https://grc.example.com/app")
    with pytest.raises(ValidationError, match="scheme, host and port only"):
        Settings(env="test", cors_origins="grc.example.com")
