"""Signing in to the API with multi-factor: challenge, codes, replay, expiry, lockout."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aegis.models import AuditEvent, AuthSession, TotpCredential
from tests.conftest import PASSWORD, World
from tests.mfa_support import CodeClock, enrol, password_step

MFA = "/api/v1/auth/login/mfa"


def _sessions(db, user_id: int) -> int:
    stmt = select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user_id)
    return int(db.scalar(stmt) or 0)


def _events(db, action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def test_a_right_password_gives_a_challenge_and_no_tokens(
    client: TestClient, token_for, codes: CodeClock, db, world: World
) -> None:
    enrol(client, token_for("analyst"), codes)
    before = _sessions(db, world.users["analyst"])
    answer = password_step(client)
    assert answer["mfa_required"] is True
    assert answer["methods"] == ["totp", "recovery_code"]
    assert 0 < answer["expires_in"] <= 300
    assert "access_token" not in answer and "refresh_token" not in answer
    assert _sessions(db, world.users["analyst"]) == before


def test_the_right_code_exchanges_the_challenge_for_tokens(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    answer = client.post(MFA, json={"challenge": challenge, "code": codes.next_code(secret)})
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["email"] == "analyst@example.com"


def test_a_wrong_code_is_refused_recorded_and_the_challenge_still_works(
    client: TestClient, token_for, codes: CodeClock, db
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    right = codes.next_code(secret)
    wrong = "000000" if right != "000000" else "111111"
    refused = client.post(MFA, json={"challenge": challenge, "code": wrong})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "mfa_code_rejected"
    assert "access_token" not in refused.text
    failed = _events(db, "mfa_failed")
    assert failed and failed[-1].changes["reason"] == [None, "wrong code"]
    assert wrong not in str(failed[-1].changes)  # the code typed is never recorded
    assert client.post(MFA, json={"challenge": challenge, "code": right}).status_code == 200


def test_a_code_already_used_is_refused_within_its_window(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    code = codes.next_code(secret)
    first = password_step(client)["challenge"]
    assert client.post(MFA, json={"challenge": first, "code": code}).status_code == 200
    second = password_step(client)["challenge"]
    replayed = client.post(MFA, json={"challenge": second, "code": code})
    assert replayed.status_code == 401
    assert "already used" in replayed.json()["error"]["message"]
    codes.advance(seconds=10)  # still within the same window: the previous step is refused too
    again = client.post(MFA, json={"challenge": second, "code": code})
    assert again.status_code == 401
    assert client.post(MFA, json={"challenge": second, "code": codes.next_code(secret)}).is_success


def test_an_expired_challenge_is_refused(client: TestClient, token_for, codes: CodeClock) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    codes.advance(minutes=6)
    expired = client.post(MFA, json={"challenge": challenge, "code": codes.code(secret)})
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "mfa_challenge_invalid"
    assert "sign in again" in expired.json()["error"]["message"]


def test_a_challenge_opens_one_session_only(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    assert client.post(
        MFA, json={"challenge": challenge, "code": codes.next_code(secret)}
    ).is_success
    reused = client.post(MFA, json={"challenge": challenge, "code": codes.next_code(secret)})
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "mfa_challenge_invalid"


def test_forged_or_foreign_challenges_are_refused(
    client: TestClient, token_for, codes: CodeClock, settings
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    head, body, _signature = challenge.split(".")
    forged = client.post(MFA, json={"challenge": f"{head}.{body}.AAAA", "code": codes.code(secret)})
    assert forged.status_code == 401
    # an access token is not a challenge, nor the other way round
    tokens = client.post(MFA, json={"challenge": challenge, "code": codes.next_code(secret)}).json()
    as_challenge = client.post(
        MFA, json={"challenge": tokens["access_token"], "code": codes.next_code(secret)}
    )
    assert as_challenge.status_code == 401
    as_token = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {challenge}"})
    assert as_token.status_code == 401


def test_a_recovery_code_works_once(client: TestClient, token_for, codes: CodeClock, db) -> None:
    _secret, recovery = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    typed = recovery[3].upper().replace("-", " ")  # as people type it back
    used = client.post(MFA, json={"challenge": challenge, "recovery_code": typed})
    assert used.status_code == 200, used.text
    event = _events(db, "mfa_recovery_code_used")[-1]
    assert event.changes["left"] == [None, 9]
    again = client.post(
        MFA, json={"challenge": password_step(client)["challenge"], "recovery_code": recovery[3]}
    )
    assert again.status_code == 401
    assert "already used" in again.json()["error"]["message"]


def test_the_answer_names_what_is_wrong_with_it(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    both = client.post(
        MFA, json={"challenge": challenge, "code": "123456", "recovery_code": "a" * 25}
    )
    assert both.status_code == 422
    assert "send one of code" in both.json()["error"]["message"].lower()
    neither = client.post(MFA, json={"challenge": challenge})
    assert neither.status_code == 422
    letters = client.post(MFA, json={"challenge": challenge, "code": "12a456"})
    assert letters.status_code == 422
    assert letters.json()["error"]["details"][0]["field"] == "code"
    assert "6 digits the authenticator app shows" in letters.json()["error"]["message"]
    extra = client.post(MFA, json={"challenge": challenge, "code": "123456", "user_id": 1})
    assert extra.status_code == 422


def test_failed_codes_lock_the_account_like_wrong_passwords(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    right = codes.next_code(secret)
    wrong = "000000" if right != "000000" else "111111"
    statuses = [
        client.post(MFA, json={"challenge": challenge, "code": wrong}).status_code for _ in range(5)
    ]
    assert statuses == [401] * 4 + [429]
    locked = client.post(MFA, json={"challenge": challenge, "code": right})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "sign_in_locked"
    password = client.post(
        "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
    )
    assert password.status_code == 429


def test_the_password_does_not_wipe_the_failed_codes(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    wrong = "000000" if codes.code(secret) != "000000" else "111111"
    for _ in range(4):
        challenge = password_step(client)["challenge"]
        assert client.post(MFA, json={"challenge": challenge, "code": wrong}).status_code == 401
    challenge = password_step(client)["challenge"]
    assert client.post(MFA, json={"challenge": challenge, "code": wrong}).status_code == 429


def test_a_full_sign_in_forgets_the_failed_codes(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    wrong = "000000"
    for _ in range(4):
        challenge = password_step(client)["challenge"]
        client.post(MFA, json={"challenge": challenge, "code": wrong})
    challenge = password_step(client)["challenge"]
    assert client.post(
        MFA, json={"challenge": challenge, "code": codes.next_code(secret)}
    ).is_success
    for _ in range(4):
        challenge = password_step(client)["challenge"]
        assert client.post(MFA, json={"challenge": challenge, "code": wrong}).status_code == 401


def test_the_secret_is_sealed_at_rest(client: TestClient, token_for, codes: CodeClock, db, world):
    secret, _ = enrol(client, token_for("analyst"), codes)
    stored = db.get(TotpCredential, world.users["analyst"])
    assert stored is not None
    assert secret not in stored.secret_sealed
    assert stored.secret_sealed.startswith("aegis1:")


def test_codes_of_older_or_later_steps_are_refused(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    challenge = password_step(client)["challenge"]
    codes.advance(seconds=90)
    old = pyotp.TOTP(secret).at(codes.now() - timedelta(seconds=60))
    later = pyotp.TOTP(secret).at(codes.now() + timedelta(seconds=60))
    now = codes.code(secret)
    for stale in {old, later} - {now}:
        refused = client.post(MFA, json={"challenge": challenge, "code": stale})
        assert refused.status_code == 401
    assert client.post(MFA, json={"challenge": challenge, "code": now}).status_code == 200
