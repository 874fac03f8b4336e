"""Accepting a risk: asked with a justification and an end day, decided by someone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from aegis.core.db import utcnow
from aegis.core.errors import NotFound, PermissionDenied, ValidationFailed
from aegis.domains.risks import acceptance, service
from aegis.domains.risks.acceptance_schemas import (
    AcceptanceDecision,
    AcceptancePolicy,
    AcceptanceRequestCreate,
    AcceptanceRequestQuery,
)
from aegis.domains.risks.errors import (
    AcceptanceRequestDecided,
    AcceptanceRequestPending,
    InvalidTransition,
    OwnAcceptanceRequest,
)
from aegis.domains.risks.schemas import RiskQuery, RiskUpdate
from aegis.models import AuditEvent, Risk, RiskAcceptanceRequest
from tests.factories.risks import accept_risk, make_risk

POLICY = AcceptancePolicy()
TODAY = utcnow().date()


def _ask(db, principal, risk_id, *, days=90, policy=POLICY, today=None, why="Cheaper to bear"):
    return acceptance.request_acceptance(
        session=db,
        principal=principal,
        risk_id=risk_id,
        data=AcceptanceRequestCreate(
            justification=why, expires_on=(today or TODAY) + timedelta(days=days)
        ),
        policy=policy,
        today=today,
    )


def _approve(db, principal, request_id, *, policy=POLICY, comment="", today=None):
    return acceptance.approve_request(
        session=db,
        principal=principal,
        request_id=request_id,
        data=AcceptanceDecision(comment=comment),
        policy=policy,
        today=today,
    )


def _reject(db, principal, request_id, comment=""):
    return acceptance.reject_request(
        session=db,
        principal=principal,
        request_id=request_id,
        data=AcceptanceDecision(comment=comment),
        policy=POLICY,
    )


def _events(db, entity_type: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.entity_type == entity_type)
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def _assessed(db, principal_for, world, **fields):
    unit = world.units["division-a"]
    return make_risk(db, principal_for("analyst"), unit, status="assessed", **fields)


def test_a_request_changes_nothing_until_someone_else_approves_it(db, principal_for, world) -> None:
    analyst, admin_a = principal_for("analyst"), principal_for("admin_a")
    risk = _assessed(db, principal_for, world, inherent_likelihood=5, inherent_impact=5)
    asked = _ask(db, analyst, risk.id, days=120, why="Legacy system retires in spring")
    assert (asked.status, asked.requested_by_id, asked.risk_title) == (
        "pending",
        world.users["analyst"],
        risk.title,
    )
    stored = db.get(Risk, risk.id)
    assert (stored.status, stored.acceptance_approver_id, stored.version) == ("assessed", None, 1)

    approved = _approve(db, admin_a, asked.id, comment="Agreed at the risk committee")
    assert (approved.status, approved.decided_by_id) == ("approved", world.users["admin_a"])
    assert approved.decision_comment == "Agreed at the risk committee"
    db.refresh(stored)
    assert (stored.status, stored.treatment) == ("accepted", "accept")
    assert stored.acceptance_approver_id == world.users["admin_a"]
    assert stored.acceptance_justification == "Legacy system retires in spring"
    assert stored.acceptance_expires_on == TODAY + timedelta(days=120)
    assert stored.version == 2

    request_events = _events(db, "risk_acceptance_request")
    assert [e.action for e in request_events] == ["create", "update"]
    assert request_events[0].actor_id == world.users["analyst"]
    assert request_events[1].actor_id == world.users["admin_a"]
    assert request_events[1].changes["status"] == ["pending", "approved"]
    assert request_events[1].changes["decision_comment"] == ["", "Agreed at the risk committee"]
    risk_update = _events(db, "risk")[-1]
    assert risk_update.actor_id == world.users["admin_a"]
    assert risk_update.changes["status"] == ["assessed", "accepted"]


def test_nobody_approves_or_rejects_their_own_request(db, principal_for, world) -> None:
    admin_a = principal_for("admin_a")
    risk = _assessed(db, principal_for, world)
    asked = _ask(db, admin_a, risk.id)
    for decide in (_approve, _reject):
        with pytest.raises(OwnAcceptanceRequest):
            decide(db, admin_a, asked.id, comment="Fine by me")
    assert db.get(RiskAcceptanceRequest, asked.id).status == "pending"
    assert db.get(Risk, risk.id).status == "assessed"
    # an administrator of a unit above decides it
    assert _approve(db, principal_for("admin"), asked.id).status == "approved"


def test_only_administrators_of_the_unit_or_above_decide(db, principal_for, world) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["team-a1"], status="assessed")
    asked = _ask(db, principal_for("analyst"), risk.id)
    with pytest.raises(PermissionDenied, match="administrator"):
        _approve(db, principal_for("readonly"), asked.id)
    requester = principal_for("analyst")
    with pytest.raises(OwnAcceptanceRequest):
        _approve(db, requester, asked.id)
    with pytest.raises(NotFound):
        _approve(db, principal_for("analyst_b"), asked.id)
    assert db.get(RiskAcceptanceRequest, asked.id).status == "pending"
    assert _approve(db, principal_for("admin_a"), asked.id).status == "approved"


def test_analysts_decide_only_when_the_policy_lets_them(db, principal_for, world) -> None:
    risk = _assessed(db, principal_for, world)
    asked = _ask(db, principal_for("admin_a"), risk.id)
    with pytest.raises(PermissionDenied):
        _approve(db, principal_for("analyst"), asked.id)
    both = AcceptancePolicy(approver_roles=frozenset({"admin", "analyst"}))
    assert _approve(db, principal_for("analyst"), asked.id, policy=both).status == "approved"


def test_readers_cannot_ask_and_others_cannot_see(db, principal_for, world) -> None:
    risk = _assessed(db, principal_for, world)
    with pytest.raises(PermissionDenied):
        _ask(db, principal_for("readonly_a"), risk.id)
    with pytest.raises(NotFound):
        _ask(db, principal_for("analyst_b"), risk.id)
    assert db.scalar(select(func.count()).select_from(RiskAcceptanceRequest)) == 0


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "must end after today"),
        (-3, "must end after today"),
        (366, "at most 365 days"),
        (3650, "at most 365 days"),
    ],
)
def test_the_end_day_lies_after_today_and_within_the_maximum(
    db, principal_for, world, days, message
) -> None:
    risk = _assessed(db, principal_for, world)
    with pytest.raises(ValidationFailed, match=message) as raised:
        _ask(db, principal_for("analyst"), risk.id, days=days)
    assert raised.value.details[0]["field"] == "expires_on"
    assert db.scalar(select(func.count()).select_from(RiskAcceptanceRequest)) == 0
    assert _ask(db, principal_for("analyst"), risk.id, days=365).status == "pending"


def test_the_maximum_comes_from_the_policy(db, principal_for, world) -> None:
    risk = _assessed(db, principal_for, world)
    short = AcceptancePolicy(max_days=30)
    latest = (TODAY + timedelta(days=30)).isoformat()
    with pytest.raises(ValidationFailed, match=f"end it on {latest} or earlier"):
        _ask(db, principal_for("analyst"), risk.id, days=31, policy=short)
    asked = _ask(db, principal_for("analyst"), risk.id, days=200)
    with pytest.raises(AcceptanceRequestDecided, match="no longer fits"):
        _approve(db, principal_for("admin_a"), asked.id, policy=short)
    assert db.get(Risk, risk.id).status == "assessed"


def test_one_request_waits_per_risk_and_a_decision_is_final(db, principal_for, world) -> None:
    analyst, admin_a = principal_for("analyst"), principal_for("admin_a")
    risk = _assessed(db, principal_for, world)
    asked = _ask(db, analyst, risk.id)
    with pytest.raises(AcceptanceRequestPending):
        _ask(db, principal_for("admin"), risk.id)
    with pytest.raises(ValidationFailed) as raised:
        _reject(db, admin_a, asked.id)
    assert raised.value.details[0]["field"] == "comment"
    rejected = _reject(db, admin_a, asked.id, comment="Treat it: the fix is cheap")
    assert (rejected.status, rejected.decision_comment) == (
        "rejected",
        "Treat it: the fix is cheap",
    )
    assert db.get(Risk, risk.id).status == "assessed"
    with pytest.raises(AcceptanceRequestDecided, match="rejected already"):
        _approve(db, admin_a, asked.id)
    assert _ask(db, analyst, risk.id).status == "pending"


@pytest.mark.parametrize("status", ["identified", "monitoring", "closed"])
def test_risks_not_yet_assessed_or_closed_cannot_be_accepted(
    db, principal_for, world, status
) -> None:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"])
    if status != "identified":
        service.update_risk(
            session=db, principal=analyst, risk_id=risk.id, data=RiskUpdate(status="assessed")
        )
        moves = ["closed"] if status == "closed" else ["treatment_planned", "in_treatment", status]
        for move in moves:
            service.update_risk(
                session=db, principal=analyst, risk_id=risk.id, data=RiskUpdate(status=move)
            )
    with pytest.raises(InvalidTransition, match="cannot be accepted") as raised:
        _ask(db, analyst, risk.id)
    assert raised.value.details[0]["field"] == "status"


def test_a_risk_closed_while_its_request_waits_is_not_accepted(db, principal_for, world) -> None:
    analyst = principal_for("analyst")
    risk = _assessed(db, principal_for, world)
    asked = _ask(db, analyst, risk.id)
    service.update_risk(
        session=db, principal=analyst, risk_id=risk.id, data=RiskUpdate(status="closed")
    )
    with pytest.raises(InvalidTransition):
        _approve(db, principal_for("admin_a"), asked.id)
    assert db.get(Risk, risk.id).status == "closed"


def test_an_acceptance_that_ran_out_shows_expired_until_it_is_recorded(
    db, principal_for, world
) -> None:
    analyst, admin_a = principal_for("analyst"), principal_for("admin_a")
    risk = _assessed(db, principal_for, world)
    # accepted forty days ago for ten days: the acceptance ended a month ago
    accept_risk(db, analyst, admin_a, risk.id, days=10, today=TODAY - timedelta(days=40))
    assert db.get(Risk, risk.id).status == "accepted"
    shown = service.get_risk(session=db, principal=analyst, risk_id=risk.id)
    assert shown.status == "acceptance_expired"
    found = service.find_risks(session=db, principal=analyst, text=risk.title, limit=5)
    assert found.items[0].labels[0] == "Acceptance expired"
    top = service.top_open_risks(session=db, principal=analyst)
    assert [r.status for r in top if r.id == risk.id] == ["acceptance_expired"]

    def listed(**filters) -> list[int]:
        query = RiskQuery(**filters)
        return [r.id for r in service.list_risks(session=db, principal=analyst, query=query).items]

    for recorded in (False, True):
        assert listed(status="acceptance_expired") == [risk.id]
        assert listed(acceptance_expired=True) == [risk.id]
        assert listed(status="accepted") == []
        assert risk.id not in listed(acceptance_expired=False)
        if not recorded:
            yesterday = service.expire_acceptances(session=db, today=TODAY - timedelta(days=31))
            assert yesterday == 0  # the last accepted day was the 30th day ago
            assert service.expire_acceptances(session=db, today=TODAY) == 1
            assert service.expire_acceptances(session=db, today=TODAY) == 0
    stored = db.get(Risk, risk.id)
    assert (stored.status, stored.version) == ("acceptance_expired", 3)
    expiry = _events(db, "risk")[-1]
    assert (expiry.actor_id, expiry.changes["status"]) == (None, ["accepted", "acceptance_expired"])


def test_a_change_to_a_risk_whose_acceptance_ran_out_records_the_expiry_first(
    db, principal_for, world
) -> None:
    analyst, admin_a = principal_for("analyst"), principal_for("admin_a")
    risk = _assessed(db, principal_for, world)
    accept_risk(db, analyst, admin_a, risk.id, days=1, today=TODAY - timedelta(days=5))
    changed = service.update_risk(
        session=db,
        principal=analyst,
        risk_id=risk.id,
        data=RiskUpdate(title="Reviewed after expiry", version=2),
    )
    assert (changed.status, changed.version) == ("acceptance_expired", 4)
    statuses = [e.changes.get("status") for e in _events(db, "risk")[-2:]]
    assert statuses == [["accepted", "acceptance_expired"], None]
    # an expired acceptance is renewed by a new request, approved by someone else
    renewed = accept_risk(db, analyst, admin_a, risk.id, days=30)
    assert (renewed.status, renewed.acceptance_expires_on) == (
        "accepted",
        TODAY + timedelta(days=30),
    )


def test_the_list_of_requests_says_who_may_decide(db, principal_for, world) -> None:
    risk = _assessed(db, principal_for, world)
    asked = _ask(db, principal_for("analyst"), risk.id)

    def listed(name: str, **filters):
        query = AcceptanceRequestQuery(**filters)
        page = acceptance.list_requests(
            session=db, principal=principal_for(name), query=query, policy=POLICY
        )
        return [(r.id, r.can_decide) for r in page.items]

    assert listed("admin_a", awaiting_me=True) == [(asked.id, True)]
    assert listed("admin", awaiting_me=True) == [(asked.id, True)]
    assert listed("analyst", awaiting_me=True) == []
    assert listed("analyst", status="pending") == [(asked.id, False)]
    assert listed("readonly", risk_id=risk.id) == [(asked.id, False)]
    assert listed("analyst_b") == []
    with pytest.raises(NotFound):
        acceptance.get_request(
            session=db, principal=principal_for("analyst_b"), request_id=asked.id, policy=POLICY
        )
    _approve(db, principal_for("admin_a"), asked.id)
    assert listed("admin_a", awaiting_me=True) == []
    assert listed("admin_a", status="approved") == [(asked.id, False)]


def test_deleting_a_risk_deletes_its_requests(db, principal_for, world) -> None:
    risk = _assessed(db, principal_for, world)
    _ask(db, principal_for("analyst"), risk.id)
    service.delete_risk(session=db, principal=principal_for("analyst"), risk_id=risk.id)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(RiskAcceptanceRequest)) == 0
