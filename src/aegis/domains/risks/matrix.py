"""The risk matrix: its default, its consistency rules and the level of a score."""

from __future__ import annotations

from aegis.core.errors import ValidationFailed
from aegis.domains.risks.schemas import RiskBand, RiskMatrix

SETTING_KEY = "risk_matrix"

DEFAULT_MATRIX = RiskMatrix(
    likelihood_levels=5,
    impact_levels=5,
    bands=[
        RiskBand(name="Low", min_score=1, max_score=5, color="#2e7d32"),
        RiskBand(name="Medium", min_score=6, max_score=10, color="#f9a825"),
        RiskBand(name="High", min_score=11, max_score=15, color="#ef6c00"),
        RiskBand(name="Critical", min_score=16, max_score=25, color="#c62828"),
    ],
)


def max_score(matrix: RiskMatrix) -> int:
    """The highest score the matrix can give."""
    return matrix.likelihood_levels * matrix.impact_levels


def check_matrix(matrix: RiskMatrix) -> RiskMatrix:
    """Return the matrix with bands sorted, or raise if they do not tile 1..L×I exactly."""
    ordered = sorted(enumerate(matrix.bands), key=lambda item: item[1].min_score)
    problems: dict[str, str] = {}
    names = [band.name.casefold() for band in matrix.bands]
    if len(set(names)) != len(names):
        problems["bands"] = "Band names must be unique"
    expected_min = 1
    for index, band in ordered:
        if band.max_score < band.min_score:
            problems[f"bands.{index}.max_score"] = f"Band '{band.name}' ends before it starts"
        if band.min_score != expected_min:
            kind = "a gap" if band.min_score > expected_min else "an overlap"
            problems[f"bands.{index}.min_score"] = (
                f"Band '{band.name}' leaves {kind}: it must start at {expected_min}"
            )
        expected_min = band.max_score + 1
    top = max_score(matrix)
    last_index, last = ordered[-1]
    if last.max_score != top:
        problems.setdefault(
            f"bands.{last_index}.max_score",
            f"The last band must end at {top} (likelihood × impact levels)",
        )
    if problems:
        details = [{"field": field, "message": message} for field, message in problems.items()]
        raise ValidationFailed("The bands must cover every score exactly once", details=details)
    return matrix.model_copy(update={"bands": [band for _, band in ordered]})


def level_for(matrix: RiskMatrix, score: int) -> str:
    """Name of the band a score falls in."""
    for band in matrix.bands:
        if band.min_score <= score <= band.max_score:
            return band.name
    raise ValueError(f"score {score} is outside the matrix")
