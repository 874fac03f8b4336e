"""Each security event tells the affected user, in plain words and without any secret."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.core.security import hash_password
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.schemas import ApiTokenCreate
from aegis.domains.users import service as users
from aegis.domains.users.schemas import UserUpdate
from aegis.models import AuditEvent, User
from tests.conftest import PASSWORD, World
from tests.domains.notifications.support import CLOSING, holds_none_of, kinds_of, notices_of
from tests.mfa_support import CodeClock, enrol, password_step
from tests.webauthn_support import SoftKey

MFA = "/api/v1/auth/login/mfa"
NEW_PASSWORD = "a completely different passphrase 2026"  # nosec B105 # a test password
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)


def _register_key(client: TestClient, headers: dict[str, str], name: str) -> int:
    options = client.post("/api/v1/auth/mfa/webauthn/options", headers=headers).json()
    added = client.post(
        "/api/v1/auth/mfa/webauthn",
        headers=headers,
        json={"name": name, "credential": SoftKey().create(options["public_key"])},
    )
    assert added.status_code == 201, added.text
    return int(client.get("/api/v1/auth/mfa/webauthn", headers=headers).json()[0]["id"])


def test_setting_up_renewing_using_and_turning_off_mfa_tell_the_user(
    client: TestClient, token_for, codes: CodeClock, db, world: World
) -> None:
    analyst, headers = world.users["analyst"], token_for("analyst")
    secret, first_codes = enrol(client, headers, codes)
    renewed = client.post(
        "/api/v1/auth/mfa/recovery-codes", headers=headers, json={"code": codes.next_code(secret)}
    )
    assert renewed.status_code == 200
    new_codes = renewed.json()["recovery_codes"]
    used = client.post(
        MFA, json={"challenge": password_step(client)["challenge"], "recovery_code": new_codes[0]}
    )
    assert used.status_code == 200
    off = client.post("/api/v1/auth/mfa/totp/disable", headers=headers, json={"password": PASSWORD})
    assert off.status_code == 204

    assert kinds_of(db, analyst) == [
        "mfa_enrolled",
        "recovery_codes_renewed",
        "recovery_code_used",
        "new_device_sign_in",  # the test client was never seen on the account before
        "mfa_disabled",
    ]
    found = notices_of(db, analyst)
    assert found[0].subject == "Multi-factor sign-in was set up on your Aegis account"
    assert "An authenticator app was set up on your Aegis account" in found[0].body
    assert "the old ones no longer work" in found[1].body
    assert "9 recovery codes are left" in found[2].body
    assert found[4].subject == "Multi-factor sign-in was turned off on your Aegis account"
    for notice in found:
        assert notice.body.startswith("Hello Analyst,")
        assert "When: " in notice.body and " UTC" in notice.body
        assert "From address: testclient" in notice.body  # the test client's address
        assert CLOSING in notice.body
        assert notice.sent_at is None and notice.attempts == 0  # no mail server: kept
    assert holds_none_of(found, [secret, PASSWORD, *first_codes, *new_codes])
    assert kinds_of(db, world.users["admin"]) == []  # nobody else is told


def test_security_keys_added_and_removed_tell_the_user(
    client: TestClient, token_for, db, world: World
) -> None:
    headers = token_for("analyst")
    key_id = _register_key(client, headers, "Blue key")
    removed = client.post(
        f"/api/v1/auth/mfa/webauthn/{key_id}/remove", headers=headers, json={"password": PASSWORD}
    )
    assert removed.status_code == 204
    added_notice, removed_notice = notices_of(db, world.users["analyst"])
    assert added_notice.kind == "security_key_added"
    assert 'The security key "Blue key" was added' in added_notice.body
    assert removed_notice.kind == "security_key_removed"
    assert 'The security key "Blue key" was removed' in removed_notice.body
    assert "Device: testclient" in removed_notice.body


def test_an_administrator_resetting_mfa_tells_the_user_who_did_it(
    client: TestClient, token_for, codes: CodeClock, db, world: World
) -> None:
    enrol(client, token_for("analyst"), codes)
    reset = client.post(
        f"/api/v1/users/{world.users['analyst']}/mfa/reset", headers=token_for("admin_a")
    )
    assert reset.status_code == 204, reset.text
    notice = notices_of(db, world.users["analyst"])[-1]
    assert notice.kind == "mfa_reset"
    assert notice.subject == "An administrator reset multi-factor sign-in on your Aegis account"
    assert "An administrator (admin_a@example.com) removed the authenticator app" in notice.body
    assert kinds_of(db, world.users["admin_a"]) == []


def test_password_changes_tell_the_user(db, principal_for, world: World) -> None:
    analyst = world.users["analyst"]
    users.change_own_password(
        session=db, principal=principal_for("analyst"), current=PASSWORD, new=NEW_PASSWORD
    )
    users.update_user(
        session=db,
        principal=principal_for("admin"),
        user_id=analyst,
        data=UserUpdate(password=PASSWORD),
    )
    own, by_admin = notices_of(db, analyst)
    assert own.kind == "password_changed"
    assert own.subject == "Your Aegis password was changed"
    assert by_admin.kind == "password_set_by_admin"
    assert "An administrator (admin@example.com) set a new password" in by_admin.body
    assert holds_none_of([own, by_admin], [PASSWORD, NEW_PASSWORD])


def test_a_new_api_token_tells_its_owner_without_its_secret(
    db, principal_for, world: World
) -> None:
    created = api_tokens.create_token(
        session=db,
        principal=principal_for("analyst"),
        data=ApiTokenCreate(
            name="nightly export",
            access="read_only",
            unit_ids=[world.units["division-a"]],
            expires_on=utcnow().date() + timedelta(days=30),
        ),
        max_days=365,
    )
    (notice,) = notices_of(db, world.users["analyst"])
    assert notice.kind == "api_token_created"
    assert 'The API token "nightly export" was created' in notice.body
    assert "read-only access, valid until" in notice.body
    assert holds_none_of([notice], [created.secret, created.prefix])


def test_a_lock_after_failed_sign_ins_tells_the_user(client: TestClient, db, world: World) -> None:
    wrong = {"email": "analyst@example.com", "password": "not the password at all"}
    answers = [client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    (notice,) = notices_of(db, world.users["analyst"])
    assert notice.kind == "account_locked"
    assert notice.subject == "Your Aegis account was locked after failed sign-ins"
    assert "Signing in to your Aegis account is locked until 20" in notice.body
    assert "not the password at all" not in notice.body
    unknown = {"email": "nobody@example.com", "password": "whatever it is"}
    for _ in range(5):
        client.post("/api/v1/auth/login", json=unknown)
    assert len(notices_of(db, world.users["analyst"])) == 1  # nobody else to tell


def test_a_reused_code_is_refused_recorded_and_its_holder_told(
    client: TestClient, token_for, codes: CodeClock, db, world: World
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    code = codes.next_code(secret)
    first = client.post(MFA, json={"challenge": password_step(client)["challenge"], "code": code})
    assert first.status_code == 200
    replayed = client.post(
        MFA, json={"challenge": password_step(client)["challenge"], "code": code}
    )
    assert replayed.status_code == 401
    assert "already used" in replayed.json()["error"]["message"]
    failure = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "mfa_failed").order_by(AuditEvent.id)
    ).all()[-1]
    assert failure.entity_id == world.users["analyst"]
    assert failure.changes["reason"] == [None, "code already used"]
    assert failure.changes["client_address"] == [None, "testclient"]
    notice = notices_of(db, world.users["analyst"])[-1]
    assert notice.kind == "code_reused"
    assert notice.subject == "A used sign-in code was tried again on your Aegis account"
    assert "had already been used was entered again, and refused" in notice.body
    assert holds_none_of([notice], [code, secret])


def _sign_in(client: TestClient, agent: str) -> None:
    answer = client.post(
        "/api/v1/auth/login",
        json={"email": "analyst@example.com", "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert answer.status_code == 200, answer.text


def test_a_sign_in_from_a_new_device_tells_the_user_once(
    client: TestClient, db, world: World
) -> None:
    analyst = world.users["analyst"]
    _sign_in(client, FIREFOX)
    assert kinds_of(db, analyst) == []  # the first sign-in has nothing to compare with
    _sign_in(client, FIREFOX)
    assert kinds_of(db, analyst) == []  # the same device and address
    _sign_in(client, CHROME)
    (notice,) = notices_of(db, analyst)
    assert notice.kind == "new_device_sign_in"
    assert "Device: Chrome on Windows" in notice.body
    assert "From address: testclient" in notice.body
    _sign_in(client, CHROME)
    assert len(notices_of(db, analyst)) == 1


def test_new_device_notices_can_be_turned_off(
    client: TestClient, settings, db, world: World
) -> None:
    settings.notify_new_device_sign_in = False
    _sign_in(client, FIREFOX)
    _sign_in(client, CHROME)
    assert kinds_of(db, world.users["analyst"]) == []


def test_refused_requests_write_no_notice(
    client: TestClient, token_for, codes: CodeClock, db, principal_for, world: World
) -> None:
    analyst = world.users["analyst"]
    with pytest.raises(ValidationFailed):
        users.change_own_password(
            session=db, principal=principal_for("analyst"), current="wrong", new=NEW_PASSWORD
        )
    headers = token_for("analyst")
    secret, _ = enrol(client, headers, codes)
    wrong_code = "000000" if codes.code(secret) != "000000" else "111111"
    refused = client.post(
        "/api/v1/auth/mfa/recovery-codes", headers=headers, json={"code": wrong_code}
    )
    assert refused.status_code == 422
    outside = client.post(
        f"/api/v1/users/{world.users['analyst_b']}/mfa/reset", headers=token_for("admin_a")
    )
    assert outside.status_code == 404
    token = client.post(
        "/api/v1/api-tokens",
        headers=headers,
        json={
            "name": "refused",
            "access": "read_only",
            "unit_ids": [world.units["division-b"]],
            "expires_on": (utcnow().date() + timedelta(days=30)).isoformat(),
        },
    )
    assert token.status_code == 422
    assert kinds_of(db, analyst) == ["mfa_enrolled"]
    assert kinds_of(db, world.users["analyst_b"]) == []


def test_signing_in_with_a_breached_password_asks_for_a_new_one_once(
    client: TestClient, db, world: World
) -> None:
    user = db.get(User, world.users["analyst"])
    user.password_hash = hash_password("password1234")
    db.flush()
    for _ in range(2):
        client.post(
            "/api/v1/auth/login", json={"email": "analyst@example.com", "password": "password1234"}
        )
    (notice,) = [n for n in notices_of(db, user.id) if n.kind == "password_change_required"]
    assert notice.subject == "Choose a new password for your Aegis account"
    assert "on a list of common and leaked passwords" in notice.body
    assert "password1234" not in notice.body
