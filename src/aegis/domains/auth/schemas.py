"""Authentication schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aegis.core.authz import Principal
from aegis.domains.common.text import SingleLine

SessionKind = Literal["browser", "api"]


@dataclass(frozen=True)
class SessionPolicy:
    """How long a login session lives: without activity, and at most; and how long after
    typing the password it may do sensitive actions."""

    idle: timedelta
    absolute: timedelta
    confirmation: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class TokenPolicy:
    """How access tokens are signed and how long they and their session live."""

    jwt_secret: str
    access_lifetime: timedelta
    sessions: SessionPolicy


@dataclass(frozen=True)
class ClientInfo:
    """Where a sign-in comes from, as shown in the user's list of sessions."""

    user_agent: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class OpenedSession:
    """A new browser session: the key its cookie carries and how long it may last."""

    key: str
    user_id: int
    lifetime: timedelta


@dataclass(frozen=True)
class SessionCheck:
    """The principal of a valid session, and whether its last use should be recorded."""

    principal: Principal
    needs_touch: bool


class LoginRequest(BaseModel):
    """Credentials for signing in."""

    model_config = ConfigDict(extra="forbid")

    email: SingleLine = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class PasswordConfirmation(BaseModel):
    """The signed-in user's password, typed again before a sensitive action."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    """A refresh token to exchange or revoke."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: SingleLine = Field(min_length=10, max_length=200)


class TokenPair(BaseModel):
    """Tokens issued at sign-in and on refresh."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class SessionRead(BaseModel):
    """One of the caller's active login sessions."""

    id: int
    kind: SessionKind
    device: str = Field(description="Browser and system, or program, read from the user agent")
    user_agent: str | None
    client_address: str | None
    started_at: datetime
    last_used_at: datetime
    ends_at: datetime = Field(description="When the session ends even if used (absolute limit)")
    current: bool = Field(description="Whether this is the session making the request")
