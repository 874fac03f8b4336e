"""The rating fields of the risk form and page: named levels, score preview and warnings.

The server renders the preview and the warning for the values shown; app.js keeps them up
to date as the ratings change, from the bands and cell levels in `data` (the same rules
as the server's, which still computes and stores the level on saving).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aegis.domains.risks.schemas import RiskMatrix, ScaleLevel
from aegis.web.templating import LEVEL_CLASSES

KINDS = ("inherent", "residual")
WARNING = (
    "The residual rating is higher than the inherent one. Controls normally lower a risk's "
    "likelihood or impact: check the ratings. You can still save."
)


@dataclass(frozen=True)
class Preview:
    """The score and level of one pair of ratings, or nothing while one is missing."""

    score: int | None
    level: str | None
    badge: str
    above_appetite: bool


def _rating(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def choices(scale: list[ScaleLevel]) -> list[tuple[int, str, str]]:
    """(level, "4 — Likely", criteria) for each level of a scale."""
    return [(n, f"{n} — {level.name}", level.criteria) for n, level in enumerate(scale, start=1)]


def preview(matrix: RiskMatrix, likelihood: Any, impact: Any) -> Preview:
    """Score, level and appetite of a rating, when both halves are on the matrix."""
    rated_likelihood, rated_impact = _rating(likelihood), _rating(impact)
    if (
        rated_likelihood is None
        or rated_impact is None
        or not 1 <= rated_likelihood <= matrix.likelihood_levels
        or not 1 <= rated_impact <= matrix.impact_levels
    ):
        return Preview(None, None, "none", False)
    level = matrix.cell_band(rated_likelihood, rated_impact).name
    return Preview(
        rated_likelihood * rated_impact,
        level,
        LEVEL_CLASSES.get(level, "none"),
        matrix.above_appetite(rated_likelihood, rated_impact),
    )


def residual_exceeds(values: Mapping[str, Any]) -> bool:
    """Whether a residual rating given is higher than its inherent one."""
    for axis in ("likelihood", "impact"):
        residual, inherent = (
            _rating(values.get(f"residual_{axis}")),
            _rating(values.get(f"inherent_{axis}")),
        )
        if residual is not None and inherent is not None and residual > inherent:
            return True
    return False


def _data(matrix: RiskMatrix) -> dict[str, Any]:
    """What app.js needs to compute a level: bands, cells set by hand, appetite, badges."""
    return {
        "bands": [
            {
                "name": band.name,
                "min": band.min_score,
                "max": band.max_score,
                "badge": LEVEL_CLASSES.get(band.name, "none"),
            }
            for band in matrix.bands
        ],
        "cells": {f"{c.likelihood}x{c.impact}": c.level for c in matrix.cell_levels},
        "appetite": matrix.appetite_score,
    }


def rating_fields(matrix: RiskMatrix, values: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the rating fields of the risk form show."""
    return {
        "likelihood_choices": choices(matrix.likelihood_scale),
        "impact_choices": choices(matrix.impact_scale),
        "previews": {
            kind: preview(matrix, values.get(f"{kind}_likelihood"), values.get(f"{kind}_impact"))
            for kind in KINDS
        },
        "warning": WARNING if residual_exceeds(values) else None,
        "warning_text": WARNING,
        "appetite": matrix.appetite_score,
        "data": _data(matrix),
    }


def level_names(matrix: RiskMatrix) -> dict[str, list[str]]:
    """The names of the likelihood and impact levels, level 1 first, for the risk page."""
    return {
        "likelihood": [level.name for level in matrix.likelihood_scale],
        "impact": [level.name for level in matrix.impact_scale],
    }
