"""Task and task comment schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.refs import REF_HELP, Ref
from aegis.domains.common.text import MultiLine, SingleLine
from aegis.models.enums import TaskKind, TaskPriority, TaskStatus

Title = Annotated[
    SingleLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
]
CommentBody = Annotated[
    MultiLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)
]
LINKS = ("risk_id", "asset_id", "control_id")


class TaskCreate(BaseModel):
    """A new task; it starts open and is linked to a risk, an asset or a control."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id | None = Field(None, description="Defaults to the unit of the linked object")
    ref: Ref | None = Field(None, description=REF_HELP)
    title: Title
    description: MultiLine = Field("", max_length=20000)
    kind: TaskKind = TaskKind.REMEDIATION
    priority: TaskPriority = TaskPriority.MEDIUM
    assignee_id: Id | None = None
    due_date: date | None = None
    risk_id: Id | None = None
    asset_id: Id | None = None
    control_id: Id | None = None


class TaskUpdate(BaseModel):
    """Changes to a task; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id | None = None
    ref: Ref | None = None
    title: Title | None = None
    description: MultiLine | None = Field(None, max_length=20000)
    kind: TaskKind | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    assignee_id: Id | None = None
    due_date: date | None = None
    risk_id: Id | None = None
    asset_id: Id | None = None
    control_id: Id | None = None
    version: Id | None = Field(
        None, ge=1, description="The version you read; a save over a newer one is refused (409)"
    )


class TaskRead(BaseModel):
    """A task as shown to its readers."""

    id: int
    unit_id: int
    ref: str
    title: str
    description: str
    kind: TaskKind
    status: TaskStatus
    priority: TaskPriority
    assignee_id: int | None
    due_date: date | None
    completed_at: datetime | None
    risk_id: int | None
    asset_id: int | None
    control_id: int | None
    overdue: bool
    comment_count: int
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Raised by every saved change; send it back to save")


class TaskQuery(ListQuery):
    """Filters of the task list."""

    q: SingleLine | None = Field(None, max_length=200)
    unit_id: Id | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    kind: TaskKind | None = None
    assignee_id: Id | None = None
    risk_id: Id | None = None
    asset_id: Id | None = None
    control_id: Id | None = None
    due_before: date | None = Field(None, description="Due strictly before this day")
    due_after: date | None = Field(None, description="Due strictly after this day")
    overdue: bool | None = Field(None, description="Past due and neither done nor cancelled")
    mine: bool = Field(False, description="Only tasks assigned to the caller")
    within_unit_id: Id | None = Field(None, description="This unit and the units below it")


class CommentCreate(BaseModel):
    """A new comment on a task."""

    model_config = ConfigDict(extra="forbid")

    body: CommentBody


class CommentRead(BaseModel):
    """A comment as shown to the task's readers."""

    id: int
    task_id: int
    author_id: int | None
    author_name: str | None
    body: str
    created_at: datetime


class CommentQuery(ListQuery):
    """Paging of a task's comments, oldest first unless sorted otherwise."""
