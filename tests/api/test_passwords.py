"""Passwords through the API: their length, how they are stored, and a change asked first.

A password is 12 to 128 characters wherever it is set; sign-in compares all of it. A
password set by an administrator, or signed in with while on the list of common and breached
passwords, must be replaced before anything else: every route but the own-password change,
one's profile and sign-out answers 403 `password_change_required` until then.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.security import hash_password
from aegis.models import AuditEvent, AuthSession, User
from tests.conftest import PASSWORD, World

NEW = "amber quarry lantern 5612"
SIXTY_FOUR = "Quiet harbour lamps flicker while seven ravens argue about tea!!"
LONGEST = (
    "Copper kettles whistle at dawn; 4 grey herons wade past the old mill, "
    "and nobody in Tillbury remembers who painted the blue gate"
)
TOO_LONG = LONGEST + "x"


def _login(client: TestClient, email: str, password: str) -> Any:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def _bearer(client: TestClient, email: str, password: str) -> dict[str, str]:
    answer = _login(client, email, password)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _hash_of(db: Session, user_id: int) -> str | None:
    db.expire_all()
    return db.scalar(select(User.password_hash).where(User.id == user_id))


def _reason_of(db: Session, user_id: int) -> str | None:
    db.expire_all()
    return db.scalar(select(User.password_change_reason).where(User.id == user_id))


def _events(db: Session, action: str, user_id: int) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_id == user_id)
            .order_by(AuditEvent.id)
        )
    )


def _refused_field(answer: Any, field: str) -> str:
    assert answer.status_code == 422, answer.text
    details = answer.json()["error"]["details"]
    assert [detail["field"] for detail in details] == [field]
    return str(details[0]["message"])


def test_the_lengths_used_are_what_they_say() -> None:
    assert len(SIXTY_FOUR) == 64
    assert len(LONGEST) == 128
    assert len(TOO_LONG) == 129


def test_a_password_of_64_characters_is_set_and_signs_in(
    client: TestClient, world: World, token_for, db: Session
) -> None:
    created = client.post(
        "/api/v1/users",
        json={
            "email": "long.phrase@example.com",
            "name": "Long Phrase",
            "password": SIXTY_FOUR,
            "role": "analyst",
            "unit_id": world.units["division-b"],
        },
        headers=token_for("admin"),
    )
    assert created.status_code == 201, created.text
    assert _login(client, "long.phrase@example.com", SIXTY_FOUR).status_code == 200
    # and 128 characters, the longest, through the own-password change
    headers = _bearer(client, "long.phrase@example.com", SIXTY_FOUR)
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": SIXTY_FOUR, "new_password": LONGEST},
        headers=headers,
    )
    assert changed.status_code == 204, changed.text
    assert _login(client, "long.phrase@example.com", LONGEST).status_code == 200


def test_a_password_of_129_characters_is_refused_naming_the_field_and_nothing_is_written(
    client: TestClient, world: World, token_for, db: Session
) -> None:
    admin = token_for("admin")
    analyst = world.users["analyst"]
    before = _hash_of(db, analyst)
    created = client.post(
        "/api/v1/users",
        json={
            "email": "too.long@example.com",
            "name": "Too Long",
            "password": TOO_LONG,
            "role": "analyst",
            "unit_id": world.units["division-b"],
        },
        headers=admin,
    )
    assert "128" in _refused_field(created, "password")
    assert db.scalar(select(User).where(User.email == "too.long@example.com")) is None
    patched = client.patch(f"/api/v1/users/{analyst}", json={"password": TOO_LONG}, headers=admin)
    assert "128" in _refused_field(patched, "password")
    own = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": TOO_LONG},
        headers=token_for("analyst"),
    )
    assert "128" in _refused_field(own, "new_password")
    assert _hash_of(db, analyst) == before
    assert _reason_of(db, analyst) is None
    assert _events(db, "password_change_required", analyst) == []


def test_a_password_differing_only_after_its_72nd_character_is_refused_at_sign_in(
    client: TestClient, token_for, db: Session
) -> None:
    long_one = (
        "Saffron meadows hum beneath 3 crooked windmills while a patient owl counts the stars "
        "over Lake Orrin"
    )  # 100 characters
    headers = token_for("analyst_b")
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": long_one},
        headers=headers,
    )
    assert changed.status_code == 204, changed.text
    same_start = long_one[:72] + "Z" * (len(long_one) - 72)
    assert _login(client, "analyst_b@example.com", same_start).status_code == 401
    assert _login(client, "analyst_b@example.com", long_one[:72]).status_code == 401
    assert _login(client, "analyst_b@example.com", long_one).status_code == 200


def _phc(stored: str) -> tuple[str, dict[str, int], bytes, bytes]:
    """The parts of an Argon2 PHC string: $argon2id$v=19$m=...,t=...,p=...$salt$hash."""
    _, algorithm, version, parameters, salt, digest = stored.split("$")
    assert version == "v=19"
    values = {key: int(value) for key, value in (p.split("=") for p in parameters.split(","))}

    def unpadded(text: str) -> bytes:
        return base64.b64decode(text + "=" * (-len(text) % 4))

    return algorithm, values, unpadded(salt), unpadded(digest)


def test_passwords_are_stored_as_argon2id_with_their_own_salt_and_pinned_parameters(
    client: TestClient, world: World, token_for, db: Session
) -> None:
    ids = []
    for email in ("first.person@example.com", "second.person@example.com"):
        created = client.post(
            "/api/v1/users",
            json={
                "email": email,
                "name": email.split("@")[0].replace(".", " ").title(),
                "password": NEW,
                "role": "readonly",
                "unit_id": world.units["division-b"],
            },
            headers=token_for("admin"),
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    stored = [_hash_of(db, user_id) for user_id in ids]
    assert all(value and NEW not in value for value in stored)
    parts = [_phc(str(value)) for value in stored]
    for algorithm, parameters, salt, digest in parts:
        assert algorithm == "argon2id"
        # 64 MiB, 3 passes, 4 lanes: above OWASP's 19 MiB and 2 passes (ASVS V2.4.5)
        assert parameters == {"m": 65536, "t": 3, "p": 4}
        assert parameters["m"] >= 19 * 1024 and parameters["t"] >= 2 and parameters["p"] >= 1
        assert len(salt) >= 16  # 128 random bits, far above the 32 bits asked (V2.4.2)
        assert len(digest) == 32
    # the same password, hashed twice: each hash has its own salt, so they differ
    assert parts[0][2] != parts[1][2]
    assert parts[0][3] != parts[1][3]
    assert len({_phc(hash_password(NEW))[2] for _ in range(3)}) == 3


def test_a_password_set_by_an_admin_must_be_changed_before_anything_else(
    client: TestClient, world: World, token_for, db: Session
) -> None:
    analyst = world.users["analyst"]
    set_by_admin = client.patch(
        f"/api/v1/users/{analyst}", json={"password": NEW}, headers=token_for("admin")
    )
    assert set_by_admin.status_code == 200, set_by_admin.text
    assert _reason_of(db, analyst) == "set_by_admin"
    [asked] = _events(db, "password_change_required", analyst)
    assert asked.actor_id == world.users["admin"]
    assert "administrator" in str(asked.changes["reason"])

    headers = _bearer(client, "analyst@example.com", NEW)  # signing in works
    for method, path in (
        ("GET", "/api/v1/risks"),
        ("GET", "/api/v1/auth/sessions"),
        ("POST", "/api/v1/assets"),
        ("GET", f"/api/v1/users/{analyst}"),
    ):
        refused = client.request(method, path, headers=headers, json={})
        assert refused.status_code == 403, (path, refused.text)
        error = refused.json()["error"]
        assert error["code"] == "password_change_required"
        assert error["details"]["reason"] == "set_by_admin"
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["password_change_reason"] == "set_by_admin"

    mine = "heron drifts past 9 silver mills"
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": NEW, "new_password": mine},
        headers=headers,
    )
    assert changed.status_code == 204, changed.text
    assert _reason_of(db, analyst) is None
    [done] = _events(db, "password_change_done", analyst)
    assert done.actor_id == analyst
    assert client.get("/api/v1/risks", headers=headers).status_code == 401  # sessions ended
    again = _bearer(client, "analyst@example.com", mine)
    assert client.get("/api/v1/risks", headers=again).status_code == 200
    assert client.get("/api/v1/auth/me", headers=again).json()["password_change_reason"] is None


def test_a_user_an_admin_creates_replaces_the_first_password(
    client: TestClient, world: World, token_for, db: Session
) -> None:
    created = client.post(
        "/api/v1/users",
        json={
            "email": "new.starter@example.com",
            "name": "New Starter",
            "password": NEW,
            "role": "analyst",
            "unit_id": world.units["division-b"],
        },
        headers=token_for("admin"),
    )
    assert created.status_code == 201, created.text
    assert _reason_of(db, created.json()["id"]) == "set_by_admin"
    headers = _bearer(client, "new.starter@example.com", NEW)
    assert client.get("/api/v1/assets", headers=headers).status_code == 403


def test_an_admin_setting_their_own_password_is_not_asked_to_change_it(
    client: TestClient, world: World, token_for, db: Session
) -> None:
    admin = world.users["admin"]
    answer = client.patch(
        f"/api/v1/users/{admin}", json={"password": NEW}, headers=token_for("admin")
    )
    assert answer.status_code == 200, answer.text
    assert _reason_of(db, admin) is None
    assert _events(db, "password_change_required", admin) == []
    headers = _bearer(client, "admin@example.com", NEW)
    assert client.get("/api/v1/risks", headers=headers).status_code == 200


def _listed_password(db: Session, user_id: int) -> str:
    """Give the user a password from before the policy that is on the shipped list."""
    listed = "password1234"
    user = db.get(User, user_id)
    assert user is not None
    user.password_hash = hash_password(listed)
    db.commit()
    return listed


def test_signing_in_with_a_listed_password_asks_for_a_new_one_and_refuses_another_listed_one(
    client: TestClient, world: World, db: Session
) -> None:
    user_id = world.users["readonly_a"]
    listed = _listed_password(db, user_id)
    headers = _bearer(client, "readonly_a@example.com", listed)
    assert _reason_of(db, user_id) == "breached"
    [asked] = _events(db, "password_change_required", user_id)
    assert "common and breached" in str(asked.changes["reason"])
    refused = client.get("/api/v1/risks", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"
    assert "list of common" in refused.json()["error"]["message"]

    before = _hash_of(db, user_id)
    for current, new, field in (
        (listed, "qwertyuiop123", "new_password"),  # another listed one
        (listed, "short", "new_password"),
        ("not my password at all", NEW, "current_password"),
    ):
        answer = client.post(
            "/api/v1/auth/password",
            json={"current_password": current, "new_password": new},
            headers=headers,
        )
        _refused_field(answer, field)
    assert _hash_of(db, user_id) == before
    assert _reason_of(db, user_id) == "breached"
    assert _events(db, "password_change_done", user_id) == []

    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": listed, "new_password": NEW},
        headers=headers,
    )
    assert changed.status_code == 204, changed.text
    assert _reason_of(db, user_id) is None
    assert len(_events(db, "password_change_done", user_id)) == 1


def test_a_wrong_password_on_the_list_changes_nothing(
    client: TestClient, world: World, db: Session
) -> None:
    assert _login(client, "readonly_a@example.com", "password1234").status_code == 401
    assert _reason_of(db, world.users["readonly_a"]) is None
    assert _events(db, "password_change_required", world.users["readonly_a"]) == []


def test_signing_out_works_while_a_change_is_required(
    client: TestClient, world: World, db: Session
) -> None:
    listed = _listed_password(db, world.users["readonly_a"])
    headers = _bearer(client, "readonly_a@example.com", listed)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    db.expire_all()
    open_sessions = db.scalars(
        select(AuthSession).where(
            AuthSession.user_id == world.users["readonly_a"], AuthSession.revoked_at.is_(None)
        )
    ).all()
    assert open_sessions == []
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


@pytest.mark.parametrize("field", ["current_password", "new_password"])
def test_the_own_password_change_needs_both_fields(
    client: TestClient, token_for, field: str
) -> None:
    body = {"current_password": PASSWORD, "new_password": NEW}
    del body[field]
    answer = client.post("/api/v1/auth/password", json=body, headers=token_for("analyst"))
    assert answer.status_code == 422
    assert [d["field"] for d in answer.json()["error"]["details"]] == [field]


def test_an_api_token_of_a_user_who_must_change_their_password_is_refused(
    client: TestClient, world: World, token_for, db: Session
) -> None:
    created = client.post(
        "/api/v1/api-tokens",
        json={
            "name": "Nightly export",
            "access": "read_only",
            "unit_ids": [world.units["division-a"]],
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        headers=token_for("analyst"),
    )
    assert created.status_code == 201, created.text
    program = {"Authorization": f"Bearer {created.json()['secret']}"}
    assert client.get("/api/v1/risks", headers=program).status_code == 200
    set_by_admin = client.patch(
        f"/api/v1/users/{world.users['analyst']}",
        json={"password": NEW},
        headers=token_for("admin"),
    )
    assert set_by_admin.status_code == 200
    refused = client.get("/api/v1/risks", headers=program)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"
