"""Permissions of the dashboard."""

from __future__ import annotations

from tests.permissions import LIST, READ, Case, Request


def _division_a(db, world, principal_for) -> Request:
    return Request(params={"unit_id": world.units["division-a"]})


CASES = [
    # every signed-in user has a dashboard of their own units
    Case("GET", "/api/v1/dashboard", LIST),
    # narrowed to a unit: the sibling division's analyst does not see division-a
    Case("GET", "/api/v1/dashboard", READ, _division_a),
]
