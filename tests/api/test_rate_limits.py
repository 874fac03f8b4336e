"""Rate limits per route class, per user and per address; in memory or shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from aegis.core.settings import Settings
from aegis.http.ratelimit import route_class
from aegis.main import create_app
from tests.conftest import PASSWORD
from tests.web.conftest import post_login

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def app_with(settings: Settings, engine, session_factory) -> Callable[..., Any]:
    """An application whose settings differ from the test settings as given."""

    def make(**changes: Any) -> Any:
        application = create_app(settings.model_copy(update=changes), engine=engine)
        application.state.session_factory = session_factory
        return application

    return make


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the real Redis, removed afterwards."""
    prefix = f"aegis-test-{uuid.uuid4().hex}"
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)
    server.close()


def _client(app: Any, address: str) -> TestClient:
    return TestClient(app, client=(address, 5000))


def _refusal(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    body = response.json()["error"]
    assert body["code"] == "rate_limited"
    assert "Too many requests" in body["message"]
    wait = int(response.headers["retry-after"])
    assert 1 <= wait <= 61 and body["details"] == {"retry_after": wait}
    assert response.headers["x-content-type-options"] == "nosniff"  # security headers kept
    return wait


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("POST", "/api/v1/auth/login", "", "sign_in"),
        ("POST", "/login", "", "sign_in"),
        ("POST", "/api/v1/auth/mfa/verify", "", "sign_in"),
        ("POST", "/api/v1/risks", "", "write"),
        ("PATCH", "/api/v1/risks/1", "", "write"),
        ("DELETE", "/api/v1/risks/1", "", "write"),
        ("GET", "/api/v1/risks", "", "read"),
        ("GET", "/risks", "format=csv", "export"),
        ("GET", "/risks", "format=xlsx&status=open", "export"),
        ("GET", "/api/v1/evidence/3/versions/1/download", "", "export"),
        ("GET", "/static/app.css", "", None),
        ("GET", "/healthz", "", None),
        ("OPTIONS", "/api/v1/risks", "", None),
    ],
)
def test_route_classes(method: str, path: str, query: str, expected: str | None) -> None:
    assert route_class(method, path, query) == expected


def test_reads_over_the_limit_get_429_with_retry_after(app_with, token_for) -> None:
    app = app_with(rate_limit_read="3/minute")
    with _client(app, "192.0.2.1") as client:
        headers = token_for("analyst")
        assert [client.get("/api/v1/risks", headers=headers).status_code for _ in range(3)] == [
            200
        ] * 3
        _refusal(client.get("/api/v1/risks", headers=headers))
        # another class has its own count
        assert (
            client.post(
                "/api/v1/auth/login", json={"email": "x@example.com", "password": "y"}
            ).status_code
            == 401
        )


def test_limits_are_kept_per_user_and_per_address(app_with, token_for) -> None:
    app = app_with(rate_limit_read="3/minute")
    analyst, readonly = token_for("analyst"), token_for("readonly")
    with _client(app, "192.0.2.1") as first, _client(app, "192.0.2.2") as second:
        for _ in range(3):
            assert first.get("/api/v1/risks", headers=analyst).status_code == 200
        _refusal(first.get("/api/v1/risks", headers=analyst))
        _refusal(second.get("/api/v1/risks", headers=analyst))  # same user, other address
        assert second.get("/api/v1/risks", headers=readonly).status_code == 200  # other user
        _refusal(first.get("/api/v1/risks", headers=readonly))  # same address, other user
        _refusal(first.get("/api/v1/units"))  # anonymous, same address


def test_web_pages_count_per_signed_in_user(app_with) -> None:
    app = app_with(rate_limit_read="4/minute")
    with _client(app, "192.0.2.1") as first, _client(app, "192.0.2.2") as second:
        for browser in (first, second):
            assert post_login(browser, "analyst@example.com").status_code == 303
        html = {"Accept": "text/html"}
        assert first.get("/risks", headers=html).status_code == 200
        assert first.get("/risks", headers=html).status_code == 200
        assert second.get("/risks", headers=html).status_code == 200
        assert second.get("/risks", headers=html).status_code == 200
        page = second.get("/risks", headers=html)  # the user's fifth read, from either address
        assert page.status_code == 429
        assert "Too many requests" in page.text and "<html" in page.text
        assert int(page.headers["retry-after"]) >= 1


def test_sign_in_is_the_strictest_class(app_with) -> None:
    app = app_with(rate_limit_sign_in="2/minute", rate_limit_read="100/minute")
    with _client(app, "192.0.2.1") as client:
        body = {"email": "analyst@example.com", "password": PASSWORD}
        assert client.post("/api/v1/auth/login", json=body).status_code == 200
        assert client.post("/api/v1/auth/login", json=body).status_code == 200
        _refusal(client.post("/api/v1/auth/login", json=body))
        _refusal(client.post("/login", data=body, follow_redirects=False))


def test_exports_and_writes_have_their_own_limits(app_with, token_for, world) -> None:
    app = app_with(rate_limit_export="1/minute", rate_limit_write="1/minute")
    headers = token_for("analyst")
    with _client(app, "192.0.2.1") as client:
        risk = {
            "unit_id": world.units["division-a"],
            "title": "Limited risk",
            "category": "technical",
            "status": "identified",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        }
        assert client.post("/api/v1/risks", json=risk, headers=headers).status_code == 201
        _refusal(client.post("/api/v1/risks", json={**risk, "title": "Second"}, headers=headers))
        listed = client.get("/api/v1/risks", params={"q": "Second"}, headers=headers)
        assert listed.status_code == 200
        assert listed.json()["total"] == 0  # nothing written by the refused request


def test_invalid_limits_are_refused_naming_the_setting(tmp_path) -> None:
    with pytest.raises(ValueError, match="rate_limit_write"):
        Settings(env="test", data_dir=tmp_path, rate_limit_write="a lot")


def test_counts_are_shared_through_redis(app_with, token_for, redis_prefix: str) -> None:
    """Two applications (as two replicas) with the same Redis share one count."""
    shared = {"redis_url": REDIS_URL, "rate_limit_prefix": redis_prefix}
    one = app_with(rate_limit_read="4/minute", **shared)
    two = app_with(rate_limit_read="4/minute", **shared)
    headers = token_for("analyst")
    with _client(one, "192.0.2.1") as first, _client(two, "192.0.2.9") as second:
        assert first.get("/api/v1/risks", headers=headers).status_code == 200
        assert second.get("/api/v1/risks", headers=headers).status_code == 200
        assert first.get("/api/v1/risks", headers=headers).status_code == 200
        assert second.get("/api/v1/risks", headers=headers).status_code == 200
        _refusal(first.get("/api/v1/risks", headers=headers))
        _refusal(second.get("/api/v1/risks", headers=headers))
    server = redis.Redis.from_url(REDIS_URL)
    assert list(server.scan_iter(f"{redis_prefix}:*"))  # the counts live in Redis
    server.close()


def test_an_unreachable_redis_does_not_take_the_application_down(app_with, token_for) -> None:
    app = app_with(redis_url="redis://127.0.0.1:1/0", rate_limit_read="1/minute")
    with _client(app, "192.0.2.1") as client:
        for _ in range(3):
            assert client.get("/api/v1/risks", headers=token_for("analyst")).status_code == 200
