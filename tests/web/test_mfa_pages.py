"""Signing in through the pages with multi-factor, My account's set-up, admin rules and reset."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from aegis.web.cookies import COOKIE_NAME, MFA_COOKIE_NAME
from tests.conftest import PASSWORD, World
from tests.mfa_support import CodeClock, enrol
from tests.web.conftest import CSRF, login_form_token, post_login, sign_in
from tests.webauthn_support import SoftKey

SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z0-9-]{29})</code></li>")


def _code_form(client: TestClient, code: str = "", recovery: str = "", next: str = "/"):  # type: ignore[no-untyped-def]
    token = CSRF.search(client.get("/login/mfa").text)
    assert token, "no CSRF token on the code form"
    form = {"code": code, "recovery_code": recovery, "next": next, "csrf_token": token.group(1)}
    return client.post("/login/mfa", data=form, follow_redirects=False)


def _wrong(right: str) -> str:
    return "000000" if right != "000000" else "111111"


def test_the_password_leads_to_the_code_form_and_the_code_to_the_session(
    app, client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    with TestClient(app) as browser:
        step = post_login(browser, "analyst@example.com", next="/risks")
        assert step.status_code == 303
        assert step.headers["location"] == "/login/mfa?next=%2Frisks"
        assert COOKIE_NAME not in browser.cookies and MFA_COOKIE_NAME in browser.cookies
        assert browser.get("/account", follow_redirects=False).status_code == 303
        page = browser.get("/login/mfa")
        assert page.status_code == 200 and "analyst@example.com" in page.text
        assert 'autocomplete="one-time-code"' in page.text
        done = _code_form(browser, codes.next_code(secret), next="/risks")
        assert done.status_code == 303 and done.headers["location"] == "/risks"
        assert COOKIE_NAME in browser.cookies and MFA_COOKIE_NAME not in browser.cookies
        assert browser.get("/account").status_code == 200


def test_a_wrong_code_shows_the_form_again_without_a_session(
    app, client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    with TestClient(app) as browser:
        post_login(browser, "analyst@example.com")
        refused = _code_form(browser, _wrong(codes.next_code(secret)))
        assert refused.status_code == 401
        assert "Wrong code" in refused.text and 'name="code"' in refused.text
        assert COOKIE_NAME not in browser.cookies
        empty = _code_form(browser)
        assert empty.status_code == 422 and "Type the 6-digit code" in empty.text


def test_a_code_used_once_is_refused_on_the_form(
    app, client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    code = codes.next_code(secret)
    with TestClient(app) as first:
        post_login(first, "analyst@example.com")
        assert _code_form(first, code).status_code == 303
    with TestClient(app) as second:
        post_login(second, "analyst@example.com")
        replayed = _code_form(second, code)
        assert replayed.status_code == 401 and "already used" in replayed.text


def test_the_code_form_needs_its_token_and_a_live_challenge(
    app, client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    with TestClient(app) as browser:
        post_login(browser, "analyst@example.com")
        forged = browser.post(
            "/login/mfa",
            data={"code": codes.next_code(secret), "csrf_token": "forged"},
            follow_redirects=False,
        )
        assert forged.status_code == 403 and COOKIE_NAME not in browser.cookies
        codes.advance(minutes=6)
        expired = _code_form(browser, codes.code(secret))
        assert expired.status_code == 303 and expired.headers["location"].startswith("/login?")
        assert "expired" in browser.get(expired.headers["location"]).text
    with TestClient(app) as stranger:  # no password given: no challenge
        login_form_token(stranger)
        page = stranger.get("/login/mfa", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_recovery_code_signs_in_once_on_the_form(
    app, client: TestClient, token_for, codes: CodeClock
) -> None:
    _secret, recovery = enrol(client, token_for("analyst"), codes)
    with TestClient(app) as browser:
        post_login(browser, "analyst@example.com")
        assert _code_form(browser, recovery=recovery[0]).status_code == 303
    with TestClient(app) as again:
        post_login(again, "analyst@example.com")
        refused = _code_form(again, recovery=recovery[0])
        assert refused.status_code == 401 and "already used" in refused.text


def test_failed_codes_on_the_form_lock_the_account(
    app, client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    right = codes.next_code(secret)
    with TestClient(app) as browser:
        post_login(browser, "analyst@example.com")
        answers = [_code_form(browser, _wrong(right)).status_code for _ in range(5)]
        assert answers == [401] * 4 + [429]
        locked = _code_form(browser, right)
        assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
        assert int(locked.headers["retry-after"]) > 0
        assert COOKIE_NAME not in browser.cookies


def test_a_browser_challenge_is_no_api_challenge(
    app, client: TestClient, token_for, codes: CodeClock
) -> None:
    secret, _ = enrol(client, token_for("analyst"), codes)
    with TestClient(app) as browser:
        post_login(browser, "analyst@example.com")
        challenge = browser.cookies[MFA_COOKIE_NAME]
    answer = client.post(
        "/api/v1/auth/login/mfa", json={"challenge": challenge, "code": codes.next_code(secret)}
    )
    assert answer.status_code == 401


def test_a_rule_takes_the_user_through_set_up_before_the_session(
    app, client: TestClient, token_for, codes: CodeClock, world: World
) -> None:
    client.post(
        "/api/v1/mfa-requirements",
        headers=token_for("admin"),
        json={"unit_id": world.units["division-a"], "role": "analyst"},
    )
    with TestClient(app) as browser:
        step = post_login(browser, "analyst@example.com", next="/tasks")
        assert step.status_code == 303
        assert step.headers["location"] == "/login/mfa/enrol?next=%2Ftasks"
        assert COOKIE_NAME not in browser.cookies
        page = browser.get("/login/mfa/enrol")
        assert page.status_code == 200 and "<svg" in page.text
        secret = SECRET.search(page.text).group(1).replace(" ", "")
        token = CSRF.search(page.text).group(1)
        wrong = browser.post(
            "/login/mfa/enrol",
            data={"code": _wrong(codes.code(secret)), "csrf_token": token, "next": "/tasks"},
            follow_redirects=False,
        )
        assert wrong.status_code == 422 and "does not match" in wrong.text
        assert COOKIE_NAME not in browser.cookies
        done = browser.post(
            "/login/mfa/enrol",
            data={"code": codes.code(secret), "csrf_token": token, "next": "/tasks"},
            follow_redirects=False,
        )
        assert done.status_code == 200
        shown = RECOVERY.findall(done.text)
        assert len(shown) == 10
        assert 'href="/tasks"' in done.text
        assert COOKIE_NAME in browser.cookies
        assert browser.get("/account").status_code == 200


def test_my_account_sets_up_renews_and_turns_off_mfa(app, codes: CodeClock, world: World) -> None:
    with TestClient(app) as raw:
        me = sign_in(raw, "analyst@example.com")
        assert "Set up multi-factor sign-in" in me.get("/account").text
        assert me.post("/account/mfa/totp").status_code == 303
        page = me.get("/account/mfa")
        secret = SECRET.search(page.text).group(1).replace(" ", "")
        wrong = me.post("/account/mfa/totp/confirm", {"code": _wrong(codes.code(secret))})
        assert wrong.status_code == 422 and "does not match" in wrong.text
        empty = me.post("/account/mfa/totp/confirm", {"code": ""})
        assert empty.status_code == 422
        confirmed = me.post("/account/mfa/totp/confirm", {"code": codes.code(secret)})
        assert confirmed.status_code == 200
        first = RECOVERY.findall(confirmed.text)
        assert len(first) == 10
        assert "10 of 10 recovery codes left" in me.get("/account/mfa").text
        renewed = me.post("/account/mfa/recovery-codes", {"code": codes.next_code(secret)})
        assert renewed.status_code == 200
        assert set(RECOVERY.findall(renewed.text)).isdisjoint(first)
        refused = me.post("/account/mfa/totp/disable", {"password": "not my password"})
        assert refused.status_code == 422 and "The password is wrong" in refused.text
        off = me.post("/account/mfa/totp/disable", {"password": PASSWORD})
        assert off.status_code == 303
        assert "Off" in me.get("/account/mfa").text


def test_account_forms_need_their_csrf_token(app) -> None:
    with TestClient(app) as raw:
        me = sign_in(raw, "analyst@example.com")
        refused = me.client.post(
            "/account/mfa/totp", data={"csrf_token": "forged"}, follow_redirects=False
        )
        assert refused.status_code == 403


def test_administrators_reset_mfa_of_users_in_their_units_only(
    app, client: TestClient, token_for, codes: CodeClock, world: World, browser_for
) -> None:
    enrol(client, token_for("analyst"), codes)
    enrol(client, token_for("analyst_b"), codes)
    division_admin = browser_for("admin_a")
    page = division_admin.get(f"/admin/users/{world.users['analyst']}")
    assert "Reset multi-factor sign-in" in page.text
    foreign = division_admin.post(f"/admin/users/{world.users['analyst_b']}/mfa-reset")
    assert foreign.status_code == 404
    done = division_admin.post(f"/admin/users/{world.users['analyst']}/mfa-reset")
    assert done.status_code == 303 and "mfa_reset=1" in done.headers["location"]
    shown = division_admin.get(done.headers["location"])
    assert "Multi-factor sign-in was reset" in shown.text
    assert "Off" in division_admin.get(f"/admin/users/{world.users['analyst']}").text
    assert client.get("/api/v1/auth/mfa", headers=token_for("analyst")).status_code == 401
    assert client.get("/api/v1/auth/mfa", headers=token_for("analyst_b")).json()["totp_enabled"]


def test_the_rules_page_adds_and_removes_rules_of_administered_units(
    browser_for, world: World
) -> None:
    division_admin = browser_for("admin_a")
    page = division_admin.get("/admin/mfa")
    assert page.status_code == 200 and "No rule" in page.text
    foreign = division_admin.post(
        "/admin/mfa", {"unit_id": str(world.units["division-b"]), "role": "any"}
    )
    assert foreign.status_code == 422 and "Unit not found" in foreign.text
    added = division_admin.post(
        "/admin/mfa", {"unit_id": str(world.units["division-a"]), "role": "admin"}
    )
    assert added.status_code == 303
    listed = division_admin.get("/admin/mfa").text
    assert "division-a" in listed and "Remove" in listed
    twice = division_admin.post(
        "/admin/mfa", {"unit_id": str(world.units["division-a"]), "role": "admin"}
    )
    assert twice.status_code == 409 and "already requires" in twice.text
    rule = re.search(r'action="/admin/mfa/(\d+)/delete"', listed).group(1)
    assert browser_for("analyst").post(f"/admin/mfa/{rule}/delete").status_code == 403
    assert division_admin.post(f"/admin/mfa/{rule}/delete").status_code == 303
    assert "No rule" in division_admin.get("/admin/mfa").text


def test_a_security_key_is_added_on_my_account_and_signs_in_through_the_form(app) -> None:
    key = SoftKey()
    with TestClient(app) as raw:
        me = sign_in(raw, "analyst@example.com")
        refused = raw.post("/account/mfa/webauthn/options", headers={"X-CSRF-Token": "forged"})
        assert refused.status_code == 403
        options = raw.post("/account/mfa/webauthn/options", headers={"X-CSRF-Token": me.csrf})
        assert options.status_code == 200
        credential = key.create(options.json()["public_key"])
        added = me.post(
            "/account/mfa/webauthn", {"name": "Desk key", "webauthn": json.dumps(credential)}
        )
        assert added.status_code == 200 and len(RECOVERY.findall(added.text)) == 10
        page = me.get("/account/mfa").text
        assert "Desk key" in page and 'data-webauthn="create"' in page
    with TestClient(app) as browser:
        post_login(browser, "analyst@example.com", next="/risks")
        form = browser.get("/login/mfa").text
        assert "Use a security key" in form and 'name="code"' not in form
        token = CSRF.search(form).group(1)
        forged = browser.post("/login/mfa/webauthn/options", headers={"X-CSRF-Token": "x"})
        assert forged.status_code == 403
        options = browser.post("/login/mfa/webauthn/options", headers={"X-CSRF-Token": token})
        assert options.status_code == 200
        signed = key.get(options.json()["public_key"])
        unreadable = browser.post(
            "/login/mfa",
            data={"webauthn": "{not json", "csrf_token": token},
            follow_redirects=False,
        )
        assert unreadable.status_code == 422 and COOKIE_NAME not in browser.cookies
        done = browser.post(
            "/login/mfa",
            data={"webauthn": json.dumps(signed), "csrf_token": token, "next": "/risks"},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"] == "/risks"
        assert COOKIE_NAME in browser.cookies


def test_a_security_key_is_removed_with_the_password_on_my_account(app) -> None:
    key = SoftKey()
    with TestClient(app) as raw:
        me = sign_in(raw, "analyst@example.com")
        options = raw.post("/account/mfa/webauthn/options", headers={"X-CSRF-Token": me.csrf})
        me.post(
            "/account/mfa/webauthn",
            {"name": "Desk key", "webauthn": json.dumps(key.create(options.json()["public_key"]))},
        )
        page = me.get("/account/mfa").text
        key_id = re.search(r'action="/account/mfa/webauthn/(\d+)/remove"', page).group(1)
        wrong = me.post(f"/account/mfa/webauthn/{key_id}/remove", {"password": "nope"})
        assert wrong.status_code == 422 and "The password is wrong" in wrong.text
        removed = me.post(f"/account/mfa/webauthn/{key_id}/remove", {"password": PASSWORD})
        assert removed.status_code == 303
        assert "Desk key" not in me.get("/account/mfa").text
        empty = me.post("/account/mfa/webauthn", {"name": "No answer", "webauthn": ""})
        assert empty.status_code == 422 and "did not arrive" in empty.text
