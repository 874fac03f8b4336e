"""Risk register pages: list with filters and CSV, detail, create, edit, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.common.bounds import Id
from aegis.domains.discussion import attachments as risk_files
from aegis.domains.discussion.schemas import Subject
from aegis.domains.risks import acceptance, service
from aegis.domains.risks.schemas import (
    RiskCreate,
    RiskHistoryQuery,
    RiskQuery,
    RiskRead,
    RiskUpdate,
)
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskQuery
from aegis.http.deps import BlobStoreDep, SessionDep
from aegis.models.enums import RiskCategory, RiskStatus, Treatment
from aegis.web import discussion, lookups, pickers, placement
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.filters import chips, risk_wording
from aegis.web.flash import redirect_with_message
from aegis.web.forms import emptied, form_values
from aegis.web.list_pages import by_name, show_list
from aegis.web.list_specs import RISKS
from aegis.web.risk_scales import level_names, rating_fields
from aegis.web.routes import risk_acceptance
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/risks")
LISTS = ("asset_ids", "control_ids")
FROM_URL = {"asset_id": "asset_ids", "control_id": "control_ids"}
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
    return [(member.value, choice_label(member.value)) for member in enum]


def _pickers(
    session: SessionDep,
    principal: Principal,
    risk: RiskRead | None,
    values: dict[str, Any],
    queries: dict[str, str],
) -> dict[str, pickers.Picker]:
    """The pickers of the owner, the affected assets and the mitigating controls."""
    names = lookups.unit_names(session, principal)
    people = {"owner_id": ("Owner", "No owner")}
    links = {"asset_ids": "Affected assets", "control_ids": "Mitigating controls"}
    found = {
        name: pickers.single(
            session,
            principal,
            name=name,
            label=label,
            value=values.get(name),
            typed=queries,
            blank=blank,
            names=names,
        )
        for name, (label, blank) in people.items()
    }
    for name, label in links.items():
        found[name] = pickers.picker(
            session,
            principal,
            name=name,
            label=label,
            chosen_ids=values.get(name) or [],
            typed=queries,
            hidden=risk.hidden_links.get(name, 0) if risk else 0,
            names=names,
        )
    return found


def _form_context(session: SessionDep, principal: WebPrincipal) -> dict[str, Any]:
    return {
        "units": lookups.writable_units(session, principal),
        "categories": _choices(RiskCategory),
        "treatments": _choices(Treatment),
    }


def _statuses(risk: RiskRead | None, chosen: Any) -> list[tuple[str, str]]:
    """The statuses a new risk may start in; for a saved one its status and those allowed next."""
    if risk is None:
        return _choices([s for s in RiskStatus if s not in acceptance.SET_BY_AEGIS])
    offered = [risk.status, *service.allowed_next_statuses(risk.status)]
    # a refused choice stays selected next to its message
    refused = [status for status in RiskStatus if status == chosen and status not in offered]
    return _choices([*offered, *refused])


def _form_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    risk: RiskRead | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    warnings: list[str] | None = None,
    queries: dict[str, str] | None = None,
) -> Response:
    """The form for a new risk (`risk` None) or a saved one, with the values and errors."""
    return render(
        request,
        "risks/form.html",
        principal,
        status_code=status_code,
        risk=risk,
        values=values,
        errors=errors or {},
        statuses=_statuses(risk, values.get("status")),
        rating=rating_fields(service.get_risk_matrix(session=session), values),
        pickers=_pickers(session, principal, risk, values, queries or {}),
        warnings=warnings or [],
        **_form_context(session, principal),
    )


@router.get("")
def risk_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The register, filtered by the URL; `format=csv` or `format=xlsx` downloads every match."""

    def context(query: RiskQuery, _page: object) -> dict[str, Any]:
        matrix = service.get_risk_matrix(session=session)
        units = lookups.unit_names(session, principal)
        people = dict(lookups.people(session, principal))
        levels = [(band.name, band.name) for band in matrix.bands]
        return {
            "units": units,
            "people": people,
            "options": {
                "owner_id": people.items(),
                "unit_id": by_name(units),
                **dict.fromkeys(("inherent_level", "residual_level", "current_level"), levels),
            },
            "labels": {"above_appetite": f"Above appetite (score > {matrix.appetite_score})"},
            "chips": chips(request, query, risk_wording(units, people, matrix.appetite_score)),
        }

    return show_list(request, session, principal, RISKS, context)


