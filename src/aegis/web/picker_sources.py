"""Where pickers find their objects: the chosen ones by id and a search, told apart by details."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import NotFound
from aegis.domains.assets import service as assets
from aegis.domains.assets.schemas import AssetQuery, AssetRead
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery, ControlRead
from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.schemas import RequirementQuery, RequirementRead
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskQuery, RiskRead
from aegis.domains.users import service as users
from aegis.domains.users.schemas import UserQuery, UserRead
from aegis.web import lookups

Names = Mapping[int, str]
SEPARATOR = " · "


@dataclass(frozen=True)
class Choice:
    """One object of a picker: its name and what tells it apart from others of that name."""

    id: int
    label: str
    detail: str = ""

    @property
    def text(self) -> str:
        """The name with its details, for a plain select."""
        return f"{self.label} ({self.detail})" if self.detail else self.label


Chosen = Callable[[Session, Principal, list[int], Names], list[Choice]]
Search = Callable[[Session, Principal, str, int, Names, int | None], tuple[list[Choice], int]]
Scopes = Callable[[Session, Principal], lookups.Options]


@dataclass(frozen=True)
class Source:
    """Where a picker's objects come from; `scopes` narrow a search (a framework, say)."""

    kind: str
    noun: str
    one: str
    placeholder: str
    chosen: Chosen
    search: Search
    scopes: Scopes | None = None
    scope_label: str = ""
    scope_all: str = ""


def _details(*parts: str | None) -> str:
    return SEPARATOR.join(part for part in parts if part)


def _each(fetch: Callable[[int], Choice], ids: list[int]) -> list[Choice]:
    """Objects fetched one by one (a single choice), leaving out those the caller cannot see."""
    found = []
    for object_id in ids:
        try:
            found.append(fetch(object_id))
        except NotFound:
            continue
    return found


def _asset(asset: AssetRead, names: Names) -> Choice:
    return Choice(asset.id, asset.name, lookups.asset_details(asset, names))


def _chosen_assets(
    session: Session, principal: Principal, ids: list[int], names: Names
) -> list[Choice]:
    found = assets.get_assets(session=session, principal=principal, asset_ids=ids)
    return [_asset(asset, names) for asset in found]


def _search_assets(
    session: Session, principal: Principal, q: str, limit: int, names: Names, scope: int | None
) -> tuple[list[Choice], int]:
    query = AssetQuery(q=q or None, limit=limit, sort="name")
    page = assets.list_assets(session=session, principal=principal, query=query)
    return [_asset(asset, names) for asset in page.items], page.total


def _control(control: ControlRead, names: Names) -> Choice:
    return Choice(control.id, f"{control.ref} {control.title}", names.get(control.unit_id, ""))


def _chosen_controls(
    session: Session, principal: Principal, ids: list[int], names: Names
) -> list[Choice]:
    found = controls.get_controls(session=session, principal=principal, control_ids=ids)
    return [_control(control, names) for control in found]


def _search_controls(
    session: Session, principal: Principal, q: str, limit: int, names: Names, scope: int | None
) -> tuple[list[Choice], int]:
    query = ControlQuery(q=q or None, limit=limit, sort="ref")
    page = controls.list_controls(session=session, principal=principal, query=query)
    return [_control(control, names) for control in page.items], page.total


def _risk(risk: RiskRead, names: Names) -> Choice:
    return Choice(risk.id, risk.title, _details(risk.ref, names.get(risk.unit_id)))


def _chosen_risks(
    session: Session, principal: Principal, ids: list[int], names: Names
) -> list[Choice]:
    def fetch(risk_id: int) -> Choice:
        return _risk(risks.get_risk(session=session, principal=principal, risk_id=risk_id), names)

    return _each(fetch, ids)


def _search_risks(
    session: Session, principal: Principal, q: str, limit: int, names: Names, scope: int | None
) -> tuple[list[Choice], int]:
    query = RiskQuery(q=q or None, limit=limit, sort="title")
    page = risks.list_risks(session=session, principal=principal, query=query)
    return [_risk(risk, names) for risk in page.items], page.total


def _person(user: UserRead) -> Choice:
    return Choice(user.id, user.name, _details(user.email, None if user.is_active else "disabled"))


def _chosen_people(
    session: Session, principal: Principal, ids: list[int], names: Names
) -> list[Choice]:
    def fetch(user_id: int) -> Choice:
        return _person(users.get_user(session=session, principal=principal, user_id=user_id))

    return _each(fetch, ids)


def _search_people(
    session: Session, principal: Principal, q: str, limit: int, names: Names, scope: int | None
) -> tuple[list[Choice], int]:
    query = UserQuery(q=q or None, limit=limit, is_active=True, sort="name")
    page = users.list_users(session=session, principal=principal, query=query)
    return [_person(user) for user in page.items], page.total


def _requirement(requirement: RequirementRead, frameworks_by_id: Names) -> Choice:
    framework = frameworks_by_id.get(requirement.framework_id, "")
    return Choice(requirement.id, requirement.short_label, framework)


def _chosen_requirements(
    session: Session, principal: Principal, ids: list[int], names: Names
) -> list[Choice]:
    found = frameworks.get_requirements(session=session, principal=principal, requirement_ids=ids)
    titles = dict(lookups.framework_options(session, principal)) if found else {}
    ordered = sorted(
        found.values(), key=lambda r: (titles.get(r.framework_id, ""), r.position, r.id)
    )
    return [_requirement(requirement, titles) for requirement in ordered]


def _search_requirements(
    session: Session, principal: Principal, q: str, limit: int, names: Names, scope: int | None
) -> tuple[list[Choice], int]:
    if scope is None:
        found = frameworks.find_requirements(
            session=session, principal=principal, text=q, limit=limit
        )
        return [Choice(m.id, m.title, _details(*m.labels)) for m in found.items], found.total
    try:
        page = frameworks.list_requirements(
            session=session,
            principal=principal,
            framework_id=scope,
            query=RequirementQuery(q=q or None, limit=limit),
        )
    except NotFound:  # a framework not shared with the caller
        return [], 0
    # the framework chosen above the matches need not be repeated on each of them
    return [Choice(r.id, r.short_label) for r in page.items], page.total


SOURCES = {
    "assets": Source(
        "assets",
        "assets",
        "an asset",
        "Name, reference, host name or IP address",
        _chosen_assets,
        _search_assets,
    ),
    "controls": Source(
        "controls",
        "controls",
        "a control",
        "Reference or title",
        _chosen_controls,
        _search_controls,
    ),
    "risks": Source("risks", "risks", "a risk", "Title or reference", _chosen_risks, _search_risks),
    "people": Source(
        "people", "people", "a person", "Name or e-mail address", _chosen_people, _search_people
    ),
    "requirements": Source(
        "requirements",
        "requirements",
        "a requirement",
        "Reference, title or text",
        _chosen_requirements,
        _search_requirements,
        scopes=lookups.framework_options,
        scope_label="In framework",
        scope_all="All frameworks",
    ),
}
