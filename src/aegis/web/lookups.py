"""Options for form selects, read through the services within the caller's scope."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import framework_title
from aegis.domains.assets import service as assets
from aegis.domains.assets.schemas import AssetQuery, AssetRead
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery
from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.schemas import FrameworkQuery
from aegis.domains.units import service as units
from aegis.domains.units.schemas import UnitQuery
from aegis.domains.users import service as users
from aegis.domains.users.schemas import UserQuery

Options = list[tuple[int, str]]


def unit_names(session: Session, principal: Principal) -> dict[int, str]:
    """Names of the units the caller can see."""
    page = units.list_units(session=session, principal=principal, query=UnitQuery(limit=MAX_LIMIT))
    return {unit.id: unit.name for unit in page.items}


def writable_units(session: Session, principal: Principal) -> Options:
    """Units the caller may create objects in."""
    names = unit_names(session, principal)
    return sorted(
        ((uid, name) for uid, name in names.items() if uid in principal.writable),
        key=lambda o: o[1],
    )


def people(session: Session, principal: Principal) -> Options:
    """Users the caller can see, for owner and assignee fields."""
    page = users.list_users(
        session=session,
        principal=principal,
        query=UserQuery(limit=MAX_LIMIT, is_active=True, sort="name"),
    )
    return [(user.id, user.name) for user in page.items]


def asset_options(session: Session, principal: Principal) -> Options:
    """Assets the caller can see."""
    page = assets.list_assets(
        session=session, principal=principal, query=AssetQuery(limit=MAX_LIMIT, sort="name")
    )
    return [(asset.id, asset.name) for asset in page.items]


def asset_details(asset: AssetRead, units: Mapping[int, str]) -> str:
    """What tells an asset apart from others of the same name: reference, unit, host name."""
    parts = (asset.ref, units.get(asset.unit_id), asset.hostname)
    return " · ".join(part for part in parts if part)


def control_options(session: Session, principal: Principal) -> Options:
    """Controls the caller can see."""
    page = controls.list_controls(
        session=session, principal=principal, query=ControlQuery(limit=MAX_LIMIT, sort="ref")
    )
    return [(control.id, f"{control.ref} {control.title}") for control in page.items]


def administered_units(session: Session, principal: Principal) -> Options:
    """Units the caller administers, by name."""
    names = unit_names(session, principal)
    return sorted(
        ((uid, name) for uid, name in names.items() if uid in principal.administrable),
        key=lambda o: o[1],
    )


def everyone(session: Session, principal: Principal) -> Options:
    """Users the caller can see, disabled ones included (for filters on past actions)."""
    page = users.list_users(
        session=session, principal=principal, query=UserQuery(limit=MAX_LIMIT, sort="name")
    )
    return [(user.id, user.name) for user in page.items]


def framework_options(session: Session, principal: Principal) -> Options:
    """Frameworks shared with the caller (their units and the units above them)."""
    page = frameworks.list_frameworks(
        session=session, principal=principal, query=FrameworkQuery(limit=MAX_LIMIT, sort="name")
    )
    return [(f.id, framework_title(f.name, f.version)) for f in page.items]
