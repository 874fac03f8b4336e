"""Searching what the caller may read: a query per kind, a count if needed, one for units."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.assets import service as assets
from aegis.domains.common.matches import Match, Matches
from aegis.domains.controls import service as controls
from aegis.domains.evidence import service as evidence
from aegis.domains.frameworks import service as frameworks
from aegis.domains.risks import service as risks
from aegis.domains.search.schemas import (
    KindResults,
    SearchHit,
    SearchKind,
    SearchQuery,
    SearchResults,
)
from aegis.domains.tasks import service as tasks
from aegis.domains.units import service as units

SEPARATOR = " · "


class Finder(Protocol):
    """How each domain finds its objects by text."""

    def __call__(
        self, *, session: Session, principal: Principal, text: str, limit: int, offset: int = 0
    ) -> Matches: ...


FINDERS: dict[SearchKind, Finder] = {
    SearchKind.RISK: risks.find_risks,
    SearchKind.ASSET: assets.find_assets,
    SearchKind.CONTROL: controls.find_controls,
    SearchKind.REQUIREMENT: frameworks.find_requirements,
    SearchKind.EVIDENCE: evidence.find_evidence,
    SearchKind.TASK: tasks.find_tasks,
}
PAGES = {
    SearchKind.RISK: "/risks/{id}",
    SearchKind.ASSET: "/assets/{id}",
    SearchKind.CONTROL: "/controls/{id}",
    SearchKind.REQUIREMENT: "/frameworks/{framework_id}/requirements/{id}",
    SearchKind.EVIDENCE: "/evidence/{id}",
    SearchKind.TASK: "/tasks/{id}",
}


def _hit(kind: SearchKind, match: Match, unit_names: dict[int, str]) -> SearchHit:
    place = [unit_names[match.unit_id]] if match.unit_id in unit_names else []
    return SearchHit(
        kind=kind,
        id=match.id,
        title=match.title,
        context=SEPARATOR.join(part for part in (*place, *match.labels) if part),
        excerpt=match.excerpt,
        url=PAGES[kind].format(id=match.id, framework_id=match.framework_id),
    )


def search(*, session: Session, principal: Principal, query: SearchQuery) -> SearchResults:
    """The objects of each asked kind the caller may read whose text contains the query."""
    found = {
        kind: FINDERS[kind](
            session=session,
            principal=principal,
            text=query.q,
            limit=query.limit,
            offset=query.offset,
        )
        for kind in dict.fromkeys(query.kinds)
    }
    unit_ids = {m.unit_id for f in found.values() for m in f.items if m.unit_id is not None}
    names = units.unit_names(session=session, principal=principal, unit_ids=unit_ids)
    return SearchResults(
        q=query.q,
        results={
            kind: KindResults(
                total=matches.total, items=[_hit(kind, match, names) for match in matches.items]
            )
            for kind, matches in found.items()
        },
    )
