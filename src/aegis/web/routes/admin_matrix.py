"""Administration page for the risk matrix: grid, bands, named levels and the form to edit them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import Conflict, ValidationFailed
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import MAX_LEVELS, MIN_LEVELS, RiskMatrix
from aegis.domains.units import service as units
from aegis.http.deps import SessionDep
from aegis.web.admin_support import is_root_admin
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.matrix_form import (
    form_errors,
    form_rows,
    read_form,
    refused_values,
    shown_values,
)
from aegis.web.matrix_grid import grid
from aegis.web.saving import in_savepoint, refusal_status
from aegis.web.templating import render

router = APIRouter(prefix="/admin")


def _matrix_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    principal.require_admin()
    matrix = risks.get_risk_matrix(session=session)
    shown = values or shown_values(matrix)
    return render(
        request,
        "admin/risk_matrix.html",
        principal,
        status_code=status_code,
        matrix=matrix,
        grid=grid(matrix),
        can_edit=is_root_admin(session, principal),
        values=shown,
        band_rows=form_rows(shown),
        errors=errors or {},
        min_levels=MIN_LEVELS,
        max_levels=MAX_LEVELS,
        saved=bool(request.query_params.get("saved")),
    )


@router.get("/risk-matrix")
def risk_matrix(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The matrix as a coloured grid with its levels; the root administrator may edit it."""
    return _matrix_page(request, session, principal)


@router.post("/risk-matrix", dependencies=[CsrfChecked])
async def update_risk_matrix(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the matrix (administrator of the root unit only) or show why it was refused."""
    root = units.root_unit_id(session=session)
    principal.require_admin(root if root is not None else -1)
    read = read_form(await request.form())
    if read.problems:
        return _matrix_page(
            request,
            session,
            principal,
            values=refused_values(read),
            errors=read.problems,
            status_code=422,
        )
    try:
        in_savepoint(
            session,
            lambda: risks.update_risk_matrix(
                session=session, principal=principal, data=RiskMatrix(**read.values)
            ),
        )
    except (ValidationError, ValidationFailed, Conflict) as exc:
        return _matrix_page(
            request,
            session,
            principal,
            values=refused_values(read),
            errors=form_errors(exc, read),
            status_code=refusal_status(exc),
        )
    return RedirectResponse("/admin/risk-matrix?saved=1", status_code=303)
