"""Remediation and review tasks and their comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.tasks import service
from aegis.domains.tasks.schemas import (
    CommentCreate,
    CommentQuery,
    CommentRead,
    TaskCreate,
    TaskQuery,
    TaskRead,
    TaskUpdate,
)
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.versions import IfMatch, expecting, tag

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=Page[TaskRead])
def list_tasks(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[TaskQuery, Query()]
) -> Page[TaskRead]:
    """Tasks of the caller's units, filtered, sorted and paginated."""
    return service.list_tasks(session=session, principal=principal, query=query)


@router.post("", response_model=TaskRead, status_code=status.HTTP_201_CREATED)
def create_task(body: TaskCreate, session: SessionDep, principal: CurrentPrincipal) -> TaskRead:
    """Add a task linked to a risk, an asset or a control."""
    return service.create_task(session=session, principal=principal, data=body)


@router.get("/{task_id}", response_model=TaskRead)
def get_task(
    task_id: Id, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> TaskRead:
    """One task."""
    item = service.get_task(session=session, principal=principal, task_id=task_id)
    tag(response, item.version)
    return item


@router.patch("/{task_id}", response_model=TaskRead)
def update_task(
    task_id: Id,
    body: TaskUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: IfMatch,
) -> TaskRead:
    """Change a task, including its status."""
    item = service.update_task(
        session=session,
        principal=principal,
        task_id=task_id,
        data=expecting(body, version),
    )
    tag(response, item.version)
    return item


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(task_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete a task and its comments."""
    service.delete_task(session=session, principal=principal, task_id=task_id)


@router.get("/{task_id}/comments", response_model=Page[CommentRead])
def list_comments(
    task_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[CommentQuery, Query()],
) -> Page[CommentRead]:
    """Comments of a task, oldest first."""
    return service.list_comments(session=session, principal=principal, task_id=task_id, query=query)


@router.post("/{task_id}/comments", response_model=CommentRead, status_code=status.HTTP_201_CREATED)
def add_comment(
    task_id: Id, body: CommentCreate, session: SessionDep, principal: CurrentPrincipal
) -> CommentRead:
    """Comment on a task."""
    return service.add_comment(session=session, principal=principal, task_id=task_id, data=body)
