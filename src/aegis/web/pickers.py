"""Searchable pickers of linked objects: chosen ones as chips, matches to add or to choose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.common.bounds import MAX_INTEGER
from aegis.domains.common.listing import MAX_LIMIT
from aegis.web import lookups
from aegis.web.picker_sources import SOURCES, Choice, Names, Source

__all__ = [
    "Choice",
    "Picker",
    "matches_for",
    "picker",
    "queries",
    "searching",
    "single",
    "stored_id",
]

PICK_LIMIT = 20
SEARCH_MAX = 200
SEARCH = "pick"
QUERY_PREFIX = "pick_q_"
SCOPE_PREFIX = "pick_in_"
FIELDS = {
    "asset_ids": "assets",
    "depends_on_ids": "assets",
    "control_ids": "controls",
    "requirement_ids": "requirements",
    "asset_id": "assets",
    "control_id": "controls",
    "risk_id": "risks",
    "owner_id": "people",
    "assignee_id": "people",
    "acceptance_approver_id": "people",
}
SINGLE = frozenset(name for name in FIELDS if not name.endswith("_ids"))


@dataclass(frozen=True)
class Picker:
    """A picker as its template shows it: of many objects, or of one (`single`)."""

    name: str
    label: str
    source: Source
    chosen: list[Choice] = field(default_factory=list)
    matches: list[Choice] = field(default_factory=list)
    total: int = 0
    more: bool = False
    q: str = ""
    hint: str = ""
    hidden: int = 0
    exclude: int | None = None
    blank: str = "None chosen"
    kept: int | None = None
    scope: int | None = None
    scopes: lookups.Options = field(default_factory=list)

    @property
    def single(self) -> bool:
        """Whether one object at most is chosen (a chip replaced by the next choice)."""
        return self.name in SINGLE

    @property
    def url(self) -> str:
        """The address of the picker's matches for a search."""
        params: dict[str, Any] = {"name": self.name}
        if self.exclude is not None:
            params["exclude"] = self.exclude
        return f"/form-parts/{self.source.kind}?{urlencode(params)}"


def _matches(
    session: Session,
    principal: Principal,
    source: Source,
    search: tuple[str, int | None],
    skip: set[int],
    names: Names,
) -> tuple[list[Choice], int, bool]:
    """Search matches not chosen yet (one page), how many match, whether more are left out."""
    q, scope = search
    limit = min(MAX_LIMIT, PICK_LIMIT + len(skip))
    found, total = source.search(session, principal, q, limit, names, scope)
    others = [choice for choice in found if choice.id not in skip]
    return others[:PICK_LIMIT], total, len(others) > PICK_LIMIT or total > len(found)


def stored_id(value: Any) -> int | None:
    """A number that may be the id of a stored object, else None (it would match nothing)."""
    text = str(value).strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else 0
    return number if 0 < number <= MAX_INTEGER else None


def _typed(params: Mapping[str, Any], name: str) -> tuple[str, int | None]:
    """The text typed in a picker's search box and the scope chosen beside it."""
    q = str(params.get(QUERY_PREFIX + name) or "").strip()[:SEARCH_MAX]
    return q, stored_id(params.get(SCOPE_PREFIX + name) or "")


def picker(
    session: Session,
    principal: Principal,
    *,
    name: str,
    label: str,
    chosen_ids: list[int],
    typed: Mapping[str, str] | None = None,
    hint: str = "",
    hidden: int = 0,
    exclude: int | None = None,
    names: Names | None = None,
) -> Picker:
    """A picker of the form field `name` with its chosen objects and the matches typed for."""
    source = SOURCES[FIELDS[name]]
    names = lookups.unit_names(session, principal) if names is None else names
    wanted = [i for i in dict.fromkeys(chosen_ids) if i != exclude and stored_id(i)]
    chosen = source.chosen(session, principal, wanted, names)
    skip = {choice.id for choice in chosen} | ({exclude} if exclude is not None else set())
    search = _typed(typed or {}, name)
    matches, total, more = _matches(session, principal, source, search, skip, names)
    return Picker(
        name,
        label,
        source,
        chosen,
        matches,
        total,
        more,
        search[0],
        hint=hint,
        hidden=hidden,
        exclude=exclude,
        scope=search[1],
        scopes=source.scopes(session, principal) if source.scopes else [],
    )


def single(
    session: Session,
    principal: Principal,
    *,
    name: str,
    label: str,
    value: Any,
    typed: Mapping[str, str] | None = None,
    blank: str = "None chosen",
    hint: str = "",
    names: Names | None = None,
) -> Picker:
    """A picker of one object; a value the user cannot see is kept as it is."""
    chosen_id = value if isinstance(value, int) else None
    found = picker(
        session,
        principal,
        name=name,
        label=label,
        chosen_ids=[] if chosen_id is None else [chosen_id],
        typed=typed,
        hint=hint,
        names=names,
    )
    kept = chosen_id if chosen_id is not None and not found.chosen else None
    return replace(found, blank=blank, kept=kept)


def matches_for(session: Session, principal: Principal, kind: str, params: Any) -> Picker | None:
    """The matches of a picker's search from its request (None for an unknown field)."""
    name = str(params.get("name", ""))
    if FIELDS.get(name) != kind:
        return None
    exclude = stored_id(params.get("exclude", ""))
    skip = {i for i in map(stored_id, params.getlist(name)) if i is not None}
    if exclude is not None:
        skip.add(exclude)
    source = SOURCES[kind]
    search = _typed(params, name)
    names = lookups.unit_names(session, principal)
    found, total, more = _matches(session, principal, source, search, skip, names)
    return Picker(name, "", source, [], found, total, more, search[0], exclude=exclude)


def searching(form: Mapping[str, Any]) -> bool:
    """Whether the form was sent by a picker's search button (no script) rather than saved."""
    return SEARCH in form


def queries(form: Mapping[str, Any]) -> dict[str, str]:
    """What was typed in the pickers' search boxes and chosen as their scopes."""
    return {
        key: str(value).strip()[:SEARCH_MAX]
        for key, value in form.items()
        if key.startswith((QUERY_PREFIX, SCOPE_PREFIX)) and isinstance(value, str) and value
    }
