"""Risk register pages: list with filters and CSV, detail, create, edit, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from aegis.core.errors import ValidationFailed
from aegis.domains.discussion import attachments as risk_files
from aegis.domains.discussion.schemas import Subject
from aegis.domains.risks import service
from aegis.domains.risks.schemas import RiskCreate, RiskHistoryQuery, RiskQuery, RiskUpdate
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskQuery
from aegis.http.deps import BlobStoreDep, SessionDep
from aegis.models.enums import RiskCategory, RiskStatus, Treatment
from aegis.web import discussion, lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.filters import chips, risk_wording
from aegis.web.forms import field_errors, form_values
from aegis.web.lists import all_rows, csv_export, list_query
from aegis.web.templating import render

router = APIRouter(prefix="/risks")
CSV_COLUMNS = (
    "id",
    "unit_id",
    "title",
    "category",
    "status",
    "owner_id",
    "inherent_likelihood",
    "inherent_impact",
    "inherent_score",
    "inherent_level",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "residual_level",
    "treatment",
    "treatment_due_date",
    "next_review_date",
    "asset_ids",
    "control_ids",
)
LISTS = ("asset_ids", "control_ids")
INTS = (
    "unit_id",
    "owner_id",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "acceptance_approver_id",
)


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


def _form_context(session: SessionDep, principal: WebPrincipal) -> dict[str, Any]:
    return {
        "units": lookups.writable_units(session, principal),
        "people": lookups.people(session, principal),
        "asset_choices": lookups.asset_options(session, principal),
        "control_choices": lookups.control_options(session, principal),
        "categories": _choices(RiskCategory),
        "statuses": _choices(RiskStatus),
        "treatments": _choices(Treatment),
        "ratings": [
            (n, str(n))
            for n in range(1, service.get_risk_matrix(session=session).likelihood_levels + 1)
        ],
    }


@router.get("")
def risk_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The register, filtered by the URL; `format=csv` downloads every matching row."""
    query = list_query(request, RiskQuery, sort="-inherent_score")
    if request.query_params.get("format") == "csv":
        rows = all_rows(
            lambda q: service.list_risks(session=session, principal=principal, query=q), query
        )
        return csv_export("risks.csv", CSV_COLUMNS, rows)
    page = service.list_risks(session=session, principal=principal, query=query)
    matrix = service.get_risk_matrix(session=session)
    units = lookups.unit_names(session, principal)
    people = dict(lookups.people(session, principal))
    return render(
        request,
        "risks/list.html",
        principal,
        page=page,
        query=query,
        units=units,
        people=people,
        categories=_choices(RiskCategory),
        statuses=_choices(RiskStatus),
        levels=[band.name for band in matrix.bands],
        appetite=matrix.appetite_score,
        chips=chips(request, query, risk_wording(units, people, matrix.appetite_score)),
    )


@router.get("/new")
def new_risk(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new risk."""
    principal.require_any_write()
    values = {"inherent_likelihood": 3, "inherent_impact": 3, "status": "identified"}
    return render(
        request,
        "risks/form.html",
        principal,
        risk=None,
        values=values,
        errors={},
        **_form_context(session, principal),
    )


@router.post("/new", dependencies=[CsrfChecked])
async def create_risk(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create a risk from the form, or show the form again with the errors."""
    principal.require_any_write()
    values = form_values(await request.form(), lists=LISTS, ints=INTS)
    try:
        risk = service.create_risk(session=session, principal=principal, data=RiskCreate(**values))
    except (ValidationError, ValidationFailed) as exc:
        return render(
            request,
            "risks/form.html",
            principal,
            status_code=422,
            risk=None,
            values=values,
            errors=field_errors(exc),
            **_form_context(session, principal),
        )
    return RedirectResponse(f"/risks/{risk.id}", status_code=303)


@router.get("/{risk_id}")
def risk_detail(
    risk_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A risk with its assets, controls, tasks, score history, comments and attached files."""
    risk = service.get_risk(session=session, principal=principal, risk_id=risk_id)
    history = service.get_risk_history(
        session=session,
        principal=principal,
        risk_id=risk_id,
        query=RiskHistoryQuery(limit=200, sort="-changed_at"),
    )
    related = tasks.list_tasks(
        session=session, principal=principal, query=TaskQuery(risk_id=risk_id, limit=200)
    )
    assets = dict(lookups.asset_options(session, principal))
    controls = dict(lookups.control_options(session, principal))
    people = dict(lookups.people(session, principal))
    return render(
        request,
        "risks/detail.html",
        principal,
        risk=risk,
        history=history.items,
        tasks=related.items,
        assets=assets,
        controls=controls,
        people=people,
        units=lookups.unit_names(session, principal),
        can_edit=risk.unit_id in principal.writable,
        thread=discussion.thread(request, session, principal, Subject.risk(risk_id), risk.unit_id),
        files=discussion.files(request, session, principal, risk_id, risk.unit_id),
    )


@router.get("/{risk_id}/edit")
def edit_risk(
    risk_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change a risk."""
    risk = service.get_risk(session=session, principal=principal, risk_id=risk_id)
    principal.require_write(risk.unit_id)
    values = risk.model_dump(mode="json")
    return render(
        request,
        "risks/form.html",
        principal,
        risk=risk,
        values=values,
        errors={},
        **_form_context(session, principal),
    )


@router.post("/{risk_id}/edit", dependencies=[CsrfChecked])
async def update_risk(
    risk_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed risk, or show the form again with the errors."""
    risk = service.get_risk(session=session, principal=principal, risk_id=risk_id)
    form = form_values(await request.form(), lists=LISTS, ints=INTS)
    blanks = {
        name: None
        for name in (
            "residual_likelihood",
            "residual_impact",
            "treatment",
            "treatment_due_date",
            "acceptance_approver_id",
            "acceptance_expires_on",
            "next_review_date",
            "owner_id",
        )
        if name not in form
    }
    values = {**blanks, **form}
    try:
        service.update_risk(
            session=session, principal=principal, risk_id=risk_id, data=RiskUpdate(**values)
        )
    except (ValidationError, ValidationFailed) as exc:
        return render(
            request,
            "risks/form.html",
            principal,
            status_code=422,
            risk=risk,
            values=values,
            errors=field_errors(exc),
            **_form_context(session, principal),
        )
    return RedirectResponse(f"/risks/{risk_id}", status_code=303)


@router.post("/{risk_id}/delete", dependencies=[CsrfChecked])
def delete_risk(
    risk_id: int, session: SessionDep, principal: WebPrincipal, store: BlobStoreDep
) -> Response:
    """Delete a risk with its comments and files (the page asks for confirmation first)."""
    risk_files.delete_all_attachments(
        session=session, principal=principal, store=store, risk_id=risk_id
    )
    service.delete_risk(session=session, principal=principal, risk_id=risk_id)
    return RedirectResponse("/risks", status_code=303)
