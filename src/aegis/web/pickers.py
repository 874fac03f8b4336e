"""Searchable pickers of linked assets and controls: chosen ones as chips, matches to add."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.assets import service as assets
from aegis.domains.assets.schemas import AssetQuery, AssetRead
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery, ControlRead
from aegis.web import lookups

PICK_LIMIT = 20
SEARCH_MAX = 200
SEARCH = "pick"
QUERY_PREFIX = "pick_q_"
Names = Mapping[int, str]


@dataclass(frozen=True)
class Choice:
    """One object of a picker: its name and what tells it apart from others of that name."""

    id: int
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Source:
    """Where a picker's objects come from: the chosen ones by id, and a search."""

    kind: str
    noun: str
    placeholder: str
    chosen: Callable[[Session, Principal, list[int], Names], list[Choice]]
    search: Callable[[Session, Principal, str, int, Names], tuple[list[Choice], int]]


@dataclass(frozen=True)
class Picker:
    """A picker as its template shows it."""

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

    @property
    def url(self) -> str:
        """The address of the picker's matches for a search."""
        params: dict[str, Any] = {"name": self.name}
        if self.exclude is not None:
            params["exclude"] = self.exclude
        return f"/form-parts/{self.source.kind}?{urlencode(params)}"


def _asset(asset: AssetRead, names: Names) -> Choice:
    return Choice(asset.id, asset.name, lookups.asset_details(asset, names))


def _control(control: ControlRead, names: Names) -> Choice:
    return Choice(control.id, f"{control.ref} {control.title}", names.get(control.unit_id, ""))


def _chosen_assets(
    session: Session, principal: Principal, ids: list[int], names: Names
) -> list[Choice]:
    found = assets.get_assets(session=session, principal=principal, asset_ids=ids)
    return [_asset(asset, names) for asset in found]


def _search_assets(
    session: Session, principal: Principal, q: str, limit: int, names: Names
) -> tuple[list[Choice], int]:
    query = AssetQuery(q=q or None, limit=limit, sort="name")
    page = assets.list_assets(session=session, principal=principal, query=query)
    return [_asset(asset, names) for asset in page.items], page.total


def _chosen_controls(
    session: Session, principal: Principal, ids: list[int], names: Names
) -> list[Choice]:
    found = controls.get_controls(session=session, principal=principal, control_ids=ids)
    return [_control(control, names) for control in found]


def _search_controls(
    session: Session, principal: Principal, q: str, limit: int, names: Names
) -> tuple[list[Choice], int]:
    query = ControlQuery(q=q or None, limit=limit, sort="ref")
    page = controls.list_controls(session=session, principal=principal, query=query)
    return [_control(control, names) for control in page.items], page.total


SOURCES = {
    "assets": Source(
        "assets", "assets", "Name, host name or IP address", _chosen_assets, _search_assets
    ),
    "controls": Source(
        "controls", "controls", "Reference or title", _chosen_controls, _search_controls
    ),
}
FIELDS = {"asset_ids": "assets", "depends_on_ids": "assets", "control_ids": "controls"}


def _matches(
    session: Session,
    principal: Principal,
    source: Source,
    q: str,
    skip: set[int],
    names: Names,
) -> tuple[list[Choice], int, bool]:
    """Search matches not chosen yet (one page), how many match, whether more are left out."""
    limit = min(MAX_LIMIT, PICK_LIMIT + len(skip))
    found, total = source.search(session, principal, q, limit, names)
    others = [choice for choice in found if choice.id not in skip]
    return others[:PICK_LIMIT], total, len(others) > PICK_LIMIT or total > len(found)


def picker(
    session: Session,
    principal: Principal,
    *,
    name: str,
    label: str,
    chosen_ids: list[int],
    q: str = "",
    hint: str = "",
    hidden: int = 0,
    exclude: int | None = None,
) -> Picker:
    """A picker of the form field `name` with its chosen objects and the matches of `q`."""
    source = SOURCES[FIELDS[name]]
    names = lookups.unit_names(session, principal)
    wanted = [i for i in dict.fromkeys(chosen_ids) if i != exclude]
    chosen = source.chosen(session, principal, wanted, names)
    skip = {choice.id for choice in chosen} | ({exclude} if exclude is not None else set())
    matches, total, more = _matches(session, principal, source, q, skip, names)
    return Picker(
        name,
        label,
        source,
        chosen,
        matches,
        total,
        more,
        q,
        hint=hint,
        hidden=hidden,
        exclude=exclude,
    )


def matches_for(session: Session, principal: Principal, kind: str, params: Any) -> Picker | None:
    """The matches of a picker's search from its request (None for an unknown field)."""
    name = str(params.get("name", ""))
    if FIELDS.get(name) != kind:
        return None
    exclude_text = str(params.get("exclude", ""))
    exclude = int(exclude_text) if exclude_text.isdigit() else None
    skip = {int(v) for v in params.getlist(name) if str(v).isdigit()}
    q = str(params.get(QUERY_PREFIX + name, "")).strip()[:SEARCH_MAX]
    if exclude is not None:
        skip.add(exclude)
    source = SOURCES[kind]
    names = lookups.unit_names(session, principal)
    found, total, more = _matches(session, principal, source, q, skip, names)
    return Picker(name, "", source, [], found, total, more, q, exclude=exclude)


def searching(form: Mapping[str, Any]) -> bool:
    """Whether the form was sent by a picker's search button (no script) rather than saved."""
    return SEARCH in form


def queries(form: Mapping[str, Any]) -> dict[str, str]:
    """The text typed in each picker's search box, by field."""
    return {
        name: str(form.get(QUERY_PREFIX + name) or "").strip()[:SEARCH_MAX]
        for name in FIELDS
        if form.get(QUERY_PREFIX + name)
    }
