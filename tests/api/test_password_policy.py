"""The password policy (NIST SP 800-63B) wherever a password is set: API, pages, console."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from aegis.demo.catalog import PEOPLE
from aegis.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD
from aegis.domains.common.passwords import common_passwords, weakness
from aegis.models import AuditEvent, User
from tests.conftest import PASSWORD, World
from tests.web.conftest import sign_in

COMMON = ["Password1234", "123456789012", "passwordpassword", "qwertyuiopasdfgh", "1q2w3e4r5t6y"]


def _new_user(world: World, password: str, **extra: object) -> dict[str, object]:
    return {
        "email": "grace.hopper@example.com",
        "name": "Grace Hopper",
        "password": password,
        "role": "analyst",
        "unit_id": world.units["division-b"],
        **extra,
    }


def _refusal(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert [detail["field"] for detail in body["details"]] == ["password"]
    return body["message"], body["details"][0]["message"]


@pytest.mark.parametrize("password", COMMON)
def test_common_and_breached_passwords_are_refused_naming_the_field(
    client: TestClient, world: World, token_for, db, password: str
) -> None:
    response = client.post(
        "/api/v1/users", json=_new_user(world, password), headers=token_for("admin")
    )
    message, _ = _refusal(response)
    assert message.startswith("The password is one of the most commonly used passwords")
    assert db.scalar(select(User).where(User.email == "grace.hopper@example.com")) is None


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("grace.hopper@example.com", "is mostly your name or e-mail address"),
        ("GraceHopper2026", "is mostly your name or e-mail address"),
        ("hopper.grace.1906", "is mostly your name or e-mail address"),
        ("zzzzzzzzzzzzzzzzzzz", "is too easy to guess (repeats"),
        ("ababababababab1", "is too easy to guess (repeats"),
        ("qazwsxedcrfvtgb1", "is too easy to guess (this is similar to a commonly used password)"),
    ],
)
def test_passwords_easy_to_guess_knowing_the_user_are_refused(
    client: TestClient, world: World, token_for, db, password: str, why: str
) -> None:
    response = client.post(
        "/api/v1/users", json=_new_user(world, password), headers=token_for("admin")
    )
    message, _ = _refusal(response)
    assert message.startswith(f"The password {why}")
    assert db.scalar(select(User).where(User.email == "grace.hopper@example.com")) is None


@pytest.mark.parametrize("password", ["short", "elevenchars"])
def test_short_passwords_are_refused_with_the_length(
    client: TestClient, world: World, token_for, password: str
) -> None:
    response = client.post(
        "/api/v1/users", json=_new_user(world, password), headers=token_for("admin")
    )
    _, detail = _refusal(response)
    assert "at least 12 characters" in detail


@pytest.mark.parametrize(
    "password",
    [
        "violet tram under the lighthouse",  # spaces, lower case only: no composition rules
        "ÉtéÀMontréalÇaVa",  # any characters count
        "n7#Rq!vZ2@pLw9&x",
    ],
)
def test_long_unusual_passwords_need_no_composition_rules(
    client: TestClient, world: World, token_for, password: str
) -> None:
    created = client.post(
        "/api/v1/users", json=_new_user(world, password), headers=token_for("admin")
    )
    assert created.status_code == 201, created.text
    login = client.post(
        "/api/v1/auth/login", json={"email": "grace.hopper@example.com", "password": password}
    )
    assert login.status_code == 200


def test_an_admin_cannot_set_a_common_password_and_the_old_one_keeps_working(
    client: TestClient, world: World, token_for, db
) -> None:
    before = db.scalar(select(User.password_hash).where(User.id == world.users["analyst"]))
    response = client.patch(
        f"/api/v1/users/{world.users['analyst']}",
        json={"password": "Password1234"},
        headers=token_for("admin"),
    )
    _refusal(response)
    assert db.scalar(select(User.password_hash).where(User.id == world.users["analyst"])) == before
    audit = select(AuditEvent).where(
        AuditEvent.entity_type == "user", AuditEvent.entity_id == world.users["analyst"]
    )
    assert db.scalar(audit) is None


def test_the_own_password_change_refuses_a_guessable_one_on_its_field(client: TestClient) -> None:
    browser = sign_in(client, "analyst_b@example.com")
    for weak, why in (
        ("passwordpassword", "one of the most commonly used passwords"),
        ("analyst_b@example.com", "mostly your name or e-mail address"),
        (PASSWORD + " 2", "too easy to guess"),  # the current one with a digit added
    ):
        refused = browser.post(
            "/account/password",
            {"current_password": PASSWORD, "new_password": weak, "confirm_password": weak},
        )
        assert refused.status_code == 422
        assert f"The new password is {why}" in refused.text
        assert 'id="e-new_password"' in refused.text
    assert sign_in(client, "analyst_b@example.com")  # the old password still works


def test_the_shipped_list_is_read_and_compared_without_case() -> None:
    listed = common_passwords()
    assert len(listed) > 40_000
    assert all(entry == entry.lower() for entry in list(listed)[:1000])
    assert weakness("PASSWORD1234") is not None
    assert weakness("pAsSwOrDpAsSwOrD") is not None


def test_the_demo_accounts_meet_the_policy() -> None:
    for local, name, _role, _unit in PEOPLE:
        assert weakness(DEMO_PASSWORD, [f"{local}@{DEMO_DOMAIN}", name]) is None
