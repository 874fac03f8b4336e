"""Control use cases: references, requirement mappings, visibility and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aegis.core.errors import Conflict, PermissionDenied, ValidationFailed
from aegis.domains.controls import service
from aegis.domains.controls.errors import ControlNotFound
from aegis.domains.controls.schemas import ControlCreate, ControlUpdate
from aegis.models import AuditEvent, control_requirements
from tests.factories.controls import insert_framework, make_control


def _fields(error: ValidationFailed | Conflict) -> set[str]:
    return {d["field"] for d in error.details}


def test_control_maps_requirements_of_several_frameworks(db, world, principal_for):
    analyst = principal_for("analyst")
    _, nist = insert_framework(db, world.units["company"], ("PR.AA-01", "PR.AA-02"))
    _, local = insert_framework(db, world.units["division-a"], ("L1",))
    control = make_control(
        db,
        analyst,
        world.units["division-a"],
        "AC-1",
        status="implemented",
        requirement_ids=[local["L1"], nist["PR.AA-02"], nist["PR.AA-01"]],
    )
    assert control.requirement_ids == sorted([local["L1"], nist["PR.AA-01"], nist["PR.AA-02"]])
    assert control.status == "implemented"


def test_reference_is_unique_per_unit_only(db, world, principal_for):
    analyst = principal_for("analyst")
    make_control(db, analyst, world.units["division-a"], "AC-1")
    make_control(db, analyst, world.units["team-a1"], "AC-1")
    with pytest.raises(Conflict) as caught:
        make_control(db, analyst, world.units["division-a"], "AC-1")
    assert _fields(caught.value) == {"ref"}
    with pytest.raises(Conflict):
        make_control(db, analyst, world.units["division-a"], "ac-1")
    other = make_control(db, analyst, world.units["division-a"], "AC-2")
    with pytest.raises(Conflict):
        service.update_control(
            session=db, principal=analyst, control_id=other.id, data=ControlUpdate(ref="AC-1")
        )


def test_requirements_must_belong_to_frameworks_shared_with_the_caller(db, world, principal_for):
    analyst = principal_for("analyst")
    _, foreign = insert_framework(db, world.units["division-b"], ("B1",))
    _, inherited = insert_framework(db, world.units["company"], ("C1",))
    data = ControlCreate(
        unit_id=world.units["division-a"],
        ref="X-1",
        title="x",
        requirement_ids=[foreign["B1"], 999999],
    )
    with pytest.raises(ValidationFailed) as caught:
        service.create_control(session=db, principal=analyst, data=data)
    assert _fields(caught.value) == {"requirement_ids"}
    assert str(foreign["B1"]) in caught.value.message
    ok = make_control(db, analyst, world.units["division-a"], requirement_ids=[inherited["C1"]])
    assert ok.requirement_ids == [inherited["C1"]]


def test_owner_must_be_visible_to_the_caller(db, world, principal_for):
    analyst = principal_for("analyst")
    with pytest.raises(ValidationFailed) as caught:
        make_control(db, analyst, world.units["division-a"], owner_id=world.users["analyst_b"])
    assert _fields(caught.value) == {"owner_id"}
    owned = make_control(db, analyst, world.units["division-a"], owner_id=world.users["admin_a"])
    assert owned.owner_id == world.users["admin_a"]


def test_readonly_cannot_write_and_sibling_cannot_see(db, world, principal_for):
    control = make_control(db, principal_for("analyst"), world.units["division-a"])
    with pytest.raises(PermissionDenied):
        make_control(db, principal_for("readonly"), world.units["division-a"])
    with pytest.raises(PermissionDenied):
        service.delete_control(
            session=db, principal=principal_for("readonly"), control_id=control.id
        )
    with pytest.raises(ControlNotFound):
        service.get_control(session=db, principal=principal_for("analyst_b"), control_id=control.id)


def test_update_validates_and_replaces_mappings(db, world, principal_for):
    analyst = principal_for("analyst")
    _, ids = insert_framework(db, world.units["division-a"], ("R1", "R2"))
    control = make_control(db, analyst, world.units["division-a"], requirement_ids=[ids["R1"]])
    for field in ("title", "ref", "status", "unit_id"):
        with pytest.raises(ValidationFailed) as caught:
            service.update_control(
                session=db,
                principal=analyst,
                control_id=control.id,
                data=ControlUpdate.model_validate({field: None}),
            )
        assert _fields(caught.value) == {field}
    with pytest.raises(PermissionDenied):
        service.update_control(
            session=db,
            principal=analyst,
            control_id=control.id,
            data=ControlUpdate(unit_id=world.units["division-b"]),
        )
    updated = service.update_control(
        session=db,
        principal=analyst,
        control_id=control.id,
        data=ControlUpdate(requirement_ids=[ids["R2"]], status="partially_implemented"),
    )
    assert updated.requirement_ids == [ids["R2"]]
    assert updated.status == "partially_implemented"


def test_require_visible_controls_names_the_field(db, world, principal_for):
    mine = make_control(db, principal_for("analyst"), world.units["division-a"])
    theirs = make_control(db, principal_for("analyst_b"), world.units["division-b"])
    service.require_visible_controls(
        session=db, principal=principal_for("analyst"), control_ids=[mine.id], field="x"
    )
    with pytest.raises(ValidationFailed) as caught:
        service.require_visible_controls(
            session=db,
            principal=principal_for("analyst"),
            control_ids=[mine.id, theirs.id],
            field="control_ids",
        )
    assert _fields(caught.value) == {"control_ids"}


def test_every_change_is_audited_and_delete_drops_mappings(db, world, principal_for):
    analyst = principal_for("analyst")
    _, ids = insert_framework(db, world.units["division-a"], ("R1",))
    control = make_control(db, analyst, world.units["division-a"], requirement_ids=[ids["R1"]])
    service.update_control(
        session=db, principal=analyst, control_id=control.id, data=ControlUpdate(title="Renamed")
    )
    service.delete_control(session=db, principal=analyst, control_id=control.id)
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "control", AuditEvent.entity_id == control.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert events[0].changes["requirement_ids"] == [None, [ids["R1"]]]
    assert events[1].changes == {"title": ["Control", "Renamed"], "version": [1, 2]}
    left = db.scalars(
        select(control_requirements.c.requirement_id).where(
            control_requirements.c.control_id == control.id
        )
    ).all()
    assert left == []


def test_a_reference_taken_concurrently_is_a_conflict_and_the_session_survives(
    db, world, principal_for, monkeypatch
):
    analyst = principal_for("analyst")
    first = make_control(db, analyst, world.units["division-a"], "AC-1")
    second = make_control(db, analyst, world.units["division-a"], "AC-2")
    monkeypatch.setattr(service.repo, "ref_taken", lambda *_args: False)
    with pytest.raises(Conflict) as caught:
        make_control(db, analyst, world.units["division-a"], "AC-1")
    assert _fields(caught.value) == {"ref"}
    with pytest.raises(Conflict):
        service.update_control(
            session=db, principal=analyst, control_id=second.id, data=ControlUpdate(ref="AC-1")
        )
    listed = service.get_control(session=db, principal=analyst, control_id=first.id)
    assert listed.ref == "AC-1"
    assert service.get_control(session=db, principal=analyst, control_id=second.id).ref == "AC-2"
