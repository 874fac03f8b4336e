"""What the log says about each request, written as the production configuration writes it.

Every line is one JSON object: a line break or a terminal escape sent in a header, a path or
an e-mail address stays inside its value and cannot start a forged entry. Each request's line
names the account it acted as, whatever the answer (404 for an object outside the caller's
units included); refused input is also a security event naming the fields, never their
values; a refused token is logged with the account it names, never the token; and no object
text or file content reaches the log.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import structlog
from fastapi.testclient import TestClient

from aegis.core.logging import processors
from tests.conftest import PASSWORD, World
from tests.factories.evidence import PDF

FORGED = '\n{"event": "sign_in", "user": "admin@example.com"}\r\n\x1b[2J\x1b[31mforged'


class Logs:
    """The log lines the application writes while the block runs, as text."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        """Every line parsed; fails when a line is not one whole JSON object."""
        return [json.loads(line) for line in self.text.splitlines()]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["event"] == name]


@pytest.fixture
def logs() -> Iterator[Logs]:
    """Structured logs rendered to JSON into a buffer, as `configure_logging` does in production."""
    stream = io.StringIO()
    structlog.configure(
        processors=processors(json=True),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    try:
        yield Logs(stream)
    finally:
        structlog.reset_defaults()


def _risk(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "unit_id": world.units["division-a"],
        "title": "Supplier outage",
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": 2,
        "inherent_impact": 3,
        **changes,
    }


def test_a_line_break_or_escape_in_a_logged_value_cannot_forge_an_entry(
    client: TestClient, logs: Logs, token_for: Any
) -> None:
    hostile = {"User-Agent": FORGED.replace("\n", " ").replace("\r", " ")}  # HTTP forbids CR LF
    assert client.get("/api/v1/assets", headers={**token_for("analyst"), **hostile}).is_success
    client.get("/api/v1/" + quote(FORGED), headers=token_for("analyst"))  # sent encoded
    failed = client.post("/api/v1/auth/login", json={"email": FORGED, "password": "wrong"})
    assert failed.status_code in (401, 422)
    failed = client.post(
        "/api/v1/auth/login", json={"email": "x@example.com" + FORGED, "password": "wrong"}
    )
    assert "\x1b" not in logs.text and "\r" not in logs.text  # escaped inside the JSON
    lines = logs.lines()  # each line a whole JSON object: nothing was split off
    assert len(lines) >= 4
    assert not [line for line in lines if line["event"] == "sign_in"]
    assert any("forged" in line.get("path", "") for line in lines)


def test_each_request_line_names_the_account_whatever_the_answer(
    client: TestClient, logs: Logs, world: World, token_for: Any, db: Any
) -> None:
    analyst = token_for("analyst")
    created = client.post("/api/v1/risks", json=_risk(world), headers=analyst)
    assert created.status_code == 201
    hidden = client.post(
        "/api/v1/risks",
        json=_risk(world, unit_id=world.units["division-b"], title="Other division"),
        headers=token_for("analyst_b"),
    ).json()["id"]
    answers = {
        client.get(f"/api/v1/risks/{hidden}", headers=analyst).status_code,  # outside: 404
        client.post("/api/v1/risks", json=_risk(world, title=""), headers=analyst).status_code,
        client.post("/api/v1/risks", json=_risk(world), headers=token_for("readonly")).status_code,
    }
    assert answers == {404, 422, 403}
    requests = logs.events("request")
    by_status = {line["status"]: line for line in reversed(requests)}  # the first of each
    for status in (201, 404, 422):
        assert by_status[status]["user"] == "analyst@example.com", by_status[status]
        assert by_status[status]["user_id"] == world.users["analyst"]
        assert by_status[status]["client_address"] == "testclient"
    assert by_status[404]["route"] == "GET /api/v1/risks/{risk_id}"
    assert by_status[403]["user"] == "readonly@example.com"
    assert "authorization" not in logs.text.lower() and "bearer" not in logs.text.lower()


def test_refused_input_is_a_security_event_naming_fields_not_values(
    client: TestClient, logs: Logs, world: World, token_for: Any
) -> None:
    secret = "Quartz-hidden-value-7731"
    refused = client.post(
        "/api/v1/risks",
        json=_risk(world, title=secret * 40, inherent_impact=secret),
        headers=token_for("analyst"),
    )
    assert refused.status_code == 422
    [event] = logs.events("input_refused")
    assert event["user"] == "analyst@example.com"
    assert event["route"] == "POST /api/v1/risks"
    assert event["level"] == "warning"
    assert set(event["fields"]) == {"title", "inherent_impact"}
    assert secret not in logs.text


def test_a_refused_token_is_logged_with_its_account_and_never_the_token(
    client: TestClient, logs: Logs, world: World
) -> None:
    pair = client.post(
        "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
    ).json()
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert first.status_code == 200
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert reused.status_code == 401  # the reuse ends the session
    ended = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {first.json()['access_token']}"}
    )
    assert ended.status_code == 401
    unknown = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-a-token"})
    assert unknown.status_code == 401
    refusals = logs.events("credential_refused")
    reuse = [line for line in refusals if line["credential"] == "refresh_token"]
    assert [line["reason"] for line in reuse] == ["used twice: the session is revoked"]
    assert reuse[0]["user"] == "analyst@example.com"
    assert reuse[0]["user_id"] == world.users["analyst"]
    access = [line for line in refusals if line["credential"] == "access_token"]
    assert [(line["reason"], line["user"]) for line in access] == [
        ("session ended", "analyst@example.com"),
        ("invalid token", None),
    ]
    refused = [line for line in logs.events("request") if line["status"] == 401]
    assert [line["user"] for line in refused] == [
        "analyst@example.com",  # the reused refresh token's session
        "analyst@example.com",  # the access token of the session it ended
        None,  # a token that names nobody
    ]
    for token in (pair["refresh_token"], pair["access_token"], first.json()["access_token"]):
        assert token not in logs.text
        assert token.split(".")[0] not in logs.text


def test_no_object_text_or_file_content_reaches_the_log(
    client: TestClient, logs: Logs, world: World, token_for: Any
) -> None:
    analyst = token_for("analyst")
    text = "Vermilion-heron-4471 describes the outage"
    risk = client.post("/api/v1/risks", json=_risk(world, description=text), headers=analyst)
    assert risk.status_code == 201
    changed = client.patch(
        f"/api/v1/risks/{risk.json()['id']}",
        json={"description": text + " again", "version": risk.json()["version"]},
        headers=analyst,
    )
    assert changed.status_code == 200, changed.text
    content = PDF + b"Cobalt-lantern-9182\n%%EOF\n"
    uploaded = client.post(
        "/api/v1/evidence",
        files={"file": ("cobalt.pdf", content, "application/pdf")},
        data={"title": "Teal-orchard-5530", "unit_id": str(world.units["division-a"])},
        headers=analyst,
    )
    assert uploaded.status_code == 201, uploaded.text
    download = client.get(f"/api/v1/evidence/{uploaded.json()['id']}/download", headers=analyst)
    assert b"Cobalt-lantern-9182" in download.content
    assert len(logs.events("request")) == 4
    for written in ("Vermilion-heron-4471", "Cobalt-lantern-9182", "Teal-orchard-5530"):
        assert written not in logs.text
