"""Use cases of users and role assignments; administration is limited to the admin's units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from aegis.core.authz import Principal, Role
from aegis.core.confirmation import require_password_confirmation
from aegis.core.errors import Conflict, PermissionDenied, ValidationFailed
from aegis.core.security import hash_password, verify_password
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.auth import service as auth_service
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.passwords import require_strong
from aegis.domains.common.text import text_problem
from aegis.domains.users import repository as repo
from aegis.domains.users.errors import (
    EMAIL_UNAVAILABLE,
    AssignmentNotFound,
    EmailTaken,
    EmailUnavailable,
    UserNotFound,
)
from aegis.domains.users.schemas import (
    MeRead,
    RoleAssignmentCreate,
    RoleAssignmentQuery,
    RoleAssignmentRead,
    UserCreate,
    UserQuery,
    UserRead,
    UserUpdate,
)
from aegis.models import RoleAssignment, Unit, User

FIELDS = ("email", "name", "is_active")
ASSIGNMENT_FIELDS = ("user_id", "role", "unit_id", "include_children")
SORTABLE = {"name": User.name, "email": User.email, "created_at": User.created_at, "id": User.id}
ASSIGNMENT_SORTABLE = {"id": RoleAssignment.id, "role": RoleAssignment.role}


def _page(rows: list[object], total: int, query: UserQuery) -> Page[UserRead]:
    return Page.of([UserRead.model_validate(r) for r in rows], total, query)


def list_users(*, session: Session, principal: Principal, query: UserQuery) -> Page[UserRead]:
    """List users holding a role on a unit the caller can see."""
    stmt = repo.filtered_users(principal.readable, query)
    rows, total = fetch_page(session, apply_sort(stmt, query.sort, SORTABLE, (User.id,)), query)
    return _page(rows, total, query)


def get_user(*, session: Session, principal: Principal, user_id: int) -> UserRead:
    """Return a user holding a role on a unit the caller can see."""
    user = repo.get_user_in(session, principal.readable, user_id)
    if user is None:
        raise UserNotFound("User not found")
    return UserRead.model_validate(user)


def list_administered_users(
    *, session: Session, principal: Principal, query: UserQuery
) -> Page[UserRead]:
    """List users holding a role on a unit the caller administers (the administration pages)."""
    principal.require_admin()
    stmt = repo.filtered_users(principal.administrable, query)
    rows, total = fetch_page(session, apply_sort(stmt, query.sort, SORTABLE, (User.id,)), query)
    return _page(rows, total, query)


def get_administered_user(*, session: Session, principal: Principal, user_id: int) -> UserRead:
    """Return a user holding a role on a unit the caller administers."""
    principal.require_admin()
    user = repo.get_user_in(session, principal.administrable, user_id)
    if user is None:
        raise UserNotFound("User not found")
    return UserRead.model_validate(user)


def administers_all_roles_of(*, session: Session, principal: Principal, user_id: int) -> bool:
    """Whether every role of the user lies in units the caller administers.

    Only then may the caller disable the user or set their password.
    """
    return principal.is_admin and repo.assignment_units(session, user_id) <= principal.administrable


def me(*, session: Session, principal: Principal) -> MeRead:
    """Return the signed-in user and their roles."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise UserNotFound("User not found")
    roles = [RoleAssignmentRead.model_validate(a) for a in repo.assignments_of(session, user.id)]
    return MeRead.model_validate(
        {
            **UserRead.model_validate(user).model_dump(),
            "roles": roles,
            "password_change_reason": user.password_change_reason,
        }
    )


def administered_user(session: Session, principal: Principal, user_id: int) -> User:
    """Return a user every one of whose roles lies in units the caller administers."""
    principal.require_admin()
    user = repo.get_user_in(session, principal.readable, user_id)
    if user is None:
        raise UserNotFound("User not found")
    if not repo.assignment_units(session, user.id) <= principal.administrable:
        raise PermissionDenied("This user holds roles outside the units you administer")
    return user


def _require_unit(session: Session, principal: Principal, unit_id: int) -> None:
    principal.require_admin(unit_id)
    if session.get(Unit, unit_id) is None:
        raise ValidationFailed("Unit not found", field="unit_id")


def _email_refusal(session: Session, principal: Principal | None, holder: int) -> Conflict:
    """Say the address is taken only to those who can see the account that has it."""
    if principal is None or repo.get_user_in(session, principal.readable, holder) is not None:
        message = "A user with this e-mail address already exists"
        return EmailTaken(message, details=[{"field": "email", "message": message}])
    return EmailUnavailable(
        EMAIL_UNAVAILABLE, details=[{"field": "email", "message": EMAIL_UNAVAILABLE}]
    )


