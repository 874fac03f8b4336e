"""The dashboard: posture at a glance, scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from aegis.core.db import utcnow
from aegis.domains.common.bounds import Id
from aegis.domains.dashboard import service
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.charts import heatmap_svg
from aegis.web.deps import WebPrincipal
from aegis.web.list_specs import EVIDENCE, RISKS, TASKS
from aegis.web.listing import ListSpec
from aegis.web.objects import object_page
from aegis.web.templating import render

router = APIRouter()

Href = Callable[..., str]


def list_link(spec: ListSpec, unit_id: int | None) -> Href:
    """Links to a declared list filtered like a figure, within the dashboard's unit when chosen."""

    def href(**filters: str | int) -> str:
        return spec.href(**filters, within_unit_id=unit_id)

    return href


@router.get("/")
def dashboard(
    request: Request, session: SessionDep, principal: WebPrincipal, unit_id: Id | None = None
) -> Response:
    """KPIs, the inherent and current rating heatmaps, top risks, my tasks, recent activity."""
    summary = service.summary(
        session=session, principal=principal, today=utcnow().date(), unit_id=unit_id
    )
    posture = summary.risks
    risks = list_link(RISKS, unit_id)
    return render(
        request,
        "dashboard/index.html",
        principal,
        summary=summary,
        units=lookups.unit_names(session, principal),
        risks_href=risks,
        tasks_href=list_link(TASKS, unit_id),
        evidence_href=list_link(EVIDENCE, unit_id),
        activity_links={
            event.id: object_page(
                principal, event.entity_type, event.entity_id, event.action, event.unit_id
            )
            for event in summary.recent_activity
        },
        inherent_svg=heatmap_svg(
            posture.inherent_heatmap,
            title="Inherent rating heatmap",
            key="inherent",
            link=lambda lk, im: risks(open="true", inherent_likelihood=lk, inherent_impact=im),
        ),
        current_svg=heatmap_svg(
            posture.residual_heatmap,
            title="Current rating heatmap (residual once assessed)",
            key="current",
            link=lambda lk, im: risks(open="true", current_likelihood=lk, current_impact=im),
        ),
    )
