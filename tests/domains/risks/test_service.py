"""Risk use cases: scoring, history, references, workflow, acceptance, moves and scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from aegis.core.db import utcnow
from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.risks import service
from aegis.domains.risks.errors import InvalidTransition, RiskNotFound
from aegis.domains.risks.schemas import RiskHistoryQuery, RiskQuery, RiskUpdate
from aegis.models import AuditEvent, Risk, RiskScoreChange, risk_assets, risk_controls
from tests.factories.assets import make_asset
from tests.factories.risks import make_control, make_risk


def _count(db, table) -> int:
    return db.scalar(select(func.count()).select_from(table))


def _history(db, principal, risk_id: int) -> list:
    page = service.get_risk_history(
        session=db, principal=principal, risk_id=risk_id, query=RiskHistoryQuery()
    )
    return page.items


def _update(db, principal, risk_id: int, **changes):
    return service.update_risk(
        session=db, principal=principal, risk_id=risk_id, data=RiskUpdate(**changes)
    )


def _error_fields(raised: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [d["field"] for d in raised.value.details]


def test_likelihood_4_impact_5_scores_20_critical_with_a_first_history_row(
    db, world, principal_for
) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(
        db,
        analyst,
        world.units["division-a"],
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=2,
        residual_impact=3,
    )
    assert (risk.inherent_score, risk.inherent_level) == (20, "Critical")
    assert (risk.residual_score, risk.residual_level) == (6, "Medium")
    assert risk.status == "identified"
    [first] = _history(db, analyst, risk.id)
    assert (first.inherent_score, first.residual_score) == (20, 6)
    assert first.changed_by_id == world.users["analyst"]
    stored = db.get(Risk, risk.id)
    assert (stored.inherent_score, stored.inherent_level) == (20, "Critical")
    event = db.scalar(select(AuditEvent).where(AuditEvent.entity_type == "risk"))
    assert event.action == "create" and event.entity_id == risk.id
    assert event.changes["inherent_level"] == [None, "Critical"]


def test_links_to_visible_assets_and_controls_are_kept(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    asset = make_asset(db, analyst, unit)
    control = make_control(db, world.units["team-a1"])
    risk = make_risk(db, analyst, unit, asset_ids=[asset.id], control_ids=[control])
    assert (risk.asset_ids, risk.control_ids) == ([asset.id], [control])
    risk = _update(db, analyst, risk.id, asset_ids=[], control_ids=[control])
    assert (risk.asset_ids, risk.control_ids) == ([], [control])


def test_bad_references_are_all_named_and_nothing_is_written(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    outside_asset = make_asset(db, principal_for("admin"), world.units["division-b"])
    outside_control = make_control(db, world.units["division-b"])
    with pytest.raises(ValidationFailed) as raised:
        make_risk(
            db,
            analyst,
            world.units["division-a"],
            owner_id=world.users["analyst_b"],
            acceptance_approver_id=999_999,
            asset_ids=[outside_asset.id],
            control_ids=[outside_control, 999_999],
            residual_likelihood=2,
            inherent_impact=6,
        )
    assert _error_fields(raised) == [
        "inherent_impact",
        "residual_impact",
        "owner_id",
        "acceptance_approver_id",
        "asset_ids",
        "control_ids",
    ]
    assert _count(db, Risk) == _count(db, RiskScoreChange) == _count(db, risk_assets) == 0


def test_changing_any_rating_adds_a_history_row_and_other_changes_do_not(
    db, world, principal_for
) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"])
    _update(db, analyst, risk.id, title="Renamed", description="More detail")
    assert len(_history(db, analyst, risk.id)) == 1
    _update(db, analyst, risk.id, inherent_impact=5)
    _update(db, analyst, risk.id, residual_likelihood=1, residual_impact=2)
    updated = _update(db, analyst, risk.id, residual_likelihood=2)
    assert (updated.residual_score, updated.residual_level) == (4, "Low")
    rows = _history(db, analyst, risk.id)
    assert [(r.inherent_score, r.residual_score) for r in rows] == [
        (9, None),
        (15, None),
        (15, 2),
        (15, 4),
    ]
    cleared = _update(db, analyst, risk.id, residual_likelihood=None, residual_impact=None)
    assert (cleared.residual_score, cleared.residual_level) == (None, None)
    assert len(_history(db, analyst, risk.id)) == 5


def test_invalid_update_changes_nothing(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(
        db, analyst, world.units["division-a"], residual_likelihood=1, residual_impact=1
    )
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, title="New", residual_impact=None, inherent_likelihood=9)
    assert _error_fields(raised) == ["inherent_likelihood", "residual_impact"]
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, title=None, inherent_impact=None)
    assert _error_fields(raised) == ["title", "inherent_impact"]
    db.expire_all()
    assert service.get_risk(session=db, principal=analyst, risk_id=risk.id) == risk
    assert len(_history(db, analyst, risk.id)) == 1


def test_status_follows_the_workflow(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"])
    for status in ("assessed", "treatment_planned", "in_treatment", "monitoring", "closed"):
        risk = _update(db, analyst, risk.id, status=status)
    assert risk.status == "closed"
    with pytest.raises(InvalidTransition) as raised:
        _update(db, analyst, risk.id, status="in_treatment")
    assert "from Closed to In treatment;" in raised.value.message
    assert _update(db, analyst, risk.id, status="identified").status == "identified"


def _acceptance(world, **fields):
    values = {
        "treatment": "accept",
        "acceptance_approver_id": world.users["admin_a"],
        "acceptance_justification": "Exposure is below the appetite",
        "acceptance_expires_on": (utcnow() + timedelta(days=180)).date(),
    }
    return {**values, **fields}


def test_accepting_needs_treatment_approver_justification_and_future_expiry(
    db, world, principal_for
) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"], status="assessed")
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, status="accepted")
    assert _error_fields(raised) == [
        "treatment",
        "acceptance_approver_id",
        "acceptance_justification",
        "acceptance_expires_on",
    ]
    yesterday = (utcnow() - timedelta(days=1)).date()
    with pytest.raises(ValidationFailed) as raised:
        _update(
            db,
            analyst,
            risk.id,
            status="accepted",
            **_acceptance(world, acceptance_expires_on=yesterday),
        )
    assert _error_fields(raised) == ["acceptance_expires_on"]
    assert db.get(Risk, risk.id).status == "assessed"
    accepted = _update(db, analyst, risk.id, status="accepted", **_acceptance(world))
    assert accepted.status == "accepted" and accepted.treatment == "accept"
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, treatment="mitigate")
    assert _error_fields(raised) == ["treatment"]
    assert _update(db, analyst, risk.id, title="Still accepted").status == "accepted"


def test_an_acceptance_approver_must_be_visible(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"], status="assessed")
    approver = {"acceptance_approver_id": world.users["analyst_b"]}
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, status="accepted", **_acceptance(world, **approver))
    assert _error_fields(raised) == ["acceptance_approver_id"]


def test_moving_a_risk_needs_write_access_on_both_units(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"])
    with pytest.raises(PermissionDenied):
        _update(db, analyst, risk.id, unit_id=world.units["division-b"])
    assert (
        _update(db, analyst, risk.id, unit_id=world.units["team-a1"]).unit_id
        == world.units["team-a1"]
    )
    moved = _update(db, principal_for("admin"), risk.id, unit_id=world.units["division-b"])
    assert moved.unit_id == world.units["division-b"]
    with pytest.raises(RiskNotFound):
        service.get_risk(session=db, principal=analyst, risk_id=risk.id)


def test_readers_cannot_write_and_other_divisions_cannot_see(db, world, principal_for) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], title="Secret plan")
    readonly, sibling = principal_for("readonly"), principal_for("analyst_b")
    with pytest.raises(PermissionDenied):
        make_risk(db, readonly, world.units["division-a"])
    with pytest.raises(PermissionDenied):
        _update(db, readonly, risk.id, title="x")
    with pytest.raises(PermissionDenied):
        service.delete_risk(session=db, principal=readonly, risk_id=risk.id)
    for call in (service.get_risk, service.delete_risk):
        with pytest.raises(RiskNotFound):
            call(session=db, principal=sibling, risk_id=risk.id)
    with pytest.raises(RiskNotFound):
        _update(db, sibling, risk.id, title="x")
    page = service.list_risks(session=db, principal=sibling, query=RiskQuery(q="secret"))
    assert (page.total, page.items) == (0, [])
    assert service.list_risks(session=db, principal=readonly, query=RiskQuery()).total == 1


def test_deleting_a_risk_removes_its_links_and_history(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    asset = make_asset(db, analyst, unit)
    control = make_control(db, unit)
    risk = make_risk(db, analyst, unit, asset_ids=[asset.id], control_ids=[control])
    service.delete_risk(session=db, principal=analyst, risk_id=risk.id)
    db.expire_all()
    assert db.get(Risk, risk.id) is None
    assert _count(db, RiskScoreChange) == _count(db, risk_assets) == _count(db, risk_controls) == 0
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "risk").order_by(AuditEvent.id)
    )
    assert list(actions) == ["create", "delete"]


def test_a_risk_can_be_registered_as_already_accepted(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    with pytest.raises(ValidationFailed) as raised:
        make_risk(db, analyst, unit, status="accepted", treatment="accept")
    assert _error_fields(raised) == [
        "acceptance_approver_id",
        "acceptance_justification",
        "acceptance_expires_on",
    ]
    risk = make_risk(db, analyst, unit, status="accepted", **_acceptance(world))
    assert (risk.status, risk.acceptance_approver_id) == ("accepted", world.users["admin_a"])
