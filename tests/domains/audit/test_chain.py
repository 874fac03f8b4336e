"""The audit chain: every event sealed to the one before; tampering named where it starts."""

from __future__ import annotations

from itertools import pairwise

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from aegis.core.audit_chain import KEY_INFO
from aegis.domains.audit.chain import AuditTrailIsAppendOnly
from aegis.domains.audit.verify import verify_chain
from aegis.domains.common.changes import record
from aegis.models import AuditChainHead, AuditEvent
from tests.conftest import World


def _record(db: Session, principal_for, world: World, count: int) -> list[AuditEvent]:
    """`count` events recorded as an analyst's changes, through the publishing path."""
    analyst = principal_for("analyst")
    for n in range(count):
        record(
            db,
            analyst,
            "update",
            "risk",
            1000 + n,
            world.units["division-a"],
            {"title": f"Risk {n}"},
            {"title": f"Risk {n} (renamed)", "score": 0.5 + n},
        )
    db.flush()
    return list(db.scalars(select(AuditEvent).order_by(AuditEvent.chain_position)))


def _sql(db: Session, statement: str, **values: object) -> None:
    """Tamper with the stored events behind Aegis's back."""
    db.execute(text(statement), values)
    db.expire_all()


def test_an_intact_chain_verifies(db: Session, principal_for, world: World) -> None:
    events = _record(db, principal_for, world, 5)
    assert [e.chain_position for e in events] == [1, 2, 3, 4, 5]
    assert events[0].chain_previous == "0" * 64
    assert all(b.chain_previous == a.chain_seal for a, b in pairwise(events))
    report = verify_chain(session=db, principal=None)
    assert report.intact and report.broken is None
    assert report.checked == report.last_position == 5
    assert report.last_seal == events[-1].chain_seal
    assert "intact: 5 events checked" in report.summary


def test_an_empty_trail_is_intact(db: Session) -> None:
    report = verify_chain(session=db, principal=None)
    assert report.intact and report.checked == 0
    assert report.summary == "The audit trail is intact: no events recorded yet."


def test_an_edited_event_is_named(db: Session, principal_for, world: World) -> None:
    events = _record(db, principal_for, world, 5)
    _sql(
        db,
        "UPDATE audit_events SET actor_email = 'someone-else@example.com' WHERE id = :id",
        id=events[2].id,
    )
    report = verify_chain(session=db, principal=None)
    assert not report.intact and report.broken is not None
    assert report.broken.problem == "edited" and report.broken.problem_label == "Edited"
    assert (report.broken.event_id, report.broken.position) == (events[2].id, 3)
    assert report.broken.occurred_at == events[2].occurred_at
    assert f"Event #{events[2].id}" in report.broken.message
    assert "changed after it was recorded" in report.broken.message
    assert report.checked == 2


def test_edited_changes_are_named_too(db: Session, principal_for, world: World) -> None:
    events = _record(db, principal_for, world, 3)
    changes = '{"title": ["Risk 1", "Harmless"]}'
    _sql(db, "UPDATE audit_events SET changes = :c WHERE id = :id", c=changes, id=events[1].id)
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert (report.broken.problem, report.broken.event_id) == ("edited", events[1].id)


