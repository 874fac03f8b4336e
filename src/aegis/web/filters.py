"""Active list filters as readable chips, each with a link that removes it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from aegis.core.messages import choice_label, field_label
from aegis.domains.common.listing import ListQuery

PAGING = frozenset({"limit", "offset", "sort", "format"})
OUTSIDE = "a unit outside your scope"
SOMEONE = "someone outside your units"

Wording = Callable[[Any], str]


@dataclass(frozen=True)
class Chip:
    """One active filter: what it keeps, and the URL of the list without it."""

    text: str
    remove: str


def _shown(value: Any) -> str:
    if isinstance(value, Enum):
        return choice_label(str(value.value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _without(request: Request, name: str) -> str:
    params = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key not in (name, "offset") and value != ""
    ]
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def chips(request: Request, query: ListQuery, wording: Mapping[str, Wording]) -> list[Chip]:
    """A chip for each filter of the URL, worded by `wording` or as 'Label: value'."""
    found = []
    for name in type(query).model_fields:
        value = getattr(query, name)
        if name in PAGING or not request.query_params.get(name) or value is None:
            continue
        word = wording.get(name)
        text = word(value) if word else f"{field_label(name)}: {_shown(value)}"
        found.append(Chip(text=text, remove=_without(request, name)))
    return found


def _either(yes: str, no: str) -> Wording:
    return lambda value: yes if value else no


def _unit(units: Mapping[int, str], suffix: str = "") -> Wording:
    return lambda value: f"Unit: {units.get(value, OUTSIDE)}{suffix}"


def common_wording(units: Mapping[int, str]) -> dict[str, Wording]:
    """Wording of the filters every list shares: search and units."""
    return {
        "q": lambda value: f"Search: “{value}”",
        "unit_id": _unit(units),
        "within_unit_id": _unit(units, " and the units below it"),
    }


def risk_wording(
    units: Mapping[int, str], people: Mapping[int, str], appetite: int
) -> dict[str, Wording]:
    """Wording of the risk register's filters."""
    return {
        **common_wording(units),
        "owner_id": lambda value: f"Owner: {people.get(value, SOMEONE)}",
        "open": _either("Open (not closed)", "Closed"),
        "above_appetite": _either(
            f"Above appetite (score > {appetite})", f"Within appetite (score ≤ {appetite})"
        ),
        "review_overdue": _either("Review overdue", "Review not overdue"),
        "acceptance_expired": _either("Acceptance expired", "Acceptance not expired"),
    }


def evidence_wording(units: Mapping[int, str], controls: Mapping[int, str]) -> dict[str, Wording]:
    """Wording of the evidence list's filters."""
    return {
        **common_wording(units),
        "control_id": lambda value: f"Control: {controls.get(value, 'outside your units')}",
        "expired": _either("Expired", "Current (not expired)"),
        "expiring_within_days": lambda value: (
            "Expiring today" if value == 0 else f"Expiring within {value} days"
        ),
    }


def task_wording(units: Mapping[int, str], people: Mapping[int, str]) -> dict[str, Wording]:
    """Wording of the task list's filters."""
    return {
        **common_wording(units),
        "assignee_id": lambda value: f"Assignee: {people.get(value, SOMEONE)}",
        "overdue": _either("Overdue", "Not overdue"),
        "mine": _either("Assigned to me", "Assigned to anyone"),
    }
