"""Named likelihood and impact levels, levels set per cell, and the residual-above-inherent flag."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.domains.dashboard import service as dashboard
from aegis.domains.risks import service
from aegis.domains.risks.matrix import DEFAULT_MATRIX, check_matrix, level_of_cell
from aegis.domains.risks.schemas import RiskMatrix
from aegis.models import Risk, StoredSetting
from tests.factories.risks import make_risk

BANDS = [band.model_dump() for band in DEFAULT_MATRIX.bands]


def _matrix(likelihood: int = 5, impact: int = 5, **fields) -> dict:
    top = likelihood * impact
    bands = (
        BANDS
        if top == 25
        else [
            {"name": "Low", "min_score": 1, "max_score": top // 2, "color": "#2e7d32"},
            {"name": "High", "min_score": top // 2 + 1, "max_score": top, "color": "#c62828"},
        ]
    )
    return {"likelihood_levels": likelihood, "impact_levels": impact, "bands": bands, **fields}


def _names(scale) -> list[str]:
    return [level.name for level in scale]


def test_the_default_matrix_names_each_level_with_its_criteria() -> None:
    assert _names(DEFAULT_MATRIX.likelihood_scale) == [
        "Rare",
        "Unlikely",
        "Possible",
        "Likely",
        "Almost certain",
    ]
    assert _names(DEFAULT_MATRIX.impact_scale)[4] == "Severe"
    assert DEFAULT_MATRIX.impact_scale[4].criteria == "Over €1M or regulatory action"
    assert DEFAULT_MATRIX.likelihood_scale[0].criteria == "Less than once in 10 years"
    assert DEFAULT_MATRIX.cell_levels == []


@pytest.mark.parametrize(
    ("likelihood", "impact", "first_likelihood", "last_impact"),
    [
        (5, 5, "Rare", "Severe"),
        (3, 3, "Low", "High"),
        (4, 4, "Low", "Very high"),
        (6, 7, "Level 1", "Level 7"),
        (5, 4, "Rare", "Very high"),
    ],
)
def test_matrices_stored_without_names_get_default_names_for_their_size(
    db, likelihood, impact, first_likelihood, last_impact
) -> None:
    db.add(StoredSetting(key="risk_matrix", value=_matrix(likelihood, impact)))
    db.flush()
    matrix = service.get_risk_matrix(session=db)
    assert len(matrix.likelihood_scale) == likelihood and len(matrix.impact_scale) == impact
    assert matrix.likelihood_scale[0].name == first_likelihood
    assert matrix.impact_scale[-1].name == last_impact
    assert matrix.cell_levels == []


def test_names_must_match_the_number_of_levels_and_fit() -> None:
    three = [{"name": "A"}, {"name": "B"}, {"name": "C"}]
    with pytest.raises(ValidationError) as raised:
        RiskMatrix.model_validate(_matrix(likelihood_scale=three))
    assert [e["loc"] for e in raised.value.errors()] == [("likelihood_scale",)]
    assert "Name each of the 5 likelihood levels (3 given)" in str(raised.value)
    long = [{"name": "x" * 41}] + [{"name": f"L{n}"} for n in range(4)]
    with pytest.raises(ValidationError) as raised:
        RiskMatrix.model_validate(_matrix(impact_scale=long))
    assert [e["loc"] for e in raised.value.errors()] == [("impact_scale", 0, "name")]
    blank = [{"name": "  "}] + [{"name": f"L{n}"} for n in range(4)]
    with pytest.raises(ValidationError):
        RiskMatrix.model_validate(_matrix(impact_scale=blank))


def _check_errors(**fields) -> list[str]:
    with pytest.raises(ValidationFailed) as raised:
        check_matrix(RiskMatrix.model_validate(_matrix(**fields)))
    return [detail["field"] for detail in raised.value.details]


def test_cell_levels_must_name_a_level_and_a_cell_of_the_grid_once() -> None:
    assert _check_errors(cell_levels=[{"likelihood": 5, "impact": 1, "level": "Severe"}]) == [
        "cell_levels.0.level"
    ]
    assert _check_errors(
        cell_levels=[
            {"likelihood": 1, "impact": 1, "level": "Low"},
            {"likelihood": 6, "impact": 1, "level": "Low"},
        ]
    ) == ["cell_levels.1.likelihood"]
    outside = _matrix(4, 4, cell_levels=[{"likelihood": 2, "impact": 5, "level": "High"}])
    with pytest.raises(ValidationFailed) as raised:
        check_matrix(RiskMatrix.model_validate(outside))
    assert raised.value.details[0]["field"] == "cell_levels.0.impact"
    assert "the matrix has 4 impact levels" in raised.value.details[0]["message"]
    twice = [{"likelihood": 5, "impact": 1, "level": "Medium"}] * 2
    assert _check_errors(cell_levels=twice) == ["cell_levels.1"]
    with pytest.raises(ValidationError):
        RiskMatrix.model_validate(
            _matrix(cell_levels=[{"likelihood": 0, "impact": 1, "level": "Low"}])
        )


def test_a_cell_level_is_spelt_as_its_band_and_kept_in_grid_order() -> None:
    matrix = check_matrix(
        RiskMatrix.model_validate(
            _matrix(
                cell_levels=[
                    {"likelihood": 5, "impact": 1, "level": "medium"},
                    {"likelihood": 1, "impact": 5, "level": "Medium"},
                ]
            )
        )
    )
    assert [(c.likelihood, c.impact, c.level) for c in matrix.cell_levels] == [
        (1, 5, "Medium"),
        (5, 1, "Medium"),
    ]
    assert level_of_cell(matrix, 5, 1) == "Medium"  # score 5 is in the Low band
    assert level_of_cell(matrix, 1, 4) == "Low"
    assert level_of_cell(matrix, 5, 5) == "Critical"


def _with_cells(*cells: tuple[int, int, str]) -> RiskMatrix:
    return RiskMatrix.model_validate(
        _matrix(cell_levels=[{"likelihood": l_, "impact": i, "level": n} for l_, i, n in cells])
    )


def test_cell_levels_relevel_stored_risks_in_one_statement(
    db, world, principal_for, count_queries
) -> None:
    admin, analyst = principal_for("admin"), principal_for("analyst")
    unit = world.units["division-a"]
    corner = make_risk(db, analyst, unit, inherent_likelihood=5, inherent_impact=1)
    both = make_risk(
        db,
        analyst,
        unit,
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=5,
        residual_impact=1,
    )
    plain = make_risk(db, analyst, unit, inherent_likelihood=1, inherent_impact=5)
    assert corner.inherent_level == "Low"
    with count_queries() as counter:
        service.update_risk_matrix(
            session=db, principal=admin, data=_with_cells((5, 1, "Medium"), (5, 5, "High"))
        )
    updates = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE RISKS")]
    assert len(updates) == 1
    levels = {r.id: (r.inherent_level, r.residual_level) for r in db.scalars(select(Risk))}
    assert levels[corner.id] == ("Medium", None)
    assert levels[both.id] == ("High", "Medium")
    assert levels[plain.id] == ("Low", None)
    created = make_risk(db, analyst, unit, inherent_likelihood=5, inherent_impact=1)
    assert (created.inherent_score, created.inherent_level) == (5, "Medium")

    service.update_risk_matrix(session=db, principal=admin, data=_with_cells())
    db.expire_all()
    assert db.get(Risk, corner.id).inherent_level == "Low"
    assert db.get(Risk, both.id).inherent_level == "Critical"


def test_the_dashboard_counts_and_heatmap_follow_cell_levels(db, world, principal_for) -> None:
    admin, analyst = principal_for("admin"), principal_for("analyst")
    make_risk(db, analyst, world.units["division-a"], inherent_likelihood=5, inherent_impact=1)

    def posture():
        summary = dashboard.summary(session=db, principal=analyst, today=utcnow().date())
        return summary.risks

    def counts(rows) -> dict[str, int]:
        return {row.level: row.count for row in rows}

    before = posture()
    assert counts(before.by_current_level) == {"Low": 1, "Medium": 0, "High": 0, "Critical": 0}
    service.update_risk_matrix(session=db, principal=admin, data=_with_cells((5, 1, "Medium")))
    after = posture()
    assert counts(after.by_current_level) == {"Low": 0, "Medium": 1, "High": 0, "Critical": 0}
    assert counts(after.by_inherent_level)["Medium"] == 1
    cell = after.inherent_heatmap.cell(5, 1)
    assert (cell.level, cell.color, cell.count, cell.above_appetite) == (
        "Medium",
        "#f9a825",
        1,
        False,
    )
    assert after.inherent_heatmap.cell(4, 3).above_appetite
    assert not after.inherent_heatmap.cell(5, 2).above_appetite


def test_the_read_flags_a_residual_rating_above_the_inherent_one(db, world, principal_for) -> None:
    analyst, unit = principal_for("analyst"), world.units["division-a"]
    lower = make_risk(db, analyst, unit, residual_likelihood=2, residual_impact=3)
    higher = make_risk(db, analyst, unit, residual_likelihood=2, residual_impact=4)
    unrated = make_risk(db, analyst, unit)
    assert not lower.residual_exceeds_inherent
    assert higher.residual_exceeds_inherent  # saved all the same: a warning, not a refusal
    assert not unrated.residual_exceeds_inherent
    assert higher.model_dump()["residual_exceeds_inherent"] is True
