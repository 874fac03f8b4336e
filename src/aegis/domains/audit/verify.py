"""Checking the audit chain end to end, a batch of events at a time, in constant memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.audit_chain import GENESIS, chain_key, key_id, same_seal, seal
from aegis.core.authz import Principal
from aegis.core.errors import PermissionDenied
from aegis.domains.audit.chain import sealed_form
from aegis.domains.audit.schemas import ChainBreak, ChainProblem, ChainReport
from aegis.models import AuditChainHead, AuditEvent, Unit
from aegis.models.audit import HEAD_ID

BATCH_SIZE = 1000
SEARCH_WINDOW = 1000  # positions tried either side when an event may have been moved
PROBLEM_LABELS = {
    "edited": "Edited",
    "deleted": "Deleted (gap)",
    "reordered": "Reordered",
    "inserted": "Inserted",
    "other_key": "Sealed with another key",
}
COLUMNS = (
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.actor_id,
    AuditEvent.actor_email,
    AuditEvent.unit_id,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.action,
    AuditEvent.changes,
    AuditEvent.request_id,
    AuditEvent.chain_position,
    AuditEvent.chain_previous,
    AuditEvent.chain_seal,
)


def _moment(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _events(count: int) -> str:
    return f"{count} event{'s' if count != 1 else ''}"


@dataclass
class _Walk:
    """Where the walk is: the last event checked and its seal."""

    key: bytes
    position: int = 0
    previous: str = GENESIS
    last: Any = None
    checked: int = 0


def _break(problem: ChainProblem, row: Any, position: int, message: str) -> ChainBreak:
    return ChainBreak(
        problem=problem,
        problem_label=PROBLEM_LABELS[problem],
        event_id=None if row is None else row.id,
        occurred_at=None if row is None else row.occurred_at,
        position=position,
        message=message,
    )


def _moved_from(walk: _Walk, row: Any, limit: int) -> int | None:
    """The position an intact event was sealed at, when it was moved to another one."""
    low = max(1, row.chain_position - SEARCH_WINDOW)
    high = min(limit, row.chain_position + SEARCH_WINDOW)
    for position in range(low, high + 1):
        if position != row.chain_position and same_seal(
            seal(walk.key, row.chain_previous, sealed_form(row, position)), row.chain_seal
        ):
            return position
    return None


def _check(walk: _Walk, row: Any, limit: int) -> ChainBreak | None:
    """The break at this event, if any; else move the walk past it."""
    expected = walk.position + 1
    name = f"Event #{row.id} ({_moment(row.occurred_at)}, position {row.chain_position})"
    if row.chain_position > expected:
        missing = row.chain_position - expected
        return _break(
            "deleted",
            row,
            row.chain_position,
            f"{_events(missing)} recorded before event #{row.id} "
            f"({_moment(row.occurred_at)}) {'is' if missing == 1 else 'are'} missing "
            f"(position {expected}{'' if missing == 1 else f' to {row.chain_position - 1}'}).",
        )
    linked = same_seal(row.chain_previous, walk.previous)
    if not same_seal(seal(walk.key, row.chain_previous, sealed_form(row)), row.chain_seal):
        moved = _moved_from(walk, row, limit)
        if moved is not None:
            return _break(
                "reordered",
                row,
                row.chain_position,
                f"{name} was recorded at position {moved}: the events were reordered.",
            )
        if not linked:
            return _break(
                "inserted",
                row,
                row.chain_position,
                f"{name} was not recorded by Aegis here: it does not follow the event before "
                "it (inserted or replaced).",
            )
        return _break(
            "edited",
            row,
            row.chain_position,
            f"{name} was changed after it was recorded: its content no longer matches its seal.",
        )
    if not linked:
        return _break(
            "inserted",
            row,
            row.chain_position,
            f"{name} does not follow the event before it (inserted or replaced).",
        )
    if walk.last is not None and row.id < walk.last.id:
        before = walk.last
        return _break(
            "reordered",
            before,
            before.chain_position,
            f"Event #{before.id} ({_moment(before.occurred_at)}, position "
            f"{before.chain_position}) is stored after event #{row.id} (position "
            f"{row.chain_position}), which was recorded later: the events were reordered.",
        )
    walk.position, walk.previous, walk.last = row.chain_position, row.chain_seal, row
    walk.checked += 1
    return None


def _batches(session: Session, limit: int, size: int) -> Iterator[list[Any]]:
    """The events up to position `limit`, in chain order, `size` at a time."""
    after = 0
    while True:
        rows = session.execute(
            select(*COLUMNS)
            .where(AuditEvent.chain_position > after, AuditEvent.chain_position <= limit)
            .order_by(AuditEvent.chain_position)
            .limit(size)
        ).all()
        if not rows:
            return
        yield list(rows)
        after = rows[-1].chain_position


def _end(session: Session, walk: _Walk, head: Any) -> ChainBreak | None:
    """What is wrong at the end of the chain: events removed, added, or the head changed."""
    if walk.position < head.last_position:
        missing = head.last_position - walk.position
        after = f" after event #{walk.last.id}" if walk.last is not None else ""
        return _break(
            "deleted",
            walk.last,
            walk.position + 1,
            f"The last {'event' if missing == 1 else _events(missing)}{after} "
            f"{'is' if missing == 1 else 'are'} missing: the chain ends at position "
            f"{walk.position} but {_events(head.last_position)} were recorded.",
        )
    if not same_seal(walk.previous, head.last_seal):
        return _break(
            "edited",
            walk.last,
            walk.position,
            "The head of the chain does not match its last event: it was changed.",
        )
    beyond = session.execute(
        select(*COLUMNS)
        .where(AuditEvent.chain_position > head.last_position)
        .order_by(AuditEvent.chain_position)
        .limit(1)
    ).one_or_none()
    now = session.scalar(select(AuditChainHead.last_position).where(AuditChainHead.id == HEAD_ID))
    if beyond is not None and (now is None or beyond.chain_position > now):
        return _break(
            "inserted",
            beyond,
            beyond.chain_position,
            f"Event #{beyond.id} ({_moment(beyond.occurred_at)}) lies beyond the last recorded "
            f"event (position {beyond.chain_position} of {head.last_position}): it was inserted.",
        )
    return None


def _summary(walk: _Walk, head: Any, broken: ChainBreak | None) -> str:
    if broken is not None:
        return f"The audit trail is broken: {broken.problem_label.lower()}. {broken.message}"
    if walk.last is None:
        return "The audit trail is intact: no events recorded yet."
    return (
        f"The audit trail is intact: {_events(walk.checked)} checked, the last one "
        f"#{walk.last.id} ({_moment(walk.last.occurred_at)})."
    )


def _require_root_admin(session: Session, principal: Principal) -> None:
    root = session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    if root is None or root not in principal.administrable:
        raise PermissionDenied(
            "Verifying the audit trail needs the administrator role on the whole organisation",
            unit_id=root,
        )


def verify_chain(
    *, session: Session, principal: Principal | None, batch_size: int = BATCH_SIZE
) -> ChainReport:
    """Check every event's seal and link in chain order; name the first broken link.

    `principal` None is an operator at the console; otherwise the caller must administer
    the whole organisation. Events appended while the check runs are left for the next one.
    """
    if principal is not None:
        _require_root_admin(session, principal)
    head = session.execute(
        select(AuditChainHead.last_position, AuditChainHead.last_seal, AuditChainHead.key_id).where(
            AuditChainHead.id == HEAD_ID
        )
    ).one()
    walk = _Walk(key=chain_key(session.info))
    broken: ChainBreak | None = None
    if head.key_id is not None and head.key_id != key_id(walk.key):
        first = session.execute(
            select(*COLUMNS).order_by(AuditEvent.chain_position).limit(1)
        ).one_or_none()
        broken = _break(
            "other_key",
            first,
            1,
            "The events were sealed with another key than the configured AUDIT_CHAIN_KEY "
            "(or the generated secrets/audit_chain_key file): they cannot be checked with it.",
        )
    else:
        for rows in _batches(session, head.last_position, max(1, batch_size)):
            for row in rows:
                if (broken := _check(walk, row, head.last_position)) is not None:
                    break
            if broken is not None:
                break
        else:
            broken = _end(session, walk, head)
    return ChainReport(
        intact=broken is None,
        checked=walk.checked,
        last_position=head.last_position,
        last_seal=head.last_seal,
        broken=broken,
        summary=_summary(walk, head, broken),
    )