def create_user(*, session: Session, principal: Principal | None, data: UserCreate) -> UserRead:
    """Create a user with a first role; `principal` None means an operator at the console."""
    email = data.email.lower()
    if principal is not None:
        _require_unit(session, principal, data.unit_id)
        require_password_confirmation(principal, "create a user with a role")
    elif session.get(Unit, data.unit_id) is None:
        raise ValidationFailed("Unit not found", field="unit_id")
    require_strong(data.password, context=[email, data.name])
    holder = repo.id_by_email(session, email)
    if holder is not None:
        raise _email_refusal(session, principal, holder)
    user = User(
        email=email, name=data.name, password_hash=hash_password(data.password), is_active=True
    )
    session.add(user)
    session.flush()
    assignment = RoleAssignment(
        user_id=user.id,
        role=data.role.value,
        unit_id=data.unit_id,
        include_children=data.include_children,
    )
    session.add(assignment)
    session.flush()
    record(
        session, principal, "create", "user", user.id, data.unit_id, after=snapshot(user, FIELDS)
    )
    record(
        session,
        principal,
        "create",
        "role_assignment",
        assignment.id,
        data.unit_id,
        after=snapshot(assignment, ASSIGNMENT_FIELDS),
    )
    if principal is not None:  # the administrator knows the first password: the user replaces it
        auth_service.require_password_change(session=session, user=user, principal=principal)
    return UserRead.model_validate(user)


def require_password_change(*, session: Session, user_id: int) -> None:
    """From the console: the user must choose a new password at their next sign-in."""
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound("User not found")
    auth_service.require_password_change(session=session, user=user, principal=None)


def update_user(
    *, session: Session, principal: Principal, user_id: int, data: UserUpdate
) -> UserRead:
    """Rename, disable, enable or set the password of a user the caller administers."""
    user = administered_user(session, principal, user_id)
    before = snapshot(user, FIELDS)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("password") is not None or changes.get("is_active") is not None:
        require_password_confirmation(principal, "set a user's password or disable a user")
    if changes.get("name") is not None:
        user.name = changes["name"]
    if changes.get("password") is not None:
        api_tokens.require_person(principal)  # a program never sets someone's password
        require_strong(changes["password"], context=[user.email, user.name])
        user.password_hash = hash_password(changes["password"])
        auth_service.revoke_all_sessions(session=session, user_id=user.id)
        if user.id != principal.user_id:  # someone else's: they replace it at their next sign-in
            auth_service.require_password_change(session=session, user=user, principal=principal)
    if changes.get("is_active") is not None:
        if user.id == principal.user_id and not changes["is_active"]:
            raise ValidationFailed("You cannot disable yourself", field="is_active")
        user.is_active = changes["is_active"]
        if not user.is_active:
            auth_service.revoke_all_sessions(session=session, user_id=user.id)
    session.flush()
    after = snapshot(user, FIELDS)
    if "password" in changes and changes["password"] is not None:
        after["password"] = "changed"  # noqa: S105  # nosec B105 # a marker, never the password
    unit = min(repo.assignment_units(session, user.id), default=None)
    record(session, principal, "update", "user", user.id, unit, before, after)
    return UserRead.model_validate(user)


def deactivate_user(*, session: Session, principal: Principal, user_id: int) -> None:
    """Disable a user and revoke their sessions; their history stays attributed to them."""
    update_user(
        session=session, principal=principal, user_id=user_id, data=UserUpdate(is_active=False)
    )


def sign_in_locked_until(
    *, session: Session, principal: Principal, user_id: int
) -> datetime | None:
    """Until when a user the caller administers is locked out after failed sign-ins."""
    user = repo.get_user_in(session, principal.administrable, user_id)
    if user is None:
        raise UserNotFound("User not found")
    return auth_service.account_locked_until(session=session, email=user.email)


def unlock_user(*, session: Session, principal: Principal | None, user_id: int) -> bool:
    """Lift a user's sign-in lock; `principal` None means an operator at the console.

    Returns False when the user was not locked.
    """
    user = (
        session.get(User, user_id)
        if principal is None
        else administered_user(session, principal, user_id)
    )
    if user is None:
        raise UserNotFound("User not found")
    return auth_service.unlock_account(session=session, principal=principal, user=user)


def set_password(*, session: Session, user_id: int, password: str) -> None:
    """Set a user's password from the console and revoke their sessions.

    The operator knows the password: the user must choose a new one at their next sign-in.
    """
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound("User not found")
    require_strong(password, context=[user.email, user.name])
    user.password_hash = hash_password(password)
    auth_service.revoke_all_sessions(session=session, user_id=user.id)
    auth_service.require_password_change(session=session, user=user, principal=None)
    session.flush()
    unit = min(repo.assignment_units(session, user.id), default=None)
    marker = {"password": "changed"}  # nosec B105 # the trail says it changed, never to what
    record(session, None, "update", "user", user.id, unit, {}, marker)


