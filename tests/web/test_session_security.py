"""Browser sessions: unforgeable cookies, login CSRF, idle and absolute limits, the session list."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.security import token_digest
from aegis.models import AuthSession
from aegis.web.cookies import COOKIE_NAME, LOGIN_COOKIE_NAME, SALT
from tests.conftest import PASSWORD, Clock
from tests.web.conftest import CSRF, login_form_token, post_login, sign_in

OLD_CONSTANT = "aegis-development-only-secret-do-not-use-in-production"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def session_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/account/sessions/(\d+)/revoke"', page)]


def test_cookies_forged_with_the_old_constant_secret_are_refused(client: TestClient, world) -> None:
    for secret in (OLD_CONSTANT, OLD_CONSTANT + "-jwt"):
        for salt, payload in (
            ("aegis.web.session", {"u": world.users["admin"], "s": 1, "c": "x"}),
            (SALT, {"k": "1", "u": world.users["admin"], "c": "x"}),
        ):
            forged = URLSafeTimedSerializer(secret, salt=salt).dumps(payload)
            client.cookies.set(COOKIE_NAME, str(forged))
            response = client.get("/admin/users", follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login")


def test_the_cookie_names_the_session_by_a_random_key_kept_as_a_digest(
    client: TestClient, app, db: Session, world
) -> None:
    keys = []
    for _ in range(2):
        post_login(client, "analyst@example.com")
        cookie = app.state.cookie_codec.decode(client.cookies[COOKIE_NAME])
        keys.append(cookie.key)
        client.cookies.clear()
    assert all(len(key) >= 43 and not key.isdigit() for key in keys) and keys[0] != keys[1]
    stored = db.scalars(select(AuthSession).where(AuthSession.key_hash == token_digest(keys[0])))
    row = stored.one()
    assert row.kind == "browser" and row.key_hash != keys[0]
    # the signed cookie naming the row (by id or digest) instead of the key is refused
    for name in (str(row.id), row.key_hash):
        client.cookies.set(COOKIE_NAME, app.state.cookie_codec.encode(name, row.user_id))
        assert client.get("/account", follow_redirects=False).status_code == 303


def test_login_without_the_form_token_is_refused_with_a_message(
    client: TestClient,
) -> None:
    form = {"email": "analyst@example.com", "password": PASSWORD, "next": "/"}
    refused = client.post("/login", data=form, follow_redirects=False)
    assert refused.status_code == 403
    assert "This sign-in form had expired or did not come from Aegis" in refused.text
    assert 'value="analyst@example.com"' in refused.text  # what was typed is kept
    assert COOKIE_NAME not in client.cookies
    assert client.get("/account", follow_redirects=False).status_code == 303
    # the refusal brought a fresh form: sending it signs in
    token = CSRF.search(refused.text)
    assert token
    accepted = client.post(
        "/login", data={**form, "csrf_token": token.group(1)}, follow_redirects=False
    )
    assert accepted.status_code == 303 and COOKIE_NAME in client.cookies
    assert LOGIN_COOKIE_NAME not in client.cookies  # the pre-session token is spent
    assert client.get("/account").status_code == 200


def test_a_foreign_site_cannot_sign_a_browser_into_another_account(app) -> None:
    with TestClient(app) as attacker, TestClient(app) as victim:
        token = login_form_token(attacker)  # a genuine token, of the attacker's own form
        form = {"email": "analyst_b@example.com", "password": PASSWORD, "next": "/"}
        for sent in (token, "", "x" * 43):
            forged = victim.post(
                "/login", data={**form, "csrf_token": sent}, follow_redirects=False
            )
            assert forged.status_code == 403
            assert COOKIE_NAME not in victim.cookies
        # nor with the victim's own pre-session cookie but the attacker's token
        login_form_token(victim)
        mixed = victim.post("/login", data={**form, "csrf_token": token}, follow_redirects=False)
        assert mixed.status_code == 403 and COOKIE_NAME not in victim.cookies


def test_the_form_token_survives_a_wrong_password_and_two_tabs(client: TestClient) -> None:
    first_tab, second_tab = login_form_token(client), login_form_token(client)
    assert first_tab == second_tab
    wrong = post_login(client, "analyst@example.com", "not the password")
    assert wrong.status_code == 401 and "Invalid e-mail or password" in wrong.text
    form = {"email": "analyst@example.com", "password": PASSWORD, "csrf_token": first_tab}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def test_an_idle_browser_session_goes_to_sign_in_with_a_plain_message(
    client: TestClient, clock: Clock
) -> None:
    sign_in(client, "analyst@example.com")
    clock.advance(minutes=25)
    assert client.get("/risks").status_code == 200
    clock.advance(minutes=25)  # 25 minutes since the last page
    assert client.get("/risks").status_code == 200
    clock.advance(minutes=31)
    expired = client.get("/risks?status=assessed", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"] == "/login?next=%2Frisks%3Fstatus%3Dassessed"
    page = client.get(expired.headers["location"])
    assert "Your session ended after 30 minutes without activity; sign in again" in page.text
    assert "Your session ended" not in client.get("/login").text  # shown once
    fragment = client.get("/risks", headers={"HX-Request": "true"}, follow_redirects=False)
    assert fragment.headers["hx-redirect"].startswith("/login?next=")


def test_a_browser_session_ends_at_its_absolute_lifetime_despite_activity(
    client: TestClient, clock: Clock
) -> None:
    sign_in(client, "analyst@example.com")
    for _ in range(71):  # a page every 10 minutes for 11 h 50 min
        clock.advance(minutes=10)
        assert client.get("/account").status_code == 200
    clock.advance(minutes=10)
    ended = client.get("/account")
    assert ended.url.path == "/login"
    assert "Your session reached its limit of 12 hours; sign in again" in ended.text


def test_my_account_lists_sessions_and_signs_one_out(app, clock: Clock) -> None:
    with (
        TestClient(app, headers={"User-Agent": FIREFOX}) as laptop,
        TestClient(app, headers={"User-Agent": SAFARI}) as phone,
    ):
        me = sign_in(laptop, "analyst@example.com")
        clock.advance(minutes=3)
        sign_in(phone, "analyst@example.com")
        page = me.get("/account").text
        assert "Where you are signed in" in page
        assert "Firefox on Linux" in page and "· this session" in page
        assert "Safari on iPhone" in page and "testclient" in page
        assert "30 minutes without activity" in page and "12 hours after signing in" in page
        ids = session_ids(page)
        assert len(ids) >= 2
        phone_row = page[page.index("Safari on iPhone") :]
        phone_id = session_ids(phone_row)[0]
        ended = me.post(f"/account/sessions/{phone_id}/revoke")
        assert ended.status_code == 303 and ended.headers["location"] == "/account"
        after = me.get("/account").text
        assert "Signed out the session of Safari on iPhone from testclient." in after
        assert phone_id not in session_ids(after)
        assert phone.get("/account", follow_redirects=False).status_code == 303
        assert me.get("/account").status_code == 200


def test_signing_out_this_session_from_the_list(client: TestClient) -> None:
    me = sign_in(client, "analyst@example.com")
    page = me.get("/account").text
    current = page[page.index("· this session") :]
    response = me.post(f"/account/sessions/{session_ids(current)[0]}/revoke")
    assert response.headers["location"] == "/login"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_sign_out_everywhere(app) -> None:
    with TestClient(app) as laptop, TestClient(app) as phone, TestClient(app) as script:
        me = sign_in(laptop, "analyst@example.com")
        sign_in(phone, "analyst@example.com")
        tokens = script.post(
            "/api/v1/auth/login", json={"email": "analyst@example.com", "password": PASSWORD}
        ).json()
        without_token = laptop.post("/account/sessions/revoke-all", headers={"Accept": "text/html"})
        assert without_token.status_code == 403  # CSRF applies here as on every form
        done = me.post("/account/sessions/revoke-all")
        assert done.status_code == 303 and done.headers["location"] == "/login"
        assert "You are signed out everywhere, on every device." in laptop.get("/login").text
        for browser in (laptop, phone):
            assert browser.get("/account", follow_redirects=False).status_code == 303
        api = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert script.get("/api/v1/auth/me", headers=api).status_code == 401


def test_other_users_neither_see_nor_end_my_sessions(app) -> None:
    with TestClient(app) as mine, TestClient(app) as theirs:
        me = sign_in(mine, "analyst@example.com")
        mine_ids = session_ids(me.get("/account").text)
        for name in ("analyst_b", "admin"):
            theirs.cookies.clear()
            other = sign_in(theirs, f"{name}@example.com")
            assert not set(mine_ids) & set(session_ids(other.get("/account").text))
            for session_id in mine_ids:
                refused = other.post(f"/account/sessions/{session_id}/revoke")
                assert refused.status_code == 404
        assert me.get("/account").status_code == 200
