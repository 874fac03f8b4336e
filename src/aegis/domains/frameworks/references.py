"""Queries of what refers to frameworks and requirements, and of requirements covering others."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, String, case, func, literal, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from aegis.core.authz import in_units
from aegis.domains.frameworks.labels import requirement_title
from aegis.domains.frameworks.repository import statement_source
from aegis.domains.frameworks.schemas import (
    CoveringRequirement,
    FrameworkUsage,
    RequirementUsage,
)
from aegis.models import (
    Assessment,
    AssessmentResult,
    Framework,
    Requirement,
    RequirementMapping,
    control_requirements,
    evidence_requirements,
)
from aegis.models.assessment import AssessmentComment, AssessmentOwner
from aegis.models.enums import MappingRelationship

T = TypeVar("T")
Ids = Select[Any]
Column = ColumnElement[T] | InstrumentedAttribute[T]
CoveringSelect = Select[int, int, int, str, int, str, str, str, str]


def of_framework(framework_id: int) -> Ids:
    """The ids of a framework's requirements, as a subquery."""
    return select(Requirement.id).where(Requirement.framework_id == framework_id)


def of_requirement(requirement_id: int) -> Ids:
    """One requirement id, as a subquery."""
    return select(Requirement.id).where(Requirement.id == requirement_id)


def requirement_usage(session: Session, ids: Ids) -> dict[int, RequirementUsage]:
    """What refers to each of these requirements, for those something refers to (one query)."""

    def kind(name: str, column: Column[int] | Column[int | None]) -> Select[str, int]:
        return select(literal(name, String).label("kind"), column.label("requirement_id"))

    links = union_all(
        kind("controls", control_requirements.c.requirement_id).where(
            control_requirements.c.requirement_id.in_(ids)
        ),
        kind("evidence", evidence_requirements.c.requirement_id).where(
            evidence_requirements.c.requirement_id.in_(ids)
        ),
        kind("results", AssessmentResult.requirement_id).where(
            AssessmentResult.requirement_id.in_(ids)
        ),
        kind("comments", AssessmentComment.requirement_id).where(
            AssessmentComment.requirement_id.in_(ids)
        ),
        kind("owners", AssessmentOwner.requirement_id).where(
            AssessmentOwner.requirement_id.in_(ids)
        ),
        kind("mappings", RequirementMapping.source_id).where(RequirementMapping.source_id.in_(ids)),
        kind("mappings", RequirementMapping.target_id).where(RequirementMapping.target_id.in_(ids)),
    ).subquery()
    stmt = select(links.c.kind, links.c.requirement_id, func.count()).group_by(
        links.c.kind, links.c.requirement_id
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for name, requirement_id, number in session.execute(stmt):
        counts[requirement_id][name] = int(number)
    return {rid: RequirementUsage(**found) for rid, found in counts.items()}


def work_units(session: Session, requirement_id: int) -> dict[int, int]:
    """{assessment id: its unit} of the assessments with results, comments or owners of it."""
    holders = union_all(
        *(
            select(model.assessment_id.label("assessment_id")).where(
                model.requirement_id == requirement_id
            )
            for model in (AssessmentResult, AssessmentComment, AssessmentOwner)
        )
    ).subquery()
    stmt = select(Assessment.id, Assessment.unit_id).where(
        Assessment.id.in_(select(holders.c.assessment_id))
    )
    return {assessment_id: unit_id for assessment_id, unit_id in session.execute(stmt)}


def framework_usage(session: Session, framework_id: int) -> FrameworkUsage:
    """How many assessments, control mappings and evidence links use a framework (one query)."""
    ids = of_framework(framework_id)
    assessments = (
        select(func.count()).where(Assessment.framework_id == framework_id).scalar_subquery()
    )
    controls = (
        select(func.count())
        .select_from(control_requirements)
        .where(control_requirements.c.requirement_id.in_(ids))
        .scalar_subquery()
    )
    evidence = (
        select(func.count())
        .select_from(evidence_requirements)
        .where(evidence_requirements.c.requirement_id.in_(ids))
        .scalar_subquery()
    )
    row = session.execute(select(assessments, controls, evidence)).one()
    return FrameworkUsage(
        assessments=int(row[0]), control_mappings=int(row[1]), evidence_links=int(row[2])
    )


def covering(
    session: Session, framework_ids: Iterable[int], units: frozenset[int]
) -> list[CoveringRequirement]:
    """Requirements of other frameworks of these units covering requirements of these frameworks.

    A requirement covers another when a mapping says it is equal to it or a superset of it
    (`source superset target`, or `source subset target` read from the target's side).
    """
    wanted = sorted(set(framework_ids))
    if not wanted:
        return []
    mine, other, other_framework = aliased(Requirement), aliased(Requirement), aliased(Framework)
    equal, subset, superset = (
        MappingRelationship.EQUAL.value,
        MappingRelationship.SUBSET.value,
        MappingRelationship.SUPERSET.value,
    )

    def half(
        mine_id: Column[int],
        other_id: Column[int],
        relationship: Column[str],
        allowed: tuple[str, ...],
    ) -> CoveringSelect:
        return (
            select(
                mine.id.label("covered_id"),
                other.id,
                other.framework_id,
                other_framework.name,
                other_framework.unit_id,
                other.ref_id,
                other.title,
                statement_source(other).label("text"),
                relationship,
            )
            .select_from(RequirementMapping)
            .join(mine, mine.id == mine_id)
            .join(other, other.id == other_id)
            .join(other_framework, other_framework.id == other.framework_id)
            .where(
                mine.framework_id.in_(wanted),
                other.framework_id != mine.framework_id,
                RequirementMapping.relationship.in_(allowed),
                in_units(other_framework.unit_id, units),
            )
        )

    as_source = half(
        RequirementMapping.target_id,
        RequirementMapping.source_id,
        RequirementMapping.relationship,
        (equal, superset),
    )
    as_target = half(
        RequirementMapping.source_id,
        RequirementMapping.target_id,
        case((RequirementMapping.relationship == subset, superset), else_=equal),
        (equal, subset),
    )
    rows = session.execute(union_all(as_source, as_target)).all()
    return [
        CoveringRequirement(
            covered_id=covered,
            id=rid,
            framework_id=framework_id,
            framework_name=name,
            unit_id=unit_id,
            ref_id=ref_id,
            title=requirement_title(ref_id, title, text or ""),
            relationship=MappingRelationship(relationship),
        )
        for covered, rid, framework_id, name, unit_id, ref_id, title, text, relationship in rows
    ]
