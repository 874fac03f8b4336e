"""Text colours that stay readable (WCAG AA) on the colours administrators give levels."""

from __future__ import annotations

BLACK, WHITE = "#000000", "#ffffff"
AA_NORMAL_TEXT = 4.5


def luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with the background (always at least 4.5:1)."""
    if len(background.lstrip("#")) != 6:
        return BLACK
    return BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE
