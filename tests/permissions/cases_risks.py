"""Permissions of the risk register and the risk matrix."""

from __future__ import annotations

from tests.factories.risks import make_risk, risk_body
from tests.permissions import CREATE, DELETE, LIST, READ, UPDATE, Case, Request, statuses


def _risk(db, world, principal_for) -> Request:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"risk_id": risk.id}, json={"inherent_impact": 4})


def _new_risk(db, world, principal_for) -> Request:
    return Request(json=risk_body(world.units["division-a"]))


def _matrix(db, world, principal_for) -> Request:
    bands = [
        {"name": "Low", "min_score": 1, "max_score": 8, "color": "#00ff00"},
        {"name": "High", "min_score": 9, "max_score": 25, "color": "#ff0000"},
    ]
    return Request(json={"likelihood_levels": 5, "impact_levels": 5, "bands": bands})


SIGNED_IN = statuses(401, 200, 200, 200, 200)
# only administrators of the root unit change the organisation-wide matrix
ROOT_ADMIN_ONLY = statuses(401, 403, 403, 200, 403)

CASES = [
    Case("GET", "/api/v1/risks", LIST),
    Case("POST", "/api/v1/risks", CREATE, _new_risk),
    Case("GET", "/api/v1/risks/{risk_id}", READ, _risk),
    Case("PATCH", "/api/v1/risks/{risk_id}", UPDATE, _risk),
    Case("DELETE", "/api/v1/risks/{risk_id}", DELETE, _risk),
    Case("GET", "/api/v1/risks/{risk_id}/history", READ, _risk),
    Case("GET", "/api/v1/risk-matrix", SIGNED_IN),
    Case("PUT", "/api/v1/risk-matrix", ROOT_ADMIN_ONLY, _matrix),
]
