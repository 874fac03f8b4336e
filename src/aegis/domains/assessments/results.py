"""Computing every requirement result of an assessment in a fixed number of queries.

A requirement with no controls or current evidence of its own takes its result from a
requirement of another framework that covers it (a mapping says equal to it, or a superset
of it), computed from that requirement's own controls and evidence in the same scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from aegis.core.authz import ancestors, descendants
from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.domains.assessments import repository as repo
from aegis.domains.assessments.derivation import derive
from aegis.domains.assessments.schemas import ResultBasis, ResultQuery, ResultRead
from aegis.domains.common.ranks import rank_of
from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.schemas import CoveringRequirement, requirement_title
from aegis.models import Assessment, AssessmentResult
from aegis.models.enums import ResultStatus

SORTABLE = ("position", "ref_id", "status")
# which result carried over from covering requirements wins: meeting any of them meets it
CARRIED_RANK = {
    ResultStatus.COMPLIANT: 0,
    ResultStatus.NOT_APPLICABLE: 1,
    ResultStatus.PARTIALLY_COMPLIANT: 2,
    ResultStatus.NON_COMPLIANT: 3,
}


def _scope_in(parents: Mapping[int, int | None], unit_id: int) -> frozenset[int]:
    """The units whose controls and evidence count: the unit, those below and those above it."""
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


@dataclass
class _Found:
    """Controls and current evidence of requirements, each with the unit it belongs to."""

    controls: dict[int, list[tuple[int, str, int]]] = field(default_factory=dict)
    on_control: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    on_requirement: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def direct(self, requirement_id: int, scope: frozenset[int]) -> _Direct:
        """A requirement's own controls and evidence in scope, and the result they give."""
        statuses = {c: st for c, st, unit in self.controls.get(requirement_id, ()) if unit in scope}
        evidence = {e for e, unit in self.on_requirement.get(requirement_id, ()) if unit in scope}
        for control_id in statuses:
            evidence |= {e for e, unit in self.on_control.get(control_id, ()) if unit in scope}
        control_ids = sorted(statuses)
        status = derive((statuses[c] for c in control_ids), bool(evidence))
        return _Direct(control_ids, evidence, status)


@dataclass(frozen=True)
class _Direct:
    control_ids: list[int]
    evidence_ids: set[int]
    status: ResultStatus


def _carried(
    covering: list[CoveringRequirement], found: _Found, scope: frozenset[int]
) -> tuple[ResultStatus, CoveringRequirement | None]:
    """The best result among the requirements covering one (meeting any of them meets it)."""
    candidates = []
    for other in covering:
        if other.unit_id not in scope:
            continue
        status = found.direct(other.id, scope).status
        if status is not ResultStatus.NOT_ASSESSED:
            key = (CARRIED_RANK[status], other.framework_name, other.ref_id, other.id)
            candidates.append((key, status, other))
    if not candidates:
        return ResultStatus.NOT_ASSESSED, None
    _, status, other = min(candidates, key=lambda c: c[0])
    return status, other


def _result(
    row: Row[Any],
    direct: _Direct,
    decided: AssessmentResult | None,
    via: CoveringRequirement | None,
) -> ResultRead:
    return ResultRead(
        requirement_id=row.id,
        ref_id=row.ref_id,
        title=requirement_title(row.ref_id, row.title, row.text),
        derived_status=direct.status,
        basis=ResultBasis.DERIVED if via else ResultBasis.DIRECT,
        derived_from_id=via.id if via else None,
        derived_from_framework_id=via.framework_id if via else None,
        derived_from=f"{via.framework_name} {via.ref_id}" if via else None,
        override_status=ResultStatus(decided.status) if decided else None,
        justification=decided.justification if decided else None,
        decided_by_id=decided.decided_by_id if decided else None,
        decided_at=decided.decided_at if decided else None,
        status=ResultStatus(decided.status) if decided else direct.status,
        control_ids=direct.control_ids,
        evidence_ids=sorted(direct.evidence_ids),
    )


def _assemble(
    rows: list[Row[Any]],
    found: _Found,
    covering: Mapping[int, list[CoveringRequirement]],
    scope: frozenset[int],
    decided: Mapping[int, AssessmentResult],
) -> list[ResultRead]:
    """Each requirement's result: from its own controls and evidence, else carried over."""
    results = []
    for row in rows:
        direct = found.direct(row.id, scope)
        via = None
        if not direct.control_ids and not direct.evidence_ids:
            status, via = _carried(covering.get(row.id, []), found, scope)
            direct = _Direct([], set(), status)
        results.append(_result(row, direct, decided.get(row.id), via))
    return results


