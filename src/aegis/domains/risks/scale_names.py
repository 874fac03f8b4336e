"""Default names and criteria of the likelihood and impact levels, by the number of levels."""

from __future__ import annotations

from typing import Literal

Axis = Literal["likelihood", "impact"]

FIVE_LEVELS: dict[Axis, tuple[tuple[str, str], ...]] = {
    "likelihood": (
        ("Rare", "Less than once in 10 years"),
        ("Unlikely", "Once in 3 to 10 years"),
        ("Possible", "Once in 1 to 3 years"),
        ("Likely", "About once a year"),
        ("Almost certain", "Several times a year"),
    ),
    "impact": (
        ("Negligible", "Under €10k; no effect on customers"),
        ("Limited", "€10k to €100k; a short disruption for a few customers"),
        ("Moderate", "€100k to €500k; customers affected for days"),
        ("Major", "€500k to €1M, or a breach that must be reported"),
        ("Severe", "Over €1M or regulatory action"),
    ),
}
GENERIC_NAMES: dict[int, tuple[str, ...]] = {
    3: ("Low", "Medium", "High"),
    4: ("Low", "Moderate", "High", "Very high"),
}


def default_scale(axis: Axis, size: int) -> list[dict[str, str]]:
    """Names for `size` levels of an axis: the usual five with criteria, else generic ones."""
    if size == len(FIVE_LEVELS[axis]):
        return [{"name": name, "criteria": criteria} for name, criteria in FIVE_LEVELS[axis]]
    names = GENERIC_NAMES.get(size) or tuple(f"Level {n}" for n in range(1, size + 1))
    return [{"name": name, "criteria": ""} for name in names]
