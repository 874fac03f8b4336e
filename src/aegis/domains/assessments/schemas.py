"""Assessment schemas."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import MultiLine, SingleLine
from aegis.domains.frameworks.schemas import Labelled
from aegis.models.enums import AssessmentStatus, ResultStatus

MAX_BULK = 500
MAX_COMMENT = 10000
CommentBody = Annotated[
    MultiLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COMMENT)
]


class AssessmentCreate(BaseModel):
    """A new assessment of a framework for a unit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id
    framework_id: Id
    name: SingleLine = Field(min_length=1, max_length=300)
    description: MultiLine = Field("", max_length=20000)
    status: AssessmentStatus = AssessmentStatus.PLANNED
    due_date: date | None = None


class AssessmentUpdate(BaseModel):
    """Changes to an assessment; its unit and framework are fixed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine | None = Field(None, min_length=1, max_length=300)
    description: MultiLine | None = Field(None, max_length=20000)
    status: AssessmentStatus | None = None
    due_date: date | None = None
    version: Id | None = Field(
        None, ge=1, description="The version you read; a save over a newer one is refused (409)"
    )


class AssessmentRead(BaseModel):
    """An assessment as listed."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    framework_id: int
    name: str
    description: str
    status: AssessmentStatus
    due_date: date | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Raised by every saved change; send it back to save")


class AssessmentDetail(AssessmentRead):
    """An assessment with its compliance score and the number of requirements per result."""

    score: float | None
    requirement_count: int
    counts: dict[ResultStatus, int]


class AssessmentQuery(ListQuery):
    """Filters of the assessment list."""

    unit_id: Id | None = None
    framework_id: Id | None = None
    status: AssessmentStatus | None = None


class OverrideWrite(BaseModel):
    """A human verdict on one requirement, with the reason for it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: ResultStatus
    justification: MultiLine = Field(min_length=10, max_length=20000)


class BulkOverrideWrite(OverrideWrite):
    """One verdict and its reason for several requirements: all are saved, or none."""

    requirement_ids: list[Id] = Field(min_length=1, max_length=MAX_BULK)


class OwnerWrite(BaseModel):
    """Who is responsible for answering a requirement; null leaves it without an owner."""

    model_config = ConfigDict(extra="forbid")

    owner_id: Id | None = Field(
        description="A person who can see the assessment's unit, or null to remove the owner"
    )


class ResultBasis(StrEnum):
    """Where a derived result comes from."""

    DIRECT = "direct"  # the requirement's own controls and evidence
    DERIVED = "derived"  # a mapped requirement of another framework that covers it


class ResultRead(Labelled, BaseModel):
    """One requirement's result: derived, overridden and the one that counts."""

    requirement_id: int
    ref_id: str
    title: str
    derived_status: ResultStatus
    basis: ResultBasis = Field(
        ResultBasis.DIRECT,
        description="direct: from its own controls and evidence; derived: from derived_from",
    )
    derived_from_id: int | None = Field(
        None, description="The covering requirement of another framework the result comes from"
    )
    derived_from_framework_id: int | None = None
    derived_from: str | None = Field(None, description="That requirement: framework and id")
    override_status: ResultStatus | None
    justification: str | None
    decided_by_id: int | None
    decided_at: datetime | None
    status: ResultStatus
    control_ids: list[int]
    evidence_ids: list[int]
    owner_id: int | None = Field(None, description="Who is responsible for answering it")
    owner_name: str | None = None
    comment_count: int = Field(0, description="Comments and auditor notes on it")


class ResultQuery(ListQuery):
    """Filters of an assessment's results (sort: position, ref_id, status)."""

    status: ResultStatus | None = None
    owner_id: Id | None = None
    mine: bool | None = Field(None, description="true: only the requirements the caller owns")
    decided: bool | None = Field(
        None, description="true: with a human verdict (an override); false: without one"
    )


class CommentKind(StrEnum):
    """What a remark on an assessment is."""

    COMMENT = "comment"  # by someone working the assessment
    AUDITOR_NOTE = "auditor_note"  # by a reader, changing nothing


class AssessmentCommentCreate(BaseModel):
    """A new comment or auditor note; comments and notes are never edited."""

    model_config = ConfigDict(extra="forbid")

    body: CommentBody
    kind: CommentKind | None = Field(
        None,
        description=(
            "comment: needs the right to change the assessment; auditor_note: anyone who can "
            "read it. By default a comment when the caller may change it, else an auditor note"
        ),
    )


class AssessmentCommentRead(BaseModel):
    """A comment or auditor note, with its author and time."""

    id: int
    assessment_id: int
    requirement_id: int | None = Field(description="null: about the assessment as a whole")
    kind: CommentKind
    author_id: int | None
    author_name: str | None
    body: str
    created_at: datetime


class AssessmentCommentQuery(ListQuery):
    """Paging of comments and notes, oldest first unless sorted otherwise (created_at, id)."""

    kind: CommentKind | None = None
