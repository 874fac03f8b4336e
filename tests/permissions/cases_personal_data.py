"""Permissions of one's own data export."""

from __future__ import annotations

from tests.permissions import Case, pages, statuses

CASES = [
    Case("GET", "/api/v1/auth/me/data-export", statuses(401, 200, 200, 200, 200)),
]

PAGES = [
    Case("GET", "/account/data-export", pages(200, 200, 200, 200)),
]
