"""Permissions of the dashboard."""

from __future__ import annotations

from tests.factories.risks import make_risk
from tests.permissions import LIST, LIST_PAGE, READ, SECRET, Case, Request


def _critical_risk(db, world, principal_for) -> Request:
    """A division-a risk at the top of every dashboard that may show it."""
    unit = world.units["division-a"]
    make_risk(
        db, principal_for("admin"), unit, title=SECRET, inherent_likelihood=5, inherent_impact=5
    )
    return Request(secret=SECRET)


def _division_a(db, world, principal_for) -> Request:
    return Request(params={"unit_id": world.units["division-a"]})


CASES = [
    # every signed-in user has a dashboard of their own units
    Case("GET", "/api/v1/dashboard", LIST, _critical_risk),
    # narrowed to a unit: the sibling division's analyst does not see division-a
    Case("GET", "/api/v1/dashboard", READ, _division_a),
]

PAGES = [Case("GET", "/", LIST_PAGE, _critical_risk)]
