"""Changing the risk matrix: who may, what is refused, and the bulk recompute of levels."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.risks import service
from aegis.domains.risks.errors import MatrixInUse
from aegis.domains.risks.matrix import DEFAULT_MATRIX
from aegis.domains.risks.schemas import RiskMatrix
from aegis.models import AuditEvent, Risk, StoredSetting
from tests.factories.risks import make_risk


def _two_bands(size: int, split: int) -> RiskMatrix:
    top = size * size
    return RiskMatrix.model_validate(
        {
            "likelihood_levels": size,
            "impact_levels": size,
            "bands": [
                {"name": "Acceptable", "min_score": 1, "max_score": split, "color": "#00aa00"},
                {
                    "name": "Unacceptable",
                    "min_score": split + 1,
                    "max_score": top,
                    "color": "#aa0000",
                },
            ],
        }
    )


def test_the_default_matrix_applies_until_an_administrator_changes_it(db) -> None:
    assert db.get(StoredSetting, "risk_matrix") is None
    assert service.get_risk_matrix(session=db) == DEFAULT_MATRIX


def test_a_new_matrix_recomputes_every_risk_level_in_one_statement(
    db, world, principal_for, count_queries
) -> None:
    analyst, admin = principal_for("analyst"), principal_for("admin")
    low = make_risk(
        db, analyst, world.units["division-a"], inherent_likelihood=1, inherent_impact=2
    )
    high = make_risk(
        db,
        admin,
        world.units["division-b"],
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=3,
        residual_impact=3,
    )
    updated_at = db.get(Risk, high.id).updated_at
    with count_queries() as counter:
        service.update_risk_matrix(session=db, principal=admin, data=_two_bands(5, 8))
    updates = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE RISKS")]
    assert len(updates) == 1
    assert service.get_risk_matrix(session=db) == _two_bands(5, 8)
    levels = {
        r.id: (r.inherent_score, r.inherent_level, r.residual_score, r.residual_level)
        for r in db.scalars(select(Risk))
    }
    assert levels == {
        low.id: (2, "Acceptable", None, None),
        high.id: (20, "Unacceptable", 9, "Unacceptable"),
    }
    assert db.get(Risk, high.id).updated_at == updated_at
    event = db.scalar(select(AuditEvent).where(AuditEvent.entity_type == "risk_matrix"))
    assert event.unit_id == world.units["company"]
    before, after = event.changes["bands"]
    assert [b["name"] for b in before] == ["Low", "Medium", "High", "Critical"]
    assert [b["name"] for b in after] == ["Acceptable", "Unacceptable"]


def test_a_larger_matrix_allows_higher_ratings(db, world, principal_for) -> None:
    admin = principal_for("admin")
    with pytest.raises(ValidationFailed):
        make_risk(db, admin, world.units["division-a"], inherent_likelihood=7)
    service.update_risk_matrix(session=db, principal=admin, data=_two_bands(7, 24))
    risk = make_risk(db, admin, world.units["division-a"], inherent_likelihood=7, inherent_impact=7)
    assert (risk.inherent_score, risk.inherent_level) == (49, "Unacceptable")


def test_shrinking_below_stored_ratings_is_refused_and_nothing_changes(
    db, world, principal_for
) -> None:
    admin = principal_for("admin")
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], inherent_impact=5)
    with pytest.raises(MatrixInUse) as raised:
        service.update_risk_matrix(session=db, principal=admin, data=_two_bands(4, 6))
    assert raised.value.details == [
        {"field": "impact_levels", "risks": 1, "message": "1 risk(s) rate impact higher"}
    ]
    assert db.get(StoredSetting, "risk_matrix") is None
    assert db.get(Risk, risk.id).inherent_level == "High"


def test_only_administrators_of_the_root_unit_change_the_matrix(db, principal_for) -> None:
    for name in ("admin_a", "analyst", "readonly"):
        with pytest.raises(PermissionDenied):
            service.update_risk_matrix(
                session=db, principal=principal_for(name), data=_two_bands(5, 8)
            )
    assert db.get(StoredSetting, "risk_matrix") is None


def test_an_inconsistent_matrix_is_refused(db, principal_for) -> None:
    gap = _two_bands(5, 8).model_copy(deep=True)
    gap.bands[1].min_score = 10
    with pytest.raises(ValidationFailed) as raised:
        service.update_risk_matrix(session=db, principal=principal_for("admin"), data=gap)
    assert raised.value.details[0]["field"] == "bands.1.min_score"
    assert db.get(StoredSetting, "risk_matrix") is None
