"""Administration: the rules that require multi-factor sign-in per unit and role."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal, Role
from aegis.core.messages import choice_label
from aegis.domains.auth import mfa_policy
from aegis.domains.auth.mfa_schemas import MfaRequirementCreate
from aegis.domains.common.bounds import Id
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/admin/mfa")

ROLE_CHOICES = [("any", "Every role"), *((r.value, choice_label(r.value)) for r in Role)]


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    principal.require_admin()
    return render(
        request,
        "admin/mfa.html",
        principal,
        status_code=status,
        rules=mfa_policy.list_requirements(session=session, principal=principal),
        unit_names=lookups.unit_names(session, principal),
        units=lookups.administered_units(session, principal),
        administered=principal.administrable,
        roles=ROLE_CHOICES,
        role_names=dict(ROLE_CHOICES),
        values=values or {"role": "admin"},
        errors=errors or {},
    )


@router.get("")
def requirements(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The rules requiring MFA on the units the administrator sees, and the form to add one."""
    return _page(request, session, principal)


@router.post("", dependencies=[CsrfChecked])
async def add_requirement(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Require MFA of a role on a unit (and the units below it)."""
    principal.require_admin()
    values = form_values(await request.form(), ints=("unit_id",))
    data = {key: values[key] for key in ("unit_id", "role") if values.get(key) not in (None, "")}
    try:
        save(
            session,
            lambda: mfa_policy.add_requirement(
                session=session, principal=principal, data=MfaRequirementCreate(**data)
            ),
        )
    except Refused as refused:
        return _page(
            request, session, principal, values=values, errors=refused.errors, status=refused.status
        )
    return redirect_with_message(
        request, "/admin/mfa", "The rule was added: those users set up MFA at their next sign-in."
    )


@router.post("/{requirement_id}/delete", dependencies=[CsrfChecked])
def remove_requirement(
    requirement_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Drop a rule of a unit the administrator administers."""
    try:
        save(
            session,
            lambda: mfa_policy.remove_requirement(
                session=session, principal=principal, requirement_id=requirement_id
            ),
            unit_field=None,
        )
    except Refused as refused:
        return _page(request, session, principal, errors=refused.errors, status=refused.status)
    return redirect_with_message(request, "/admin/mfa", "The rule was removed.")
