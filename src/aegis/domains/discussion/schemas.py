"""Comment and attachment schemas, and the risk or control they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import MultiLine

MAX_COMMENT = 10000
CommentBody = Annotated[
    MultiLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COMMENT)
]


class SubjectKind(StrEnum):
    """The kinds of object people discuss."""

    RISK = "risk"
    CONTROL = "control"


@dataclass(frozen=True)
class Subject:
    """The risk or control a comment or an attachment belongs to."""

    kind: SubjectKind
    id: int

    @classmethod
    def risk(cls, risk_id: int) -> Subject:
        """A risk, by id."""
        return cls(SubjectKind.RISK, risk_id)

    @classmethod
    def control(cls, control_id: int) -> Subject:
        """A control, by id."""
        return cls(SubjectKind.CONTROL, control_id)


class CommentCreate(BaseModel):
    """A new comment on a risk or a control."""

    model_config = ConfigDict(extra="forbid")

    body: CommentBody


class CommentRead(BaseModel):
    """A comment as shown to the readers of its risk or control."""

    id: int
    risk_id: int | None
    control_id: int | None
    author_id: int | None
    author_name: str | None
    body: str
    created_at: datetime


class CommentQuery(ListQuery):
    """Paging of the comments on a risk or control, oldest first unless sorted otherwise."""


class AttachmentRead(BaseModel):
    """A file attached to a risk; the content is downloaded separately."""

    id: int
    risk_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_by_name: str | None
    uploaded_at: datetime


class AttachmentQuery(ListQuery):
    """Paging of the files attached to a risk, oldest first unless sorted otherwise."""
