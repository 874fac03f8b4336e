"""Permissions of the search."""

from __future__ import annotations

from tests.factories.risks import make_risk
from tests.permissions import LIST, LIST_PAGE, SECRET, Case, Request


def _words(db, world, principal_for) -> Request:
    make_risk(db, principal_for("admin"), world.units["division-a"], title=f"Ransomware {SECRET}")
    return Request(params={"q": "ransomware", "kinds": "risk,requirement"}, secret=SECRET)


def _typed(db, world, principal_for) -> Request:
    make_risk(db, principal_for("admin"), world.units["division-a"], title=f"Ransomware {SECRET}")
    return Request(params={"q": "ransomware"}, secret=SECRET)


CASES = [
    # every signed-in user searches their own units; nothing to refuse
    Case("GET", "/api/v1/search", LIST, _words),
]

PAGES = [Case("GET", "/search", LIST_PAGE, _typed)]
