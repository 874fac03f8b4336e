"""Controls mapped to the shipped frameworks, evidence links, and assessments of each framework."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from aegis.models import (
    Assessment,
    AssessmentResult,
    Evidence,
    Framework,
    Requirement,
    control_requirements,
    evidence_controls,
    evidence_requirements,
)
from aegis.models.enums import AssessmentStatus, EvidenceKind, ResultStatus
from bench.scale.context import Context
from bench.scale.tables import insert, next_id

OVERRIDDEN = 0.05  # share of an assessment's requirements with a verdict set by hand


@dataclass(frozen=True)
class Catalog:
    """The shipped frameworks' ids and the ids of their assessable requirements."""

    frameworks: list[tuple[int, str]]
    requirements: dict[int, list[int]]  # by framework id

    @property
    def every_requirement(self) -> list[int]:
        """Every assessable requirement, framework by framework."""
        return [req for reqs in self.requirements.values() for req in reqs]


def catalog(connection: Connection) -> Catalog:
    """Read the loaded frameworks and their assessable requirements, in id order."""
    frameworks = [
        (int(fid), str(name))
        for fid, name in connection.execute(
            select(Framework.id, Framework.name).order_by(Framework.id)
        )
    ]
    requirements: dict[int, list[int]] = {fid: [] for fid, _ in frameworks}
    stmt = (
        select(Requirement.framework_id, Requirement.id)
        .where(Requirement.assessable.is_(True))
        .order_by(Requirement.id)
    )
    for framework_id, requirement_id in connection.execute(stmt):
        requirements[int(framework_id)].append(int(requirement_id))
    return Catalog(frameworks, requirements)


def map_controls(ctx: Context, connection: Connection, found: Catalog) -> None:
    """Map every control to one to four requirements of the shipped frameworks."""
    pool = found.every_requirement
    rows = [
        {"control_id": made.id, "requirement_id": requirement}
        for made in ctx.made
        if made.entity_type == "control"
        for requirement in ctx.rng.sample(pool, ctx.rng.randint(1, 4))
    ]
    insert(connection, control_requirements, rows)


def evidence(ctx: Context, connection: Connection, count: int, found: Catalog) -> None:
    """Evidence links (no files) for controls of their unit, some for a requirement too."""
    rows: list[dict[str, Any]] = []
    for_controls: list[dict[str, Any]] = []
    for_requirements: list[dict[str, Any]] = []
    pool = found.every_requirement
    first = next_id(connection, Evidence.__table__)
    for evidence_id in range(first, first + count):
        unit_id, created = ctx.unit(), ctx.past()
        title = f"Evidence {evidence_id} of unit {unit_id}"
        rows.append(
            {
                "id": evidence_id,
                "unit_id": unit_id,
                "title": title,
                "description": "",
                "kind": EvidenceKind.LINK.value,
                "url": f"https://evidence.bench.example.com/{evidence_id}",
                "expires_on": ctx.day_around(60, 365) if ctx.rng.random() < 0.8 else None,
                "owner_id": ctx.person(),
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        for_controls.extend(
            {"evidence_id": evidence_id, "control_id": control}
            for control in ctx.near("control", unit_id, ctx.rng.randint(1, 2))
        )
        if ctx.rng.random() < 0.3:
            for_requirements.append(
                {"evidence_id": evidence_id, "requirement_id": ctx.rng.choice(pool)}
            )
    insert(connection, Evidence.__table__, rows)
    insert(connection, evidence_controls, for_controls)
    insert(connection, evidence_requirements, for_requirements)


def assessments(ctx: Context, connection: Connection, found: Catalog) -> None:
    """One assessment of each framework for the company and for each division."""
    rows: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    assessment_id = next_id(connection, Assessment.__table__)
    scopes = [unit for unit in ctx.units if unit.parent_id in (None, 1)]
    for framework_id, name in found.frameworks:
        for unit in scopes:
            created = ctx.past()
            rows.append(
                {
                    "id": assessment_id,
                    "unit_id": unit.id,
                    "framework_id": framework_id,
                    "name": f"{name}: {unit.name}",
                    "description": "",
                    "status": ctx.rng.choice(list(AssessmentStatus)).value,
                    "due_date": ctx.day_around(30, 180),
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            requirements = found.requirements[framework_id]
            overridden = ctx.rng.sample(requirements, round(len(requirements) * OVERRIDDEN))
            results.extend(
                {
                    "assessment_id": assessment_id,
                    "requirement_id": requirement,
                    "status": ctx.rng.choice(list(ResultStatus)).value,
                    "justification": "Checked by hand",
                    "decided_by_id": ctx.person(),
                    "decided_at": created,
                }
                for requirement in overridden
            )
            assessment_id += 1
    insert(connection, Assessment.__table__, rows)
    insert(connection, AssessmentResult.__table__, results)
