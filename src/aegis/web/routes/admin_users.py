"""Administration pages for users and their role assignments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal, Role
from aegis.core.errors import NotFound, ValidationFailed
from aegis.core.messages import choice_label
from aegis.domains.auth import mfa
from aegis.domains.common.bounds import Id
from aegis.domains.users import service as users
from aegis.domains.users.schemas import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    RoleAssignmentCreate,
    RoleAssignmentQuery,
    UserCreate,
    UserQuery,
    UserUpdate,
)
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.forms import form_values
from aegis.web.lists import all_rows, list_query
from aegis.web.saving import Refused, save
from aegis.web.sheets import send, wanted_format
from aegis.web.templating import render
from aegis.web.user_lists import role_texts, user_cells

router = APIRouter(prefix="/admin")

ROLES = [(role.value, choice_label(role.value)) for role in Role]
ACTIVE_CHOICES = [("true", "Active"), ("false", "Disabled")]
FIELDLESS = ("status", "revoke", "unlock", "mfa")


def _checked(form: Any, name: str) -> bool:
    """A checkbox: present when ticked, absent otherwise."""
    return form.get(name) is not None


@router.get("/users")
def user_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Users with a role on the administered units; `format=csv` or `xlsx` downloads them."""
    principal.require_admin()
    revoked = request.query_params.get("revoked") == "1"
    if revoked:  # asks for the notice after revoking a user's last role; not a filter
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "revoked"]
        request = Request({**request.scope, "query_string": urlencode(params).encode()})
    query = list_query(request, UserQuery, sort="name")
    kind = wanted_format(request)
    if kind:
        rows = all_rows(
            lambda q: users.list_administered_users(session=session, principal=principal, query=q),
            query,
        )
        cells = user_cells(session, principal, rows)
        return send(cells, kind, "users", "Users")
    page = users.list_administered_users(session=session, principal=principal, query=query)
    return render(
        request,
        "admin/users.html",
        principal,
        page=page,
        query=query,
        units=lookups.administered_units(session, principal),
        active_choices=ACTIVE_CHOICES,
        revoked=revoked,
        roles=role_texts(session, principal, page.items),
    )


def _user_form(
    request: Request,
    session: Session,
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/user_form.html",
        principal,
        status_code=status_code,
        values=values,
        errors=errors,
        roles=ROLES,
        units=lookups.administered_units(session, principal),
        min_password=MIN_PASSWORD_LENGTH,
        max_password=MAX_PASSWORD_LENGTH,
    )


