"""The administered users as people read them: roles by label and unit, status, dates."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.users import service as users
from aegis.domains.users.schemas import RoleAssignmentRead, UserRead
from aegis.web import lookups
from aegis.web.exports import OUTSIDE, SEPARATOR, Cell, plain

USER_HEADER: list[Cell] = [
    "Name",
    "E-mail",
    "Status",
    "Roles in your units",
    "Last sign-in",
    "Created",
]


def role_text(role: RoleAssignmentRead, units: dict[int, str]) -> str:
    """'Analyst on Retail', or '… without its sub-units' for a role on that unit alone."""
    text = f"{choice_label(role.role.value)} on {units.get(role.unit_id, OUTSIDE)}"
    return text if role.include_children else f"{text}, without its sub-units"


def role_texts(
    session: Session, principal: Principal, people: Sequence[UserRead]
) -> dict[int, list[str]]:
    """{user id: their roles in words} for a page of users (one query for all of them)."""
    units = lookups.unit_names(session, principal)
    held = users.roles_of_users(
        session=session, principal=principal, user_ids=[user.id for user in people]
    )
    return {user_id: [role_text(role, units) for role in roles] for user_id, roles in held.items()}


def user_cells(
    session: Session, principal: Principal, people: Sequence[UserRead]
) -> list[list[Cell]]:
    """The users as an export reads them, header first."""
    roles = role_texts(session, principal, people)
    return [USER_HEADER] + [
        [
            user.name,
            user.email,
            "Active" if user.is_active else "Disabled",
            SEPARATOR.join(roles.get(user.id, [])) or None,
            plain(user.last_login_at),
            plain(user.created_at),
        ]
        for user in people
    ]
