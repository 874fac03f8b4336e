"""`aegis users reset-mfa EMAIL`: an operator removes a user's MFA (a lost phone)."""

from __future__ import annotations

import pyotp

from aegis.models import AuditEvent, TotpCredential
from tests.cli.console import PASSWORD, Aegis, replace_console_password, said

EMAIL = "ada.lovelace@example.com"


def test_reset_mfa_lets_the_user_sign_in_and_set_it_up_again(organisation: Aegis) -> None:
    organisation.ok(
        "users", "create", "--email", EMAIL, "--name", "Ada Lovelace", "--role", "analyst",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    chosen = "a new phrase only Ada knows"
    right = {"email": EMAIL, "password": chosen}
    with organisation.http() as client:
        replace_console_password(client, EMAIL, chosen)
        token = client.post("/api/v1/auth/login", json=right).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        secret = client.post("/api/v1/auth/mfa/totp", headers=headers).json()["secret"]
        code = pyotp.TOTP(secret).now()
        confirmed = client.post(
            "/api/v1/auth/mfa/totp/confirm", headers=headers, json={"code": code}
        )
        assert confirmed.status_code == 200
        assert client.post("/api/v1/auth/login", json=right).json()["mfa_required"] is True

        reset = organisation.ok("users", "reset-mfa", EMAIL.upper())
        assert "reset" in reset.output and EMAIL.upper() in reset.output
        assert "access_token" in client.post("/api/v1/auth/login", json=right).json()
    assert organisation.count(TotpCredential) == 0
    events = organisation.count(AuditEvent, AuditEvent.action == "mfa_reset")
    assert events == 1
    again = organisation.ok("users", "reset-mfa", EMAIL)
    assert "had no authenticator app" in again.output
    unknown = organisation("users", "reset-mfa", "nobody@example.com")
    assert unknown.exit_code == 1 and "Error: No user <nobody@example.com>" in said(unknown)
