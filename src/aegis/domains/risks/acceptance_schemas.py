"""Schemas of risk acceptance requests and the policy they are decided under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aegis.core.authz import Principal
from aegis.core.settings import Settings
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import MultiLine
from aegis.models.enums import AcceptanceRequestStatus

ApproverRole = Literal["admin", "analyst"]
DEFAULT_MAX_DAYS = 365


@dataclass(frozen=True)
class AcceptancePolicy:
    """The longest acceptance and the roles (on the risk's unit) that may approve one.

    Administrators of the risk's unit or of a unit above it always may; analysts only when
    listed. Nobody decides their own request.
    """

    max_days: int = DEFAULT_MAX_DAYS
    approver_roles: frozenset[ApproverRole] = frozenset({"admin"})

    @classmethod
    def from_settings(cls, settings: Settings) -> AcceptancePolicy:
        """The policy the settings ask for."""
        return cls(
            max_days=settings.risk_acceptance_max_days,
            approver_roles=frozenset(settings.risk_acceptance_approver_roles),
        )

    def units_decided_by(self, principal: Principal) -> frozenset[int]:
        """The units whose risks' acceptance this principal may decide."""
        if "analyst" in self.approver_roles:
            return principal.writable
        return principal.administrable


class AcceptanceRequestCreate(BaseModel):
    """A request to accept a risk until a day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    justification: MultiLine = Field(
        min_length=1, max_length=20000, description="Why the risk may be accepted"
    )
    expires_on: date = Field(
        description=(
            "Last day the risk stays accepted: after today and within the maximum acceptance "
            "period (AEGIS_RISK_ACCEPTANCE_MAX_DAYS, 365 days by default)"
        )
    )


class AcceptanceDecision(BaseModel):
    """An approval (comment optional) or a rejection (comment required)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: MultiLine = Field("", max_length=20000, description="Required to reject")


class AcceptanceRequestRead(BaseModel):
    """A request as its readers see it, with the risk it is about."""

    id: int
    risk_id: int
    risk_title: str
    unit_id: int = Field(description="The risk's unit")
    status: AcceptanceRequestStatus
    justification: str
    expires_on: date
    requested_by_id: int | None
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    decision_comment: str
    can_decide: bool = Field(description="Whether the caller may approve or reject it now")


class AcceptanceRequestQuery(ListQuery):
    """Filters of the request list (newest first unless sorted)."""

    status: AcceptanceRequestStatus | None = None
    risk_id: Id | None = None
    awaiting_me: bool | None = Field(
        None, description="Pending requests the caller may decide (true) or not (false)"
    )
