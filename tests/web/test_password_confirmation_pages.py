"""The "Confirm your password" page before sensitive forms, sign-out clearing the browser,
and `__Host-` cookies over https."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.core.settings import Settings
from aegis.main import create_app
from aegis.models import ApiToken, AuditEvent, AuthSession, User
from tests.conftest import PASSWORD
from tests.web.conftest import CSRF, post_login, sign_in

HTML = {"Accept": "text/html"}
CLEARED = '"cache", "storage"'
PROXY = ("10.0.0.5", 41000)


def _stale(db: Session, user_id: int) -> None:
    """The user's sessions last saw the password 16 minutes ago (the default allows 15)."""
    for row in db.scalars(select(AuthSession).where(AuthSession.user_id == user_id)):
        row.password_confirmed_at = utcnow() - timedelta(minutes=16)
    db.flush()


def _tokens(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(ApiToken)) or 0)


def _token_form(csrf: str, unit_id: int) -> dict[str, Any]:
    return {
        "csrf_token": csrf,
        "name": "Nightly export",
        "access": "read_only",
        "unit_ids": [str(unit_id)],
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
    }


def test_a_sensitive_form_asks_for_the_password_then_comes_back(
    browser_for, db: Session, world
) -> None:
    browser = browser_for("admin")
    _stale(db, world.users["admin"])
    before = _tokens(db)
    form = _token_form(browser.csrf, world.units["division-a"])
    sent = browser.client.post(
        "/account/api-tokens",
        data=form,
        headers={**HTML, "Referer": "http://testserver/account/api-tokens"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/confirm-password?next=%2Faccount%2Fapi-tokens"
    assert _tokens(db) == before

    page = browser.get(sent.headers["location"])
    assert page.status_code == 200 and "<h1>Confirm your password</h1>" in page.text
    assert 'name="next" value="/account/api-tokens"' in page.text

    empty = browser.post("/confirm-password", {"password": "", "next": "/account/api-tokens"})
    assert empty.status_code == 422 and "Type your password" in empty.text
    wrong = browser.post("/confirm-password", {"password": "nope", "next": "/account/api-tokens"})
    assert wrong.status_code == 422 and "This is not your password" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    failed = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "sign_in_failed", AuditEvent.entity_id == world.users["admin"]
        )
    ).all()
    assert len(failed) == 1  # counted towards the sign-in lock, as a failed sign-in

    right = browser.post("/confirm-password", {"password": PASSWORD, "next": "/account/api-tokens"})
    assert right.status_code == 303 and right.headers["location"] == "/account/api-tokens"
    assert "Password confirmed" in browser.get("/account/api-tokens").text
    again = browser.client.post("/account/api-tokens", data=form, headers=HTML)
    assert again.status_code == 200 and "aegis_" in again.text
    assert _tokens(db) == before + 1


