"""Permissions of the parts of forms refreshed as people type: picker searches, unit check."""

from __future__ import annotations

from aegis.domains.frameworks import service as frameworks
from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.risks import make_risk
from tests.permissions import LIST_PAGE, PAGE, SECRET, Case, Request
from tests.permissions.cases_core import _listed_user

TYPED = SECRET[:6]  # what a person types: the start of the name


def _search(name: str) -> dict[str, str]:
    return {"name": name, f"pick_q_{name}": TYPED}


def _asset(db, world, principal_for) -> Request:
    make_asset(db, principal_for("admin"), world.units["division-a"], name=SECRET)
    return Request(params=_search("asset_ids"), secret=SECRET)


def _control(db, world, principal_for) -> Request:
    make_control(db, principal_for("admin"), world.units["division-a"], title=SECRET)
    return Request(params=_search("control_ids"), secret=SECRET)


def _risk(db, world, principal_for) -> Request:
    make_risk(db, principal_for("admin"), world.units["division-a"], title=SECRET)
    return Request(params=_search("risk_id"), secret=SECRET)


def _person(db, world, principal_for) -> Request:
    _listed_user(db, world, principal_for)
    return Request(params=_search("owner_id"), secret=SECRET)


def _requirement(db, world, principal_for) -> Request:
    frameworks.import_csv(
        session=db,
        principal=principal_for("admin"),
        unit_id=world.units["division-a"],
        content=f"id,parent,title,text\nP1,,{SECRET},Kept in division A\n".encode(),
        name="Division A policy",
        key="division-a-policy",
        version="1",
    )
    return Request(params=_search("requirement_ids"), secret=SECRET)


def _unit_check(db, world, principal_for) -> Request:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"])
    params = {"noun": "risk", "id": str(risk.id), "unit_id": str(world.units["division-a"])}
    return Request(params=params)


PAGES = [
    Case("GET", "/form-parts/assets", LIST_PAGE, _asset),
    Case("GET", "/form-parts/controls", LIST_PAGE, _control),
    Case("GET", "/form-parts/risks", LIST_PAGE, _risk),
    Case("GET", "/form-parts/people", LIST_PAGE, _person),
    Case("GET", "/form-parts/requirements", LIST_PAGE, _requirement),
    Case("GET", "/form-parts/unit-check", PAGE, _unit_check),
]
