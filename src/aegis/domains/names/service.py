"""Names of referenced objects for exports and other whole-list views."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.names import repository as repo
from aegis.domains.names.schemas import RefKind


def names_of(
    *, session: Session, principal: Principal, wanted: Mapping[RefKind, Iterable[int]]
) -> dict[RefKind, dict[int, str]]:
    """{kind: {id: name}} of the wanted objects the caller can see, one query per kind."""
    found: dict[RefKind, dict[int, str]] = {}
    for kind, ids in wanted.items():
        unique = set(ids)
        found[kind] = repo.names(session, principal, kind, unique) if unique else {}
    return found