def test_the_page_returns_only_to_aegis(browser_for, db: Session, world) -> None:
    browser = browser_for("admin")
    for target, landing in (("//evil.example/x", "/"), ("https://evil.example", "/")):
        done = browser.post("/confirm-password", {"password": PASSWORD, "next": target})
        assert done.status_code == 303 and done.headers["location"] == landing
    page = browser.get("/confirm-password?next=https://evil.example/")
    assert 'name="next" value="/"' in page.text
    assert browser.client.post("/confirm-password", data={"password": PASSWORD}).status_code == 403
    signed_out = TestClient(browser.client.app).get("/confirm-password", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")


def test_administrators_confirm_before_setting_a_password_or_changing_roles(
    browser_for, db: Session, world
) -> None:
    browser = browser_for("admin")
    analyst = world.users["analyst"]
    user = db.get(User, analyst)
    assert user is not None
    kept_hash = user.password_hash
    _stale(db, world.users["admin"])
    page = f"http://testserver/admin/users/{analyst}"
    new = "violet marmot under seventeen lanterns"
    sent = browser.client.post(
        f"/admin/users/{analyst}/password",
        data={"csrf_token": browser.csrf, "password": new, "confirm_password": new},
        headers={**HTML, "Referer": page},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/confirm-password?next=%2Fadmin%2Fusers%2F{analyst}"
    db.refresh(user)
    assert user.password_hash == kept_hash
    # without a Referer the user comes back to their account; htmx is sent there by header
    status = browser.post(f"/admin/users/{analyst}/status", {"is_active": "false"})
    assert status.headers["location"] == "/confirm-password?next=%2Faccount"
    htmx = browser.client.post(
        f"/admin/users/{analyst}/mfa-reset",
        data={"csrf_token": browser.csrf},
        headers={**HTML, "HX-Request": "true"},
        follow_redirects=False,
    )
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"].startswith("/confirm-password")
    db.refresh(user)
    assert user.is_active


def test_signing_out_everywhere_asks_for_the_password_and_clears_the_browser(
    app, db: Session, world
) -> None:
    with TestClient(app) as laptop, TestClient(app) as phone:
        me = sign_in(laptop, "analyst@example.com")
        other = sign_in(phone, "analyst@example.com")
        _stale(db, world.users["analyst"])
        asked = laptop.post(
            "/account/sessions/revoke-all",
            data={"csrf_token": me.csrf},
            headers={**HTML, "Referer": "http://testserver/account"},
            follow_redirects=False,
        )
        assert asked.headers["location"] == "/confirm-password?next=%2Faccount"
        assert phone.get("/account", follow_redirects=False).status_code == 200
        me.post("/confirm-password", {"password": PASSWORD, "next": "/account"})
        done = me.post("/account/sessions/revoke-all")
        assert done.status_code == 303 and done.headers["location"] == "/login"
        assert done.headers["Clear-Site-Data"] == CLEARED
        assert phone.get("/account", follow_redirects=False).status_code == 303
        assert other.csrf  # the phone's session ended with the others


def test_signing_out_this_session_needs_no_password_and_clears_the_browser(
    browser_for, db: Session, world
) -> None:
    browser = browser_for("readonly")
    _stale(db, world.users["readonly"])
    mine = db.scalars(
        select(AuthSession.id).where(AuthSession.user_id == world.users["readonly"])
    ).one()
    ended = browser.post(f"/account/sessions/{mine}/revoke")
    assert ended.status_code == 303 and ended.headers["location"] == "/login"
    assert ended.headers["Clear-Site-Data"] == CLEARED

    again = browser_for("readonly")
    out = again.post("/logout")
    assert out.status_code == 303 and out.headers["Clear-Site-Data"] == CLEARED
    assert again.client.get("/account", follow_redirects=False).status_code == 303
    # other answers ask the browser to clear nothing
    assert "Clear-Site-Data" not in browser_for("readonly").get("/account").headers


def _set_cookies(response: Any) -> dict[str, str]:
    """The Set-Cookie headers of a response, by cookie name."""
    return {header.partition("=")[0]: header for header in response.headers.get_list("set-cookie")}


def _assert_host_cookie(header: str) -> None:
    parts = [part.strip().lower() for part in header.split(";")]
    assert "secure" in parts and "httponly" in parts and "path=/" in parts
    assert "samesite=lax" in parts
    assert not any(part.startswith("domain") for part in parts)


def test_cookies_over_https_carry_the_host_prefix(app, world) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        form = client.get("/login")
        _assert_host_cookie(_set_cookies(form)["__Host-aegis_login"])
        signed_in = post_login(client, "analyst@example.com")
        cookies = _set_cookies(signed_in)
        _assert_host_cookie(cookies["__Host-aegis_session"])
        assert "aegis_session" not in cookies
        account = client.get("/account", follow_redirects=False)
        assert account.status_code == 200
        value = client.cookies["__Host-aegis_session"]
        csrf = CSRF.search(account.text)
        assert csrf is not None
        out = client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
        removed = _set_cookies(out)["__Host-aegis_session"]
        assert "max-age=0" in removed.lower() and "secure" in removed.lower()
    # over https only the prefixed name is believed: a cookie another host of the domain
    # could have set under the plain name signs nobody in
    with TestClient(app, base_url="https://testserver") as client:
        post_login(client, "analyst@example.com")
        value = client.cookies["__Host-aegis_session"]
        client.cookies.clear()
        client.cookies.set("aegis_session", value)
        assert client.get("/account", follow_redirects=False).status_code == 303


def test_cookies_over_plain_http_keep_their_names(client: TestClient, world) -> None:
    signed_in = post_login(client, "analyst@example.com")
    cookie = _set_cookies(signed_in)["aegis_session"]
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()
    assert not any(name.startswith("__Host-") for name in _set_cookies(signed_in))
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_https_through_a_trusted_proxy_gives_prefixed_cookies(
    settings: Settings, engine: Any, session_factory: Any, world
) -> None:
    def application(**changes: Any) -> Any:
        built = create_app(settings.model_copy(update=changes), engine=engine)
        built.state.session_factory = session_factory
        return built

    forwarded = {"X-Forwarded-Proto": "https"}
    with TestClient(application(trusted_proxies=["10.0.0.0/24"]), client=PROXY) as client:
        _assert_host_cookie(
            _set_cookies(client.get("/login", headers=forwarded))["__Host-aegis_login"]
        )
    with TestClient(application(), client=PROXY) as client:  # the header is not believed
        names = _set_cookies(client.get("/login", headers=forwarded))
        assert "aegis_login" in names and "secure" not in names["aegis_login"].lower()
