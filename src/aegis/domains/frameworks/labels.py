"""How a requirement is named to people: its reference and what it says."""

from __future__ import annotations

import re

SEPARATOR = " — "
ELLIPSIS = "…"
SHORT = 120  # characters of a label or title in tables, lists and pickers
ANCHOR_LINK = re.compile(r"\[([^\]\n]+)\]\(#[^)\s]*\)")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SPACES = re.compile(r"\s+")


def repeats_reference(ref_id: str, title: str) -> bool:
    """Whether a title says nothing beyond the reference (empty, or the reference again)."""
    title = title.strip()
    return not title or title.casefold() == ref_id.strip().casefold()


def first_paragraph(text: str) -> str:
    """The first paragraph of a text on one line (a requirement's statement)."""
    for paragraph in PARAGRAPH_BREAK.split(text):
        line = SPACES.sub(" ", paragraph).strip()
        if line:
            return line
    return ""


def requirement_title(ref_id: str, title: str, text: str) -> str:
    """The title, or the statement when the title only repeats the reference."""
    if not repeats_reference(ref_id, title):
        return title.strip()
    return first_paragraph(text) or title.strip()


def readable_text(text: str) -> str:
    """Text with links to anchors (`[AU-2](#au-2)`) reduced to their link text."""
    return ANCHOR_LINK.sub(r"\1", text)


def shorten(text: str, limit: int = SHORT) -> str:
    """Text cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 1)]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def requirement_label(ref_id: str, title: str, limit: int | None = None) -> str:
    """'REF — title', the title left out when it repeats the reference; shortened to `limit`."""
    if repeats_reference(ref_id, title):
        return ref_id
    label = f"{ref_id}{SEPARATOR}{SPACES.sub(' ', title).strip()}"
    if limit is None or len(label) <= limit:
        return label
    room = max(limit - len(ref_id) - len(SEPARATOR), 1)
    return f"{ref_id}{SEPARATOR}{shorten(title, room)}"
