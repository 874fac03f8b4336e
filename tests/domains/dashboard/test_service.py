"""The dashboard summary: exact figures on a known organisation, scoping, unit filter, cost."""

from __future__ import annotations

import pytest

from aegis.core.db import utcnow
from aegis.domains.dashboard import service
from aegis.domains.dashboard.schemas import DashboardSummary
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskUpdate
from aegis.domains.units.errors import UnitNotFound
from tests.domains.dashboard.scenario import Built, build
from tests.factories.risks import make_risk

LEVELS = ["Low", "Medium", "High", "Critical"]
COLORS = ["#2e7d32", "#f9a825", "#ef6c00", "#c62828"]


def _summary(db, principal, built_or_today, unit_id=None) -> DashboardSummary:
    today = built_or_today.today if isinstance(built_or_today, Built) else built_or_today
    return service.summary(session=db, principal=principal, today=today, unit_id=unit_id)


def _levels(counts) -> dict[str, int]:
    assert [c.level for c in counts] == LEVELS  # every band, in the matrix's order
    assert [c.color for c in counts] == COLORS
    return {c.level: c.count for c in counts}


@pytest.fixture
def built(db, world, principal_for) -> Built:
    return build(db, world, principal_for, utcnow().date())


def test_exact_figures_for_the_root_administrator(db, principal_for, built) -> None:
    result = _summary(db, principal_for("admin"), built)
    posture = result.risks
    assert posture.open_count == 6
    assert _levels(posture.by_inherent_level) == {"Low": 2, "Medium": 1, "High": 1, "Critical": 2}
    assert _levels(posture.by_current_level) == {"Low": 3, "Medium": 1, "High": 0, "Critical": 2}
    assert (posture.appetite_score, posture.above_appetite) == (10, 2)
    assert [(r.id, r.score, r.level, r.residual) for r in posture.top] == [
        (built.risks["a_critical"], 20, "Critical", False),
        (built.risks["b_critical"], 16, "Critical", True),
        (built.risks["team_high"], 8, "Medium", True),
        (built.risks["a_low"], 4, "Low", False),
        (built.risks["a_treated"], 2, "Low", True),
    ]
    assert posture.top[0].title == "a_critical" and posture.top[0].color == "#c62828"
    assert result.tasks.overdue == 3
    assert result.tasks.mine == []
    assert (result.evidence.window_days, result.evidence.expiring, result.evidence.expired) == (
        30,
        3,
        2,
    )
    assert [(c.framework_name, c.assessment_id, c.score) for c in result.compliance] == [
        ("Alpha", built.assessments["alpha_a"], 50.0),
        ("Beta", built.assessments["beta_b"], 25.0),
    ]
    assert len(result.recent_activity) == 10
    stamps = [(a.occurred_at, a.id) for a in result.recent_activity]
    assert stamps == sorted(stamps, reverse=True)
    assert {a.actor_email for a in result.recent_activity} == {"admin@example.com"}


def test_heatmaps_count_every_open_risk_once(db, principal_for, built) -> None:
    posture = _summary(db, principal_for("admin"), built).risks
    for heatmap in (posture.inherent_heatmap, posture.residual_heatmap):
        assert (heatmap.likelihood_levels, heatmap.impact_levels) == (5, 5)
        assert [len(row) for row in heatmap.cells] == [5] * 5
        assert sum(cell.count for row in heatmap.cells for cell in row) == 6
    inherent = {
        (c.likelihood, c.impact): c.count
        for row in posture.inherent_heatmap.cells
        for c in row
        if c.count
    }
    assert inherent == {(4, 5): 1, (3, 3): 1, (2, 2): 1, (3, 4): 1, (5, 4): 1, (1, 1): 1}
    residual = {
        (c.likelihood, c.impact): c.count
        for row in posture.residual_heatmap.cells
        for c in row
        if c.count
    }
    # risks without residual ratings stay at their inherent position
    assert residual == {(4, 5): 1, (1, 2): 1, (2, 2): 1, (2, 4): 1, (4, 4): 1, (1, 1): 1}


