"""Browser-session helpers for page tests: sign in through the login form, read CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A TestClient signed in as one user, with the CSRF token of its session."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers={"Accept": "text/html"}, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
        form = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(
            url, data=form, headers={"Accept": "text/html"}, follow_redirects=False, **kwargs
        )


def login_form_token(client: TestClient) -> str:
    """Open the sign-in form (as a browser does) and return its CSRF token."""
    match = CSRF.search(client.get("/login").text)
    assert match, "no CSRF token on the sign-in form"
    return match.group(1)


def post_login(client: TestClient, email: str, password: str = PASSWORD, next: str = "/"):  # type: ignore[no-untyped-def]
    """Submit the sign-in form as a browser does: opened first, then sent with its token."""
    form = {"email": email, "password": password, "next": next}
    return client.post(
        "/login", data={**form, "csrf_token": login_form_token(client)}, follow_redirects=False
    )


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Browser:
    """Sign in through the form and return the signed-in browser."""
    response = post_login(client, email, password)
    assert response.status_code == 303, response.text
    account = client.get("/account")
    match = CSRF.search(account.text)
    assert match, "no CSRF token on the account page"
    return Browser(client, match.group(1))


@pytest.fixture
def browser_for(app) -> Callable[[str], Browser]:  # type: ignore[no-untyped-def]
    """A new signed-in browser for a base user, by name (e.g. 'analyst')."""
    clients: list[TestClient] = []

    def make(name: str) -> Browser:
        client = TestClient(app)
        clients.append(client)
        return sign_in(client, f"{name}@example.com")

    yield make
    for client in clients:
        client.close()
