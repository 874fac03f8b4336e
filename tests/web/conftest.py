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


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Browser:
    """Sign in through the form and return the signed-in browser."""
    response = client.post(
        "/login", data={"email": email, "password": password, "next": "/"}, follow_redirects=False
    )
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
