"""Password guessing is throttled: failures lock the account and the address; admins unlock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from structlog.testing import capture_logs

from aegis.core.db import utcnow
from aegis.core.settings import Settings
from aegis.domains.auth import service as auth_service
from aegis.main import create_app
from aegis.models import AuditEvent, SignInThrottle
from tests.conftest import PASSWORD, World
from tests.web.conftest import post_login, sign_in

WRONG = "not the password at all"


def login(client: TestClient, email: str = "analyst@example.com", password: str = PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


@pytest.fixture
def app_with(settings: Settings, engine, session_factory) -> Callable[..., Any]:
    """An application whose settings differ from the test settings as given."""

    def make(**changes: Any) -> Any:
        application = create_app(settings.model_copy(update=changes), engine=engine)
        application.state.session_factory = session_factory
        return application

    return make


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The passwords the sign-in checked with Argon2 (the real check still runs)."""
    checked: list[str] = []
    real = auth_service.verify_password

    def counting(password: str, password_hash: str | None) -> bool:
        checked.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(auth_service, "verify_password", counting)
    yield checked


def _events(db, action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def test_the_right_password_is_refused_once_the_account_is_locked(
    client: TestClient, hashes: list[str]
) -> None:
    for _ in range(4):
        assert login(client, password=WRONG).status_code == 401
    locking = login(client, password=WRONG)
    assert locking.status_code == 429
    assert locking.json()["error"]["code"] == "sign_in_locked"
    assert "Too many failed sign-ins" in locking.json()["error"]["message"]
    assert 14 * 60 <= int(locking.headers["retry-after"]) <= 15 * 60
    hashed = len(hashes)
    right = login(client)
    assert right.status_code == 429
    assert "ask an administrator to unlock it" in right.json()["error"]["message"]
    assert len(hashes) == hashed  # refused before any Argon2 hash is computed
    for _ in range(20):
        assert login(client, password=WRONG).status_code == 429
    assert len(hashes) == hashed


def test_a_successful_sign_in_forgets_the_earlier_failures(client: TestClient) -> None:
    for _ in range(4):
        assert login(client, password=WRONG).status_code == 401
    assert login(client).status_code == 200
    for _ in range(4):
        assert login(client, password=WRONG).status_code == 401
    assert login(client).status_code == 200


def test_unknown_accounts_lock_the_same_way(client: TestClient) -> None:
    answers = [login(client, "nobody@example.com", WRONG) for _ in range(6)]
    known = [login(client, "readonly@example.com", WRONG) for _ in range(6)]
    assert [a.status_code for a in answers] == [a.status_code for a in known]
    assert [a.status_code for a in answers] == [401] * 4 + [429] * 2
    assert answers[-1].json()["error"]["code"] == known[-1].json()["error"]["code"]


def test_the_web_form_is_locked_too(client: TestClient) -> None:
    for _ in range(4):
        assert post_login(client, "analyst@example.com", WRONG).status_code == 401
    locked = post_login(client, "analyst@example.com", WRONG)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text and 'name="password"' in locked.text
    assert int(locked.headers["retry-after"]) > 0
    right = post_login(client, "analyst@example.com", PASSWORD)
    assert right.status_code == 429
    assert "aegis_session" not in right.cookies
    assert login(client).status_code == 429  # the API shares the lock


def test_many_failures_from_one_address_lock_that_address(app_with) -> None:
    app = app_with(sign_in_address_failures=6)
    with (
        TestClient(app, client=("198.51.100.7", 4000)) as guesser,
        TestClient(app, client=("203.0.113.9", 4000)) as elsewhere,
    ):
        emails = [f"{name}@example.com" for name in ("admin", "readonly", "analyst")]
        codes = [login(guesser, email, WRONG).status_code for email in emails * 2]
        assert codes == [401] * 5 + [429]
        refused = login(guesser, "analyst_b@example.com")  # right password, same address
        assert refused.status_code == 429
        assert "your network address" in refused.json()["error"]["message"]
        assert login(elsewhere, "analyst_b@example.com").status_code == 200


def test_each_lock_in_a_row_lasts_twice_as_long(client: TestClient, db) -> None:
    for _ in range(5):
        login(client, password=WRONG)
    subject = SignInThrottle.subject == "analyst@example.com"
    first = db.scalar(select(SignInThrottle.locked_until).where(subject))
    assert timedelta(minutes=14) < first - utcnow() <= timedelta(minutes=15)
    db.execute(update(SignInThrottle).where(subject).values(locked_until=utcnow()))
    db.commit()
    for _ in range(5):
        login(client, password=WRONG)
    db.expire_all()
    second = db.scalar(select(SignInThrottle.locked_until).where(subject))
    assert timedelta(minutes=29) < second - utcnow() <= timedelta(minutes=30)


def test_failures_and_locks_are_recorded_with_account_reason_and_address(
    client: TestClient, db, world: World, token_for
) -> None:
    with capture_logs() as logs:
        login(client, "nobody@example.com", WRONG)
        for _ in range(5):
            login(client, password=WRONG)
    failed = _events(db, "sign_in_failed")
    assert len(failed) == 6
    assert failed[0].changes == {
        "email": [None, "nobody@example.com"],
        "reason": [None, "unknown account"],
        "client_address": [None, "testclient"],
    }
    assert failed[0].unit_id == world.units["company"]  # unknown accounts: the whole organisation
    assert failed[1].entity_id == world.users["analyst"]
    assert failed[1].unit_id == world.units["division-a"]
    assert failed[1].changes["reason"] == [None, "wrong password"]
    [locked] = _events(db, "lock")
    assert locked.entity_id == world.users["analyst"]
    assert locked.changes["locked"] == [None, "account"]
    lines = [line for line in logs if line["event"] in ("sign_in_failed", "lock")]
    assert len(lines) == 7
    assert lines[0]["user"] == "nobody@example.com"
    assert lines[0]["client_address"] == "testclient"
    assert all(WRONG not in repr(line) for line in logs)  # no password in any log line
    trail = client.get(
        "/api/v1/audit-events", params={"action": "lock"}, headers=token_for("admin_a")
    )
    assert trail.status_code == 200
    assert [e["entity_id"] for e in trail.json()["items"]] == [world.users["analyst"]]


def test_an_admin_unlocks_on_the_users_page(client: TestClient, app, db, world: World) -> None:
    for _ in range(5):
        login(client, password=WRONG)
    with TestClient(app) as other:
        admin = sign_in(other, "admin_a@example.com")
        page = admin.get(f"/admin/users/{world.users['analyst']}")
        assert "Sign-in locked" in page.text and "Unlock sign-in" in page.text
        done = admin.post(f"/admin/users/{world.users['analyst']}/unlock")
        assert done.status_code == 303
        assert done.headers["location"].endswith("?unlocked=1")
        after = admin.get(done.headers["location"])
        assert "Sign-in was unlocked" in after.text and "Unlock sign-in" not in after.text
    assert login(client).status_code == 200
    [unlocked] = _events(db, "unlock")
    assert unlocked.actor_id == world.users["admin_a"]
    assert unlocked.entity_id == world.users["analyst"]


def test_only_an_admin_of_the_users_units_may_unlock(client: TestClient, app, world) -> None:
    for _ in range(5):
        login(client, password=WRONG)
    with TestClient(app) as other:
        outsider = sign_in(other, "analyst_b@example.com")
        refused = outsider.post(f"/admin/users/{world.users['analyst']}/unlock")
        assert refused.status_code in (403, 404)
    assert login(client).status_code == 429
