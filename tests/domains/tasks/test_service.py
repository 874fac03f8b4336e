"""Task use cases: links, units, assignees, transitions, audit and scoping."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from aegis.core.errors import NotFound, PermissionDenied, ValidationFailed
from aegis.domains.tasks import service
from aegis.domains.tasks.errors import TaskNotFound, TransitionNotAllowed
from aegis.domains.tasks.schemas import CommentQuery, TaskCreate, TaskQuery, TaskUpdate
from aegis.models import AuditEvent, Task, TaskComment
from tests.factories.assets import make_asset
from tests.factories.tasks import make_comment, make_control, make_risk, make_task


def _fields(error: ValidationFailed) -> set[str]:
    return {d["field"] for d in error.details}


def _count(db, model) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_unit_defaults_to_the_unit_of_the_first_linked_object(db, world, principal_for):
    analyst = principal_for("analyst")
    team, division = world.units["team-a1"], world.units["division-a"]
    risk = make_risk(db, team)
    asset = make_asset(db, analyst, division)
    control = make_control(db, team)
    by_risk = service.create_task(
        session=db,
        principal=analyst,
        data=TaskCreate(title="Fix", risk_id=risk.id, asset_id=asset.id),
    )
    by_asset = service.create_task(
        session=db,
        principal=analyst,
        data=TaskCreate(title="Fix", asset_id=asset.id, control_id=control.id),
    )
    by_control = service.create_task(
        session=db, principal=analyst, data=TaskCreate(title="Review", control_id=control.id)
    )
    assert (by_risk.unit_id, by_asset.unit_id, by_control.unit_id) == (team, division, team)
    assert by_control.status == "open" and by_control.completed_at is None
    assert (by_control.kind, by_control.priority) == ("remediation", "medium")


def test_a_task_needs_a_link_and_nothing_is_written_without_one(db, world, principal_for):
    with pytest.raises(ValidationFailed) as raised:
        service.create_task(
            session=db,
            principal=principal_for("analyst"),
            data=TaskCreate(title="Orphan", unit_id=world.units["division-a"]),
        )
    assert _fields(raised.value) == {"risk_id", "asset_id", "control_id"}
    assert _count(db, Task) == 0
    assert _count(db, AuditEvent) == 0


@pytest.mark.parametrize("field", ["risk_id", "asset_id", "control_id"])
def test_links_outside_the_callers_units_are_field_errors(db, world, principal_for, field):
    other = world.units["division-b"]
    linked = {
        "risk_id": lambda: make_risk(db, other).id,
        "asset_id": lambda: make_asset(db, principal_for("admin"), other).id,
        "control_id": lambda: make_control(db, other).id,
    }[field]()
    for value in (linked, 999999):
        with pytest.raises(ValidationFailed) as raised:
            service.create_task(
                session=db,
                principal=principal_for("analyst"),
                data=TaskCreate(title="Peek", unit_id=world.units["division-a"], **{field: value}),
            )
        assert _fields(raised.value) == {field}
    assert _count(db, Task) == 0


def test_writing_needs_analyst_or_admin_on_the_unit(db, world, principal_for):
    risk = make_risk(db, world.units["division-a"])
    for name, unit in (("readonly_a", None), ("analyst", world.units["division-b"])):
        with pytest.raises(PermissionDenied):
            service.create_task(
                session=db,
                principal=principal_for(name),
                data=TaskCreate(title="No", unit_id=unit, risk_id=risk.id),
            )
    assert _count(db, Task) == 0


def test_assignee_must_be_a_user_the_caller_can_see(db, world, principal_for):
    analyst = principal_for("analyst")
    risk = make_risk(db, world.units["division-a"])
    with pytest.raises(ValidationFailed) as raised:
        service.create_task(
            session=db,
            principal=analyst,
            data=TaskCreate(title="X", risk_id=risk.id, assignee_id=world.users["analyst_b"]),
        )
    assert _fields(raised.value) == {"assignee_id"}
    task = make_task(db, analyst, world.units["division-a"], assignee_id=world.users["admin_a"])
    with pytest.raises(ValidationFailed) as raised:
        service.update_task(
            session=db,
            principal=analyst,
            task_id=task.id,
            data=TaskUpdate(assignee_id=world.users["analyst_b"]),
        )
    assert _fields(raised.value) == {"assignee_id"}
    assert (
        service.get_task(session=db, principal=analyst, task_id=task.id).assignee_id
        == (world.users["admin_a"])
    )


def test_done_sets_completed_at_and_reopening_clears_it(db, world, principal_for):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["division-a"])

    def move(status: str):
        return service.update_task(
            session=db, principal=analyst, task_id=task.id, data=TaskUpdate(status=status)
        )

    assert move("in_progress").completed_at is None
    done = move("done")
    assert done.status == "done" and done.completed_at is not None
    assert move("done").completed_at == done.completed_at
    assert move("open").completed_at is None
    assert move("cancelled").completed_at is None


def test_refused_transition_names_from_and_to_and_changes_nothing(db, world, principal_for):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["division-a"], title="Before")
    service.update_task(
        session=db, principal=analyst, task_id=task.id, data=TaskUpdate(status="cancelled")
    )
    with pytest.raises(TransitionNotAllowed) as raised:
        service.update_task(
            session=db,
            principal=analyst,
            task_id=task.id,
            data=TaskUpdate(status="done", title="After"),
        )
    assert raised.value.details == [{"field": "status", "from": "cancelled", "to": "done"}]
    after = service.get_task(session=db, principal=analyst, task_id=task.id)
    assert (after.title, after.status) == ("Before", "cancelled")


@pytest.mark.parametrize("field", ["unit_id", "title", "kind", "status", "priority"])
def test_required_fields_cannot_be_nulled(db, world, principal_for, field):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["division-a"])
    with pytest.raises(ValidationFailed) as raised:
        service.update_task(
            session=db, principal=analyst, task_id=task.id, data=TaskUpdate(**{field: None})
        )
    assert _fields(raised.value) == {field}


def test_links_can_change_but_not_all_be_removed(db, world, principal_for):
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    control = make_control(db, unit)
    task = make_task(db, analyst, unit)
    with pytest.raises(ValidationFailed) as raised:
        service.update_task(
            session=db, principal=analyst, task_id=task.id, data=TaskUpdate(risk_id=None)
        )
    assert _fields(raised.value) == {"risk_id", "asset_id", "control_id"}
    changed = service.update_task(
        session=db,
        principal=analyst,
        task_id=task.id,
        data=TaskUpdate(risk_id=None, control_id=control.id),
    )
    assert (changed.risk_id, changed.control_id) == (None, control.id)
    hidden = make_control(db, world.units["division-b"])
    with pytest.raises(ValidationFailed) as raised:
        service.update_task(
            session=db, principal=analyst, task_id=task.id, data=TaskUpdate(control_id=hidden.id)
        )
    assert _fields(raised.value) == {"control_id"}


def test_moving_a_task_needs_write_access_to_the_target_unit(db, world, principal_for):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["division-a"])
    with pytest.raises(PermissionDenied):
        service.update_task(
            session=db,
            principal=analyst,
            task_id=task.id,
            data=TaskUpdate(unit_id=world.units["division-b"]),
        )
    moved = service.update_task(
        session=db,
        principal=analyst,
        task_id=task.id,
        data=TaskUpdate(unit_id=world.units["team-a1"], description=None),
    )
    assert (moved.unit_id, moved.description) == (world.units["team-a1"], "")


def test_sibling_division_cannot_see_read_change_or_comment(db, world, principal_for):
    task = make_task(db, principal_for("analyst"), world.units["team-a1"], title="Secret")
    sibling = principal_for("analyst_b")
    listing = service.list_tasks(session=db, principal=sibling, query=TaskQuery(q="secret"))
    assert (listing.items, listing.total) == ([], 0)
    calls = [
        lambda: service.get_task(session=db, principal=sibling, task_id=task.id),
        lambda: service.update_task(
            session=db, principal=sibling, task_id=task.id, data=TaskUpdate(title="Mine")
        ),
        lambda: service.delete_task(session=db, principal=sibling, task_id=task.id),
        lambda: make_comment(db, sibling, task.id, "hello"),
    ]
    for call in calls:
        with pytest.raises(TaskNotFound):
            call()


def test_readonly_reads_comments_but_cannot_write_them(db, world, principal_for):
    task = make_task(db, principal_for("analyst"), world.units["division-a"])
    make_comment(db, principal_for("analyst"), task.id, "First")
    readonly = principal_for("readonly_a")
    with pytest.raises(PermissionDenied):
        make_comment(db, readonly, task.id, "Second")
    comments = service.list_comments(
        session=db, principal=readonly, task_id=task.id, query=CommentQuery()
    )
    assert [c.body for c in comments.items] == ["First"]
    assert comments.items[0].author_name == "Analyst"
    assert _count(db, TaskComment) == 1


def test_every_change_and_comment_is_audited(db, world, principal_for):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["division-a"], due_date=date(2030, 1, 1))
    service.update_task(
        session=db, principal=analyst, task_id=task.id, data=TaskUpdate(status="in_progress")
    )
    # an update that changes nothing records nothing
    service.update_task(
        session=db, principal=analyst, task_id=task.id, data=TaskUpdate(status="in_progress")
    )
    comment = make_comment(db, analyst, task.id, "On it")
    service.delete_task(session=db, principal=analyst, task_id=task.id)
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.entity_type, e.action) for e in events] == [
        ("task", "create"),
        ("task", "update"),
        ("task_comment", "create"),
        ("task", "delete"),
    ]
    assert events[0].changes["due_date"] == [None, "2030-01-01"]
    assert events[1].changes == {"status": ["open", "in_progress"], "version": [1, 2]}
    assert events[2].entity_id == comment.id
    assert events[2].changes["body"] == [None, "On it"]
    assert all(e.unit_id == world.units["division-a"] and e.actor_id for e in events)


def test_deleting_a_task_deletes_its_comments(db, world, principal_for):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["division-a"])
    make_comment(db, analyst, task.id, "One")
    make_comment(db, analyst, task.id, "Two")
    service.delete_task(session=db, principal=analyst, task_id=task.id)
    db.expire_all()
    assert _count(db, TaskComment) == 0
    with pytest.raises(NotFound):
        service.get_task(session=db, principal=analyst, task_id=task.id)
