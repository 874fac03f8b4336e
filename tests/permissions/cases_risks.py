"""Permissions of the risk register, the risk matrix and risk acceptance."""

from __future__ import annotations

from datetime import timedelta

from aegis.core.db import utcnow
from aegis.domains.risks import acceptance
from aegis.domains.risks.acceptance_schemas import AcceptancePolicy, AcceptanceRequestCreate
from tests.factories.risks import make_risk, risk_body
from tests.permissions import (
    CREATE,
    DELETE,
    EDIT_FORM,
    FORM,
    LIST,
    LIST_PAGE,
    PAGE,
    READ,
    SECRET,
    UPDATE,
    Case,
    Request,
    exported,
    pages,
    statuses,
)


def _risk(db, world, principal_for) -> Request:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"risk_id": risk.id}, json={"inherent_impact": 4})


def _listed_risk(db, world, principal_for) -> Request:
    make_risk(db, principal_for("admin"), world.units["division-a"], title=SECRET)
    return Request(secret=SECRET)


def _assessed_risk(db, world, principal_for) -> Request:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"], status="assessed")
    until = (utcnow() + timedelta(days=30)).date().isoformat()
    return Request(path={"risk_id": risk.id}, json={"justification": "Cheap", "expires_on": until})


def _acceptance_request(db, world, principal_for) -> Request:
    """A request the division-a analyst made; others decide it."""
    risk = make_risk(db, principal_for("admin"), world.units["division-a"], status="assessed")
    request = acceptance.request_acceptance(
        session=db,
        principal=principal_for("analyst"),
        risk_id=risk.id,
        data=AcceptanceRequestCreate(
            justification=SECRET, expires_on=(utcnow() + timedelta(days=30)).date()
        ),
        policy=AcceptancePolicy(),
    )
    return Request(
        path={"request_id": request.id, "risk_id": risk.id},
        json={"comment": "Decided"},
        secret=SECRET,
    )


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
ROOT_ADMIN_ONLY = statuses(401, 403, 403, 200, 403, division_admin=403)
# asked by whoever may change the risk; decided by an administrator, never the requester
ASK = statuses(401, 403, 201, 201, 404)
DECIDE = statuses(401, 403, 403, 200, 404)

CASES = [
    Case("GET", "/api/v1/risks", LIST, _listed_risk),
    Case("POST", "/api/v1/risks", CREATE, _new_risk),
    Case("GET", "/api/v1/risks/{risk_id}", READ, _risk),
    Case("PATCH", "/api/v1/risks/{risk_id}", UPDATE, _risk),
    Case("DELETE", "/api/v1/risks/{risk_id}", DELETE, _risk),
    Case("GET", "/api/v1/risks/{risk_id}/history", READ, _risk),
    Case("GET", "/api/v1/risk-matrix", SIGNED_IN),
    Case("PUT", "/api/v1/risk-matrix", ROOT_ADMIN_ONLY, _matrix),
    Case("POST", "/api/v1/risks/{risk_id}/acceptance-requests", ASK, _assessed_risk),
    Case("GET", "/api/v1/risk-acceptance-requests", LIST, _acceptance_request),
    Case("GET", "/api/v1/risk-acceptance-requests/{request_id}", READ, _acceptance_request),
    Case(
        "POST", "/api/v1/risk-acceptance-requests/{request_id}/approve", DECIDE, _acceptance_request
    ),
    Case(
        "POST", "/api/v1/risk-acceptance-requests/{request_id}/reject", DECIDE, _acceptance_request
    ),
]

PAGES = [
    Case("GET", "/risks", LIST_PAGE, _listed_risk),
    Case("GET", "/risks", LIST_PAGE, exported(_listed_risk, "csv"), " as CSV"),
    Case("GET", "/risks", LIST_PAGE, exported(_listed_risk, "xlsx"), " as XLSX"),
    Case("GET", "/risks/new", FORM),
    Case("GET", "/risks/{risk_id}", PAGE, _risk),
    Case("GET", "/risks/{risk_id}/edit", EDIT_FORM, _risk),
    Case("GET", "/risks/{risk_id}/acceptance", PAGE, _acceptance_request),
    Case("GET", "/acceptance-requests", LIST_PAGE, _acceptance_request),
    # every administrator sees the matrix; only the root's may change it
    Case("GET", "/admin/risk-matrix", pages(403, 403, 200, 403)),
]
