"""Risk and risk matrix schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.listing import ListQuery
from aegis.models.enums import RiskCategory, RiskStatus, Treatment

MIN_LEVELS = 3
MAX_LEVELS = 10

Rating = Annotated[int, Field(strict=True, ge=1, le=MAX_LEVELS)]
LongText = Annotated[str, Field(max_length=20000)]
Ids = Annotated[list[int], Field(max_length=500)]


class RiskCreate(BaseModel):
    """A new risk; likelihood and impact are checked against the current matrix."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: int
    title: str = Field(min_length=1, max_length=300)
    description: LongText = ""
    category: RiskCategory
    owner_id: int | None = None
    status: RiskStatus = RiskStatus.IDENTIFIED
    inherent_likelihood: Rating
    inherent_impact: Rating
    residual_likelihood: Rating | None = None
    residual_impact: Rating | None = None
    treatment: Treatment | None = None
    treatment_plan: LongText = ""
    treatment_due_date: date | None = None
    acceptance_approver_id: int | None = None
    acceptance_justification: LongText = ""
    acceptance_expires_on: date | None = None
    next_review_date: date | None = None
    asset_ids: Ids = Field(default_factory=list)
    control_ids: Ids = Field(default_factory=list)


class RiskUpdate(BaseModel):
    """Changes to a risk; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: int | None = None
    title: str | None = Field(None, min_length=1, max_length=300)
    description: LongText | None = None
    category: RiskCategory | None = None
    owner_id: int | None = None
    status: RiskStatus | None = None
    inherent_likelihood: Rating | None = None
    inherent_impact: Rating | None = None
    residual_likelihood: Rating | None = None
    residual_impact: Rating | None = None
    treatment: Treatment | None = None
    treatment_plan: LongText | None = None
    treatment_due_date: date | None = None
    acceptance_approver_id: int | None = None
    acceptance_justification: LongText | None = None
    acceptance_expires_on: date | None = None
    next_review_date: date | None = None
    asset_ids: Ids | None = None
    control_ids: Ids | None = None


class RiskRead(BaseModel):
    """A risk as shown to its readers, with computed scores and levels."""

    id: int
    unit_id: int
    title: str
    description: str
    category: RiskCategory
    owner_id: int | None
    status: RiskStatus
    inherent_likelihood: int
    inherent_impact: int
    inherent_score: int
    inherent_level: str
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    residual_level: str | None
    treatment: Treatment | None
    treatment_plan: str
    treatment_due_date: date | None
    acceptance_approver_id: int | None
    acceptance_justification: str
    acceptance_expires_on: date | None
    next_review_date: date | None
    asset_ids: list[int]
    control_ids: list[int]
    created_at: datetime
    updated_at: datetime


class RiskQuery(ListQuery):
    """Filters of the risk list."""

    q: str | None = Field(None, max_length=200)
    unit_id: int | None = None
    category: RiskCategory | None = None
    status: RiskStatus | None = None
    owner_id: int | None = None
    treatment: Treatment | None = None
    inherent_level: str | None = Field(None, max_length=32)
    residual_level: str | None = Field(None, max_length=32)
    min_inherent_score: int | None = Field(None, ge=1)
    max_inherent_score: int | None = Field(None, ge=1)
    min_residual_score: int | None = Field(None, ge=1)
    max_residual_score: int | None = Field(None, ge=1)
    asset_id: int | None = None
    control_id: int | None = None
    review_due_before: date | None = None


class RiskScoreChangeRead(BaseModel):
    """The scores of a risk after one change."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    risk_id: int
    changed_at: datetime
    changed_by_id: int | None
    inherent_likelihood: int
    inherent_impact: int
    inherent_score: int
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None


class RiskHistoryQuery(ListQuery):
    """Paging of a risk's score history (oldest first unless sorted by -changed_at)."""


class RiskBand(BaseModel):
    """A named range of scores, inclusive at both ends."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=32)
    min_score: int = Field(strict=True, ge=1)
    max_score: int = Field(strict=True, ge=1)
    color: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class RiskMatrix(BaseModel):
    """The likelihood × impact grid and the bands that name its scores."""

    model_config = ConfigDict(extra="forbid")

    likelihood_levels: int = Field(strict=True, ge=MIN_LEVELS, le=MAX_LEVELS)
    impact_levels: int = Field(strict=True, ge=MIN_LEVELS, le=MAX_LEVELS)
    bands: list[RiskBand] = Field(min_length=1, max_length=MAX_LEVELS * MAX_LEVELS)
