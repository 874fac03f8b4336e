"""`aegis roles grant`: more roles for an existing account."""

from __future__ import annotations

from sqlalchemy import select

from aegis.models import AuditEvent, RoleAssignment, Unit, User
from tests.cli.console import PASSWORD, Aegis, said

EMAIL = "grace@example.com"


def _with_user(aegis: Aegis) -> int:
    aegis.ok(
        "users", "create", "--email", EMAIL, "--name", "Grace", "--role", "analyst",
        "--unit", "Team", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    user_id = aegis.scalar(select(User.id).where(User.email == EMAIL))
    assert user_id is not None
    return int(user_id)


def _roles(aegis: Aegis, user_id: int) -> set[tuple[str, str, bool]]:
    with aegis.engine.connect() as connection:
        rows = connection.execute(
            select(RoleAssignment.role, Unit.name, RoleAssignment.include_children)
            .join(Unit, Unit.id == RoleAssignment.unit_id)
            .where(RoleAssignment.user_id == user_id)
        )
        return {(role, unit, bool(children)) for role, unit, children in rows}


def test_grant_adds_an_assignment(organisation: Aegis) -> None:
    user_id = _with_user(organisation)
    granted = organisation.ok(
        "roles", "grant", "--email", EMAIL, "--role", "readonly", "--unit", "Division"
    )
    assert granted.output == f"<{EMAIL}> is now readonly of 'Division'\n"
    assert _roles(organisation, user_id) == {
        ("analyst", "Team", True),
        ("readonly", "Division", True),
    }
    assert organisation.count(AuditEvent, AuditEvent.entity_type == "role_assignment") == 2

    with organisation.http() as client:
        login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        token = login.json()["access_token"]
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert sorted(r["role"] for r in me.json()["roles"]) == ["analyst", "readonly"]


def test_grant_on_the_root_without_children(organisation: Aegis) -> None:
    user_id = _with_user(organisation)
    organisation.ok("roles", "grant", "--email", EMAIL, "--role", "admin", "--no-include-children")
    assert ("admin", "Company", False) in _roles(organisation, user_id)


def test_grant_twice_is_refused(organisation: Aegis) -> None:
    user_id = _with_user(organisation)
    organisation.ok("roles", "grant", "--email", EMAIL, "--role", "readonly", "--unit", "Division")
    again = organisation(
        "roles", "grant", "--email", EMAIL, "--role", "readonly", "--unit", "Division"
    )
    assert again.exit_code == 1
    assert "Error: The user already holds this role on this unit" in said(again)
    assert len(_roles(organisation, user_id)) == 2


def test_grant_to_an_unknown_user_or_unit_or_role_is_refused(organisation: Aegis) -> None:
    user_id = _with_user(organisation)
    nobody = organisation("roles", "grant", "--email", "nobody@example.com", "--role", "readonly")
    assert nobody.exit_code == 1
    assert "Error: No user <nobody@example.com>" in said(nobody)
    nowhere = organisation(
        "roles", "grant", "--email", EMAIL, "--role", "readonly", "--unit", "Mars"
    )
    assert nowhere.exit_code == 1
    assert "Error: No unit 'Mars'" in said(nowhere)
    bad_role = organisation("roles", "grant", "--email", EMAIL, "--role", "owner")
    assert bad_role.exit_code == 2
    assert "Invalid value for '--role'" in said(bad_role)
    assert _roles(organisation, user_id) == {("analyst", "Team", True)}
