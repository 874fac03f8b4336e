"""Signing in, refreshing, changing a password, failing and uploading leave no secret behind.

Neither the log lines (rendered as in production) nor the audit trail ever hold a password,
an access, refresh or API token, a session cookie (or the key and form token inside it) or one of
the configured secret keys.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from structlog.testing import capture_logs

from aegis.core.logging import processors
from aegis.core.redaction import SECRET_NAME
from aegis.core.settings import Settings
from aegis.models import AuditEvent
from aegis.web.cookies import COOKIE_NAME, LOGIN_COOKIE_NAME
from tests.conftest import PASSWORD, World
from tests.factories.evidence import PDF
from tests.web.conftest import post_login, sign_in

NEW_PASSWORD = "Violet tractor 47 sings at dawn"
WRONG_PASSWORD = "Wrong-guess-9f3a7c-quartz"
EMAIL = "analyst@example.com"


class Secrets:
    """Every secret the journey handles, with the parts a careless log could show."""

    def __init__(self, settings: Settings) -> None:
        self.values = {PASSWORD, NEW_PASSWORD, WRONG_PASSWORD}
        for name in type(settings).model_fields:
            value = getattr(settings, name)
            if SECRET_NAME.search(name) and isinstance(value, str) and value:
                self.tokens(value, *value.replace(",", ":").split(":"))

    def tokens(self, *values: str) -> None:
        """Remember secrets, leaving out parts too short to tell apart from other text."""
        self.values.update(value for value in values if len(value) >= 16)

    def pair(self, answer: Any) -> dict[str, str]:
        assert answer.status_code == 200, answer.text
        body: dict[str, str] = answer.json()
        access, refresh = body["access_token"], body["refresh_token"]
        self.tokens(access, access.rsplit(".", 1)[-1], refresh, *refresh.split("."))
        return body

    def cookies(self, app: Any, client: TestClient) -> None:
        session = client.cookies.get(COOKIE_NAME)
        assert session, "signed in without a session cookie"
        inside = app.state.cookie_codec.decode(session)
        self.tokens(session, inside.key, inside.csrf)
        if client.cookies.get(LOGIN_COOKIE_NAME):
            self.tokens(client.cookies[LOGIN_COOKIE_NAME])


@pytest.fixture
def web(app: Any) -> Iterator[TestClient]:
    """A browser, apart from the API client."""
    with TestClient(app) as browser:
        yield browser


def _upload_page(browser: Any, world: World) -> Any:
    form = {
        "csrf_token": browser.csrf,
        "title": "Key ceremony",
        "unit_id": str(world.units["team-a1"]),
    }
    return browser.client.post(
        "/evidence/new",
        data=form,
        files={"file": ("ceremony.pdf", PDF, "application/pdf")},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def _journey(app: Any, client: TestClient, web: TestClient, world: World, found: Secrets) -> None:
    first = found.pair(
        client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    )
    second = found.pair(
        client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    )
    bearer = {"Authorization": f"Bearer {second['access_token']}"}
    uploaded = client.post(
        "/api/v1/evidence",
        files={"file": ("policy.pdf", PDF, "application/pdf")},
        data={"title": "Access policy", "unit_id": str(world.units["division-a"])},
        headers=bearer,
    )
    assert uploaded.status_code == 201, uploaded.text
    made = client.post(
        "/api/v1/api-tokens",
        json={
            "name": "Nightly export",
            "access": "read_only",
            "unit_ids": [world.units["division-a"]],
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        headers=bearer,
    )
    assert made.status_code == 201, made.text
    found.tokens(made.json()["secret"])
    integration = {"Authorization": f"Bearer {made.json()['secret']}"}
    assert client.get("/api/v1/assets", headers=integration).status_code == 200
    browser = sign_in(web, EMAIL)
    found.cookies(app, web)
    assert _upload_page(browser, world).status_code == 303
    changed = browser.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303, changed.text
    # the old password, a wrong one, and every token of the ended sessions are refused
    old = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert old.status_code == 401
    assert post_login(web, EMAIL, WRONG_PASSWORD).status_code == 401
    for token in (second["refresh_token"], first["refresh_token"]):
        refused = client.post("/api/v1/auth/refresh", json={"refresh_token": token})
        assert refused.status_code == 401
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    found.pair(client.post("/api/v1/auth/login", json={"email": EMAIL, "password": NEW_PASSWORD}))
    sign_in(web, EMAIL, NEW_PASSWORD)
    found.cookies(app, web)


def _rendered(line: dict[str, Any]) -> str:
    """A captured log line as the production configuration writes it (JSON)."""
    event: Any = dict(line)
    for processor in processors(json=True):
        event = processor(None, str(line.get("log_level", "info")), event)
    return str(event)


def _audit_rows(db: Session) -> list[str]:
    rows = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    columns = [attribute.key for attribute in inspect(AuditEvent).column_attrs]
    return [json.dumps({c: getattr(row, c) for c in columns}, default=str) for row in rows]


def test_no_secret_reaches_the_logs_or_the_audit_trail(
    app: Any,
    client: TestClient,
    web: TestClient,
    db: Session,
    world: World,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    found = Secrets(settings)
    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs:
        _journey(app, client, web, world, found)
    assert len(found.values) > 20  # passwords, keys, three token pairs, an API token, two cookies
    lines = [_rendered(line) for line in logs]
    lines += [f"{record.name} {record.getMessage()}" for record in caplog.records]
    events = {json.loads(line)["event"] for line in lines if line.startswith("{")}
    assert {"request", "sign_in", "sign_in_failed"} <= events
    trail = _audit_rows(db)
    actions = {json.loads(row)["action"] for row in trail}
    assert {"sign_in", "sign_in_failed", "create", "update"} <= actions
    assert any('"password": [null, "changed"]' in row for row in trail)
    for secret in sorted(found.values):
        assert not [line for line in lines if secret in line], "a secret is in the logs"
        assert not [row for row in trail if secret in row], "a secret is in the audit trail"
