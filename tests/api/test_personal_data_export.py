"""GET /api/v1/auth/me/data-export: one's own personal data as a file, never a secret."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from aegis.core.security import token_digest
from aegis.domains.discussion.schemas import Subject
from aegis.domains.users import personal_data
from aegis.models import (
    ApiToken,
    AuditEvent,
    AuthSession,
    RecoveryCode,
    RefreshToken,
    SecurityKey,
    TotpCredential,
    User,
)
from tests.conftest import PASSWORD, World
from tests.factories.discussion import make_comment
from tests.factories.risks import make_risk
from tests.factories.tasks import make_comment as make_task_comment
from tests.factories.tasks import make_task
from tests.mfa_support import CodeClock, enrol
from tests.webauthn_support import SoftKey

EXPORT = "/api/v1/auth/me/data-export"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _register_key(client: TestClient, headers: dict[str, str], key: SoftKey) -> None:
    options = client.post("/api/v1/auth/mfa/webauthn/options", headers=headers)
    assert options.status_code == 200, options.text
    added = client.post(
        "/api/v1/auth/mfa/webauthn",
        headers=headers,
        json={"name": "Blue key", "credential": key.create(options.json()["public_key"])},
    )
    assert added.status_code == 201, added.text


def _api_token(client: TestClient, headers: dict[str, str], world: World) -> dict:
    body = {
        "name": "Nightly report",
        "access": "read_only",
        "unit_ids": [world.units["division-a"]],
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
    }
    created = client.post("/api/v1/api-tokens", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _export(client: TestClient, headers: dict[str, str]) -> tuple[bytes, dict]:
    answer = client.get(EXPORT, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.content, answer.json()


def test_the_export_holds_every_kind_of_personal_data_and_no_secret(
    client: TestClient, token_for, codes: CodeClock, db, world: World, principal_for
) -> None:
    signed_in = client.post(
        "/api/v1/auth/login",
        json={"email": "analyst@example.com", "password": PASSWORD},
        headers={"User-Agent": FIREFOX},
    )
    assert signed_in.status_code == 200, signed_in.text
    refresh_token = signed_in.json()["refresh_token"]
    headers = token_for("analyst")
    totp_secret, recovery_codes = enrol(client, headers, codes)
    _register_key(client, headers, SoftKey())
    token = _api_token(client, headers, world)
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"])
    make_comment(db, analyst, Subject.risk(risk.id), "Backups untested since March")
    task = make_task(db, analyst, world.units["division-a"])
    make_task_comment(db, analyst, task.id, "Restore drill booked for Friday")

    raw, body = _export(client, headers)

    user_id = world.users["analyst"]
    assert body["format"] == "aegis-personal-data/1"
    assert body["profile"]["email"] == "analyst@example.com"
    assert body["profile"]["id"] == user_id
    assert [(r["role"], r["unit_name"]) for r in body["roles"]] == [("analyst", "division-a")]
    browser = [s for s in body["sessions"] if s["user_agent"] == FIREFOX]
    assert browser and browser[0]["device"] == "Firefox on Linux"
    assert browser[0]["client_address"] == "testclient"
    assert browser[0]["started_at"] and browser[0]["last_used_at"] and browser[0]["ends_at"]
    [exported_token] = body["api_tokens"]
    assert exported_token["name"] == "Nightly report"
    assert exported_token["prefix"] == token["prefix"]
    assert exported_token["access"] == "read_only"
    assert exported_token["unit_names"] == ["division-a"]
    kinds = {factor["kind"]: factor for factor in body["second_factors"]}
    assert set(kinds) == {"authenticator_app", "security_key", "recovery_codes"}
    assert kinds["security_key"]["name"] == "Blue key"
    assert kinds["recovery_codes"]["unused_codes"] == 10
    comments = {(c["on"], c["on_id"], c["body"]) for c in body["comments"]}
    assert comments == {
        ("risk", risk.id, "Backups untested since March"),
        ("task", task.id, "Restore drill booked for Friday"),
    }
    subjects = [notice["subject"] for notice in body["notices"]]
    assert "Multi-factor sign-in was set up on your Aegis account" in subjects
    actions = {(e["action"], e["entity_type"]) for e in body["audit_events"]}
    assert ("sign_in", "user") in actions and ("create", "api_token") in actions
    assert body["audit_events_total"] == len(body["audit_events"])
    assert body["audit_events_note"] is None

    db.expire_all()
    user = db.get(User, user_id)
    stored = [
        totp_secret,
        *recovery_codes,
        refresh_token,
        token_digest(refresh_token),
        token["secret"],
        user.password_hash,
        db.scalar(select(TotpCredential.secret_sealed).where(TotpCredential.user_id == user_id)),
        *db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user_id)),
        *db.scalars(select(AuthSession.key_hash).where(AuthSession.user_id == user_id)),
        *db.scalars(select(RefreshToken.token_hash)),
        *db.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == user_id)),
    ]
    for key in db.scalars(select(SecurityKey).where(SecurityKey.user_id == user_id)):
        stored += [key.credential_id, key.credential_hash, key.public_key_sealed]
    found = [secret for secret in stored if secret and secret.encode() in raw]
    assert found == []
    assert recovery_codes[0].replace("-", "").encode() not in raw


def test_another_users_data_is_never_included(
    client: TestClient, token_for, db, world: World, principal_for
) -> None:
    sibling = principal_for("analyst_b")
    risk = make_risk(db, sibling, world.units["division-b"])
    make_comment(db, sibling, Subject.risk(risk.id), "Sibling remark 7f3c")
    _api_token(client, token_for("admin"), world)  # someone else's token
    token_for("readonly")  # someone else's session

    raw, body = _export(client, token_for("analyst_b"))

    assert b"Sibling remark 7f3c" in raw  # their own comment is there
    mine = _export(client, token_for("analyst"))[0]
    assert b"Sibling remark 7f3c" not in mine
    assert b"Nightly report" not in mine and b"analyst_b@example.com" not in mine
    assert b"admin@example.com" not in mine and b"readonly@example.com" not in mine
    other_ids = {world.users[name] for name in world.users if name != "analyst_b"}
    assert body["api_tokens"] == []
    assert body["profile"]["id"] not in other_ids
    assert json.loads(mine)["profile"]["email"] == "analyst@example.com"
    sessions = db.scalars(select(AuthSession).where(AuthSession.user_id == world.users["analyst"]))
    assert len(json.loads(mine)["sessions"]) == len(list(sessions))


def test_the_file_is_an_attachment_never_stored_and_the_export_is_recorded(
    client: TestClient, token_for, db, world: World
) -> None:
    answer = client.get(EXPORT, headers=token_for("readonly"))
    assert answer.status_code == 200
    user_id = world.users["readonly"]
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="aegis-personal-data-{user_id}.json"'
    )
    assert answer.headers["cache-control"] == "no-store"
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert event.actor_id == user_id
    assert event.changes["filename"] == [None, f"aegis-personal-data-{user_id}.json"]
    trail = client.get(
        "/api/v1/audit-events", params={"entity_type": "export"}, headers=token_for("admin")
    )
    [entry] = trail.json()["items"]
    assert entry["summary"] == (
        f"Personal data exported: 'aegis-personal-data-{user_id}.json' "
        "from /api/v1/auth/me/data-export"
    )
    assert client.get(EXPORT).status_code == 401


def test_audit_events_are_bounded_and_the_export_says_how_many(
    client: TestClient, token_for, db, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = token_for("analyst")
    for _ in range(3):
        _export(client, headers)  # each export is an event the analyst is the actor of
    monkeypatch.setattr(personal_data, "AUDIT_EVENT_LIMIT", 2)
    _, body = _export(client, headers)
    total = len(
        db.scalars(select(AuditEvent).where(AuditEvent.actor_id == world.users["analyst"])).all()
    )
    assert total >= 4
    assert len(body["audit_events"]) == 2
    assert body["audit_events_total"] == total - 1  # all but the export being sent
    assert body["audit_events_note"] == (
        f"The newest 2 of {total - 1} events; ask an administrator for the others"
    )