def test_a_4_by_5_risk_lands_in_cell_4_5_and_moves_when_residual_is_set(
    db, world, principal_for
) -> None:
    analyst, today = principal_for("analyst"), utcnow().date()
    risk = make_risk(db, analyst, world.units["team-a1"], inherent_likelihood=4, inherent_impact=5)
    posture = _summary(db, analyst, today).risks
    cell = posture.inherent_heatmap.cell(4, 5)
    assert (cell.likelihood, cell.impact, cell.count) == (4, 5, 1)
    assert (cell.level, cell.color) == ("Critical", "#c62828")
    assert posture.inherent_heatmap.cells[3][4] == cell
    assert posture.residual_heatmap.cell(4, 5).count == 1
    assert posture.inherent_heatmap.cell(5, 4).count == 0

    risks.update_risk(
        session=db,
        principal=analyst,
        risk_id=risk.id,
        data=RiskUpdate(residual_likelihood=2, residual_impact=3),
    )
    posture = _summary(db, analyst, today).risks
    assert posture.inherent_heatmap.cell(4, 5).count == 1
    assert posture.residual_heatmap.cell(4, 5).count == 0
    moved = posture.residual_heatmap.cell(2, 3)
    assert (moved.count, moved.level, moved.color) == (1, "Medium", "#f9a825")
    assert _levels(posture.by_current_level) == {"Low": 0, "Medium": 1, "High": 0, "Critical": 0}
    assert posture.above_appetite == 0


def test_an_analyst_sees_only_their_division(db, world, principal_for, built) -> None:
    result = _summary(db, principal_for("analyst"), built)
    posture = result.risks
    assert posture.open_count == 4
    assert _levels(posture.by_inherent_level) == {"Low": 1, "Medium": 1, "High": 1, "Critical": 1}
    assert _levels(posture.by_current_level) == {"Low": 2, "Medium": 1, "High": 0, "Critical": 1}
    assert posture.above_appetite == 1
    assert [r.title for r in posture.top] == ["a_critical", "team_high", "a_low", "a_treated"]
    assert result.tasks.overdue == 2
    mine = [(t.id, t.overdue) for t in result.tasks.mine]
    assert mine == [
        (built.tasks["late_mine"], True),
        (built.tasks["today_mine"], False),
        (built.tasks["soon_mine"], False),
        (built.tasks["undated_mine"], False),
    ]
    first = result.tasks.mine[0]
    assert (first.title, first.priority, first.status) == ("late_mine", "medium", "open")
    assert (result.evidence.expiring, result.evidence.expired) == (2, 1)
    assert [(c.framework_name, c.score) for c in result.compliance] == [("Alpha", 50.0)]
    readable = {world.units["division-a"], world.units["team-a1"]}
    assert {a.unit_id for a in result.recent_activity} <= readable


def test_the_sibling_division_sees_none_of_division_a(db, world, principal_for, built) -> None:
    result = _summary(db, principal_for("analyst_b"), built)
    posture = result.risks
    assert posture.open_count == 2
    assert _levels(posture.by_inherent_level) == {"Low": 1, "Medium": 0, "High": 0, "Critical": 1}
    assert _levels(posture.by_current_level) == {"Low": 1, "Medium": 0, "High": 0, "Critical": 1}
    assert posture.above_appetite == 1
    assert [r.id for r in posture.top] == [built.risks["b_critical"], built.risks["b_low"]]
    for heatmap in (posture.inherent_heatmap, posture.residual_heatmap):
        assert heatmap.cell(4, 5).count == 0  # division-a's critical risk
    assert result.tasks.overdue == 1
    assert [t.id for t in result.tasks.mine] == [built.tasks["late_b"]]
    assert (result.evidence.expiring, result.evidence.expired) == (1, 1)
    assert [(c.framework_name, c.assessment_id, c.score) for c in result.compliance] == [
        ("Beta", built.assessments["beta_b"], 25.0)
    ]
    activity = result.recent_activity
    assert activity and {a.unit_id for a in activity} == {world.units["division-b"]}
    division_a_risks = {built.risks[n] for n in ("a_critical", "a_treated", "a_low", "team_high")}
    assert not any(a.entity_type == "risk" and a.entity_id in division_a_risks for a in activity)
    seen = {(a.entity_type, a.entity_id) for a in activity}
    assert ("risk", built.risks["b_critical"]) in seen
    assert ("assessment", built.assessments["beta_b"]) in seen


