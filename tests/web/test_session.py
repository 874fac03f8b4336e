"""Sign-in, sign-out, CSRF, redirects back to the page, account and error pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import post_login, sign_in


def test_login_page_renders_with_strict_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert "<form" in response.text and 'name="password"' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_redirect_to_login_and_back(client: TestClient) -> None:
    response = client.get("/risks?status=assessed", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Frisks%3Fstatus%3Dassessed"
    signed_in = post_login(client, "analyst@example.com", next="/risks?status=assessed")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/risks?status=assessed"
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_open_redirects_are_refused(client: TestClient) -> None:
    response = post_login(client, "analyst@example.com", next="//evil.example.com/")
    assert response.headers["location"] == "/"


def test_wrong_password_shows_the_form_again(client: TestClient) -> None:
    response = post_login(client, "analyst@example.com", "nope")
    assert response.status_code == 401
    assert "Invalid e-mail or password" in response.text


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    browser = sign_in(client, "analyst@example.com")
    response = client.post("/logout", data={}, headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert browser.post("/logout").status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_disabling_a_user_ends_their_browser_session(client: TestClient, token_for, world) -> None:
    sign_in(client, "readonly_a@example.com")
    assert client.get("/account").status_code == 200
    client.patch(
        f"/api/v1/users/{world.users['readonly_a']}",
        json={"is_active": False},
        headers=token_for("admin"),
    )
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_htmx_requests_with_an_expired_session_are_sent_to_login(client: TestClient) -> None:
    response = client.get("/risks", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.headers["hx-redirect"].startswith("/login?next=")


def test_password_change_validates_and_signs_out(client: TestClient) -> None:
    browser = sign_in(client, "analyst_b@example.com")
    wrong = browser.post(
        "/account/password",
        {
            "current_password": "bad",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    done = browser.post(
        "/account/password",
        {
            "current_password": "correct horse battery staple",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?changed=1"
    sign_in(client, "analyst_b@example.com", "a brand new passphrase")


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    sign_in(client, "analyst@example.com")
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Not found" in response.text and "<html" in response.text


def test_static_files_have_hashed_names_and_long_cache(client: TestClient, app) -> None:
    url = app.state.static_assets.url("app.css")
    assert url.startswith("/static/app.") and url.endswith(".css") and url != "/static/app.css"
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert client.get("/static/../app.py").status_code == 404


def test_manifest_service_worker_and_offline_page(client: TestClient) -> None:
    assert client.get("/manifest.webmanifest").json()["start_url"] == "/"
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and "OFFLINE_URL" in worker.text
    assert "offline" in client.get("/offline").text.lower()


def test_users_rename_themselves_on_the_account_page(client: TestClient) -> None:
    browser = sign_in(client, "analyst_b@example.com")
    blank = browser.post("/account/name", {"name": "   "})
    assert blank.status_code == 422 and 'id="e-name"' in blank.text
    saved = browser.post("/account/name", {"name": "Bea Analyst"})
    assert saved.status_code == 303
    page = browser.get("/account")
    assert 'value="Bea Analyst"' in page.text
    assert "Bea Analyst</a>" in page.text  # the header shows the new name
