"""Assessment schemas."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.listing import ListQuery
from aegis.domains.frameworks.schemas import Labelled
from aegis.models.enums import AssessmentStatus, ResultStatus


class AssessmentCreate(BaseModel):
    """A new assessment of a framework for a unit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: int
    framework_id: int
    name: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20000)
    status: AssessmentStatus = AssessmentStatus.PLANNED
    due_date: date | None = None


class AssessmentUpdate(BaseModel):
    """Changes to an assessment; its unit and framework are fixed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20000)
    status: AssessmentStatus | None = None
    due_date: date | None = None
    version: int | None = Field(
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

    unit_id: int | None = None
    framework_id: int | None = None
    status: AssessmentStatus | None = None


class OverrideWrite(BaseModel):
    """A human verdict on one requirement, with the reason for it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: ResultStatus
    justification: str = Field(min_length=10, max_length=20000)


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


class ResultQuery(ListQuery):
    """Filters of an assessment's results (sort: position, ref_id, status)."""

    status: ResultStatus | None = None
