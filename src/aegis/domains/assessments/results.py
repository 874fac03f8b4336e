"""Computing every requirement result of an assessment in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from aegis.core.authz import ancestors, descendants
from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.domains.assessments import repository as repo
from aegis.domains.assessments.derivation import derive
from aegis.domains.assessments.schemas import ResultRead
from aegis.domains.frameworks.schemas import requirement_title
from aegis.models import Assessment, AssessmentResult
from aegis.models.enums import ResultStatus

SORTABLE = ("position", "ref_id", "status")


def scope_of(session: Session, unit_id: int) -> frozenset[int]:
    """The units whose controls and evidence count: the unit, those below and those above it."""
    return _scope_in(repo.unit_parents(session), unit_id)


def _scope_in(parents: Mapping[int, int | None], unit_id: int) -> frozenset[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for unit, parent in parents.items():
        if parent is not None:
            children[parent].append(unit)
    return frozenset(descendants(unit_id, children) | ancestors(unit_id, parents))


def _tree_order(rows: list[Row[Any]]) -> list[Row[Any]]:
    """Assessable requirements in the order of the framework's tree."""
    ids = {r.id for r in rows}
    children: dict[int | None, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        children[row.parent_id if row.parent_id in ids else None].append(row)
    for group in children.values():
        group.sort(key=lambda r: (r.position, r.ref_id, r.id))
    ordered, seen, stack = [], set(), list(reversed(children[None]))
    while stack:
        row = stack.pop()
        if row.id in seen:
            continue
        seen.add(row.id)
        ordered.append(row)
        stack.extend(reversed(children.get(row.id, [])))
    return [r for r in ordered if r.assessable]


def _result(
    row: Row[Any],
    control_ids: list[int],
    evidence_ids: set[int],
    derived: ResultStatus,
    decided: AssessmentResult | None,
) -> ResultRead:
    return ResultRead(
        requirement_id=row.id,
        ref_id=row.ref_id,
        title=requirement_title(row.ref_id, row.title, row.text),
        derived_status=derived,
        override_status=ResultStatus(decided.status) if decided else None,
        justification=decided.justification if decided else None,
        decided_by_id=decided.decided_by_id if decided else None,
        decided_at=decided.decided_at if decided else None,
        status=ResultStatus(decided.status) if decided else derived,
        control_ids=control_ids,
        evidence_ids=sorted(evidence_ids),
    )


def compute(session: Session, assessment: Assessment) -> list[ResultRead]:
    """Every assessable requirement's result, in six queries whatever the framework's size."""
    scope, today, framework_id = (
        scope_of(session, assessment.unit_id),
        utcnow().date(),
        assessment.framework_id,
    )
    rows = _tree_order(repo.requirements(session, framework_id))
    mapped: dict[int, set[int]] = defaultdict(set)
    control_status: dict[int, str] = {}
    for requirement_id, control_id, status in repo.mappings(session, framework_id, scope):
        mapped[requirement_id].add(control_id)
        control_status[control_id] = status
    on_control: dict[int, set[int]] = defaultdict(set)
    for control_id, evidence_id in repo.control_evidence(session, framework_id, scope, today):
        on_control[control_id].add(evidence_id)
    on_requirement: dict[int, set[int]] = defaultdict(set)
    for requirement_id, evidence_id in repo.requirement_evidence(
        session, framework_id, scope, today
    ):
        on_requirement[requirement_id].add(evidence_id)
    decided = {o.requirement_id: o for o in repo.overrides(session, assessment.id)}
    return _assemble(rows, mapped, control_status, on_control, on_requirement, decided)


def _assemble(
    rows: list[Row[Any]],
    mapped: Mapping[int, set[int]],
    control_status: Mapping[int, str],
    on_control: Mapping[int, set[int]],
    on_requirement: Mapping[int, set[int]],
    decided: Mapping[int, AssessmentResult],
) -> list[ResultRead]:
    """The result of each requirement row from the controls and evidence found in scope."""
    results = []
    for row in rows:
        control_ids = sorted(mapped.get(row.id, ()))
        evidence = set(on_requirement.get(row.id, ()))
        for control_id in control_ids:
            evidence |= on_control.get(control_id, set())
        derived = derive((control_status[c] for c in control_ids), bool(evidence))
        results.append(_result(row, control_ids, evidence, derived, decided.get(row.id)))
    return results


def compute_many(
    session: Session, assessments: Sequence[Assessment]
) -> dict[int, list[ResultRead]]:
    """The results of several assessments by id, in six queries however many there are.

    Each query covers every framework and the union of the assessments' scopes; the rows
    are then split by framework and filtered by each assessment's own scope, so every
    assessment gets exactly the results `compute` gives it.
    """
    if not assessments:
        return {}
    parents, today = repo.unit_parents(session), utcnow().date()
    scopes = {a.id: _scope_in(parents, a.unit_id) for a in assessments}
    union = frozenset().union(*scopes.values())
    framework_ids = sorted({a.framework_id for a in assessments})
    by_framework: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in repo.requirements_of_frameworks(session, framework_ids):
        by_framework[row.framework_id].append(row)
    ordered = {framework_id: _tree_order(rows) for framework_id, rows in by_framework.items()}
    mappings: dict[int, list[tuple[int, int, str, int]]] = defaultdict(list)
    for framework_id, requirement_id, control_id, status, unit in repo.mappings_of_frameworks(
        session, framework_ids, union
    ):
        mappings[framework_id].append((requirement_id, control_id, status, unit))
    on_control: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for control_id, evidence_id, unit in repo.control_evidence_of_frameworks(
        session, framework_ids, union, today
    ):
        on_control[control_id].append((evidence_id, unit))
    on_requirement: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for requirement_id, evidence_id, unit in repo.requirement_evidence_of_frameworks(
        session, framework_ids, union, today
    ):
        on_requirement[requirement_id].append((evidence_id, unit))
    decided: dict[int, dict[int, AssessmentResult]] = defaultdict(dict)
    for found in repo.overrides_of(session, [a.id for a in assessments]):
        decided[found.assessment_id][found.requirement_id] = found
    computed = {}
    for assessment in assessments:
        scope, rows = scopes[assessment.id], ordered.get(assessment.framework_id, [])
        mapped: dict[int, set[int]] = defaultdict(set)
        control_status: dict[int, str] = {}
        for requirement_id, control_id, status, unit in mappings[assessment.framework_id]:
            if unit in scope:
                mapped[requirement_id].add(control_id)
                control_status[control_id] = status
        evidence_on_control = {
            control_id: {e for e, unit in on_control.get(control_id, ()) if unit in scope}
            for control_id in control_status
        }
        evidence_on_requirement = {
            row.id: {e for e, unit in on_requirement.get(row.id, ()) if unit in scope}
            for row in rows
        }
        computed[assessment.id] = _assemble(
            rows,
            mapped,
            control_status,
            evidence_on_control,
            evidence_on_requirement,
            decided.get(assessment.id, {}),
        )
    return computed


def sort_results(results: list[ResultRead], sort: str | None) -> list[ResultRead]:
    """Order results by framework position (default), ref_id or status; '-' reverses."""
    name = (sort or "position").removeprefix("-")
    if name not in SORTABLE:
        allowed = ", ".join(SORTABLE)
        raise ValidationFailed(f"Cannot sort by '{name}'; use one of: {allowed}", field="sort")
    ordered = list(results)
    if name == "ref_id":
        ordered.sort(key=lambda r: r.ref_id)
    elif name == "status":
        ordered.sort(key=lambda r: r.status.value)
    return list(reversed(ordered)) if sort and sort.startswith("-") else ordered
