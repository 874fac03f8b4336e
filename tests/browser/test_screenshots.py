"""Screenshots of the main pages at desktop and phone width, in var/screenshots/ for people."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import DESKTOP, PHONE, screenshot
from tests.browser.pages import PHOTOGRAPHED, MainPage

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('body *'))
    .filter(e => {
      const box = e.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 1) return false;
      for (let p = e.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) return false;
      }
      return true;
    })
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : ''));
}"""


@pytest.mark.parametrize("main_page", PHOTOGRAPHED, ids=lambda p: p.name)
def test_screenshots_at_desktop_and_phone_width(
    page_as: Callable[[str | None], Page], main_page: MainPage
) -> None:
    page = page_as(main_page.user)
    page.set_viewport_size(DESKTOP)
    main_page.open(page)
    assert screenshot(page, main_page.name).stat().st_size > 0

    page.set_viewport_size(PHONE)
    page.reload()
    assert screenshot(page, main_page.name).stat().st_size > 0
    wider = page.evaluate(OVERFLOW)
    assert not wider, f"{page.url} is wider than a phone ({PHONE['width']} px): {wider}"
