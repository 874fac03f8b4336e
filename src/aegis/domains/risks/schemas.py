"""Risk and risk matrix schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, computed_field

from aegis.domains.common.bounds import Id
from aegis.domains.common.links import hidden_links_field
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.refs import REF_HELP, Ref
from aegis.domains.common.text import MultiLine, SingleLine
from aegis.domains.risks.matrix_schemas import MAX_LEVELS as MAX_LEVELS
from aegis.domains.risks.matrix_schemas import MIN_LEVELS as MIN_LEVELS
from aegis.domains.risks.matrix_schemas import CellLevel as CellLevel
from aegis.domains.risks.matrix_schemas import RiskBand as RiskBand
from aegis.domains.risks.matrix_schemas import RiskMatrix as RiskMatrix
from aegis.domains.risks.matrix_schemas import ScaleLevel as ScaleLevel
from aegis.models.enums import RiskCategory, RiskStatus, Treatment

Rating = Annotated[int, Field(strict=True, ge=1, le=MAX_LEVELS)]
LongText = Annotated[MultiLine, Field(max_length=20000)]
Ids = Annotated[list[Id], Field(max_length=500)]


class RiskCreate(BaseModel):
    """A new risk; likelihood and impact are checked against the current matrix."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id
    ref: Ref | None = Field(None, description=REF_HELP)
    title: SingleLine = Field(min_length=1, max_length=300)
    description: LongText = ""
    category: RiskCategory
    owner_id: Id | None = None
    status: RiskStatus = Field(
        RiskStatus.IDENTIFIED,
        description="Not accepted nor acceptance expired: those come from acceptance requests",
    )
    inherent_likelihood: Rating
    inherent_impact: Rating
    residual_likelihood: Rating | None = None
    residual_impact: Rating | None = None
    treatment: Treatment | None = None
    treatment_plan: LongText = ""
    treatment_due_date: date | None = None
    acceptance_approver_id: Id | None = Field(
        None, description="Set by an approved acceptance request; any other value is refused"
    )
    acceptance_justification: LongText = Field(
        "", description="Set by an approved acceptance request; any other value is refused"
    )
    acceptance_expires_on: date | None = Field(
        None, description="Set by an approved acceptance request; any other value is refused"
    )
    next_review_date: date | None = None
    asset_ids: Ids = Field(default_factory=list)
    control_ids: Ids = Field(default_factory=list)


class RiskUpdate(BaseModel):
    """Changes to a risk; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id | None = None
    ref: Ref | None = None
    title: SingleLine | None = Field(None, min_length=1, max_length=300)
    description: LongText | None = None
    category: RiskCategory | None = None
    owner_id: Id | None = None
    status: RiskStatus | None = None
    inherent_likelihood: Rating | None = None
    inherent_impact: Rating | None = None
    residual_likelihood: Rating | None = None
    residual_impact: Rating | None = None
    treatment: Treatment | None = None
    treatment_plan: LongText | None = None
    treatment_due_date: date | None = None
    acceptance_approver_id: Id | None = Field(
        None, description="Set by an approved acceptance request; any other value is refused"
    )
    acceptance_justification: LongText | None = Field(
        None, description="Set by an approved acceptance request; any other value is refused"
    )
    acceptance_expires_on: date | None = Field(
        None, description="Set by an approved acceptance request; any other value is refused"
    )
    next_review_date: date | None = None
    asset_ids: Ids | None = None
    control_ids: Ids | None = None
    version: Id | None = Field(
        None, ge=1, description="The version you read; a save over a newer one is refused (409)"
    )


class RiskRead(BaseModel):
    """A risk as shown to its readers, with computed scores and levels."""

    id: int
    unit_id: int
    ref: str
    title: str
    description: str
    category: RiskCategory
    owner_id: int | None
    status: RiskStatus = Field(
        description="Acceptance expired as soon as an accepted risk's expiry day has passed"
    )
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
    hidden_links: dict[str, int] = hidden_links_field()
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Raised by every saved change; send it back to save")

    @computed_field(  # type: ignore[prop-decorator]
        description=(
            "Whether the residual likelihood or impact is rated higher than the inherent one: "
            "allowed, but controls normally lower a risk, so the ratings are worth checking"
        )
    )
    @property
    def residual_exceeds_inherent(self) -> bool:
        """Whether a residual rating is higher than the inherent one."""
        return (self.residual_likelihood or 0) > self.inherent_likelihood or (
            self.residual_impact or 0
        ) > self.inherent_impact


class RiskQuery(ListQuery):
    """Filters of the risk list."""

    q: SingleLine | None = Field(None, max_length=200)
    unit_id: Id | None = None
    category: RiskCategory | None = None
    status: RiskStatus | None = None
    owner_id: Id | None = None
    treatment: Treatment | None = None
    inherent_level: SingleLine | None = Field(None, max_length=32)
    residual_level: SingleLine | None = Field(None, max_length=32)
    min_inherent_score: int | None = Field(None, ge=1, le=MAX_LEVELS * MAX_LEVELS)
    max_inherent_score: int | None = Field(None, ge=1, le=MAX_LEVELS * MAX_LEVELS)
    min_residual_score: int | None = Field(None, ge=1, le=MAX_LEVELS * MAX_LEVELS)
    max_residual_score: int | None = Field(None, ge=1, le=MAX_LEVELS * MAX_LEVELS)
    asset_id: Id | None = None
    control_id: Id | None = None
    review_due_before: date | None = None
    inherent_likelihood: int | None = Field(None, ge=1, le=10)
    inherent_impact: int | None = Field(None, ge=1, le=10)
    residual_likelihood: int | None = Field(None, ge=1, le=10)
    residual_impact: int | None = Field(None, ge=1, le=10)
    current_likelihood: int | None = Field(
        None, ge=1, le=10, description="Residual likelihood once assessed, else inherent"
    )
    current_impact: int | None = Field(
        None, ge=1, le=10, description="Residual impact once assessed, else inherent"
    )
    current_level: SingleLine | None = Field(
        None, max_length=32, description="Residual level once assessed, else inherent"
    )
    within_unit_id: Id | None = Field(None, description="This unit and the units below it")
    open: bool | None = Field(None, description="Not closed (true) or closed (false)")
    above_appetite: bool | None = Field(
        None, description="Current score above the matrix's appetite (true) or within it (false)"
    )
    review_overdue: bool | None = Field(
        None, description="Next review date before today (true) or not (false)"
    )
    acceptance_expired: bool | None = Field(
        None,
        description=(
            "Risks whose acceptance ran out (true: status acceptance expired, including "
            "accepted risks whose expiry day has passed) or not (false)"
        ),
    )


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


class CurrentRiskRead(BaseModel):
    """An open risk with its current score: the residual one once assessed, else the inherent."""

    id: int
    unit_id: int
    title: str
    status: RiskStatus
    score: int
    level: str
    residual: bool = Field(description="Whether the score is the residual one")
