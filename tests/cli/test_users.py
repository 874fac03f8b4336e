"""`aegis users`: accounts created and changed from the console, then used to sign in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from typer.testing import Result

from aegis.models import AuditEvent, RoleAssignment, Unit, User
from tests.cli.console import PASSWORD, Aegis, said

EMAIL = "Ada.Lovelace@Example.com"


def _unit_id(aegis: Aegis, name: str) -> int:
    unit_id = aegis.scalar(select(Unit.id).where(Unit.name == name))
    assert unit_id is not None
    return int(unit_id)


def _create(aegis: Aegis, *options: str, password: str | None = PASSWORD) -> Result:
    return aegis(
        "users", "create", "--email", EMAIL, "--name", "Ada Lovelace", *options,
        input=None if password is None else password + "\n",
    )  # fmt: skip


def _written(aegis: Aegis) -> tuple[int, int, int]:
    return aegis.count(User), aegis.count(RoleAssignment), aegis.count(AuditEvent)


def test_create_a_user_who_can_then_sign_in(organisation: Aegis) -> None:
    created = organisation.ok(
        "users", "create", "--email", EMAIL, "--name", "Ada Lovelace", "--role", "analyst",
        "--unit", "Division", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    match = re.search(  # the last line; the security events logged come before it
        r"^Created user (\d+) <ada.lovelace@example.com> as analyst of 'Division'\n\Z",
        created.output,
        re.MULTILINE,
    )
    assert match, created.output
    assert organisation.can_sign_in("ada.lovelace@example.com", PASSWORD)
    assert not organisation.can_sign_in("ada.lovelace@example.com", PASSWORD + "!")

    with organisation.http() as client:
        login = client.post(
            "/api/v1/auth/login", json={"email": "ada.lovelace@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    body = me.json()
    assert (body["id"], body["email"], body["name"]) == (
        int(match.group(1)),
        "ada.lovelace@example.com",
        "Ada Lovelace",
    )
    assert [(r["role"], r["unit_id"], r["include_children"]) for r in body["roles"]] == [
        ("analyst", _unit_id(organisation, "Division"), True)
    ]
    # the console is recorded in the audit trail as an actor without an account
    created = (AuditEvent.entity_type == "user", AuditEvent.action == "create")
    actors = organisation.scalar(
        select(AuditEvent.actor_id).where(*created, AuditEvent.entity_id == body["id"])
    )
    assert actors is None
    assert organisation.count(AuditEvent, *created) == 1
    # the sign-in through the API is recorded too, by the user who signed in
    signed_in = organisation.scalar(
        select(AuditEvent.actor_id).where(AuditEvent.action == "sign_in")
    )
    assert signed_in == body["id"]


def test_the_unit_may_be_given_by_id(organisation: Aegis) -> None:
    team = _unit_id(organisation, "Team")
    result = _create(organisation, "--role", "readonly", "--unit", str(team), "--password-stdin")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("as readonly of 'Team'\n")
    assert organisation.count(RoleAssignment, RoleAssignment.unit_id == team) == 1


def test_without_unit_the_user_gets_the_role_on_the_root(organisation: Aegis) -> None:
    result = _create(organisation, "--role", "admin", "--no-include-children", "--password-stdin")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("as admin of 'Company'\n")
    role = organisation.scalar(select(RoleAssignment))
    assert (role.role, role.unit_id, role.include_children) == (
        "admin",
        _unit_id(organisation, "Company"),
        False,
    )
    assert organisation.can_sign_in(EMAIL, PASSWORD)


def test_without_a_root_unit_nothing_is_created(migrated: Aegis) -> None:
    result = _create(migrated, "--role", "admin", "--password-stdin")
    assert result.exit_code == 1
    assert "Error: There is no root unit yet" in said(result)
    assert _written(migrated) == (0, 0, 0)


def test_a_duplicate_email_is_refused(organisation: Aegis) -> None:
    assert _create(organisation, "--role", "analyst", "--password-stdin").exit_code == 0
    before = _written(organisation)
    again = organisation(
        "users", "create", "--email", "ada.LOVELACE@example.com", "--name", "Ada Again",
        "--role", "readonly", "--password-stdin", input="another long passphrase\n",
    )  # fmt: skip
    assert again.exit_code == 1
    assert "Error: A user with this e-mail address already exists" in said(again)
    assert _written(organisation) == before
    assert organisation.can_sign_in(EMAIL, PASSWORD)  # the first account is unchanged


@pytest.mark.parametrize(
    ("options", "password", "exit_code", "message"),
    [
        pytest.param(("--unit", "Nowhere"), PASSWORD, 1, "Error: No unit 'Nowhere'", id="unit"),
        pytest.param(("--unit", "999999"), PASSWORD, 1, "Error: No unit '999999'", id="unit-id"),
        pytest.param(("--role", "superuser"), PASSWORD, 2, "Invalid value for '--role'", id="role"),
        pytest.param(
            (), "short pass", 1, "Error: password: Value error, must be at least 12", id="short"
        ),
        pytest.param((), "", 1, "Error: password: Value error, must be at least 12", id="empty"),
        pytest.param(
            (), "zzzzzzzzzzzzzzzzzzz", 1, "Error: The password is too easy to guess", id="simple"
        ),
        pytest.param(
            (), "Password1234", 1, "Error: The password is one of the most commonly", id="common"
        ),
        pytest.param(
            (), "AdaLovelace1815", 1, "Error: The password is mostly your name", id="own-name"
        ),
    ],
)
def test_invalid_input_writes_nothing(
    organisation: Aegis, options: tuple[str, ...], password: str, exit_code: int, message: str
) -> None:
    before = _written(organisation)
    role = () if "--role" in options else ("--role", "analyst")
    result = _create(organisation, *role, *options, "--password-stdin", password=password)
    assert result.exit_code == exit_code, result.output
    assert message in said(result)
    assert _written(organisation) == before


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "@example.com", "ada lovelace@x.org"])
def test_an_invalid_email_writes_nothing(organisation: Aegis, email: str) -> None:
    before = _written(organisation)
    result = organisation(
        "users", "create", "--email", email, "--name", "Ada", "--role", "analyst",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Error: email: value is not a valid email address" in said(result)
    assert _written(organisation) == before


def test_an_empty_name_writes_nothing(organisation: Aegis) -> None:
    before = _written(organisation)
    result = organisation(
        "users", "create", "--email", EMAIL, "--name", "  ", "--role", "analyst",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Error: name: String should have at least 1 character" in said(result)
    assert _written(organisation) == before


def test_without_password_stdin_and_without_a_terminal_it_refuses(organisation: Aegis) -> None:
    before = _written(organisation)
    result = _create(organisation, "--role", "analyst", password=PASSWORD)
    assert result.exit_code == 2
    assert "No terminal: pass the password with --password-stdin" in said(result)
    assert _written(organisation) == before


def test_at_a_terminal_the_password_is_asked_twice(
    organisation: Aegis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the runner's stdin stands in for the operator's terminal
    monkeypatch.setattr("typer.testing._NamedTextIOWrapper.isatty", lambda _self: True)
    before = _written(organisation)
    mistyped = _create(organisation, "--role", "analyst", password=f"{PASSWORD}\nsomething else")
    assert mistyped.exit_code != 0
    assert "Error: The two entered values do not match." in said(mistyped)
    assert _written(organisation) == before

    typed = _create(organisation, "--role", "analyst", password=f"{PASSWORD}\n{PASSWORD}")
    assert typed.exit_code == 0, typed.output
    assert PASSWORD not in typed.output  # the prompt does not echo it
    assert organisation.can_sign_in(EMAIL, PASSWORD)


def test_set_password_replaces_the_old_one_and_signs_out(organisation: Aegis) -> None:
    assert _create(organisation, "--role", "analyst", "--password-stdin").exit_code == 0
    with organisation.http() as client:
        login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert login.status_code == 200, login.text
        refresh_token = login.json()["refresh_token"]

        new_password = "a different long passphrase"
        changed = organisation.ok(
            "users", "set-password", "--email", EMAIL.upper(), "--password-stdin",
            input=new_password + "\n",
        )  # fmt: skip
        assert changed.output == f"Password of <{EMAIL.upper()}> changed\n"
        assert not organisation.can_sign_in(EMAIL, PASSWORD)
        assert organisation.can_sign_in(EMAIL, new_password)

        refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
        assert refreshed.status_code == 401, refreshed.text  # signed out everywhere
        old = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert old.status_code == 401
        new = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": new_password})
        assert new.status_code == 200, new.text


def test_set_password_refuses_a_weak_password_and_keeps_the_old(organisation: Aegis) -> None:
    assert _create(organisation, "--role", "analyst", "--password-stdin").exit_code == 0
    weak = organisation(
        "users", "set-password", "--email", EMAIL, "--password-stdin", input="too short\n"
    )
    assert weak.exit_code == 1
    assert "Error: The password must be at least 12 characters" in said(weak)
    common = organisation(
        "users", "set-password", "--email", EMAIL, "--password-stdin", input="123456789012\n"
    )
    assert common.exit_code == 1
    assert "Error: The password is one of the most commonly used passwords" in said(common)
    assert organisation.can_sign_in(EMAIL, PASSWORD)


def test_set_password_of_an_unknown_user(organisation: Aegis) -> None:
    result = organisation(
        "users", "set-password", "--email", "nobody@example.com", "--password-stdin",
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Error: No user <nobody@example.com>" in said(result)


def test_set_password_without_a_terminal_refuses(organisation: Aegis) -> None:
    assert _create(organisation, "--role", "analyst", "--password-stdin").exit_code == 0
    result = organisation("users", "set-password", "--email", EMAIL, input="whatever it is\n")
    assert result.exit_code == 2
    assert "--password-stdin" in said(result)
    assert organisation.can_sign_in(EMAIL, PASSWORD)


def test_a_password_with_surrounding_spaces_is_kept_as_typed(organisation: Aegis) -> None:
    padded = f"  {PASSWORD}  "
    assert (
        _create(organisation, "--role", "analyst", "--password-stdin", password=padded).exit_code
        == 0
    )
    assert organisation.can_sign_in(EMAIL, padded)


def test_unlock_lifts_the_lock_of_failed_sign_ins(organisation: Aegis) -> None:
    assert _create(organisation, "--role", "analyst", "--password-stdin").exit_code == 0
    right = {"email": EMAIL, "password": PASSWORD}
    with organisation.http() as client:
        for _ in range(5):
            client.post("/api/v1/auth/login", json={**right, "password": "not it, not at all"})
        assert client.post("/api/v1/auth/login", json=right).status_code == 429
        unlocked = organisation.ok("users", "unlock", "--email", EMAIL)
        assert unlocked.output.endswith(f"Sign-in of <{EMAIL}> unlocked\n")
        assert client.post("/api/v1/auth/login", json=right).status_code == 200
    assert organisation.count(AuditEvent, AuditEvent.action == "unlock") == 1
    again = organisation.ok("users", "unlock", "--email", EMAIL)
    assert "was not locked" in again.output
    assert organisation.count(AuditEvent, AuditEvent.action == "unlock") == 1
    unknown = organisation("users", "unlock", "--email", "nobody@example.com")
    assert unknown.exit_code == 1 and "Error: No user <nobody@example.com>" in said(unknown)
