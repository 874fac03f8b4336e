"""Helpers of the MFA tests: a controllable clock for codes and challenges, enrolment."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient

from aegis.core.db import utcnow
from tests.conftest import PASSWORD


class CodeClock:
    """The time codes and challenges are checked at, moved by tests (30 s per code step)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **span: float) -> None:
        self.offset += timedelta(**span)

    def code(self, secret: str) -> str:
        """The code an authenticator app shows now."""
        return pyotp.TOTP(secret).at(self.now())

    def next_code(self, secret: str) -> str:
        """Move to the next 30-second step and return its code."""
        self.advance(seconds=30)
        return self.code(secret)


@pytest.fixture
def codes(monkeypatch: pytest.MonkeyPatch) -> CodeClock:
    """Controllable time for TOTP codes and sign-in challenges."""
    from aegis.domains.auth import mfa, mfa_challenges

    clock = CodeClock()
    monkeypatch.setattr(mfa, "utcnow", clock.now)
    monkeypatch.setattr(mfa_challenges, "utcnow", clock.now)
    return clock


def enrol(client: TestClient, headers: dict[str, str], clock: CodeClock) -> tuple[str, list[str]]:
    """Set up an authenticator app through the API; return its secret and recovery codes."""
    started = client.post("/api/v1/auth/mfa/totp", headers=headers)
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    confirmed = client.post(
        "/api/v1/auth/mfa/totp/confirm", headers=headers, json={"code": clock.code(secret)}
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


def password_step(client: TestClient, email: str = "analyst@example.com") -> dict:
    """POST /api/v1/auth/login with the right password; the JSON answer."""
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())
