"""Administration page for the risk matrix: its grid, its bands and the form that edits them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import AegisError, Conflict, ValidationFailed
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import MAX_LEVELS, MIN_LEVELS, RiskMatrix
from aegis.domains.units import service as units
from aegis.http.deps import SessionDep
from aegis.web.admin_support import is_root_admin
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.forms import field_errors
from aegis.web.saving import in_savepoint, refusal_status
from aegis.web.templating import render

router = APIRouter(prefix="/admin")

BAND_FIELDS = ("name", "min_score", "max_score", "color")
BLANK_BAND = {"name": "", "min_score": "", "max_score": "", "color": "#607d8b"}
SPARE_BANDS = 2
CELL_WIDTH, CELL_HEIGHT, AXIS = 76, 50, 34


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with the background colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def _grid(matrix: RiskMatrix) -> dict[str, Any]:
    """Cells of the likelihood × impact grid with their band, laid out for the SVG."""
    cells = []
    counts: dict[str, int] = {band.name: 0 for band in matrix.bands}
    for likelihood in range(matrix.likelihood_levels, 0, -1):
        row = matrix.likelihood_levels - likelihood
        for impact in range(1, matrix.impact_levels + 1):
            score = likelihood * impact
            band = next(
                (b for b in matrix.bands if b.min_score <= score <= b.max_score), matrix.bands[-1]
            )
            counts[band.name] = counts.get(band.name, 0) + 1
            short = band.name if len(band.name) <= 9 else band.name[:8] + "…"
            cells.append(
                {
                    "x": AXIS + (impact - 1) * CELL_WIDTH,
                    "y": row * CELL_HEIGHT,
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": score,
                    "band": band.name,
                    "short": short,
                    "fill": band.color,
                    "ink": _text_colour(band.color),
                }
            )
    width = AXIS + matrix.impact_levels * CELL_WIDTH
    height = matrix.likelihood_levels * CELL_HEIGHT + AXIS
    return {
        "cells": cells,
        "counts": counts,
        "width": width,
        "height": height,
        "cell_width": CELL_WIDTH,
        "cell_height": CELL_HEIGHT,
        "axis": AXIS,
        "rows": [
            (likelihood, (matrix.likelihood_levels - likelihood) * CELL_HEIGHT)
            for likelihood in range(matrix.likelihood_levels, 0, -1)
        ],
        "columns": [
            (impact, AXIS + (impact - 1) * CELL_WIDTH)
            for impact in range(1, matrix.impact_levels + 1)
        ],
    }


def _matrix_values(matrix: RiskMatrix) -> dict[str, Any]:
    return {
        "likelihood_levels": matrix.likelihood_levels,
        "impact_levels": matrix.impact_levels,
        "appetite_score": matrix.appetite_score,
        "bands": [band.model_dump() for band in matrix.bands],
    }


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
    shown = values or _matrix_values(matrix)
    bands = list(shown["bands"])
    bands += [dict(BLANK_BAND) for _ in range(SPARE_BANDS)]
    return render(
        request,
        "admin/risk_matrix.html",
        principal,
        status_code=status_code,
        matrix=matrix,
        grid=_grid(matrix),
        can_edit=is_root_admin(session, principal),
        values=shown,
        band_rows=bands,
        errors=errors or {},
        min_levels=MIN_LEVELS,
        max_levels=MAX_LEVELS,
        saved=bool(request.query_params.get("saved")),
    )


@router.get("/risk-matrix")
def risk_matrix(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The matrix as a coloured grid with its bands; the root administrator may edit it."""
    return _matrix_page(request, session, principal)


def _number(text: Any) -> Any:
    value = str(text or "").strip()
    return int(value) if value.lstrip("-").isdigit() else value


def _matrix_form(form: Any) -> tuple[dict[str, Any], list[int]]:
    """The submitted matrix, and for each kept band the row of the form it came from."""
    rows: dict[int, dict[str, Any]] = {}
    for key in form:
        parts = str(key).split(".")
        if (
            len(parts) == 3
            and parts[0] == "bands"
            and parts[1].isdigit()
            and parts[2] in BAND_FIELDS
        ):
            rows.setdefault(int(parts[1]), {})[parts[2]] = str(form.get(key) or "").strip()
    bands, origin = [], []
    for index in sorted(rows):
        row = rows[index]
        if not any(row.get(name) for name in ("name", "min_score", "max_score")):
            continue
        bands.append(
            {
                "name": row.get("name", ""),
                "min_score": _number(row.get("min_score")),
                "max_score": _number(row.get("max_score")),
                "color": row.get("color", ""),
            }
        )
        origin.append(index)
    values: dict[str, Any] = {
        name: _number(form.get(name))
        for name in ("likelihood_levels", "impact_levels", "appetite_score")
    }
    if values["appetite_score"] == "":
        del values["appetite_score"]
    values["bands"] = bands
    return values, origin


def _matrix_errors(exc: AegisError | ValidationError, origin: list[int]) -> dict[str, str]:
    """Errors keyed by the form's own field names (band rows numbered as on the form)."""
    raw: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "__all__"
            raw.setdefault(field, error["msg"].removeprefix("Value error, "))
    else:
        raw = field_errors(exc)
    errors: dict[str, str] = {}
    for field, message in raw.items():
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == "bands" and parts[1].isdigit():
            index = int(parts[1])
            parts[1] = str(origin[index] if index < len(origin) else index)
            if len(parts) == 2:
                parts.append("name")
        errors.setdefault(".".join(parts), message)
    if isinstance(exc, AegisError):
        errors.setdefault("__all__", exc.message)
    return errors


@router.post("/risk-matrix", dependencies=[CsrfChecked])
async def update_risk_matrix(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the matrix (administrator of the root unit only) or show why it was refused."""
    root = units.root_unit_id(session=session)
    principal.require_admin(root if root is not None else -1)
    values, origin = _matrix_form(await request.form())
    try:
        in_savepoint(
            session,
            lambda: risks.update_risk_matrix(
                session=session, principal=principal, data=RiskMatrix(**values)
            ),
        )
    except (ValidationError, ValidationFailed, Conflict) as exc:
        shown = {**values, "appetite_score": values.get("appetite_score", "")}
        shown["bands"] = _rows_as_on_form(values["bands"], origin)
        return _matrix_page(
            request,
            session,
            principal,
            values=shown,
            errors=_matrix_errors(exc, origin),
            status_code=refusal_status(exc),
        )
    return RedirectResponse("/admin/risk-matrix?saved=1", status_code=303)


def _rows_as_on_form(bands: list[dict[str, Any]], origin: list[int]) -> list[dict[str, Any]]:
    """The kept bands placed back at their form row numbers (blank rows in between)."""
    if not origin:
        return []
    rows: list[dict[str, Any]] = [dict(BLANK_BAND) for _ in range(max(origin) + 1)]
    for band, index in zip(bands, origin, strict=True):
        rows[index] = band
    return rows
