"""Control pages: list with filters and CSV, detail, create and edit with a requirement picker."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.controls import service
from aegis.domains.controls.schemas import ControlCreate, ControlRead, ControlUpdate
from aegis.domains.discussion.schemas import Subject
from aegis.domains.evidence import service as evidence
from aegis.domains.evidence.schemas import EvidenceQuery
from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.schemas import RequirementRead
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskQuery
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskQuery
from aegis.http.deps import SessionDep
from aegis.models.enums import ControlStatus
from aegis.web import discussion, lookups, pickers, placement
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import emptied, form_values
from aegis.web.list_pages import show_list
from aegis.web.list_specs import CONTROLS
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/controls")
LISTS = ("requirement_ids",)
INTS = ("unit_id", "owner_id")


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, choice_label(member.value)) for member in enum]


def _form_context(
    session: Session,
    principal: Principal,
    control: ControlRead | None,
    values: dict[str, Any],
    queries: dict[str, str],
) -> dict[str, Any]:
    requirements = pickers.picker(
        session,
        principal,
        name="requirement_ids",
        label="Requirements this control meets",
        chosen_ids=values.get("requirement_ids") or [],
        typed=queries,
        hidden=control.hidden_links.get("requirement_ids", 0) if control else 0,
    )
    owner = pickers.single(
        session,
        principal,
        name="owner_id",
        label="Owner",
        value=values.get("owner_id"),
        typed=queries,
        blank="No owner",
    )
    return {
        "units": lookups.writable_units(session, principal),
        "statuses": _choices(ControlStatus),
        "requirements": requirements,
        "owner": owner,
    }


def _form(
    request: Request,
    session: Session,
    principal: Principal,
    control: ControlRead | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    queries: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "controls/form.html",
        principal,
        status_code=status_code,
        control=control,
        values=values,
        errors=errors,
        **_form_context(session, principal, control, values, queries or {}),
    )


@router.get("")
def control_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The controls, filtered by the URL; `format=csv` or `format=xlsx` downloads every match."""

    def context(query: object, page: object) -> dict[str, Any]:
        frameworks = lookups.framework_options(session, principal)
        return {
            "people": dict(lookups.people(session, principal)),
            "options": {"framework_id": frameworks},
        }

    return show_list(request, session, principal, CONTROLS, context)


@router.get("/new")
def new_control(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new control."""
    principal.require_any_write()
    values: dict[str, Any] = {
        "status": ControlStatus.PLANNED.value,
        "requirement_ids": [],
        "unit_id": placement.own_unit(session, principal),
    }
    return _form(request, session, principal, None, values, {})


@router.post("/new", dependencies=[CsrfChecked])
async def create_control(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Create a control from the form, or show the form again with the errors."""
    principal.require_any_write()
    form = await request.form()
    values = form_values(form, lists=LISTS, ints=INTS)
    if pickers.searching(form):
        queries = pickers.queries(form)
        return _form(request, session, principal, None, values, {}, queries=queries)
    try:
        control = save(
            session,
            lambda: service.create_control(
                session=session, principal=principal, data=ControlCreate(**values)
            ),
        )
    except Refused as refused:
        return _form(request, session, principal, None, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/controls/{control.id}", "The control was created.")


@router.get("/{control_id}")
def control_detail(
    control_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A control with its requirements by framework, evidence, risks, tasks and comments."""
    control = service.get_control(session=session, principal=principal, control_id=control_id)
    requirements = frameworks.get_requirements(
        session=session, principal=principal, requirement_ids=control.requirement_ids
    )
    names = dict(lookups.framework_options(session, principal))
    grouped: dict[int, list[RequirementRead]] = defaultdict(list)
    for requirement in sorted(requirements.values(), key=lambda r: r.position):
        grouped[requirement.framework_id].append(requirement)
    by_framework = sorted(
        ((fid, names.get(fid, f"Framework {fid}"), items) for fid, items in grouped.items()),
        key=lambda group: group[1].lower(),
    )
    attached = evidence.list_evidence(
        session=session,
        principal=principal,
        query=EvidenceQuery(control_id=control_id, limit=MAX_LIMIT),
    )
    mitigated = risks.list_risks(
        session=session,
        principal=principal,
        query=RiskQuery(control_id=control_id, limit=MAX_LIMIT, sort="-inherent_score"),
    )
    related = tasks.list_tasks(
        session=session,
        principal=principal,
        query=TaskQuery(control_id=control_id, limit=MAX_LIMIT),
    )
    return render(
        request,
        "controls/detail.html",
        principal,
        control=control,
        by_framework=by_framework,
        evidence=attached,
        risks=mitigated,
        tasks=related.items,
        people=dict(lookups.people(session, principal)),
        units=lookups.unit_names(session, principal),
        can_edit=control.unit_id in principal.writable,
        thread=discussion.thread(
            request, session, principal, Subject.control(control_id), control.unit_id
        ),
        upload=discussion.evidence_upload(request, control_id),
    )


@router.get("/{control_id}/edit")
def edit_control(
    control_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change a control."""
    control = service.get_control(session=session, principal=principal, control_id=control_id)
    principal.require_write(control.unit_id)
    return _form(request, session, principal, control, control.model_dump(mode="json"), {})


@router.post("/{control_id}/edit", dependencies=[CsrfChecked])
async def update_control(
    control_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed control, or show the form again with the errors."""
    control = service.get_control(session=session, principal=principal, control_id=control_id)
    principal.require_write(control.unit_id)
    sent = await request.form()
    form = form_values(sent, lists=LISTS, ints=INTS)
    values = {**{name: None for name in ("owner_id", "description") if name not in form}, **form}
    values.update(emptied(sent, form, ("ref",)))
    if pickers.searching(sent):
        queries = pickers.queries(sent)
        return _form(request, session, principal, control, values, {}, queries=queries)
    try:
        save(
            session,
            lambda: service.update_control(
                session=session,
                principal=principal,
                control_id=control_id,
                data=ControlUpdate(**values),
            ),
            values=values,
        )
    except Refused as refused:
        return _form(request, session, principal, control, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/controls/{control_id}", "The control was saved.")


@router.post("/{control_id}/delete", dependencies=[CsrfChecked])
def delete_control(control_id: Id, session: SessionDep, principal: WebPrincipal) -> Response:
    """Delete a control (the page asks for confirmation first)."""
    service.delete_control(session=session, principal=principal, control_id=control_id)
    return RedirectResponse("/controls", status_code=303)
