"""The dashboard: posture at a glance, scoped to what the user may see."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import Response

from aegis.domains.dashboard import service
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.charts import heatmap_svg
from aegis.web.deps import WebPrincipal
from aegis.web.templating import render

router = APIRouter()


@router.get("/")
def dashboard(
    request: Request, session: SessionDep, principal: WebPrincipal, unit_id: int | None = None
) -> Response:
    """KPIs, the inherent and residual heatmaps, top risks, my tasks and recent activity."""
    summary = service.summary(
        session=session, principal=principal, today=date.today(), unit_id=unit_id
    )
    posture = summary.risks
    return render(
        request,
        "dashboard/index.html",
        principal,
        summary=summary,
        units=lookups.unit_names(session, principal),
        inherent_svg=heatmap_svg(
            posture.inherent_heatmap, title="Inherent risk heatmap", link_prefix="inherent"
        ),
        current_svg=heatmap_svg(
            posture.residual_heatmap, title="Residual risk heatmap", link_prefix="current"
        ),
    )
