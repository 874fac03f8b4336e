"""What a scale factor means: how many rows of each kind, the unit tree and the people."""

from __future__ import annotations

from dataclasses import dataclass

# rows at scale 1; scale N has N times as many (units and people stay the same)
PER_SCALE = {
    "assets": 10_000,
    "risks": 5_000,
    "controls": 500,
    "tasks": 5_000,
    "audit_events": 20_000,
    "evidence": 1_000,
}
DIVISIONS = ("Operations", "Finance", "Sales", "Research")
TEAMS_PER_DIVISION = 6
ANALYST_DIVISION = "Operations"  # the division analyst's division holds about half the data
ANALYST_SHARE = 0.5
USERS = 103
EMAIL_DOMAIN = "bench.example.com"
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
ANALYST_EMAIL = f"division.analyst@{EMAIL_DOMAIN}"
PASSWORD = "bench-password-2026"  # noqa: S105  # nosec B105 # generated benchmark data only


@dataclass(frozen=True)
class Sizes:
    """How many rows of each kind to generate."""

    assets: int
    risks: int
    controls: int
    tasks: int
    audit_events: int
    evidence: int


def sizes(scale: float) -> Sizes:
    """The row counts of a scale factor (at least one of each)."""
    if scale <= 0:
        raise ValueError("The scale must be greater than 0")
    return Sizes(**{name: max(1, round(count * scale)) for name, count in PER_SCALE.items()})


@dataclass(frozen=True)
class PlannedUnit:
    """One unit of the tree, with its id and parent id."""

    id: int
    name: str
    parent_id: int | None
    division: str | None  # the division it belongs to (None for the root)


def unit_tree() -> list[PlannedUnit]:
    """The company, four divisions and six teams in each: 29 units, parents first."""
    units = [PlannedUnit(1, "Company", None, None)]
    for division in DIVISIONS:
        division_id = len(units) + 1
        units.append(PlannedUnit(division_id, division, 1, division))
        for team in range(1, TEAMS_PER_DIVISION + 1):
            units.append(
                PlannedUnit(len(units) + 1, f"{division} team {team}", division_id, division)
            )
    return units


def unit_weights(units: list[PlannedUnit]) -> list[float]:
    """How likely an object is placed in each unit: half in the analyst's division."""
    inside = [unit for unit in units if unit.division == ANALYST_DIVISION]
    outside = len(units) - len(inside)
    return [
        ANALYST_SHARE / len(inside)
        if unit.division == ANALYST_DIVISION
        else (1 - ANALYST_SHARE) / outside
        for unit in units
    ]


def analyst_units(units: list[PlannedUnit]) -> frozenset[int]:
    """The units the division analyst reads: the division and its teams."""
    return frozenset(unit.id for unit in units if unit.division == ANALYST_DIVISION)
