"""Queries of the assessments domain: assessments scoped to the caller, results in batches.

Owners, comments and overrides are read through an assessment the caller was found to see.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.assessments.schemas import AssessmentQuery, CommentKind
from aegis.models import (
    Assessment,
    AssessmentResult,
    Control,
    Evidence,
    Framework,
    Requirement,
    RoleAssignment,
    Unit,
    User,
    control_requirements,
    evidence_controls,
    evidence_requirements,
)
from aegis.models.assessment import AssessmentComment, AssessmentOwner

COMMENT_SORTABLE: dict[str, Any] = {
    "created_at": AssessmentComment.created_at,
    "id": AssessmentComment.id,
}


def visible(units: frozenset[int]) -> Select[Assessment]:
    """Assessments of these units."""
    return select(Assessment).where(in_units(Assessment.unit_id, units))


def filtered(units: frozenset[int], query: AssessmentQuery) -> Select[Assessment]:
    """Assessments of these units matching the filters."""
    stmt = visible(units)
    for name in ("unit_id", "framework_id", "status"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Assessment, name) == value)
    return stmt


def get(
    session: Session, units: frozenset[int], assessment_id: int, *, lock: bool = False
) -> Assessment | None:
    """One assessment of these units, optionally locked (and re-read) for an update."""
    stmt = visible(units).where(Assessment.id == assessment_id)
    return session.scalar(
        stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt
    )


def framework_shared(session: Session, shared_with: frozenset[int], framework_id: int) -> bool:
    """Whether the framework belongs to one of these units."""
    stmt = select(Framework.id).where(
        Framework.id == framework_id, in_units(Framework.unit_id, shared_with)
    )
    return session.scalar(stmt) is not None


def unit_parents(session: Session) -> dict[int, int | None]:
    """The unit tree as {unit_id: parent_id}."""
    return {uid: parent for uid, parent in session.execute(select(Unit.id, Unit.parent_id))}


def _statement_source() -> ColumnElement[str]:
    """The text of a requirement whose title only repeats its reference (its label needs it)."""
    repeats = or_(
        func.lower(Requirement.title) == func.lower(Requirement.ref_id),
        func.trim(Requirement.title) == "",
    )
    return case((repeats, Requirement.text), else_="").label("text")


def assessable_requirement(
    session: Session, framework_id: int, requirement_id: int
) -> Requirement | None:
    """An assessable requirement of the framework."""
    stmt = select(Requirement).where(
        Requirement.id == requirement_id,
        Requirement.framework_id == framework_id,
        Requirement.assessable.is_(True),
    )
    return session.scalar(stmt)


def _current(today: date) -> ColumnElement[bool]:
    return or_(Evidence.expires_on.is_(None), Evidence.expires_on >= today)


def override(session: Session, assessment_id: int, requirement_id: int) -> AssessmentResult | None:
    """The override of one requirement in an assessment."""
    stmt = select(AssessmentResult).where(
        AssessmentResult.assessment_id == assessment_id,
        AssessmentResult.requirement_id == requirement_id,
    )
    return session.scalar(stmt)


def latest_per_framework(
    session: Session, units: frozenset[int]
) -> list[tuple[Assessment, str, str]]:
    """The newest assessment of each framework in these units, with its name and version."""
    recency = (
        func.row_number()
        .over(
            partition_by=Assessment.framework_id,
            order_by=(Assessment.created_at.desc(), Assessment.id.desc()),
        )
        .label("recency")
    )
    ranked = (
        select(Assessment.id.label("assessment_id"), recency)
        .where(in_units(Assessment.unit_id, units))
        .subquery()
    )
    stmt = (
        select(Assessment, Framework.name, Framework.version)
        .join(ranked, ranked.c.assessment_id == Assessment.id)
        .join(Framework, Framework.id == Assessment.framework_id)
        .where(ranked.c.recency == 1)
        .order_by(Framework.name, Framework.version, Assessment.id)
    )
    return [(a, name, version) for a, name, version in session.execute(stmt)]


def requirements_of_frameworks(session: Session, framework_ids: list[int]) -> list[Row[Any]]:
    """Every requirement of several frameworks (text only where the title repeats the ref)."""
    stmt = select(
        Requirement.framework_id,
        Requirement.id,
        Requirement.parent_id,
        Requirement.ref_id,
        Requirement.title,
        _statement_source(),
        Requirement.assessable,
        Requirement.position,
    ).where(Requirement.framework_id.in_(framework_ids))
    return list(session.execute(stmt))


def mappings_of_frameworks(
    session: Session, framework_ids: list[int], scope: frozenset[int]
) -> list[tuple[int, int, int, str, int]]:
    """(framework, requirement, control, control status, control unit) of mapped controls."""
    stmt = (
        select(
            Requirement.framework_id,
            control_requirements.c.requirement_id,
            Control.id,
            Control.status,
            Control.unit_id,
        )
        .join(Control, Control.id == control_requirements.c.control_id)
        .join(Requirement, Requirement.id == control_requirements.c.requirement_id)
        .where(Requirement.framework_id.in_(framework_ids), in_units(Control.unit_id, scope))
    )
    return [(f, r, c, st, u) for f, r, c, st, u in session.execute(stmt)]


def control_evidence_of_frameworks(
    session: Session, framework_ids: list[int], scope: frozenset[int], today: date
) -> list[tuple[int, int, int]]:
    """(control, evidence, evidence unit) of current evidence on in-scope mapped controls.

    Joins from the frameworks' requirements to their controls (each once) and on to the
    evidence, never an IN list of a subquery, so that every engine follows the same path
    with or without statistics.
    """
    mapped = (
        select(control_requirements.c.control_id)
        .join(Requirement, Requirement.id == control_requirements.c.requirement_id)
        .join(Control, Control.id == control_requirements.c.control_id)
        .where(Requirement.framework_id.in_(framework_ids), in_units(Control.unit_id, scope))
        .distinct()
        .subquery("mapped")
    )
    stmt = (
        select(evidence_controls.c.control_id, Evidence.id, Evidence.unit_id)
        .select_from(mapped)
        .join(evidence_controls, evidence_controls.c.control_id == mapped.c.control_id)
        .join(Evidence, Evidence.id == evidence_controls.c.evidence_id)
        .where(in_units(Evidence.unit_id, scope), _current(today))
    )
    return [(c, e, u) for c, e, u in session.execute(stmt)]


def requirement_evidence_of_frameworks(
    session: Session, framework_ids: list[int], scope: frozenset[int], today: date
) -> list[tuple[int, int, int]]:
    """(requirement, evidence, evidence unit) of current evidence on these frameworks."""
    stmt = (
        select(evidence_requirements.c.requirement_id, Evidence.id, Evidence.unit_id)
        .select_from(Requirement)
        .join(evidence_requirements, evidence_requirements.c.requirement_id == Requirement.id)
        .join(Evidence, Evidence.id == evidence_requirements.c.evidence_id)
        .where(
            Requirement.framework_id.in_(framework_ids),
            in_units(Evidence.unit_id, scope),
            _current(today),
        )
    )
    return [(r, e, u) for r, e, u in session.execute(stmt)]


def overrides_of(session: Session, assessment_ids: list[int]) -> list[AssessmentResult]:
    """Every override recorded against several assessments."""
    stmt = select(AssessmentResult).where(AssessmentResult.assessment_id.in_(assessment_ids))
    return list(session.scalars(stmt))


def overrides_for(
    session: Session, assessment_id: int, requirement_ids: list[int]
) -> dict[int, AssessmentResult]:
    """The overrides of some requirements in an assessment, by requirement, locked for update."""
    stmt = (
        select(AssessmentResult)
        .where(
            AssessmentResult.assessment_id == assessment_id,
            AssessmentResult.requirement_id.in_(requirement_ids),
        )
        .with_for_update()
    )
    return {r.requirement_id: r for r in session.scalars(stmt)}


def decided_ids(session: Session, assessment_id: int) -> set[int]:
    """The requirements of an assessment that have an override."""
    stmt = select(AssessmentResult.requirement_id).where(
        AssessmentResult.assessment_id == assessment_id
    )
    return set(session.scalars(stmt))


def assessable_among(session: Session, framework_id: int, requirement_ids: list[int]) -> set[int]:
    """Which of these requirements are assessable requirements of the framework."""
    stmt = select(Requirement.id).where(
        Requirement.id.in_(requirement_ids),
        Requirement.framework_id == framework_id,
        Requirement.assessable.is_(True),
    )
    return set(session.scalars(stmt))


def owners_of(session: Session, assessment_id: int) -> dict[int, tuple[int, str]]:
    """The owner of each requirement of an assessment that has one: {requirement: (id, name)}."""
    stmt = (
        select(AssessmentOwner.requirement_id, User.id, User.name)
        .join(User, User.id == AssessmentOwner.owner_id)
        .where(AssessmentOwner.assessment_id == assessment_id)
    )
    return {requirement_id: (uid, name) for requirement_id, uid, name in session.execute(stmt)}


def owner_of(session: Session, assessment_id: int, requirement_id: int) -> AssessmentOwner | None:
    """The owner of one requirement in an assessment."""
    stmt = select(AssessmentOwner).where(
        AssessmentOwner.assessment_id == assessment_id,
        AssessmentOwner.requirement_id == requirement_id,
    )
    return session.scalar(stmt)


def owner_candidates(
    session: Session,
    unit_id: int,
    above: frozenset[int],
    seen_by: frozenset[int],
    user_id: int | None = None,
) -> list[tuple[int, str]]:
    """Active people who can read the unit and whom a caller reaching `seen_by` can see.

    `above` holds the unit and the units above it; `user_id` asks about one person only.
    """
    # reading the unit: a role on it, or on a unit above it that covers the units below
    reads_unit = exists().where(
        RoleAssignment.user_id == User.id,
        or_(
            RoleAssignment.unit_id == unit_id,
            and_(in_units(RoleAssignment.unit_id, above), RoleAssignment.include_children),
        ),
    )
    seen = exists().where(
        RoleAssignment.user_id == User.id, in_units(RoleAssignment.unit_id, seen_by)
    )
    stmt = select(User.id, User.name).where(User.is_active.is_(True), reads_unit, seen)
    if user_id is not None:
        stmt = stmt.where(User.id == user_id)
    return [(uid, name) for uid, name in session.execute(stmt.order_by(User.name, User.id))]


def comments_of(
    assessment_id: int, requirement_id: int | None, kind: CommentKind | None
) -> Select[AssessmentComment]:
    """The comments on an assessment itself (requirement None) or on one of its requirements."""
    on = (
        AssessmentComment.requirement_id.is_(None)
        if requirement_id is None
        else AssessmentComment.requirement_id == requirement_id
    )
    stmt = select(AssessmentComment).where(AssessmentComment.assessment_id == assessment_id, on)
    return stmt if kind is None else stmt.where(AssessmentComment.kind == kind.value)


def comment_counts(session: Session, assessment_id: int) -> dict[int, int]:
    """How many comments and notes each requirement of an assessment has."""
    stmt = (
        select(AssessmentComment.requirement_id, func.count())
        .where(
            AssessmentComment.assessment_id == assessment_id,
            AssessmentComment.requirement_id.is_not(None),
        )
        .group_by(AssessmentComment.requirement_id)
    )
    return {rid: int(n) for rid, n in session.execute(stmt) if rid is not None}
