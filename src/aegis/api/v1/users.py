"""Users and role assignments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.users import service
from aegis.domains.users.schemas import (
    RoleAssignmentCreate,
    RoleAssignmentQuery,
    RoleAssignmentRead,
    UserCreate,
    UserQuery,
    UserRead,
    UserUpdate,
)
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.openapi import error_responses, sensitive_responses

router = APIRouter(tags=["users"])


@router.get("/users", response_model=Page[UserRead])
def list_users(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[UserQuery, Query()]
) -> Page[UserRead]:
    """Users holding a role on a unit the caller can see."""
    return service.list_users(session=session, principal=principal, query=query)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses=sensitive_responses(),
)
def create_user(body: UserCreate, session: SessionDep, principal: CurrentPrincipal) -> UserRead:
    """Create a user with a first role on a unit the caller administers."""
    return service.create_user(session=session, principal=principal, data=body)


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(user_id: Id, session: SessionDep, principal: CurrentPrincipal) -> UserRead:
    """One user."""
    return service.get_user(session=session, principal=principal, user_id=user_id)


@router.patch("/users/{user_id}", response_model=UserRead, responses=sensitive_responses())
def update_user(
    user_id: Id, body: UserUpdate, session: SessionDep, principal: CurrentPrincipal
) -> UserRead:
    """Rename, disable (revoking their sessions), enable or set the password of a user."""
    return service.update_user(session=session, principal=principal, user_id=user_id, data=body)


@router.delete(
    "/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=sensitive_responses()
)
def delete_user(user_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Disable a user for good; their records stay attributed to them."""
    service.deactivate_user(session=session, principal=principal, user_id=user_id)


@router.get(
    "/role-assignments",
    response_model=Page[RoleAssignmentRead],
    responses=error_responses(403),
)
def list_assignments(
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[RoleAssignmentQuery, Query()],
) -> Page[RoleAssignmentRead]:
    """Role assignments on units the caller administers."""
    return service.list_assignments(session=session, principal=principal, query=query)


@router.post(
    "/role-assignments",
    response_model=RoleAssignmentRead,
    status_code=status.HTTP_201_CREATED,
    responses=sensitive_responses(),
)
def grant_role(
    body: RoleAssignmentCreate, session: SessionDep, principal: CurrentPrincipal
) -> RoleAssignmentRead:
    """Grant a user a role on a unit."""
    return service.grant_role(session=session, principal=principal, data=body)


@router.delete(
    "/role-assignments/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=sensitive_responses(),
)
def revoke_role(assignment_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Remove a role assignment."""
    service.revoke_role(session=session, principal=principal, assignment_id=assignment_id)
