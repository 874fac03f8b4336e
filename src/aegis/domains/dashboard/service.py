"""The dashboard summary, built from what each domain's service counts in the database.

Every figure is scoped by the caller's readable units; a unit filter narrows that set to
the unit and its descendants, so each domain query applies the same scope. The summary
costs a fixed number of queries whatever the data size: at most seventeen (the recent
activity's names take one), one more with a unit filter. Compliance scores are computed
for every framework together, not one assessment at a time, so there is no cap on the
number of frameworks shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.assessments import service as assessments
from aegis.domains.audit import service as audit
from aegis.domains.dashboard.schemas import (
    Activity,
    DashboardSummary,
    EvidenceFigures,
    FrameworkCompliance,
    Heatmap,
    HeatmapCell,
    LevelCount,
    OwnTask,
    RiskPosture,
    TaskFigures,
    TopRisk,
)
from aegis.domains.evidence import service as evidence
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskMatrix
from aegis.domains.tasks import service as tasks
from aegis.domains.units import service as units
from aegis.domains.units.errors import UnitNotFound

EXPIRY_WINDOW_DAYS = 30
TOP_RISKS = 5
OWN_TASKS = 5
RECENT_ACTIVITY = 10

Cells = Mapping[tuple[int, int], int]


def summary(
    *, session: Session, principal: Principal, today: date, unit_id: int | None = None
) -> DashboardSummary:
    """Every dashboard figure of the caller's units, or of one readable unit and those below."""
    scoped = _narrowed(session, principal, unit_id)
    expiry = evidence.count_by_expiry(
        session=session, principal=scoped, today=today, within_days=EXPIRY_WINDOW_DAYS
    )
    return DashboardSummary(
        today=today,
        unit_id=unit_id,
        risks=_risk_posture(session, scoped),
        tasks=TaskFigures(
            overdue=tasks.count_overdue_tasks(session=session, principal=scoped, on=today),
            mine=[
                OwnTask.model_validate(task.model_dump())
                for task in tasks.my_open_tasks(
                    session=session, principal=scoped, on=today, limit=OWN_TASKS
                )
            ],
        ),
        evidence=EvidenceFigures(
            window_days=EXPIRY_WINDOW_DAYS, expiring=expiry.expiring, expired=expiry.expired
        ),
        compliance=_compliance(session, scoped),
        recent_activity=[
            Activity.model_validate(event.model_dump())
            for event in audit.recent_events(
                session=session,
                principal=principal,
                limit=RECENT_ACTIVITY,
                within=scoped.readable,
            )
        ],
    )


def _narrowed(session: Session, principal: Principal, unit_id: int | None) -> Principal:
    """The principal reading only the unit and its descendants (404 for an unreadable unit)."""
    if unit_id is None:
        return principal
    if not principal.can_read(unit_id):
        raise UnitNotFound("Unit not found")
    tree = units.tree(session=session)  # (depth, id, name), depth first
    start = next((i for i, (_, found, _) in enumerate(tree) if found == unit_id), None)
    if start is None:
        raise UnitNotFound("Unit not found")
    top_depth, subtree = tree[start][0], {unit_id}
    for depth, found, _name in tree[start + 1 :]:
        if depth <= top_depth:
            break
        subtree.add(found)
    return replace(principal, readable=principal.readable & frozenset(subtree))


def _heatmap(matrix: RiskMatrix, cells: Cells) -> Heatmap:
    grid = []
    for likelihood in range(1, matrix.likelihood_levels + 1):
        row = []
        for impact in range(1, matrix.impact_levels + 1):
            band = matrix.cell_band(likelihood, impact)
            row.append(
                HeatmapCell(
                    likelihood=likelihood,
                    impact=impact,
                    count=cells.get((likelihood, impact), 0),
                    level=band.name,
                    color=band.color,
                    above_appetite=matrix.above_appetite(likelihood, impact),
                )
            )
        grid.append(row)
    return Heatmap(
        likelihood_levels=matrix.likelihood_levels,
        impact_levels=matrix.impact_levels,
        appetite_score=matrix.appetite_score,
        cells=grid,
    )


def _by_level(matrix: RiskMatrix, cells: Cells) -> list[LevelCount]:
    counts = dict.fromkeys((band.name for band in matrix.bands), 0)
    for (likelihood, impact), count in cells.items():
        counts[matrix.cell_band(likelihood, impact).name] += count
    return [
        LevelCount(level=band.name, count=counts[band.name], color=band.color)
        for band in matrix.bands
    ]


def _risk_posture(session: Session, principal: Principal) -> RiskPosture:
    matrix = risks.get_risk_matrix(session=session)
    inherent = risks.count_open_risks_by_cell(
        session=session, principal=principal, rating="inherent"
    )
    current = risks.count_open_risks_by_cell(session=session, principal=principal, rating="current")
    return RiskPosture(
        open_count=sum(inherent.values()),
        by_inherent_level=_by_level(matrix, inherent),
        by_current_level=_by_level(matrix, current),
        appetite_score=matrix.appetite_score,
        above_appetite=sum(n for (lk, im), n in current.items() if lk * im > matrix.appetite_score),
        inherent_heatmap=_heatmap(matrix, inherent),
        residual_heatmap=_heatmap(matrix, current),
        top=[
            TopRisk(
                **risk.model_dump(),
                color=(matrix.band_named(risk.level) or matrix.band_of_score(risk.score)).color,
            )
            for risk in risks.top_open_risks(session=session, principal=principal, limit=TOP_RISKS)
        ],
    )


def _compliance(session: Session, principal: Principal) -> list[FrameworkCompliance]:
    return [
        FrameworkCompliance(
            framework_id=found.framework_id,
            framework_name=found.framework_name,
            framework_version=found.framework_version,
            assessment_id=found.assessment.id,
            assessment_name=found.assessment.name,
            unit_id=found.assessment.unit_id,
            score=found.assessment.score,
            requirement_count=found.assessment.requirement_count,
            assessed_at=found.assessment.created_at,
        )
        for found in assessments.latest_scores_by_framework(session=session, principal=principal)
    ]
