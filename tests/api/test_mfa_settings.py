"""MFA set-up, renewal and removal; rules requiring it; an administrator's reset."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from aegis.models import AuditEvent, MfaRequirement, TotpCredential
from tests.conftest import PASSWORD, World
from tests.mfa_support import CodeClock, enrol, password_step

MFA = "/api/v1/auth/login/mfa"


def _events(db, action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def _wrong(right: str) -> str:
    return "000000" if right != "000000" else "111111"


def _require(client: TestClient, headers, unit_id: int, role: str = "any"):
    return client.post(
        "/api/v1/mfa-requirements", headers=headers, json={"unit_id": unit_id, "role": role}
    )


def test_set_up_shows_a_qr_code_and_needs_a_right_first_code(
    client: TestClient, token_for, codes: CodeClock, db, world: World
) -> None:
    headers = token_for("analyst")
    started = client.post("/api/v1/auth/mfa/totp", headers=headers).json()
    assert started["otpauth_uri"].startswith("otpauth://totp/Aegis:analyst%40example.com?")
    assert f"secret={started['secret']}" in started["otpauth_uri"]
    assert started["qr_svg"].startswith("<svg") and "<script" not in started["qr_svg"]
    assert started["secret_grouped"].replace(" ", "") == started["secret"]
    wrong = client.post(
        "/api/v1/auth/mfa/totp/confirm",
        headers=headers,
        json={"code": _wrong(codes.code(started["secret"]))},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"][0]["field"] == "code"
    status = client.get("/api/v1/auth/mfa", headers=headers).json()
    assert status["totp_enabled"] is False and status["totp_pending"] is True
    assert password_step(client).get("access_token")  # not on yet: the password suffices
    confirmed = client.post(
        "/api/v1/auth/mfa/totp/confirm",
        headers=headers,
        json={"code": codes.code(started["secret"])},
    )
    recovery = confirmed.json()["recovery_codes"]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    stored = str(db.get(TotpCredential, world.users["analyst"]).__dict__)
    assert not any(code in stored for code in recovery)
    assert client.get("/api/v1/auth/mfa", headers=headers).json()["recovery_codes_left"] == 10
    assert _events(db, "mfa_enrolled")[-1].entity_id == world.users["analyst"]
    again = client.post("/api/v1/auth/mfa/totp", headers=headers)
    assert again.status_code == 409


def test_new_recovery_codes_replace_the_old_ones(
    client: TestClient, token_for, codes: CodeClock, db
) -> None:
    headers = token_for("analyst")
    secret, old = enrol(client, headers, codes)
    refused = client.post(
        "/api/v1/auth/mfa/recovery-codes",
        headers=headers,
        json={"code": _wrong(codes.code(secret))},
    )
    assert refused.status_code == 422
    assert _events(db, "mfa_failed")
    renewed = client.post(
        "/api/v1/auth/mfa/recovery-codes", headers=headers, json={"code": codes.next_code(secret)}
    )
    assert renewed.status_code == 200
    new = renewed.json()["recovery_codes"]
    assert set(new).isdisjoint(old)
    assert _events(db, "mfa_codes_regenerated")
    old_one = client.post(
        MFA, json={"challenge": password_step(client)["challenge"], "recovery_code": old[0]}
    )
    assert old_one.status_code == 401
    new_one = client.post(
        MFA, json={"challenge": password_step(client)["challenge"], "recovery_code": new[0]}
    )
    assert new_one.status_code == 200


def test_turning_off_needs_a_code_or_the_password(
    client: TestClient, token_for, codes: CodeClock, db
) -> None:
    headers = token_for("analyst")
    secret, _ = enrol(client, headers, codes)
    url = "/api/v1/auth/mfa/totp/disable"
    wrong = client.post(url, headers=headers, json={"code": _wrong(codes.next_code(secret))})
    assert wrong.status_code == 422
    bad_password = client.post(url, headers=headers, json={"password": "not the password"})
    assert bad_password.status_code == 422
    assert bad_password.json()["error"]["details"][0]["field"] == "password"
    assert client.get("/api/v1/auth/mfa", headers=headers).json()["totp_enabled"] is True
    off = client.post(url, headers=headers, json={"password": PASSWORD})
    assert off.status_code == 204
    assert _events(db, "mfa_disabled")
    assert "access_token" in password_step(client)


def test_a_rule_requires_enrolment_before_any_session(
    client: TestClient, token_for, codes: CodeClock, world: World
) -> None:
    assert _require(client, token_for("admin_a"), world.units["division-a"]).status_code == 201
    refused = client.post(
        "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "mfa_enrolment_required"
    assert "set up an authenticator app" in error["message"]
    assert "access_token" not in refused.text
    challenge = error["details"]["challenge"]
    # the enrolment challenge opens enrolment only, not a session
    assert client.post(MFA, json={"challenge": challenge, "code": "123456"}).status_code == 401
    started = client.post("/api/v1/auth/login/mfa/enrol", json={"challenge": challenge})
    assert started.status_code == 201
    secret = started.json()["secret"]
    done = client.post(
        "/api/v1/auth/login/mfa/enrol/confirm",
        json={"challenge": challenge, "code": codes.code(secret)},
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert len(body["recovery_codes"]) == 10
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['tokens']['access_token']}"}
    )
    assert me.status_code == 200
    reused = client.post(
        "/api/v1/auth/login/mfa/enrol/confirm",
        json={"challenge": challenge, "code": codes.next_code(secret)},
    )
    assert reused.status_code == 401
    assert password_step(client)["mfa_required"] is True
    # a rule cannot be dodged by turning MFA off
    off = client.post(
        "/api/v1/auth/mfa/totp/disable", headers=token_for("analyst"), json={"password": PASSWORD}
    )
    assert off.status_code == 409


def test_rules_apply_below_their_unit_and_to_their_role_only(
    client: TestClient, token_for, world: World
) -> None:
    assert _require(client, token_for("admin"), world.units["company"], "admin").status_code == 201
    admin_a = client.post(
        "/api/v1/auth/login", json={"email": "admin_a@example.com", "password": PASSWORD}
    )
    assert admin_a.status_code == 403  # an administrator of a unit below the company
    assert "access_token" in password_step(client, "analyst@example.com")
    assert "access_token" in password_step(client, "analyst_b@example.com")


def test_only_administrators_of_the_unit_change_its_rules(
    client: TestClient, token_for, world: World, db
) -> None:
    division_a, division_b = world.units["division-a"], world.units["division-b"]
    assert _require(client, token_for("analyst"), division_a).status_code == 403
    foreign = _require(client, token_for("admin_a"), division_b)
    assert foreign.status_code == 422
    assert foreign.json()["error"]["details"][0]["field"] == "unit_id"
    bad_role = _require(client, token_for("admin_a"), division_a, "owner")
    assert bad_role.status_code == 422
    made = _require(client, token_for("admin_a"), division_a)
    assert made.status_code == 201
    duplicate = _require(client, token_for("admin_a"), division_a)
    assert duplicate.status_code == 409
    assert db.scalar(select(MfaRequirement).where(MfaRequirement.unit_id == division_b)) is None
    listed = client.get("/api/v1/mfa-requirements", headers=token_for("admin_a")).json()
    assert [(r["unit_id"], r["role"]) for r in listed] == [(division_a, "any")]
    company_rule = _require(client, token_for("admin"), world.units["company"]).json()
    assert company_rule["id"] not in {
        r["id"] for r in client.get("/api/v1/mfa-requirements", headers=token_for("admin_a")).json()
    }
    url = f"/api/v1/mfa-requirements/{made.json()['id']}"
    assert client.delete(url, headers=token_for("analyst_b")).status_code == 404
    assert client.delete(url, headers=token_for("analyst")).status_code == 403
    assert client.delete(url, headers=token_for("admin_a")).status_code == 204


def test_an_administrator_resets_mfa_in_their_units_only(
    client: TestClient, token_for, codes: CodeClock, db, world: World
) -> None:
    enrol(client, token_for("analyst_b"), codes)
    enrol(client, token_for("analyst"), codes)
    foreign = client.post(
        f"/api/v1/users/{world.users['analyst_b']}/mfa/reset", headers=token_for("admin_a")
    )
    assert foreign.status_code == 404
    assert password_step(client, "analyst_b@example.com")["mfa_required"] is True
    by_analyst = client.post(
        f"/api/v1/users/{world.users['analyst']}/mfa/reset", headers=token_for("analyst_b")
    )
    assert by_analyst.status_code == 403
    seen = client.get(f"/api/v1/users/{world.users['analyst']}/mfa", headers=token_for("admin_a"))
    assert seen.json()["totp_enabled"] is True
    reset = client.post(
        f"/api/v1/users/{world.users['analyst']}/mfa/reset", headers=token_for("admin_a")
    )
    assert reset.status_code == 204
    event = _events(db, "mfa_reset")[-1]
    assert event.entity_id == world.users["analyst"]
    assert event.actor_id == world.users["admin_a"]
    ended = client.get("/api/v1/auth/mfa", headers=token_for("analyst"))
    assert ended.status_code == 401  # the user's sessions end with the reset
    tokens = password_step(client)  # no rule: the password signs in again
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    status = client.get("/api/v1/auth/mfa", headers=headers).json()
    assert status["totp_enabled"] is False and status["recovery_codes_left"] == 0


def test_a_reset_user_who_must_use_mfa_enrols_again(
    client: TestClient, token_for, codes: CodeClock, world: World
) -> None:
    enrol(client, token_for("analyst"), codes)
    _require(client, token_for("admin"), world.units["division-a"])
    client.post(f"/api/v1/users/{world.users['analyst']}/mfa/reset", headers=token_for("admin"))
    again = client.post(
        "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
    )
    assert again.json()["error"]["code"] == "mfa_enrolment_required"
