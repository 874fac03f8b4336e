"""Rules a risk must satisfy: its status workflow, acceptance and ratings on the matrix."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from aegis.core.errors import ValidationFailed
from aegis.core.messages import choice_label
from aegis.domains.risks.errors import InvalidTransition
from aegis.domains.risks.schemas import RiskMatrix
from aegis.models.enums import RiskStatus, Treatment

S = RiskStatus
TRANSITIONS: dict[RiskStatus, frozenset[RiskStatus]] = {
    S.IDENTIFIED: frozenset({S.ASSESSED, S.CLOSED}),
    S.ASSESSED: frozenset({S.TREATMENT_PLANNED, S.ACCEPTED, S.CLOSED}),
    S.TREATMENT_PLANNED: frozenset({S.IN_TREATMENT, S.ACCEPTED, S.CLOSED}),
    S.IN_TREATMENT: frozenset({S.MONITORING, S.ACCEPTED, S.CLOSED}),
    S.MONITORING: frozenset({S.ASSESSED, S.CLOSED}),
    S.ACCEPTED: frozenset({S.ASSESSED, S.ACCEPTANCE_EXPIRED, S.CLOSED}),
    S.ACCEPTANCE_EXPIRED: frozenset(
        {S.ASSESSED, S.TREATMENT_PLANNED, S.IN_TREATMENT, S.ACCEPTED, S.CLOSED}
    ),
    S.CLOSED: frozenset({S.IDENTIFIED}),
}
# statuses nobody sets by editing a risk, and why
SET_BY_AEGIS: dict[RiskStatus, str] = {
    S.ACCEPTED: (
        "A risk becomes accepted only when someone other than the requester approves a "
        "request to accept it: ask for acceptance on the risk's page"
    ),
    S.ACCEPTANCE_EXPIRED: "Aegis sets this status when an acceptance runs out",
}
ACCEPTANCE_FIELDS = (
    "acceptance_approver_id",
    "acceptance_justification",
    "acceptance_expires_on",
)
SET_BY_APPROVAL = (
    "Set when a request to accept the risk is approved; ask for acceptance on the risk's page"
)
RATING_PAIRS = (
    ("inherent_likelihood", "inherent_impact"),
    ("residual_likelihood", "residual_impact"),
)


class Problems:
    """Field errors collected before anything is written, raised together."""

    def __init__(self) -> None:
        self.details: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        """Note one invalid field."""
        self.details.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        """Raise one validation error naming every invalid field."""
        if self.details:
            fields = ", ".join(d["field"] for d in self.details)
            raise ValidationFailed(f"Invalid input: {fields}", details=self.details)


def next_statuses(current: RiskStatus | str) -> list[RiskStatus]:
    """The statuses an edit may move a risk to from `current`, in life-cycle order."""
    allowed = TRANSITIONS[RiskStatus(current)]
    return [status for status in RiskStatus if status in allowed and status not in SET_BY_AEGIS]


def check_transition(current: RiskStatus, new: RiskStatus) -> None:
    """Raise unless an edit may move a risk from `current` to `new`."""
    if new == current:
        return
    if new in SET_BY_AEGIS:
        message = SET_BY_AEGIS[new]
        details = [{"field": "status", "message": message, "from": current.value, "to": new.value}]
        raise InvalidTransition(message, details=details)
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(choice_label(status) for status in next_statuses(current))
        raise InvalidTransition(
            f"A risk cannot go from {choice_label(current)} to {choice_label(new)}; "
            f"from {choice_label(current)} it can go to: {allowed}",
            details=[{"field": "status", "from": current.value, "to": new.value}],
        )


def check_new_status(status: RiskStatus) -> None:
    """Raise when a new risk would start in a status only Aegis sets."""
    if status in SET_BY_AEGIS:
        message = SET_BY_AEGIS[status]
        raise InvalidTransition(message, details=[{"field": "status", "message": message}])


def check_acceptable(current: RiskStatus) -> None:
    """Raise unless a risk in this status may be accepted (or its acceptance renewed)."""
    if current == S.ACCEPTED or S.ACCEPTED in TRANSITIONS[current]:
        return
    allowed = [s for s in RiskStatus if s == S.ACCEPTED or S.ACCEPTED in TRANSITIONS[s]]
    message = (
        f"A risk that is {choice_label(current).lower()} cannot be accepted; it can be once "
        f"it is {', '.join(choice_label(s).lower() for s in allowed)}"
    )
    raise InvalidTransition(message, details=[{"field": "status", "message": message}])


def shown_status(status: RiskStatus | str, expires_on: date | None, today: date) -> RiskStatus:
    """The status to show: an accepted risk whose acceptance ran out before today has expired."""
    if status == S.ACCEPTED and expires_on is not None and expires_on < today:
        return S.ACCEPTANCE_EXPIRED
    return RiskStatus(status)


def check_untouched_acceptance(
    changes: Mapping[str, Any], stored: Mapping[str, Any], problems: Problems
) -> None:
    """Name every acceptance field the caller tried to set: only an approval sets them."""
    for name in ACCEPTANCE_FIELDS:
        if name in changes and (changes[name] or None) != (stored.get(name) or None):
            problems.add(name, SET_BY_APPROVAL)


def check_ratings(values: Mapping[str, Any], matrix: RiskMatrix, problems: Problems) -> None:
    """Likelihood and impact within the matrix; residual ratings both given or both empty."""
    sizes = {"likelihood": matrix.likelihood_levels, "impact": matrix.impact_levels}
    for pair in RATING_PAIRS:
        for field in pair:
            value, size = values.get(field), sizes[field.split("_")[1]]
            if value is not None and not 1 <= value <= size:
                problems.add(field, f"Must be between 1 and {size} on the current matrix")
    for field in RATING_PAIRS[0]:
        if values.get(field) is None:
            problems.add(field, "This field is required")
    likelihood, impact = RATING_PAIRS[1]
    if (values.get(likelihood) is None) != (values.get(impact) is None):
        missing = likelihood if values.get(likelihood) is None else impact
        problems.add(missing, "Residual likelihood and impact are given together or not at all")


def check_acceptance(
    values: Mapping[str, Any], *, check_expiry: bool, today: date, problems: Problems
) -> None:
    """An accepted risk keeps treatment 'accept', an approver, a justification, an expiry."""
    if values.get("status") != S.ACCEPTED:
        return
    if values.get("treatment") != Treatment.ACCEPT:
        problems.add("treatment", "An accepted risk must have the treatment 'accept'")
    if values.get("acceptance_approver_id") is None:
        problems.add("acceptance_approver_id", "An accepted risk needs the approver")
    if not (values.get("acceptance_justification") or "").strip():
        problems.add("acceptance_justification", "An accepted risk needs a justification")
    expires = values.get("acceptance_expires_on")
    if expires is None:
        problems.add("acceptance_expires_on", "An accepted risk needs an expiry date")
    elif check_expiry and expires <= today:
        problems.add("acceptance_expires_on", "The acceptance must expire in the future")
