"""Reading a page's form as a browser would submit it, for edit round trips in page tests."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """Collects the fields of the form posted to one action: inputs, selects, text areas."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._inside = found.get("action") == self.action
        if not self._inside or found.get("form"):  # owned by another form
            return
        name = found.get("name", "")
        if tag == "input" and name and found.get("type") not in ("submit", "button", "file"):
            checkable = found.get("type") in ("checkbox", "radio")
            if not checkable or "checked" in found:
                self.fields.append((name, found.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def submitted_fields(html: str, action: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the form posting to `action` would send unchanged."""
    reader = _FormReader(action)
    reader.feed(html)
    return reader.fields


def with_changes(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    """The same fields with some single values replaced (or added)."""
    kept = [(name, value) for name, value in fields if name not in changes]
    return kept + list(changes.items())
