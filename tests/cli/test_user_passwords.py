"""Passwords given at the console: their length, and the change asked of their owner."""

from __future__ import annotations

from sqlalchemy import select

from aegis.models import AuditEvent, User
from tests.cli.console import PASSWORD, Aegis, said

EMAIL = "grace.hopper@example.com"
MINE = "heron drifts past 9 silver mills"


def _create(aegis: Aegis, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return aegis(
        "users", "create", "--email", EMAIL, "--name", "Grace Hopper", "--role", "analyst",
        "--password-stdin", input=password + "\n",
    )  # fmt: skip


def _reason(aegis: Aegis) -> str | None:
    return aegis.scalar(select(User.password_change_reason).where(User.email == EMAIL))


def _required_events(aegis: Aegis) -> int:
    return aegis.count(AuditEvent, AuditEvent.action == "password_change_required")


def test_a_user_created_at_the_console_replaces_the_first_password(organisation: Aegis) -> None:
    assert _create(organisation).exit_code == 0
    assert _reason(organisation) == "set_by_admin"
    assert _required_events(organisation) == 1
    with organisation.http() as client:
        login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        refused = client.get("/api/v1/risks", headers=headers)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "password_change_required"
        changed = client.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": MINE},
            headers=headers,
        )
        assert changed.status_code == 204, changed.text
        again = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": MINE})
        headers = {"Authorization": f"Bearer {again.json()['access_token']}"}
        assert client.get("/api/v1/risks", headers=headers).status_code == 200
    assert _reason(organisation) is None


def test_set_password_at_the_console_asks_for_a_new_one_at_sign_in(organisation: Aegis) -> None:
    assert _create(organisation).exit_code == 0
    with organisation.http() as client:  # the user chooses their own first
        login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        client.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": MINE},
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        )
    assert _reason(organisation) is None
    organisation.ok(
        "users", "set-password", "--email", EMAIL, "--password-stdin",
        input="a different long passphrase\n",
    )  # fmt: skip
    assert _reason(organisation) == "set_by_admin"
    assert _required_events(organisation) == 2


def test_a_password_of_129_characters_is_refused_and_nothing_is_written(
    organisation: Aegis,
) -> None:
    too_long = "Copper kettles whistle at dawn while grey herons wade " * 3  # 162 characters
    too_long = too_long[:129]
    created = _create(organisation, too_long)
    assert created.exit_code == 1
    assert "password" in said(created) and "128" in said(created)
    assert organisation.count(User, User.email == EMAIL) == 0

    assert _create(organisation).exit_code == 0
    events = organisation.count(AuditEvent)
    before = organisation.scalar(select(User.password_hash).where(User.email == EMAIL))
    refused = organisation(
        "users", "set-password", "--email", EMAIL, "--password-stdin", input=too_long + "\n"
    )
    assert refused.exit_code == 1
    assert "Error: The password must be at most 128 characters" in said(refused)
    assert organisation.scalar(select(User.password_hash).where(User.email == EMAIL)) == before
    assert organisation.count(AuditEvent) == events
