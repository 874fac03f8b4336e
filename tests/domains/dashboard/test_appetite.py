"""The risk appetite of the matrix: its default, its bounds, old stored matrices, its count."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aegis.core.db import utcnow
from aegis.domains.dashboard import service
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskMatrix
from aegis.models import StoredSetting
from tests.domains.dashboard.scenario import build

BANDS = [
    {"name": "Low", "min_score": 1, "max_score": 5, "color": "#2e7d32"},
    {"name": "High", "min_score": 6, "max_score": 25, "color": "#c62828"},
]
SMALL_BANDS = [
    {"name": "Low", "min_score": 1, "max_score": 4, "color": "#2e7d32"},
    {"name": "High", "min_score": 5, "max_score": 9, "color": "#c62828"},
]


def _matrix(size: int = 5, bands=None, **fields) -> dict:
    return {
        "likelihood_levels": size,
        "impact_levels": size,
        "bands": bands or BANDS,
        **fields,
    }


def test_the_appetite_defaults_to_10_or_the_highest_score_of_a_smaller_matrix() -> None:
    assert RiskMatrix.model_validate(_matrix()).appetite_score == 10
    assert RiskMatrix.model_validate(_matrix(3, SMALL_BANDS)).appetite_score == 9
    assert RiskMatrix.model_validate(_matrix(appetite_score=25)).appetite_score == 25


@pytest.mark.parametrize("appetite", [0, 26, "12", 12.5])
def test_the_appetite_must_be_a_score_of_the_matrix(appetite) -> None:
    with pytest.raises(ValidationError) as raised:
        RiskMatrix.model_validate(_matrix(appetite_score=appetite))
    assert [e["loc"] for e in raised.value.errors()] == [("appetite_score",)]


def test_a_matrix_stored_before_the_appetite_existed_still_loads(db) -> None:
    db.add(StoredSetting(key="risk_matrix", value=_matrix(3, SMALL_BANDS)))
    db.flush()
    matrix = risks.get_risk_matrix(session=db)
    assert (matrix.likelihood_levels, matrix.appetite_score) == (3, 9)
    db.get(StoredSetting, "risk_matrix").value = _matrix()
    db.flush()
    db.expire_all()
    assert risks.get_risk_matrix(session=db).appetite_score == 10


def test_the_count_above_appetite_follows_the_setting(db, world, principal_for) -> None:
    admin, today = principal_for("admin"), utcnow().date()
    build(db, world, principal_for, today)
    # current scores of the open risks: 20, 16, 8, 4, 2, 1

    def above(appetite: int) -> int:
        matrix = RiskMatrix.model_validate(_matrix(appetite_score=appetite))
        risks.update_risk_matrix(session=db, principal=admin, data=matrix)
        posture = service.summary(session=db, principal=admin, today=today).risks
        assert posture.appetite_score == appetite
        return posture.above_appetite

    assert [above(a) for a in (1, 8, 15, 16, 20, 25)] == [5, 2, 2, 1, 0, 0]
    assert risks.get_risk_matrix(session=db).appetite_score == 25
    stored = db.get(StoredSetting, "risk_matrix").value
    assert stored["appetite_score"] == 25
