"""Server-rendered SVG charts, readable without colour (counts and level letters are text)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from markupsafe import Markup

from aegis.domains.dashboard.schemas import Heatmap

CELL, MARGIN = 64, 44


def _ink(color: str) -> str:
    """Black or white text, whichever contrasts better with the cell colour."""
    value = color.lstrip("#")
    if len(value) != 6:
        return "#000000"
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000000" if luminance > 0.45 else "#ffffff"


def heatmap_svg(
    heatmap: Heatmap, *, title: str, key: str, link: Callable[[int, int], str]
) -> Markup:
    """A likelihood × impact grid; each cell shows its count and links to `link(l, i)`."""
    width = MARGIN + heatmap.impact_levels * CELL + 8
    height = heatmap.likelihood_levels * CELL + MARGIN + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="group" aria-labelledby="hm-{key}">',
        f'<title id="hm-{key}">{escape(title)}</title>',
    ]
    for likelihood in range(heatmap.likelihood_levels, 0, -1):
        y = (heatmap.likelihood_levels - likelihood) * CELL
        parts.append(
            f'<text x="{MARGIN - 10}" y="{y + CELL / 2 + 5}" text-anchor="end" '
            f'font-size="14" fill="#1b2330">{likelihood}</text>'
        )
        for impact in range(1, heatmap.impact_levels + 1):
            cell = heatmap.cell(likelihood, impact)
            x = MARGIN + (impact - 1) * CELL
            ink = _ink(cell.color)
            label = (
                f"Likelihood {likelihood}, impact {impact}: {cell.count} "
                f"{'risk' if cell.count == 1 else 'risks'}, level {cell.level}"
            )
            href = escape(link(likelihood, impact))
            parts.append(f'<a href="{href}"><title>{escape(label)}</title>')
            parts.append(
                f'<rect x="{x + 2}" y="{y + 2}" width="{CELL - 4}" height="{CELL - 4}" rx="4" '
                f'fill="{escape(cell.color)}" stroke="#ffffff" stroke-width="2"/>'
            )
            parts.append(
                f'<text x="{x + 8}" y="{y + 18}" font-size="11" fill="{ink}">'
                f"{escape(cell.level[:1])}</text>"
            )
            if cell.count:
                parts.append(
                    f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 8}" text-anchor="middle" '
                    f'font-size="22" font-weight="700" fill="{ink}">'
                    f"{cell.count}</text>"
                )
            parts.append("</a>")
    axis_y = heatmap.likelihood_levels * CELL
    for impact in range(1, heatmap.impact_levels + 1):
        center = MARGIN + (impact - 1) * CELL + CELL // 2
        parts.append(
            f'<text x="{center}" y="{axis_y + 20}" text-anchor="middle" font-size="14" '
            f'fill="#1b2330">{impact}</text>'
        )
    parts.append(
        f'<text x="{MARGIN + heatmap.impact_levels * CELL / 2}" y="{axis_y + 38}" '
        f'text-anchor="middle" font-size="13" fill="#4a5568">Impact →</text>'
    )
    parts.append(
        f'<text x="12" y="{axis_y / 2}" text-anchor="middle" font-size="13" fill="#4a5568" '
        f'transform="rotate(-90 12 {axis_y / 2})">Likelihood →</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every interpolated text is escaped above)
