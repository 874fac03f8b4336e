"""Queries of the evidence domain, always scoped to the caller's units."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.common.links import LinkKind
from aegis.domains.common.listing import like_pattern
from aegis.domains.common.scope import within_unit
from aegis.domains.evidence.schemas import EvidenceQuery
from aegis.models import (
    Control,
    Evidence,
    EvidenceVersion,
    Framework,
    Requirement,
    evidence_controls,
    evidence_requirements,
)


def is_current(today: date) -> ColumnElement[bool]:
    """Evidence without an expiry date or whose expiry date has not passed."""
    return or_(Evidence.expires_on.is_(None), Evidence.expires_on >= today)


def visible(units: frozenset[int]) -> Select[Evidence]:
    """Evidence of these units."""
    return select(Evidence).where(in_units(Evidence.unit_id, units))


def filtered(units: frozenset[int], query: EvidenceQuery, today: date) -> Select[Evidence]:
    """Evidence of these units matching the filters."""
    stmt = visible(units)
    if query.q:
        pattern = like_pattern(query.q)
        stmt = stmt.where(
            or_(
                func.lower(Evidence.title).like(pattern, escape="\\"),
                func.lower(Evidence.description).like(pattern, escape="\\"),
            )
        )
    if query.unit_id is not None:
        stmt = stmt.where(Evidence.unit_id == query.unit_id)
    if query.kind is not None:
        stmt = stmt.where(Evidence.kind == query.kind)
    if query.expired is not None:
        stmt = stmt.where(~is_current(today) if query.expired else is_current(today))
    if query.expiring_within_days is not None:
        horizon = today + timedelta(days=query.expiring_within_days)
        stmt = stmt.where(Evidence.expires_on >= today, Evidence.expires_on <= horizon)
    if query.within_unit_id is not None:
        stmt = stmt.where(within_unit(Evidence.unit_id, query.within_unit_id))
    if query.control_id is not None:
        stmt = stmt.where(
            exists().where(
                evidence_controls.c.evidence_id == Evidence.id,
                evidence_controls.c.control_id == query.control_id,
            )
        )
    if query.requirement_id is not None:
        stmt = stmt.where(
            exists().where(
                evidence_requirements.c.evidence_id == Evidence.id,
                evidence_requirements.c.requirement_id == query.requirement_id,
            )
        )
    return stmt


def get(
    session: Session, units: frozenset[int], evidence_id: int, *, lock: bool = False
) -> Evidence | None:
    """One evidence item of these units, optionally locked for update."""
    stmt = visible(units).where(Evidence.id == evidence_id)
    return session.scalar(
        stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt
    )


CONTROL_LINKS = LinkKind(
    evidence_controls, "evidence_id", "control_id", lambda: select(Control.id, Control.unit_id)
)
REQUIREMENT_LINKS = LinkKind(
    evidence_requirements,
    "evidence_id",
    "requirement_id",
    lambda: select(Requirement.id, Framework.unit_id).join(
        Framework, Framework.id == Requirement.framework_id
    ),
)


def latest_versions(
    session: Session, evidence_ids: list[int]
) -> dict[int, tuple[EvidenceVersion, int]]:
    """The newest version and the number of versions of several evidence items, in one query."""
    if not evidence_ids:
        return {}
    newest = (
        select(
            EvidenceVersion.evidence_id,
            func.max(EvidenceVersion.number).label("number"),
            func.count().label("count"),
        )
        .where(EvidenceVersion.evidence_id.in_(evidence_ids))
        .group_by(EvidenceVersion.evidence_id)
        .subquery()
    )
    stmt = select(EvidenceVersion, newest.c.count).join(
        newest,
        (EvidenceVersion.evidence_id == newest.c.evidence_id)
        & (EvidenceVersion.number == newest.c.number),
    )
    return {version.evidence_id: (version, count) for version, count in session.execute(stmt)}


def versions(session: Session, evidence_id: int) -> list[EvidenceVersion]:
    """Every version of an evidence item, oldest first."""
    stmt = select(EvidenceVersion).where(EvidenceVersion.evidence_id == evidence_id)
    return list(session.scalars(stmt.order_by(EvidenceVersion.number)))


def version(session: Session, evidence_id: int, number: int | None) -> EvidenceVersion | None:
    """One version of an evidence item; the newest when number is None."""
    stmt = select(EvidenceVersion).where(EvidenceVersion.evidence_id == evidence_id)
    if number is None:
        stmt = stmt.order_by(EvidenceVersion.number.desc()).limit(1)
    else:
        stmt = stmt.where(EvidenceVersion.number == number)
    return session.scalar(stmt)


def next_number(session: Session, evidence_id: int) -> int:
    """The number the next version of an evidence item gets."""
    stmt = select(func.max(EvidenceVersion.number)).where(
        EvidenceVersion.evidence_id == evidence_id
    )
    return int(session.scalar(stmt) or 0) + 1


def storage_keys(session: Session, evidence_id: int) -> list[str]:
    """Blob keys of every version of an evidence item."""
    stmt = select(EvidenceVersion.storage_key).where(EvidenceVersion.evidence_id == evidence_id)
    return list(session.scalars(stmt))


def expiry_counts(
    session: Session, units: frozenset[int], today: date, horizon: date
) -> tuple[int, int]:
    """(expiring from today to the horizon inclusive, already expired) evidence of these units."""
    expiring = (Evidence.expires_on >= today) & (Evidence.expires_on <= horizon)
    expired = Evidence.expires_on < today
    row = session.execute(
        select(
            func.coalesce(func.sum(case((expiring, 1), else_=0)), 0),
            func.coalesce(func.sum(case((expired, 1), else_=0)), 0),
        ).where(in_units(Evidence.unit_id, units), Evidence.expires_on.is_not(None))
    ).one()
    return int(row[0]), int(row[1])


def get_many(session: Session, units: frozenset[int], evidence_ids: list[int]) -> list[Evidence]:
    """The evidence of these units among the ids, by title."""
    if not evidence_ids:
        return []
    stmt = visible(units).where(Evidence.id.in_(sorted(set(evidence_ids))))
    return list(session.scalars(stmt.order_by(Evidence.title, Evidence.id)))
