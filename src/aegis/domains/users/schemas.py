"""User and role assignment schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from aegis.core.authz import Role
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from aegis.domains.common.text import Email, SingleLine

# kept exactly as typed: sign-in compares the password without stripping spaces
Password = Annotated[str, StringConstraints(strip_whitespace=False, max_length=MAX_PASSWORD_LENGTH)]


def check_password(password: str) -> str:
    """The length the policy asks for; the service checks the rest knowing the user."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    return password


class UserCreate(BaseModel):
    """A new user with a first role on a unit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email
    name: SingleLine = Field(min_length=1, max_length=200)
    password: Password
    role: Role
    unit_id: Id
    include_children: bool = True

    _password = field_validator("password")(check_password)


class UserUpdate(BaseModel):
    """Changes to a user; disabling revokes their sessions at once."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine | None = Field(None, min_length=1, max_length=200)
    is_active: bool | None = None
    password: Password | None = None

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        return None if value is None else check_password(value)


class UserRead(BaseModel):
    """A user as other users see them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserQuery(ListQuery):
    """Filters of the user list."""

    q: SingleLine | None = Field(None, max_length=200)
    is_active: bool | None = None
    unit_id: Id | None = None


class RoleAssignmentCreate(BaseModel):
    """A role to grant a user on a unit."""

    model_config = ConfigDict(extra="forbid")

    user_id: Id
    role: Role
    unit_id: Id
    include_children: bool = True


class RoleAssignmentRead(BaseModel):
    """A role a user holds on a unit."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    role: Role
    unit_id: int
    include_children: bool
    created_at: datetime


class RoleAssignmentQuery(ListQuery):
    """Filters of the role assignment list."""

    user_id: Id | None = None
    unit_id: Id | None = None
    role: Role | None = None


class MeRead(UserRead):
    """The signed-in user with their role assignments."""

    roles: list[RoleAssignmentRead]
    password_change_reason: Literal["set_by_admin", "breached"] | None = Field(
        None,
        description="Set when the user must choose a new password before anything else "
        "(POST /api/v1/auth/password): set_by_admin after an administrator set it, breached "
        "when the password signed in with is on the list of common and breached passwords",
    )


class OwnPasswordChange(BaseModel):
    """The caller's current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: Password

    _new_password = field_validator("new_password")(check_password)
