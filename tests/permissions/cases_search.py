"""Permissions of the search."""

from __future__ import annotations

from tests.permissions import LIST, Case, Request


def _words(db, world, principal_for) -> Request:
    return Request(params={"q": "ransomware", "kinds": "risk,requirement"})


CASES = [
    # every signed-in user searches their own units; nothing to refuse
    Case("GET", "/api/v1/search", LIST, _words),
]
