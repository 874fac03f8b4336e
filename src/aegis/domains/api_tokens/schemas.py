"""API token schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aegis.core.authz import Principal
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import SingleLine
from aegis.models.api_token import ApiTokenAccess

TokenStatus = Literal["active", "expired", "revoked"]


class ApiTokenCreate(BaseModel):
    """A new token: its name, what it may do, the units it reaches and its last day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine = Field(min_length=1, max_length=100, description="What the token is for")
    access: ApiTokenAccess = Field(
        description="read_only, or read_write (never more than your roles on its units allow)"
    )
    unit_ids: list[Id] = Field(
        min_length=1,
        max_length=200,
        description="Units you hold a role on; the token reaches them and the units below them",
    )
    expires_on: date = Field(
        description="The day the token stops working (at 00:00 UTC), within the longest "
        "validity the administrator set (AEGIS_API_TOKEN_MAX_DAYS, 365 days by default)"
    )


class OwnTokenQuery(ListQuery):
    """Filters of the list of one's own tokens."""

    status: TokenStatus | None = None


class ApiTokenQuery(OwnTokenQuery):
    """Filters of the administrators' list of tokens."""

    user_id: Id | None = None


class ApiTokenRead(BaseModel):
    """A token as shown to its owner and to administrators: never its secret."""

    id: int
    user_id: int
    name: str
    prefix: str = Field(description="The start of the secret, to tell tokens apart")
    access: ApiTokenAccess
    unit_ids: list[int]
    status: TokenStatus
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    last_used_address: str | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenRead):
    """A token just created, with its secret: shown this once and never again."""

    secret: str = Field(
        description="Send it as 'Authorization: Bearer <secret>'; Aegis keeps only its digest"
    )


@dataclass(frozen=True)
class TokenCheck:
    """The principal of a valid token, and whether its use should be recorded now."""

    principal: Principal
    token_id: int
    needs_touch: bool
