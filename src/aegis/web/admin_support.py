"""Helpers shared by the administration pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.units import service as units


def is_root_admin(session: Session, principal: Principal) -> bool:
    """Whether the principal administers the root unit (and so may edit the risk matrix)."""
    root = units.root_unit_id(session=session)
    return root is not None and root in principal.administrable
