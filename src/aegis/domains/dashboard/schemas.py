"""Dashboard schemas: every figure of the summary, scoped to what the caller may see."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.bounds import Id
from aegis.models.enums import RiskStatus, TaskPriority, TaskStatus


class DashboardQuery(BaseModel):
    """Narrowing of the dashboard to one unit and the units below it."""

    model_config = ConfigDict(extra="forbid")

    unit_id: Id | None = Field(None, description="Only this unit and its descendants")


class LevelCount(BaseModel):
    """How many open risks are at one level of the matrix."""

    level: str
    count: int
    color: str


class HeatmapCell(BaseModel):
    """Open risks rated at one likelihood and impact, with the level of that cell."""

    likelihood: int
    impact: int
    count: int
    level: str = Field(description="The level set for the cell by hand, else its score's band")
    color: str
    above_appetite: bool = Field(description="Whether the cell's score exceeds the appetite")


class Heatmap(BaseModel):
    """Open risks per cell of the matrix: `cells[likelihood - 1][impact - 1]`."""

    likelihood_levels: int
    impact_levels: int
    appetite_score: int = Field(description="Cells scoring more are above appetite")
    cells: list[list[HeatmapCell]]

    def cell(self, likelihood: int, impact: int) -> HeatmapCell:
        """The cell of this likelihood and impact (both counted from 1)."""
        return self.cells[likelihood - 1][impact - 1]


class TopRisk(BaseModel):
    """An open risk among those with the highest current score."""

    id: int
    unit_id: int
    title: str
    status: RiskStatus
    score: int
    level: str
    color: str
    residual: bool = Field(description="Whether the score is the residual one")


class RiskPosture(BaseModel):
    """Open risks (every status but closed) by level, against the appetite, on the matrix.

    The current rating of a risk is its residual one once assessed, else its inherent one.
    `residual_heatmap` places each risk at its current rating, so a risk whose residual
    likelihood and impact are not assessed yet counts at its inherent position: the grid
    then always holds every open risk, like the inherent one, and shows where the register
    stands now rather than only the risks already re-assessed.
    """

    open_count: int
    by_inherent_level: list[LevelCount] = Field(description="Every band, lowest first")
    by_current_level: list[LevelCount] = Field(description="Every band, lowest first")
    appetite_score: int
    above_appetite: int = Field(description="Open risks whose current score exceeds it")
    inherent_heatmap: Heatmap
    residual_heatmap: Heatmap
    top: list[TopRisk] = Field(description="Highest current score first")


class OwnTask(BaseModel):
    """A task assigned to the caller and still to do."""

    id: int
    title: str
    due_date: date | None
    priority: TaskPriority
    status: TaskStatus
    overdue: bool


class TaskFigures(BaseModel):
    """Overdue tasks, and the caller's own open tasks soonest due first (undated last)."""

    overdue: int
    mine: list[OwnTask]


class EvidenceFigures(BaseModel):
    """Evidence expiring within the window (today included) and evidence already expired."""

    window_days: int
    expiring: int
    expired: int


class FrameworkCompliance(BaseModel):
    """A framework's score in its newest assessment (by creation time)."""

    framework_id: int
    framework_name: str
    framework_version: str
    assessment_id: int
    assessment_name: str
    unit_id: int
    score: float | None = Field(description="None while no requirement is applicable")
    requirement_count: int
    assessed_at: datetime = Field(description="When the assessment was created")


class Activity(BaseModel):
    """One recent change in a unit the caller can read, to the second and in words."""

    id: int
    occurred_at: datetime
    actor_email: str | None
    actor_name: str | None = Field(description="When the caller can see that person")
    action: str
    entity_type: str
    entity_id: int
    entity_name: str | None = Field(description="The object's title or name, when known")
    summary: str = Field(description="e.g. \"Updated risk 'Ransomware on file servers'\"")
    unit_id: int | None


class DashboardSummary(BaseModel):
    """Every dashboard figure, computed in a fixed number of queries whatever the data size."""

    today: date
    unit_id: int | None = Field(description="The unit the figures are narrowed to, if any")
    risks: RiskPosture
    tasks: TaskFigures
    evidence: EvidenceFigures
    compliance: list[FrameworkCompliance] = Field(description="By framework name")
    recent_activity: list[Activity] = Field(description="Newest first")
