"""Permissions of security notices: everyone signed in reads their own, nobody another's."""

from __future__ import annotations

from tests.permissions import Case, pages, statuses

CASES = [
    Case("GET", "/api/v1/auth/notices", statuses(401, 200, 200, 200, 200)),
]

PAGES = [
    Case("GET", "/account/notices", pages(200, 200, 200, 200)),
]