def test_recent_activity_needs_no_auditor_role(db, world, principal_for, built) -> None:
    analyst = principal_for("analyst")
    assert not analyst.auditable
    activity = _summary(db, analyst, built).recent_activity
    assert len(activity) == 10
    assert ("assessment", built.assessments["alpha_team"]) in {
        (a.entity_type, a.entity_id) for a in activity
    }


def test_a_narrowed_dashboard_names_what_its_viewer_can_read_anywhere(
    db, world, principal_for, built
) -> None:
    """The admin of the company, looking at division-a only, still knows who did what."""
    admin = principal_for("admin")
    narrowed = _summary(db, admin, built, world.units["division-a"]).recent_activity
    assert narrowed and {a.unit_id for a in narrowed} <= {
        world.units["division-a"],
        world.units["team-a1"],
    }
    assert {a.actor_name for a in narrowed} == {"Admin"}  # whose role is on the company
    everywhere = {a.id: a for a in _summary(db, admin, built).recent_activity}
    for activity in narrowed:
        if activity.id in everywhere:
            assert activity == everywhere[activity.id]
    # the division's own analyst cannot read the company, so the admin stays unnamed
    as_analyst = _summary(db, principal_for("analyst"), built).recent_activity
    assert {a.actor_name for a in as_analyst} == {None}


def test_a_unit_filter_narrows_every_figure(db, world, principal_for, built) -> None:
    admin, analyst = principal_for("admin"), principal_for("analyst")
    division = _summary(db, admin, built, world.units["division-a"])
    assert division.unit_id == world.units["division-a"]
    as_analyst = _summary(db, analyst, built)
    assert division.risks == as_analyst.risks
    assert division.evidence == as_analyst.evidence
    assert division.tasks.overdue == as_analyst.tasks.overdue
    assert division.compliance == as_analyst.compliance
    assert [a.id for a in division.recent_activity] == [a.id for a in as_analyst.recent_activity]

    team = _summary(db, admin, built, world.units["team-a1"])
    assert team.risks.open_count == 1
    assert [r.title for r in team.risks.top] == ["team_high"]
    assert team.tasks.overdue == 1
    assert (team.evidence.expiring, team.evidence.expired) == (1, 0)
    assert [(c.assessment_id, c.unit_id, c.score) for c in team.compliance] == [
        (built.assessments["alpha_team"], world.units["team-a1"], 50.0)
    ]
    assert {a.unit_id for a in team.recent_activity} == {world.units["team-a1"]}
    mine = _summary(db, analyst, built, world.units["team-a1"]).tasks.mine
    assert [t.id for t in mine] == [built.tasks["today_mine"]]


def test_a_unit_outside_the_callers_scope_is_not_found(db, world, principal_for, built) -> None:
    cases = [
        ("analyst", world.units["division-b"]),
        ("analyst_b", world.units["team-a1"]),
        ("readonly_a", world.units["company"]),  # a parent of the caller's unit
        ("admin", 999_999),
    ]
    for name, unit_id in cases:
        with pytest.raises(UnitNotFound):
            _summary(db, principal_for(name), built, unit_id)


def test_an_empty_organisation_gives_zeros(db, principal_for) -> None:
    result = _summary(db, principal_for("analyst_b"), utcnow().date())
    assert result.risks.open_count == 0
    assert _levels(result.risks.by_current_level) == dict.fromkeys(LEVELS, 0)
    assert result.risks.top == [] and result.compliance == []
    assert result.risks.residual_heatmap.cell(5, 5).count == 0
    assert (result.tasks.overdue, result.tasks.mine) == (0, [])
    assert (result.evidence.expiring, result.evidence.expired) == (0, 0)
