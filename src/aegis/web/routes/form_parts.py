"""Parts of forms refreshed as people type: picker matches and the unit check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.assets import service as assets
from aegis.domains.evidence import service as evidence
from aegis.domains.risks import service as risks
from aegis.domains.tasks import service as tasks
from aegis.http.deps import SessionDep
from aegis.web import placement
from aegis.web.deps import WebPrincipal
from aegis.web.pickers import matches_for, stored_id
from aegis.web.templating import render

router = APIRouter(prefix="/form-parts")
LINK_LISTS = ("asset_ids", "depends_on_ids", "control_ids")
LINKS = ("unit_id", "risk_id", "asset_id", "control_id")
Saved = Callable[[Session, Principal, int], dict[str, Any]]
SAVED: dict[str, Saved] = {
    "risk": lambda s, p, i: risks.get_risk(session=s, principal=p, risk_id=i).model_dump(),
    "asset": lambda s, p, i: assets.get_asset(session=s, principal=p, asset_id=i).model_dump(),
    "evidence": lambda s, p, i: evidence.get_evidence(
        session=s, principal=p, evidence_id=i
    ).model_dump(),
    "task": lambda s, p, i: tasks.get_task(session=s, principal=p, task_id=i).model_dump(),
}


def _matches(request: Request, session: Session, principal: Principal, kind: str) -> Response:
    found = matches_for(session, principal, kind, request.query_params)
    if found is None:
        return Response("Unknown picker", status_code=404, media_type="text/plain")
    return render(request, "pickers/options.html", principal, p=found)


@router.get("/assets")
def asset_matches(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The assets matching a picker's search, other than the chosen ones."""
    return _matches(request, session, principal, "assets")


@router.get("/controls")
def control_matches(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The controls matching a picker's search, other than the chosen ones."""
    return _matches(request, session, principal, "controls")


@router.get("/risks")
def risk_matches(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The risks matching a picker's search, other than the chosen one."""
    return _matches(request, session, principal, "risks")


@router.get("/people")
def people_matches(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The people matching a picker's search, other than the chosen one."""
    return _matches(request, session, principal, "people")


@router.get("/requirements")
def requirement_matches(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The requirements matching a picker's search, within a framework if one is chosen."""
    return _matches(request, session, principal, "requirements")


def _values(request: Request) -> dict[str, Any]:
    params = request.query_params
    values: dict[str, Any] = {
        name: [i for i in map(stored_id, params.getlist(name)) if i is not None]
        for name in LINK_LISTS
    }
    for name in LINKS:
        found = stored_id(params.get(name, ""))
        if found is not None:
            values[name] = found
    return values


@router.get("/unit-check")
def unit_check(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Warnings about linked objects whose readers would not see the object in its unit."""
    noun = request.query_params.get("noun", "")
    if noun not in SAVED:
        return Response("Unknown form", status_code=404, media_type="text/plain")
    saved_id = stored_id(request.query_params.get("id", ""))
    before = SAVED[noun](session, principal, saved_id) if saved_id is not None else None
    warnings = placement.warnings(
        session, principal, noun=noun, values=_values(request), before=before
    )
    return render(request, "pickers/unit_check.html", principal, warnings=warnings, noun=noun)