@router.get("/new")
def new_risk(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new risk; ?asset_id= or ?control_id= links it and chooses that unit."""
    principal.require_any_write()
    values: dict[str, Any] = {
        "inherent_likelihood": 3,
        "inherent_impact": 3,
        "status": "identified",
    }
    values.update(placement.from_url(request.query_params, FROM_URL))
    values["unit_id"] = placement.default_unit(session, principal, values)
    warnings = placement.warnings(session, principal, noun="risk", values=values)
    return _form_page(request, session, principal, None, values, warnings=warnings)


@router.post("/new", dependencies=[CsrfChecked])
async def create_risk(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create a risk from the form, or show the form again with the errors."""
    principal.require_any_write()
    form = await request.form()
    values = form_values(form, lists=LISTS, ints=INTS)
    if pickers.searching(form):
        return _form_page(request, session, principal, None, values, queries=pickers.queries(form))
    unseen = placement.unconfirmed(session, principal, form, noun="risk", values=values)
    if unseen:
        ask = placement.ASK
        return _form_page(request, session, principal, None, values, ask, 409, unseen)
    try:
        risk = save(
            session,
            lambda: service.create_risk(
                session=session, principal=principal, data=RiskCreate(**values)
            ),
        )
    except Refused as refused:
        return _form_page(request, session, principal, None, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/risks/{risk.id}", "The risk was created.")


@router.get("/{risk_id}")
def risk_detail(
    risk_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
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
        level_names=level_names(service.get_risk_matrix(session=session)),
        history=history.items,
        tasks=related.items,
        assets=assets,
        controls=controls,
        people=people,
        units=lookups.unit_names(session, principal),
        can_edit=risk.unit_id in principal.writable,
        acceptance=risk_acceptance.summary(request, session, principal, risk),
        thread=discussion.thread(request, session, principal, Subject.risk(risk_id), risk.unit_id),
        files=discussion.files(request, session, principal, risk_id, risk.unit_id),
    )


@router.get("/{risk_id}/edit")
def edit_risk(
    risk_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change a risk."""
    risk = service.get_risk(session=session, principal=principal, risk_id=risk_id)
    principal.require_write(risk.unit_id)
    return _form_page(request, session, principal, risk, risk.model_dump(mode="json"))


@router.post("/{risk_id}/edit", dependencies=[CsrfChecked])
async def update_risk(
    risk_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed risk, or show the form again with the errors."""
    risk = service.get_risk(session=session, principal=principal, risk_id=risk_id)
    principal.require_write(risk.unit_id)
    sent = await request.form()
    form = form_values(sent, lists=LISTS, ints=INTS)
    blanks = {
        name: None
        for name in (
            "residual_likelihood",
            "residual_impact",
            "treatment",
            "treatment_due_date",
            "next_review_date",
            "owner_id",
        )
        if name not in form
    }
    values = {**blanks, **form, **emptied(sent, form, ("ref",))}
    if pickers.searching(sent):
        return _form_page(request, session, principal, risk, values, queries=pickers.queries(sent))
    before = risk.model_dump()
    unseen = placement.unconfirmed(
        session, principal, sent, noun="risk", values=values, before=before
    )
    if unseen:
        return _form_page(request, session, principal, risk, values, placement.ASK, 409, unseen)
    try:
        save(
            session,
            lambda: service.update_risk(
                session=session, principal=principal, risk_id=risk_id, data=RiskUpdate(**values)
            ),
            values=values,
        )
    except Refused as refused:
        return _form_page(request, session, principal, risk, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/risks/{risk_id}", "The risk was saved.")


@router.post("/{risk_id}/delete", dependencies=[CsrfChecked])
def delete_risk(
    risk_id: Id, session: SessionDep, principal: WebPrincipal, store: BlobStoreDep
) -> Response:
    """Delete a risk with its comments and files (the page asks for confirmation first)."""
    risk_files.delete_all_attachments(
        session=session, principal=principal, store=store, risk_id=risk_id
    )
    service.delete_risk(session=session, principal=principal, risk_id=risk_id)
    return RedirectResponse("/risks", status_code=303)
