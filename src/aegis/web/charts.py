"""Server-rendered SVG charts, readable without colour (counts and level letters are text)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from markupsafe import Markup

from aegis.domains.dashboard.schemas import Heatmap, HeatmapCell
from aegis.web.colours import text_colour

CELL, MARGIN, LEGEND, MIN_WIDTH = 64, 44, 30, 300
AXIS_INK, LABEL_INK = "#1b2330", "#4a5568"
APPETITE_DASH = "6 3"


def cell_label(cell: HeatmapCell) -> str:
    """What a cell says to a screen reader: its ratings, count, level and the appetite."""
    count = f"{cell.count} {'risk' if cell.count == 1 else 'risks'}"
    label = f"Likelihood {cell.likelihood}, impact {cell.impact}: {count}, level {cell.level}"
    return f"{label}, above appetite" if cell.above_appetite else label


def _cell(cell: HeatmapCell, x: int, y: int, href: str) -> list[str]:
    ink = text_colour(cell.color)
    parts = [
        f'<a href="{escape(href)}"><title>{escape(cell_label(cell))}</title>',
        f'<rect x="{x + 2}" y="{y + 2}" width="{CELL - 4}" height="{CELL - 4}" rx="4" '
        f'fill="{escape(cell.color)}" stroke="#ffffff" stroke-width="2"/>',
    ]
    if cell.above_appetite:
        parts.append(
            f'<rect class="appetite-outline" x="{x + 5}" y="{y + 5}" width="{CELL - 10}" '
            f'height="{CELL - 10}" rx="3" fill="none" stroke="{ink}" stroke-width="2" '
            f'stroke-dasharray="{APPETITE_DASH}"/>'
        )
    parts.append(
        f'<text x="{x + 10}" y="{y + 21}" font-size="11" fill="{ink}">'
        f"{escape(cell.level[:1])}</text>"
    )
    if cell.count:
        parts.append(
            f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 8}" text-anchor="middle" '
            f'font-size="22" font-weight="700" fill="{ink}">{cell.count}</text>'
        )
    parts.append("</a>")
    return parts


def _axes_and_legend(heatmap: Heatmap) -> list[str]:
    axis_y = heatmap.likelihood_levels * CELL
    parts = [
        f'<text x="{MARGIN + (impact - 1) * CELL + CELL // 2}" y="{axis_y + 20}" '
        f'text-anchor="middle" font-size="14" fill="{AXIS_INK}">{impact}</text>'
        for impact in range(1, heatmap.impact_levels + 1)
    ]
    parts.append(
        f'<text x="{MARGIN + heatmap.impact_levels * CELL / 2}" y="{axis_y + 38}" '
        f'text-anchor="middle" font-size="13" fill="{LABEL_INK}">Impact →</text>'
    )
    parts.append(
        f'<text x="12" y="{axis_y / 2}" text-anchor="middle" font-size="13" fill="{LABEL_INK}" '
        f'transform="rotate(-90 12 {axis_y / 2})">Likelihood →</text>'
    )
    legend_y = axis_y + MARGIN + 6
    parts.append(
        f'<g class="appetite-legend"><rect x="{MARGIN}" y="{legend_y}" width="16" height="16" '
        f'rx="3" fill="none" stroke="{AXIS_INK}" stroke-width="2" '
        f'stroke-dasharray="{APPETITE_DASH}"/>'
        f'<text x="{MARGIN + 24}" y="{legend_y + 13}" font-size="13" fill="{AXIS_INK}">'
        f"Above appetite (score over {heatmap.appetite_score})</text></g>"
    )
    return parts


def heatmap_svg(
    heatmap: Heatmap, *, title: str, key: str, link: Callable[[int, int], str]
) -> Markup:
    """A likelihood × impact grid; each cell shows its count and links to `link(l, i)`.

    Cells above the risk appetite are outlined with a dashed line, explained by a legend.
    """
    width = max(MARGIN + heatmap.impact_levels * CELL + 8, MIN_WIDTH)
    height = heatmap.likelihood_levels * CELL + MARGIN + LEGEND + 8
    description = (
        f"Open risks by likelihood (rows, {heatmap.likelihood_levels} at the top) and impact "
        f"(columns, 1 on the left). Each cell shows its count and the first letter of its "
        f"level; cells scoring above the risk appetite of {heatmap.appetite_score} have a "
        "dashed outline."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="group" aria-labelledby="hm-{key}" aria-describedby="hm-{key}-desc">',
        f'<title id="hm-{key}">{escape(title)}</title>',
        f'<desc id="hm-{key}-desc">{escape(description)}</desc>',
    ]
    for likelihood in range(heatmap.likelihood_levels, 0, -1):
        y = (heatmap.likelihood_levels - likelihood) * CELL
        parts.append(
            f'<text x="{MARGIN - 10}" y="{y + CELL / 2 + 5}" text-anchor="end" '
            f'font-size="14" fill="{AXIS_INK}">{likelihood}</text>'
        )
        for impact in range(1, heatmap.impact_levels + 1):
            x = MARGIN + (impact - 1) * CELL
            cell = heatmap.cell(likelihood, impact)
            parts += _cell(cell, x, y, link(likelihood, impact))
    parts += _axes_and_legend(heatmap)
    parts.append("</svg>")
    # every interpolated text is escaped above; the rest are numbers and constants
    return Markup("".join(parts))  # noqa: S704  # nosec B704 # built from escaped parts only
