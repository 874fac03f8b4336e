"""Names of referenced objects, for exports, the audit trail and other whole-list views."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import framework_title
from aegis.domains.names import repository as repo
from aegis.domains.names.schemas import Named, RefKind


def lookup(
    *, session: Session, principal: Principal, wanted: Mapping[str, Iterable[int]]
) -> dict[tuple[str, int], Named]:
    """The wanted objects the caller can see, named, by (kind, id), in as few queries as can be."""
    asked = {kind: set(ids) for kind, ids in wanted.items() if kind in repo.NAMED}
    return repo.names(session, principal, {kind: ids for kind, ids in asked.items() if ids})


def export_name(kind: str, named: Named) -> str:
    """The name an export writes: a control's reference, a requirement with its framework."""
    if kind == "requirement" and named.framework:
        return f"{named.framework} {named.name}"
    if kind == "framework":
        return framework_title(named.name, named.detail or "")
    return named.name


def names_of(
    *, session: Session, principal: Principal, wanted: Mapping[RefKind, Iterable[int]]
) -> dict[RefKind, dict[int, str]]:
    """{kind: {id: name}} of the wanted objects the caller can see, as exports write them."""
    found: dict[str, dict[int, str]] = {kind: {} for kind in wanted}
    asked = {str(kind): ids for kind, ids in wanted.items()}
    for (kind, object_id), named in lookup(
        session=session, principal=principal, wanted=asked
    ).items():
        found[kind][object_id] = export_name(kind, named)
    return {kind: found[kind] for kind in wanted}
