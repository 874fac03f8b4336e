"""Permissions of one's own data export and of erasing a former user's personal data."""

from __future__ import annotations

from tests.permissions import Case, Request, pages, statuses


def _former_user(db, world, principal_for) -> Request:
    """A disabled user of division-a, whose data an administrator of their unit may erase."""
    from aegis.domains.users import service
    from aegis.domains.users.schemas import UserCreate
    from aegis.models import User

    person = UserCreate(
        email="former.person@example.com",
        name="Former Person",
        password="violet lantern harbour 1987",
        role="analyst",
        unit_id=world.units["division-a"],
    )
    created = service.create_user(session=db, principal=None, data=person)
    user = db.get(User, created.id)
    user.is_active = False
    db.flush()
    return Request(path={"user_id": created.id})


CASES = [
    Case("GET", "/api/v1/auth/me/data-export", statuses(401, 200, 200, 200, 200)),
    Case("POST", "/api/v1/users/{user_id}/erase", statuses(401, 403, 403, 200, 403), _former_user),
]

PAGES = [
    Case("GET", "/account/data-export", pages(200, 200, 200, 200)),
    Case("GET", "/admin/users/{user_id}/erase", pages(403, 403, 200, 403), _former_user),
]