def order(session: Session, framework_id: int) -> list[int]:
    """The assessable requirements of a framework in the order of its tree."""
    return [row.id for row in _tree_order(repo.requirements_of_frameworks(session, [framework_id]))]


def with_work(session: Session, assessment_id: int, results: list[ResultRead]) -> list[ResultRead]:
    """The results with their owners and number of comments, in two queries."""
    owners = repo.owners_of(session, assessment_id)
    counts = repo.comment_counts(session, assessment_id)
    return [
        r.model_copy(
            update={
                "owner_id": owners[r.requirement_id][0] if r.requirement_id in owners else None,
                "owner_name": owners[r.requirement_id][1] if r.requirement_id in owners else None,
                "comment_count": counts.get(r.requirement_id, 0),
            }
        )
        for r in results
    ]


def matching(results: list[ResultRead], query: ResultQuery, user_id: int) -> list[ResultRead]:
    """The results passing the query's filters (mine: owned by this user)."""
    found = results
    if query.status is not None:
        found = [r for r in found if r.status == query.status]
    if query.owner_id is not None:
        found = [r for r in found if r.owner_id == query.owner_id]
    if query.mine:
        found = [r for r in found if r.owner_id == user_id]
    if query.decided is not None:
        found = [r for r in found if (r.override_status is not None) == query.decided]
    return found


def compute(session: Session, assessment: Assessment) -> list[ResultRead]:
    """Every assessable requirement's result, in seven queries whatever the framework's size."""
    return compute_many(session, [assessment])[assessment.id]


def compute_many(
    session: Session, assessments: Sequence[Assessment]
) -> dict[int, list[ResultRead]]:
    """The results of several assessments by id, in seven queries however many there are.

    Each query covers every framework (and those whose requirements cover theirs through
    mappings) and the union of the assessments' scopes; the rows are then split by framework
    and filtered by each assessment's own scope.
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
    covering: dict[int, list[CoveringRequirement]] = defaultdict(list)
    for other in frameworks.covering_requirements(
        session=session, framework_ids=framework_ids, units=union
    ):
        covering[other.covered_id].append(other)
    searched = sorted(set(framework_ids) | {c.framework_id for o in covering.values() for c in o})
    found = _Found(defaultdict(list), defaultdict(list), defaultdict(list))
    for _, requirement_id, control_id, status, unit in repo.mappings_of_frameworks(
        session, searched, union
    ):
        found.controls[requirement_id].append((control_id, status, unit))
    for control_id, evidence_id, unit in repo.control_evidence_of_frameworks(
        session, searched, union, today
    ):
        found.on_control[control_id].append((evidence_id, unit))
    for requirement_id, evidence_id, unit in repo.requirement_evidence_of_frameworks(
        session, searched, union, today
    ):
        found.on_requirement[requirement_id].append((evidence_id, unit))
    decided: dict[int, dict[int, AssessmentResult]] = defaultdict(dict)
    for override in repo.overrides_of(session, [a.id for a in assessments]):
        decided[override.assessment_id][override.requirement_id] = override
    return {
        a.id: _assemble(
            ordered.get(a.framework_id, []),
            found,
            covering,
            scopes[a.id],
            decided.get(a.id, {}),
        )
        for a in assessments
    }


def sort_results(results: list[ResultRead], sort: str | None) -> list[ResultRead]:
    """Order results by framework position (default), ref_id or status rank; '-' reverses."""
    name = (sort or "position").removeprefix("-")
    if name not in SORTABLE:
        allowed = ", ".join(SORTABLE)
        raise ValidationFailed(f"Cannot sort by '{name}'; use one of: {allowed}", field="sort")
    descending = bool(sort and sort.startswith("-"))
    if name == "position":
        return list(reversed(results)) if descending else list(results)
    if name == "ref_id":
        return sorted(results, key=lambda r: r.ref_id, reverse=descending)
    # statuses by rank (compliant first); ties keep the framework's order either way
    return sorted(results, key=lambda r: rank_of(r.status, ResultStatus), reverse=descending)
