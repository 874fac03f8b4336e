"""Requirement forms: adding a requirement to a framework and changing one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.common.bounds import Id
from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import (
    FrameworkRead,
    RequirementCreate,
    RequirementRead,
    RequirementUpdate,
)
from aegis.http.deps import SessionDep
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.routes.framework_requirements import requirement_url, whole_number
from aegis.web.routes.frameworks import requirement_of
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/frameworks")


def _requirement_form(
    request: Request,
    principal: Principal,
    framework: FrameworkRead,
    requirement: RequirementRead | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "frameworks/requirement_form.html",
        principal,
        status_code=status_code,
        framework=framework,
        requirement=requirement,
        values=values,
        errors=errors,
    )


def _writable_framework(session: Session, principal: Principal, framework_id: int) -> FrameworkRead:
    framework = service.get_framework(
        session=session, principal=principal, framework_id=framework_id
    )
    principal.require_write(framework.unit_id)
    return framework


def _parent_id(
    session: Session, principal: Principal, framework_id: int, values: dict[str, Any]
) -> int | None:
    """The id of the parent named by its identifier in the form; refused if there is none."""
    ref = str(values.get("parent") or "").strip()
    if not ref:
        return None
    ids = service.requirement_ids(session=session, principal=principal, framework_id=framework_id)
    found = ids.get(ref) or next(
        (i for r, i in ids.items() if r.casefold() == ref.casefold()), None
    )
    if found is None:
        raise Refused({"parent": f"This framework has no requirement '{ref}'"}, 422)
    return found


def _submitted(form: Any) -> dict[str, Any]:
    values = form_values(form)
    values["assessable"] = "assessable" in values
    return values


@router.get("/{framework_id}/requirements/new")
def new_requirement(
    framework_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to add a requirement (?parent_id= places it below another one)."""
    framework = _writable_framework(session, principal, framework_id)
    values: dict[str, Any] = {"assessable": True}
    parent_id = whole_number(request.query_params.get("parent_id"))
    if parent_id is not None:
        values["parent"] = requirement_of(session, principal, framework_id, parent_id).ref_id
    return _requirement_form(request, principal, framework, None, values, {})


@router.post("/{framework_id}/requirements/new", dependencies=[CsrfChecked])
async def create_requirement(
    framework_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Add the requirement, or show the form again with the errors."""
    framework = _writable_framework(session, principal, framework_id)
    values = _submitted(await request.form())
    try:
        parent_id = _parent_id(session, principal, framework_id, values)
        fields = {name: values.get(name) for name in ("ref_id", "title", "assessable")}
        fields["text"] = values.get("text") or ""
        created = save(
            session,
            lambda: service.create_requirement(
                session=session,
                principal=principal,
                framework_id=framework_id,
                data=RequirementCreate(**fields, parent_id=parent_id),
            ),
            unit_field=None,
        )
    except Refused as refused:
        errors = {("parent" if k == "parent_id" else k): v for k, v in refused.errors.items()}
        return _requirement_form(
            request, principal, framework, None, values, errors, refused.status
        )
    url = requirement_url(framework_id, created.id)
    return redirect_with_message(request, url, "The requirement was added.")


@router.get("/{framework_id}/requirements/{requirement_id}/edit")
def edit_requirement(
    framework_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """The form to change a requirement."""
    framework = _writable_framework(session, principal, framework_id)
    requirement = requirement_of(session, principal, framework_id, requirement_id)
    values: dict[str, Any] = requirement.model_dump()
    if requirement.parent_id is not None:
        values["parent"] = service.get_requirement(
            session=session, principal=principal, requirement_id=requirement.parent_id
        ).ref_id
    return _requirement_form(request, principal, framework, requirement, values, {})


@router.post("/{framework_id}/requirements/{requirement_id}/edit", dependencies=[CsrfChecked])
async def update_requirement(
    framework_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Save the requirement, or show the form again with the errors."""
    framework = _writable_framework(session, principal, framework_id)
    requirement = requirement_of(session, principal, framework_id, requirement_id)
    values = _submitted(await request.form())
    try:
        parent_id = _parent_id(session, principal, framework_id, values)
        fields = {name: values.get(name) for name in ("ref_id", "title", "assessable")}
        fields["text"] = values.get("text") or ""
        save(
            session,
            lambda: service.update_requirement(
                session=session,
                principal=principal,
                requirement_id=requirement_id,
                data=RequirementUpdate(**fields, parent_id=parent_id),
            ),
            unit_field=None,
        )
    except Refused as refused:
        errors = {("parent" if k == "parent_id" else k): v for k, v in refused.errors.items()}
        return _requirement_form(
            request, principal, framework, requirement, values, errors, refused.status
        )
    url = requirement_url(framework_id, requirement_id)
    return redirect_with_message(request, url, "The requirement was saved.")
