"""Security keys (WebAuthn) as a second factor, verified by the webauthn library unmocked."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient
from sqlalchemy import select

from aegis.models import AuditEvent, SecurityKey
from tests.conftest import PASSWORD, World
from tests.mfa_support import CodeClock, enrol, password_step
from tests.webauthn_support import SoftKey

MFA = "/api/v1/auth/login/mfa"
OPTIONS = "/api/v1/auth/login/mfa/webauthn/options"


def _register(client: TestClient, headers, key: SoftKey, name: str = "Blue key"):  # type: ignore[no-untyped-def]
    options = client.post("/api/v1/auth/mfa/webauthn/options", headers=headers)
    assert options.status_code == 200, options.text
    public_key = options.json()["public_key"]
    return client.post(
        "/api/v1/auth/mfa/webauthn",
        headers=headers,
        json={"name": name, "credential": key.create(public_key)},
    )


def _sign_in_options(client: TestClient, challenge: str) -> dict:
    answer = client.post(OPTIONS, json={"challenge": challenge})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["public_key"])


def test_a_security_key_is_registered_and_signs_the_sign_in_step(
    client: TestClient, token_for, db, world: World
) -> None:
    key = SoftKey()
    registered = _register(client, token_for("analyst"), key)
    assert registered.status_code == 201, registered.text
    body = registered.json()
    assert body["key"]["name"] == "Blue key"
    assert len(body["recovery_codes"]) == 10  # the first second factor brings them
    stored = db.scalar(select(SecurityKey).where(SecurityKey.user_id == world.users["analyst"]))
    assert stored.public_key_sealed.startswith("aegis1:")
    step = password_step(client)
    assert step["methods"] == ["webauthn", "recovery_code"]
    options = _sign_in_options(client, step["challenge"])
    assert options["rpId"] == "testserver"
    answer = client.post(MFA, json={"challenge": step["challenge"], "webauthn": key.get(options)})
    assert answer.status_code == 200, answer.text
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {answer.json()['access_token']}"}
    )
    assert me.status_code == 200
    db.expire_all()
    assert db.get(SecurityKey, stored.id).sign_count == 1
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "mfa_enrolled")).all()
    assert events[-1].changes["method"] == [None, "security key"]


def test_a_signature_of_another_key_or_challenge_is_refused(client: TestClient, token_for) -> None:
    key = SoftKey()
    assert _register(client, token_for("analyst"), key).status_code == 201
    step = password_step(client)["challenge"]
    options = _sign_in_options(client, step)
    stranger = SoftKey()
    stranger.credential_id = key.credential_id  # same id, another private key
    forged = client.post(MFA, json={"challenge": step, "webauthn": stranger.get(options)})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "mfa_code_rejected"
    stale = dict(options, challenge="A" * 43)  # a challenge the server never gave
    wrong_challenge = client.post(MFA, json={"challenge": step, "webauthn": key.get(stale)})
    assert wrong_challenge.status_code == 401
    other_site = client.post(
        MFA, json={"challenge": step, "webauthn": key.get(options, rp_id="evil.example")}
    )
    assert other_site.status_code == 401
    assert client.post(MFA, json={"challenge": step, "webauthn": key.get(options)}).is_success


def test_a_signature_is_used_once_and_a_cloned_key_is_refused(
    client: TestClient, token_for
) -> None:
    key = SoftKey()
    _register(client, token_for("analyst"), key)
    step = password_step(client)["challenge"]
    options = _sign_in_options(client, step)
    signed = key.get(options)
    assert client.post(MFA, json={"challenge": step, "webauthn": signed}).status_code == 200
    again = password_step(client)["challenge"]
    replayed = client.post(MFA, json={"challenge": again, "webauthn": signed})
    assert replayed.status_code == 401
    clone = copy.deepcopy(key)
    clone.count = 0  # a copy of the key whose counter went backwards
    cloned = client.post(
        MFA, json={"challenge": again, "webauthn": clone.get(_sign_in_options(client, again))}
    )
    assert cloned.status_code == 401


def test_registration_needs_the_challenge_given_and_the_right_origin(
    client: TestClient, token_for, db, world: World
) -> None:
    headers = token_for("analyst")
    options = client.post("/api/v1/auth/mfa/webauthn/options", headers=headers).json()
    elsewhere = SoftKey(origin="https://evil.example")
    refused = client.post(
        "/api/v1/auth/mfa/webauthn",
        headers=headers,
        json={"name": "Phished", "credential": elsewhere.create(options["public_key"])},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "credential"
    made_up = dict(options["public_key"], challenge="B" * 43)
    unknown = client.post(
        "/api/v1/auth/mfa/webauthn",
        headers=headers,
        json={"name": "Made up", "credential": SoftKey().create(made_up)},
    )
    assert unknown.status_code == 422
    other_user = client.post(  # another user's pending options are not theirs to answer
        "/api/v1/auth/mfa/webauthn",
        headers=token_for("analyst_b"),
        json={"name": "Taken", "credential": SoftKey().create(options["public_key"])},
    )
    assert other_user.status_code == 422
    assert db.scalar(select(SecurityKey.id)) is None
    garbage = client.post(
        "/api/v1/auth/mfa/webauthn", headers=headers, json={"name": "x", "credential": {"id": 1}}
    )
    assert garbage.status_code == 422


def test_keys_are_listed_and_removed_with_the_password(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    headers = token_for("analyst")
    enrol(client, headers, codes)
    second = _register(client, headers, SoftKey())
    assert second.json()["recovery_codes"] is None  # the app's codes stay valid
    listed = client.get("/api/v1/auth/mfa/webauthn", headers=headers).json()
    assert [k["name"] for k in listed] == ["Blue key"]
    assert password_step(client)["methods"] == ["totp", "webauthn", "recovery_code"]
    url = f"/api/v1/auth/mfa/webauthn/{listed[0]['id']}/remove"
    wrong = client.post(url, headers=headers, json={"password": "not it"})
    assert wrong.status_code == 422
    foreign = client.post(url, headers=token_for("analyst_b"), json={"password": PASSWORD})
    assert foreign.status_code == 404
    assert client.post(url, headers=headers, json={"password": PASSWORD}).status_code == 204
    assert client.get("/api/v1/auth/mfa", headers=headers).json()["security_keys"] == 0


def test_a_key_satisfies_a_rule_and_an_admin_reset_removes_it(
    client: TestClient, token_for, world: World
) -> None:
    key = SoftKey()
    _register(client, token_for("analyst"), key)
    client.post(
        "/api/v1/mfa-requirements",
        headers=token_for("admin"),
        json={"unit_id": world.units["division-a"], "role": "any"},
    )
    step = password_step(client)
    assert step["mfa_required"] is True  # no enrolment asked: the key is a second factor
    keys = client.get("/api/v1/auth/mfa/webauthn", headers=token_for("analyst")).json()
    last = client.post(
        f"/api/v1/auth/mfa/webauthn/{keys[0]['id']}/remove",
        headers=token_for("analyst"),
        json={"password": PASSWORD},
    )
    assert last.status_code == 409  # the only factor a rule requires stays
    reset = client.post(
        f"/api/v1/users/{world.users['analyst']}/mfa/reset", headers=token_for("admin_a")
    )
    assert reset.status_code == 204
    again = client.post(
        "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
    )
    assert again.json()["error"]["code"] == "mfa_enrolment_required"


def test_asking_for_key_options_without_a_key_or_challenge_is_refused(
    client: TestClient, token_for, codes: CodeClock
) -> None:
    enrol(client, token_for("analyst"), codes)
    step = password_step(client)["challenge"]
    no_key = client.post(OPTIONS, json={"challenge": step})
    assert no_key.status_code == 409
    assert client.post(OPTIONS, json={"challenge": "x" * 40}).status_code == 401


def test_the_public_url_pins_keys_to_its_host_whatever_the_request_says(
    client: TestClient, token_for, settings, db, world: World
) -> None:
    settings.public_url = "https://aegis.example.org"
    headers = token_for("analyst")
    spoofed = SoftKey()  # a page answering on the host of the request (a proxy in between)
    refused = _register(client, headers, spoofed)
    assert refused.status_code == 422, refused.text
    options = client.post("/api/v1/auth/mfa/webauthn/options", headers=headers).json()
    assert options["public_key"]["rp"]["id"] == "aegis.example.org"
    key = SoftKey(origin="https://aegis.example.org")
    assert _register(client, headers, key).status_code == 201
    step = password_step(client)["challenge"]
    sign_in = _sign_in_options(client, step)
    assert sign_in["rpId"] == "aegis.example.org"
    assert client.post(MFA, json={"challenge": step, "webauthn": key.get(sign_in)}).is_success
