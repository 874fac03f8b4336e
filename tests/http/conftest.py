"""The signed-in browser of the page tests, for the tests of what every answer carries."""

from __future__ import annotations

from tests.web.conftest import browser_for

__all__ = ["browser_for"]
