"""Pages of the objects audit events point to."""

from __future__ import annotations

from aegis.core.authz import Principal

PAGES = {
    "risk": "/risks/{id}",
    "asset": "/assets/{id}",
    "control": "/controls/{id}",
    "evidence": "/evidence/{id}",
    "task": "/tasks/{id}",
    "assessment": "/assessments/{id}",
    "framework": "/frameworks/{id}",
}
# administrators also reach users and units
ADMIN_PAGES = {"user": "/admin/users/{id}", "unit": "/admin/units/{id}"}


def object_page(
    principal: Principal,
    entity_type: str,
    entity_id: int,
    action: str,
    unit_id: int | None = None,
) -> str | None:
    """The page of an event's object, unless it was deleted or the reader may not open it."""
    if action == "delete":
        return None
    pattern = PAGES.get(entity_type)
    if pattern is None and unit_id in principal.administrable:
        pattern = ADMIN_PAGES.get(entity_type)
    return pattern.format(id=entity_id) if pattern else None
