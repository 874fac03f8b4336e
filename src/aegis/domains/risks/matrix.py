"""The risk matrix: its default, its consistency rules and the level of a cell."""

from __future__ import annotations

from aegis.core.errors import ValidationFailed
from aegis.domains.risks.schemas import CellLevel, RiskBand, RiskMatrix

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
    """Return the matrix in order, or raise if its bands or cell levels do not fit its grid.

    The bands must tile 1..L×I exactly; each cell set by hand must lie on the grid, once,
    and name one of the bands (its name is then spelt as the band's).
    """
    ordered = sorted(enumerate(matrix.bands), key=lambda item: item[1].min_score)
    band_problems = _band_problems(matrix, ordered)
    cells, cell_problems = _checked_cells(matrix)
    if band_problems or cell_problems:
        message = (
            "The bands must cover every score exactly once"
            if band_problems
            else "Each cell set by hand must be on the grid and name one of the levels"
        )
        raise ValidationFailed(message, details=band_problems + cell_problems)
    return matrix.model_copy(update={"bands": [band for _, band in ordered], "cell_levels": cells})


def _band_problems(matrix: RiskMatrix, ordered: list[tuple[int, RiskBand]]) -> list[dict[str, str]]:
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
    return [{"field": field, "message": message} for field, message in problems.items()]


def _checked_cells(matrix: RiskMatrix) -> tuple[list[CellLevel], list[dict[str, str]]]:
    """The cells set by hand in grid order with their level's spelling, and their problems."""
    names = {band.name.casefold(): band.name for band in matrix.bands}
    sizes = {"likelihood": matrix.likelihood_levels, "impact": matrix.impact_levels}
    problems: list[dict[str, str]] = []
    seen: set[tuple[int, int]] = set()
    cells = []
    for index, cell in enumerate(matrix.cell_levels):
        field = f"cell_levels.{index}"
        for axis, size in sizes.items():
            if getattr(cell, axis) > size:
                message = f"Must be between 1 and {size}: the matrix has {size} {axis} levels"
                problems.append({"field": f"{field}.{axis}", "message": message})
        level = names.get(cell.level.casefold())
        if level is None:
            known = ", ".join(band.name for band in matrix.bands)
            message = f"'{cell.level}' is not one of the levels ({known})"
            problems.append({"field": f"{field}.level", "message": message})
        if (cell.likelihood, cell.impact) in seen:
            message = f"Cell {cell.likelihood} × {cell.impact} is set more than once"
            problems.append({"field": field, "message": message})
        seen.add((cell.likelihood, cell.impact))
        cells.append(cell.model_copy(update={"level": level or cell.level}))
    return sorted(cells, key=lambda c: (c.likelihood, c.impact)), problems


def level_of_cell(matrix: RiskMatrix, likelihood: int, impact: int) -> str:
    """Name of a cell's level: the one set for the cell by hand, else its score's band."""
    return matrix.cell_band(likelihood, impact).name