@router.get("/users/new")
def new_user(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new user and their first role."""
    principal.require_admin()
    values = {"role": Role.ANALYST.value, "include_children": True}
    return _user_form(request, session, principal, values, {})


@router.post("/users/new", dependencies=[CsrfChecked])
async def create_user(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create the user, or show the form again with the errors (nothing saved)."""
    principal.require_admin()
    form = await request.form()
    values = form_values(form, ints=("unit_id",))
    values["include_children"] = _checked(form, "include_children")
    password = str(form.get("password") or "")  # kept exactly as typed
    data = {key: values[key] for key in ("email", "name", "role", "unit_id") if key in values}

    def create() -> Any:
        if password != str(form.get("confirm_password") or ""):
            raise ValidationFailed("The two passwords differ", field="confirm_password")
        return users.create_user(
            session=session,
            principal=principal,
            data=UserCreate(**data, password=password, include_children=values["include_children"]),
        )

    try:
        user = save(session, create)
    except Refused as refused:
        shown = {k: v for k, v in values.items() if k not in ("password", "confirm_password")}
        return _user_form(request, session, principal, shown, refused.errors, refused.status)
    return RedirectResponse(f"/admin/users/{user.id}?created=1", status_code=303)


def _user_page(
    request: Request,
    session: Session,
    principal: Principal,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    user = users.get_administered_user(session=session, principal=principal, user_id=user_id)
    manages_all = users.administers_all_roles_of(
        session=session, principal=principal, user_id=user_id
    )
    assignments = users.list_assignments(
        session=session,
        principal=principal,
        query=RoleAssignmentQuery(user_id=user_id, limit=200, sort="role"),
    )
    return render(
        request,
        "admin/user.html",
        principal,
        status_code=status_code,
        user=user,
        assignments=assignments.items,
        manages_all=manages_all,
        mfa=mfa.user_status(session=session, principal=principal, user_id=user_id)
        if manages_all
        else None,
        is_self=user.id == principal.user_id,
        unit_names=lookups.unit_names(session, principal),
        units=lookups.administered_units(session, principal),
        roles=ROLES,
        errors=errors or {},
        failed=failed,
        values=values or {"include_children": True, "name": user.name, "role": Role.ANALYST.value},
        notice=_notice(request),
        min_password=MIN_PASSWORD_LENGTH,
        max_password=MAX_PASSWORD_LENGTH,
        locked_until=users.sign_in_locked_until(
            session=session, principal=principal, user_id=user_id
        ),
    )


NOTICES = {
    "created": "The user was created. They sign in with your password, then choose their own.",
    "granted": "The role was granted.",
    "revoked": "The role was revoked.",
    "disabled": "The user was disabled and signed out everywhere.",
    "enabled": "The user was enabled.",
    "password": "The password was set; the user's sessions have ended.",  # nosec B105 # a notice
    "renamed": "The name was saved.",
    "unlocked": "Sign-in was unlocked: the user can sign in again.",
    "mfa_reset": "Multi-factor sign-in was reset: the user sets it up again when required.",
}


def _notice(request: Request) -> str | None:
    for key, message in NOTICES.items():
        if request.query_params.get(key):
            return message
    return None


@router.get("/users/{user_id}")
def user_detail(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A user with their roles and the forms that change them."""
    return _user_page(request, session, principal, user_id)


def _user_change(
    request: Request,
    session: Session,
    principal: Principal,
    user_id: int,
    section: str,
    change: Callable[[], Any],
    done: str,
    values: dict[str, Any] | None = None,
) -> Response:
    """Apply one change of the user page; show the page again with errors if it is refused."""
    users.get_administered_user(session=session, principal=principal, user_id=user_id)
    try:
        save(session, change, unit_field="unit_id" if section == "grant" else None)
    except Refused as refused:
        errors = refused.errors
        if section in FIELDLESS:  # forms without fields: one message for the section
            errors = {section: " ".join(dict.fromkeys(errors.values()))}
        elif "__all__" in errors:
            errors[section] = errors.pop("__all__")
        return _user_page(
            request,
            session,
            principal,
            user_id,
            errors=errors,
            failed=section,
            status_code=refused.status,
            values=values,
        )
    return RedirectResponse(f"/admin/users/{user_id}?{done}=1", status_code=303)


@router.post("/users/{user_id}/name", dependencies=[CsrfChecked])
async def rename_user(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Change the user's display name."""
    values = form_values(await request.form())
    return _user_change(
        request,
        session,
        principal,
        user_id,
        "profile",
        lambda: users.update_user(
            session=session,
            principal=principal,
            user_id=user_id,
            data=UserUpdate(name=values.get("name", "")),
        ),
        "renamed",
        values={"include_children": True, **values},
    )


@router.post("/users/{user_id}/roles", dependencies=[CsrfChecked])
async def grant_role(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Grant the user a role on a unit."""
    form = await request.form()
    values = form_values(form, ints=("unit_id",))
    values["include_children"] = _checked(form, "include_children")
    return _user_change(
        request,
        session,
        principal,
        user_id,
        "grant",
        lambda: users.grant_role(
            session=session,
            principal=principal,
            data=RoleAssignmentCreate(
                **{k: values[k] for k in ("role", "unit_id") if k in values},
                user_id=user_id,
                include_children=values["include_children"],
            ),
        ),
        "granted",
        values=values,
    )


@router.post("/users/{user_id}/roles/{assignment_id}/revoke", dependencies=[CsrfChecked])
def revoke_role(
    user_id: Id,
    assignment_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Revoke one of the user's roles (the page asks for confirmation first)."""
    users.get_administered_user(session=session, principal=principal, user_id=user_id)
    mine = users.list_assignments(
        session=session,
        principal=principal,
        query=RoleAssignmentQuery(user_id=user_id, limit=200),
    )
    if assignment_id not in {a.id for a in mine.items}:
        raise NotFound("Role assignment not found")
    response = _user_change(
        request,
        session,
        principal,
        user_id,
        "revoke",
        lambda: users.revoke_role(
            session=session, principal=principal, assignment_id=assignment_id
        ),
        "revoked",
    )
    return _after_revoke(session, principal, user_id, response)


def _after_revoke(
    session: Session, principal: Principal, user_id: int, response: Response
) -> Response:
    """Back to the user, or to the list when their last role in the caller's units is gone."""
    if response.status_code != 303:
        return response
    remaining = users.list_assignments(
        session=session,
        principal=principal,
        query=RoleAssignmentQuery(user_id=user_id, limit=1),
    )
    if remaining.total == 0:
        return RedirectResponse("/admin/users?revoked=1", status_code=303)
    return response


@router.post("/users/{user_id}/status", dependencies=[CsrfChecked])
async def set_status(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Disable (ending every session of the user) or enable a user; the page confirms first."""
    values = form_values(await request.form())
    active = {"true": True, "false": False}.get(str(values.get("is_active")))

    def change() -> Any:
        if active is None:
            raise ValidationFailed("Choose to enable or to disable the user", field="is_active")
        return users.update_user(
            session=session,
            principal=principal,
            user_id=user_id,
            data=UserUpdate(is_active=active),
        )

    return _user_change(
        request, session, principal, user_id, "status", change, "enabled" if active else "disabled"
    )


@router.post("/users/{user_id}/password", dependencies=[CsrfChecked])
async def set_password(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Set a new password for the user; their sessions end."""
    form = await request.form()
    password = str(form.get("password") or "")
    confirm = str(form.get("confirm_password") or "")

    def change() -> Any:
        if password != confirm:
            raise ValidationFailed("The two passwords differ", field="confirm_password")
        if not password:
            raise ValidationFailed("Enter the new password", field="password")
        return users.update_user(
            session=session,
            principal=principal,
            user_id=user_id,
            data=UserUpdate(password=password),
        )

    return _user_change(request, session, principal, user_id, "password", change, "password")


@router.post("/users/{user_id}/unlock", dependencies=[CsrfChecked])
def unlock_user(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Lift the lock that repeated failed sign-ins put on the user's account."""
    return _user_change(
        request,
        session,
        principal,
        user_id,
        "unlock",
        lambda: users.unlock_user(session=session, principal=principal, user_id=user_id),
        "unlocked",
    )


@router.post("/users/{user_id}/mfa-reset", dependencies=[CsrfChecked])
def reset_mfa(
    user_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Remove the user's multi-factor sign-in (a lost phone); they set it up again."""
    return _user_change(
        request,
        session,
        principal,
        user_id,
        "mfa",
        lambda: mfa.reset(session=session, principal=principal, user_id=user_id),
        "mfa_reset",
    )
