"""The risk matrix laid out as an SVG grid: each cell's score, level, colour and appetite."""

from __future__ import annotations

from typing import Any

from aegis.domains.risks.schemas import RiskMatrix
from aegis.web.colours import text_colour

CELL_WIDTH, CELL_HEIGHT, AXIS = 76, 50, 34


def _short(name: str) -> str:
    return name if len(name) <= 9 else name[:8] + "…"


def _cell(matrix: RiskMatrix, likelihood: int, impact: int, set_by_hand: bool) -> dict[str, Any]:
    band = matrix.cell_band(likelihood, impact)
    above = matrix.above_appetite(likelihood, impact)
    wanted = (("set by hand", set_by_hand), ("above appetite", above))
    notes = [note for note, applies in wanted if applies]
    title = f"Likelihood {likelihood} × impact {impact} = {likelihood * impact}: {band.name}"
    return {
        "x": AXIS + (impact - 1) * CELL_WIDTH,
        "y": (matrix.likelihood_levels - likelihood) * CELL_HEIGHT,
        "likelihood": likelihood,
        "impact": impact,
        "score": likelihood * impact,
        "band": band.name,
        "short": _short(band.name) + ("*" if set_by_hand else ""),
        "fill": band.color,
        "ink": text_colour(band.color),
        "set_by_hand": set_by_hand,
        "above_appetite": above,
        "title": ", ".join([title, *notes]),
    }


def grid(matrix: RiskMatrix) -> dict[str, Any]:
    """Cells of the likelihood × impact grid with their level, laid out for the SVG."""
    by_hand = {(cell.likelihood, cell.impact) for cell in matrix.cell_levels}
    cells = [
        _cell(matrix, likelihood, impact, (likelihood, impact) in by_hand)
        for likelihood in range(matrix.likelihood_levels, 0, -1)
        for impact in range(1, matrix.impact_levels + 1)
    ]
    counts: dict[str, int] = {band.name: 0 for band in matrix.bands}
    for cell in cells:
        counts[cell["band"]] = counts.get(cell["band"], 0) + 1
    return {
        "cells": cells,
        "counts": counts,
        "width": AXIS + matrix.impact_levels * CELL_WIDTH,
        "height": matrix.likelihood_levels * CELL_HEIGHT + AXIS,
        "cell_width": CELL_WIDTH,
        "cell_height": CELL_HEIGHT,
        "axis": AXIS,
        "rows": [
            (likelihood, (matrix.likelihood_levels - likelihood) * CELL_HEIGHT)
            for likelihood in range(matrix.likelihood_levels, 0, -1)
        ],
        "columns": [
            (impact, AXIS + (impact - 1) * CELL_WIDTH)
            for impact in range(1, matrix.impact_levels + 1)
        ],
        "any_by_hand": bool(by_hand),
    }