def list_assignments(
    *, session: Session, principal: Principal, query: RoleAssignmentQuery
) -> Page[RoleAssignmentRead]:
    """List role assignments on units the caller administers."""
    principal.require_admin()
    stmt = repo.filtered_assignments(principal.administrable, query)
    stmt = apply_sort(stmt, query.sort, ASSIGNMENT_SORTABLE, (RoleAssignment.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of([RoleAssignmentRead.model_validate(r) for r in rows], total, query)


def grant_role(
    *, session: Session, principal: Principal | None, data: RoleAssignmentCreate
) -> RoleAssignmentRead:
    """Grant a role on a unit the caller administers."""
    if principal is not None:
        _require_unit(session, principal, data.unit_id)
        if repo.get_user_in(session, principal.readable, data.user_id) is None:
            raise ValidationFailed("User not found", field="user_id")
        require_password_confirmation(principal, "grant a role")
    elif session.get(User, data.user_id) is None:
        raise ValidationFailed("User not found", field="user_id")
    if repo.assignment_exists(session, data.user_id, data.unit_id, data.role.value):
        raise ValidationFailed("The user already holds this role on this unit", field="role")
    assignment = RoleAssignment(
        user_id=data.user_id,
        role=data.role.value,
        unit_id=data.unit_id,
        include_children=data.include_children,
    )
    session.add(assignment)
    session.flush()
    record(
        session,
        principal,
        "create",
        "role_assignment",
        assignment.id,
        data.unit_id,
        after=snapshot(assignment, ASSIGNMENT_FIELDS),
    )
    return RoleAssignmentRead.model_validate(assignment)


def revoke_role(*, session: Session, principal: Principal, assignment_id: int) -> None:
    """Remove a role assignment on a unit the caller administers."""
    principal.require_admin()
    assignment = repo.assignment_in(session, principal.administrable, assignment_id)
    if assignment is None:
        raise AssignmentNotFound("Role assignment not found")
    require_password_confirmation(principal, "remove a role")
    if assignment.user_id == principal.user_id and assignment.role == Role.ADMIN:
        raise ValidationFailed("You cannot remove your own administrator role", field="role")
    before = snapshot(assignment, ASSIGNMENT_FIELDS)
    session.delete(assignment)
    session.flush()
    record(
        session,
        principal,
        "delete",
        "role_assignment",
        assignment_id,
        assignment.unit_id,
        before=before,
    )


def require_visible_user(
    *, session: Session, principal: Principal, user_id: int, field: str
) -> None:
    """Raise a field error unless the user holds a role on a unit the caller can see."""
    if repo.get_user_in(session, principal.readable, user_id) is None:
        raise ValidationFailed("User not found", field=field)


def names_by_id(*, session: Session, user_ids: set[int]) -> dict[int, str]:
    """Return display names for a set of user ids in one query."""
    return repo.names_by_id(session, user_ids)


def user_id_by_email(*, session: Session, email: str) -> int:
    """Return the id of the user with this e-mail address."""
    user_id = repo.id_by_email(session, email.strip().lower())
    if user_id is None:
        raise UserNotFound(f"No user <{email}>")
    return user_id


def change_own_password(*, session: Session, principal: Principal, current: str, new: str) -> None:
    """Change the caller's password after checking the current one; other sessions end."""
    user = session.get(User, principal.user_id)
    if user is None or not verify_password(current, user.password_hash):
        raise ValidationFailed("The current password is wrong", field="current_password")
    checked = require_strong(
        new,
        context=[user.email, user.name],
        previous=current,
        field="new_password",
        label="new password",
    )
    user.password_hash = hash_password(checked)
    auth_service.revoke_all_sessions(session=session, user_id=user.id)
    auth_service.password_change_done(session=session, user=user)
    session.flush()
    unit = min(repo.assignment_units(session, user.id), default=None)
    marker = {"password": "changed"}  # nosec B105 # the trail says it changed, never to what
    record(session, principal, "update", "user", user.id, unit, {}, marker)


def rename_self(*, session: Session, principal: Principal, name: str) -> UserRead:
    """Change the caller's own display name."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 200:
        raise ValidationFailed("The name must be 1 to 200 characters", field="name")
    problem = text_problem(cleaned, multiline=False)
    if problem:
        raise ValidationFailed(f"The name {problem}", field="name")
    user = session.get(User, principal.user_id)
    if user is None:
        raise UserNotFound("User not found")
    before = snapshot(user, FIELDS)
    user.name = cleaned
    session.flush()
    unit = min(repo.assignment_units(session, user.id), default=None)
    record(session, principal, "update", "user", user.id, unit, before, snapshot(user, FIELDS))
    return UserRead.model_validate(user)


def roles_of_users(
    *, session: Session, principal: Principal, user_ids: list[int]
) -> dict[int, list[RoleAssignmentRead]]:
    """{user id: their roles on units the caller administers}, one query per 500 users."""
    principal.require_admin()
    found: dict[int, list[RoleAssignmentRead]] = {user_id: [] for user_id in user_ids}
    wanted = sorted(found)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in repo.assignments_of_users(session, principal.administrable, chunk):
            found[row.user_id].append(RoleAssignmentRead.model_validate(row))
    return found
