"""Excerpts of a matching text: short, on one line, around the words found."""

from __future__ import annotations

from aegis.domains.common.matches import excerpt, matched_text


def test_a_short_text_is_shown_whole_on_one_line() -> None:
    assert excerpt("Keep   logs\n\nfor a year.", "logs") == "Keep logs for a year."


def test_a_long_text_is_cut_around_the_first_match_at_word_boundaries() -> None:
    text = " ".join(f"word{n}" for n in range(100)) + " the kestrel nests " + "tail " * 50
    shown = excerpt(text, "KESTREL", limit=80)
    assert shown.startswith("…word") and shown.endswith("…")
    assert "the kestrel nests" in shown
    assert len(shown) <= 80
    assert excerpt("kestrel " + "tail " * 50, "kestrel", limit=40).startswith("kestrel tail")


def test_nothing_is_repeated_when_the_title_already_shows_the_match() -> None:
    assert matched_text("kestrel", "Kestrel outage", "The kestrel server") == ""
    assert matched_text("server", "Kestrel outage", None, "The kestrel server") == (
        "The kestrel server"
    )
    assert matched_text("absent", "Kestrel outage", "The kestrel server") == ""
