"""Request bodies are refused as soon as they pass their limit, before anything parses them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.settings import Settings
from aegis.main import create_app
from aegis.models import Asset, Evidence
from tests.conftest import World

MB = 1024 * 1024
CHUNK = 64 * 1024
THIRTY_MB = 30 * MB


class Upstream:
    """A client sending a body chunk by chunk, counting what the server asked for."""

    def __init__(self, body_size: int, start: bytes = b"[", filler: bytes = b"1,") -> None:
        self.body_size = body_size
        self.start = start
        self.filler = filler
        self.sent = 0
        self.messages: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        size = min(CHUNK, self.body_size - self.sent)
        chunk = ((self.start if self.sent == 0 else b"") + self.filler * size)[:size]
        self.sent += size
        return {"type": "http.request", "body": chunk, "more_body": self.sent < self.body_size}

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(next(m["status"] for m in self.messages if m["type"] == "http.response.start"))

    @property
    def headers(self) -> dict[str, str]:
        start = next(m for m in self.messages if m["type"] == "http.response.start")
        return {name.decode(): value.decode() for name, value in start["headers"]}

    @property
    def body(self) -> Any:
        data = b"".join(
            m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"
        )
        return json.loads(data)


def _post(app: FastAPI, upstream: Upstream, headers: dict[str, str], path: str) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    # A loop of its own in another thread: a browser test may have one running in this thread.
    with start_blocking_portal() as portal:
        portal.call(app, scope, upstream.receive, upstream.send)


def _asset_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Asset)) or 0)


def test_a_30_mb_json_body_without_length_is_refused_without_being_read(
    app: FastAPI, token_for: Callable[[str], dict[str, str]], db: Session
) -> None:
    before = _asset_count(db)
    upstream = Upstream(THIRTY_MB)
    headers = {"content-type": "application/json", **token_for("admin")}
    _post(app, upstream, headers, "/api/v1/assets")
    assert upstream.status == 413
    assert upstream.sent <= app.state.settings.max_request_bytes + CHUNK
    assert upstream.sent < THIRTY_MB / 20
    assert upstream.body["error"]["code"] == "payload_too_large"
    assert "1 MB" in upstream.body["error"]["message"]
    assert upstream.headers["x-content-type-options"] == "nosniff"
    assert _asset_count(db) == before


def test_a_declared_30_mb_body_is_refused_before_any_byte_is_read(
    app: FastAPI, token_for: Callable[[str], dict[str, str]]
) -> None:
    upstream = Upstream(THIRTY_MB)
    headers = {
        "content-type": "application/json",
        "content-length": str(THIRTY_MB),
        **token_for("admin"),
    }
    _post(app, upstream, headers, "/api/v1/assets")
    assert upstream.status == 413
    assert upstream.sent == 0


def test_an_upload_over_its_limit_is_refused_early_too(
    app: FastAPI, token_for: Callable[[str], dict[str, str]]
) -> None:
    part = (
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    upstream = Upstream(THIRTY_MB, start=part, filler=b"A")
    headers = {"content-type": "multipart/form-data; boundary=xyz", **token_for("admin")}
    _post(app, upstream, headers, "/api/v1/evidence")
    assert upstream.status == 413
    assert upstream.sent <= app.state.settings.max_upload_request_bytes + CHUNK


@pytest.fixture
def small_bodies(settings: Settings, engine: Any, session_factory: Any) -> FastAPI:
    """Aegis accepting 64 KB bodies, and uploads of up to 1 MB."""
    application = create_app(
        settings.model_copy(update={"max_request_bytes": 64 * 1024}), engine=engine
    )
    application.state.session_factory = session_factory
    return application


def test_uploads_have_the_larger_limit(
    small_bodies: FastAPI, token_for: Callable[[str], dict[str, str]], world: World, db: Session
) -> None:
    headers = token_for("analyst")
    form = {"unit_id": str(world.units["division-a"]), "title": "Firewall export"}
    with TestClient(small_bodies) as client:
        too_big_json = client.post(
            "/api/v1/assets",
            headers=headers,
            json={"unit_id": world.units["division-a"], "name": "x", "description": "y" * 70_000},
        )
        assert too_big_json.status_code == 413
        upload = client.post(
            "/api/v1/evidence",
            headers=headers,
            data=form,
            files={"file": ("rules.txt", b"allow tcp 443\n" * 15_000, "text/plain")},
        )
    assert upload.status_code == 201, upload.text
    assert db.get(Evidence, upload.json()["id"]) is not None


def test_a_form_over_the_limit_is_a_page_for_the_browser(
    small_bodies: FastAPI, world: World
) -> None:
    with TestClient(small_bodies) as client:
        response = client.post(
            "/login",
            data={"email": "admin@example.com", "password": "p" * 70_000},
            headers={"Accept": "text/html"},
            follow_redirects=False,
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "64 KB" in response.text