def test_a_deleted_event_is_a_gap_before_the_next(db: Session, principal_for, world: World) -> None:
    events = _record(db, principal_for, world, 5)
    _sql(db, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert report.broken.problem == "deleted" and report.broken.problem_label == "Deleted (gap)"
    assert (report.broken.event_id, report.broken.position) == (events[2].id, 3)
    assert "1 event recorded before" in report.broken.message
    assert "(position 2)" in report.broken.message


def test_deleted_last_events_are_named(db: Session, principal_for, world: World) -> None:
    events = _record(db, principal_for, world, 5)
    _sql(db, "DELETE FROM audit_events WHERE chain_position > 3")
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert report.broken.problem == "deleted"
    assert (report.broken.event_id, report.broken.position) == (events[2].id, 4)
    assert "The last 2 events" in report.broken.message


def test_events_swapped_in_storage_are_reordered(db: Session, principal_for, world: World) -> None:
    events = _record(db, principal_for, world, 5)
    first, second = events[1].id, events[2].id
    _sql(db, "UPDATE audit_events SET id = :tmp WHERE id = :id", tmp=-7, id=first)
    _sql(db, "UPDATE audit_events SET id = :new WHERE id = :id", new=first, id=second)
    _sql(db, "UPDATE audit_events SET id = :new WHERE id = :tmp", new=second, tmp=-7)
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert report.broken.problem == "reordered" and report.broken.problem_label == "Reordered"
    assert (report.broken.event_id, report.broken.position) == (second, 2)
    assert "reordered" in report.broken.message


def test_events_swapped_in_the_chain_are_reordered(
    db: Session, principal_for, world: World
) -> None:
    events = _record(db, principal_for, world, 5)
    a, b = events[1].id, events[3].id
    _sql(db, "UPDATE audit_events SET chain_position = -1 WHERE id = :id", id=a)
    _sql(db, "UPDATE audit_events SET chain_position = 2 WHERE id = :id", id=b)
    _sql(db, "UPDATE audit_events SET chain_position = 4 WHERE id = :id", id=a)
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert (report.broken.problem, report.broken.event_id, report.broken.position) == (
        "reordered",
        b,
        2,
    )
    assert "was recorded at position 4" in report.broken.message


def test_an_event_added_behind_aegis_back_is_inserted(
    db: Session, principal_for, world: World
) -> None:
    events = _record(db, principal_for, world, 3)
    _sql(
        db,
        "INSERT INTO audit_events (occurred_at, entity_type, entity_id, action, changes, "
        "chain_position, chain_previous, chain_seal) "
        "VALUES (:at, 'risk', 1, 'delete', '{}', 4, :previous, :seal)",
        at=events[-1].occurred_at.replace(tzinfo=None),
        previous=events[-1].chain_seal,
        seal="f" * 64,
    )
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert report.broken.problem == "inserted" and report.broken.position == 4


def test_a_forged_event_in_a_gap_is_not_taken_for_the_real_one(
    db: Session, principal_for, world: World
) -> None:
    events = _record(db, principal_for, world, 4)
    at = events[1].occurred_at.replace(tzinfo=None)
    _sql(db, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    _sql(
        db,
        "INSERT INTO audit_events (occurred_at, entity_type, entity_id, action, changes, "
        "chain_position, chain_previous, chain_seal) "
        "VALUES (:at, 'risk', 1, 'create', '{}', 2, :previous, :seal)",
        at=at,
        previous="a" * 64,
        seal="b" * 64,
    )
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert (report.broken.problem, report.broken.position) == ("inserted", 2)


def test_a_changed_head_is_found(db: Session, principal_for, world: World) -> None:
    _record(db, principal_for, world, 3)
    _sql(db, "UPDATE audit_chain_head SET last_seal = :seal", seal="c" * 64)
    report = verify_chain(session=db, principal=None)
    assert report.broken is not None
    assert report.broken.problem == "edited" and "head of the chain" in report.broken.message


def test_another_key_is_told_from_tampering(db: Session, principal_for, world: World) -> None:
    _record(db, principal_for, world, 2)
    db.info[KEY_INFO] = "a-different-key-of-at-least-thirty-two-characters"
    try:
        report = verify_chain(session=db, principal=None)
    finally:
        db.info.pop(KEY_INFO)
    assert report.broken is not None
    assert report.broken.problem == "other_key" and "AUDIT_CHAIN_KEY" in report.broken.message


def test_the_check_reads_in_batches(
    db: Session, principal_for, world: World, count_queries
) -> None:
    _record(db, principal_for, world, 12)
    costs = {}
    for size in (3, 12):
        with count_queries() as counted:
            assert verify_chain(session=db, principal=None, batch_size=size).intact
        costs[size] = counted.count
    assert costs[3] - costs[12] == 3  # 4 pages of 3 plus the empty one, against 1 plus 1


def test_a_rolled_back_savepoint_takes_its_events_with_it(
    db: Session, principal_for, world: World
) -> None:
    _record(db, principal_for, world, 2)
    savepoint = db.begin_nested()
    _record(db, principal_for, world, 2)
    savepoint.rollback()
    events = _record(db, principal_for, world, 1)
    assert [e.chain_position for e in events] == [1, 2, 3]
    assert verify_chain(session=db, principal=None).intact
    head = db.get(AuditChainHead, 1)
    assert head is not None and head.last_position == 3


def test_the_orm_refuses_to_change_or_delete_an_event(
    db: Session, principal_for, world: World
) -> None:
    events = _record(db, principal_for, world, 2)
    events[0].actor_email = "someone-else@example.com"
    with pytest.raises(AuditTrailIsAppendOnly, match="cannot be changed"):
        db.flush()
    db.rollback()
    events = _record(db, principal_for, world, 2)
    db.delete(events[0])
    with pytest.raises(AuditTrailIsAppendOnly, match="cannot be deleted"):
        db.flush()


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(action="delete"),
        delete(AuditEvent),
        update(AuditChainHead).values(last_position=0),
    ],
    ids=["update events", "delete events", "update head"],
)
def test_bulk_changes_of_the_trail_are_refused(db: Session, statement: object) -> None:
    with pytest.raises(AuditTrailIsAppendOnly):
        db.execute(statement)  # type: ignore[call-overload]
