"""Risk use cases: scoring, history, references, workflow, acceptance, moves and scoping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from aegis.core.db import utcnow
from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.risks import service
from aegis.domains.risks.errors import InvalidTransition, RiskNotFound
from aegis.domains.risks.schemas import RiskHistoryQuery, RiskQuery, RiskUpdate
from aegis.models import AuditEvent, Risk, RiskScoreChange, risk_assets, risk_controls
from tests.factories.assets import make_asset
from tests.factories.risks import accept_risk, make_control, make_risk


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
        "acceptance_approver_id",
        "owner_id",
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
        "acceptance_approver_id": world.users["analyst"],
        "acceptance_justification": "Exposure is below the appetite",
        "acceptance_expires_on": (utcnow() + timedelta(days=3650)).date(),
    }
    return {**values, **fields}


def test_an_edit_cannot_accept_a_risk_nor_change_its_acceptance(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"], status="assessed")
    with pytest.raises(InvalidTransition) as raised:
        _update(db, analyst, risk.id, status="accepted", treatment="accept", **_acceptance(world))
    assert raised.value.details[0]["field"] == "status"
    assert "approves a request" in raised.value.message
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, **_acceptance(world))
    assert _error_fields(raised) == [
        "acceptance_approver_id",
        "acceptance_justification",
        "acceptance_expires_on",
    ]
    stored = db.get(Risk, risk.id)
    assert (stored.status, stored.acceptance_approver_id, stored.version) == ("assessed", None, 1)
    accepted = accept_risk(db, analyst, principal_for("admin_a"), risk.id)
    assert (accepted.status, accepted.treatment) == ("accepted", "accept")
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, acceptance_expires_on=date(2099, 12, 31))
    assert _error_fields(raised) == ["acceptance_expires_on"]
    with pytest.raises(ValidationFailed) as raised:
        _update(db, analyst, risk.id, treatment="mitigate")
    assert _error_fields(raised) == ["treatment"]
    unchanged = {
        "acceptance_approver_id": accepted.acceptance_approver_id,
        "acceptance_expires_on": accepted.acceptance_expires_on,
        "acceptance_justification": accepted.acceptance_justification,
    }
    still = _update(db, analyst, risk.id, title="Still accepted", **unchanged)
    assert (still.status, still.acceptance_approver_id) == ("accepted", world.users["admin_a"])
    assert _update(db, analyst, risk.id, status="assessed").status == "assessed"


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


def test_a_risk_cannot_be_registered_as_already_accepted(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    for status in ("accepted", "acceptance_expired"):
        with pytest.raises(InvalidTransition) as raised:
            make_risk(db, analyst, unit, status=status, treatment="accept", **_acceptance(world))
        assert raised.value.details[0]["field"] == "status"
    with pytest.raises(ValidationFailed) as raised:
        make_risk(db, analyst, unit, status="assessed", **_acceptance(world))
    assert _error_fields(raised) == [
        "acceptance_approver_id",
        "acceptance_justification",
        "acceptance_expires_on",
    ]
    assert _count(db, Risk) == _count(db, AuditEvent) == 0
