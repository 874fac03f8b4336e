"""Every dashboard figure links to a list holding exactly that many records, page and API."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.factories.register import build_register

LIST_LINK = re.compile(r"^/(risks|tasks|evidence)\?")
CELL_COUNT = re.compile(r": (\d+) risks?\b")
FIRST_NUMBER = re.compile(r"\d+")
# 5 key figures, inherent and current counts of 4 levels, 2 heatmaps of 5 × 5 cells
FIGURES = 5 + 2 * 4 + 2 * 25


class FigureLinks(HTMLParser):
    """(href, shown number) of every link from the dashboard to a filtered list."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int]] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self._open.append((href, []))

    def handle_data(self, data: str) -> None:
        for _, texts in self._open:
            texts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "a" or not self._open:
            return
        href, texts = self._open.pop()
        if not LIST_LINK.match(href):
            return
        text = " ".join(texts)
        number = CELL_COUNT.search(text) or FIRST_NUMBER.search(text)
        assert number, f"no figure in the link to {href}: {text!r}"
        self.found.append((href, int(number.group(1) if number.groups() else number.group(0))))


def figures(html: str) -> list[tuple[str, int]]:
    parser = FigureLinks()
    parser.feed(html)
    return parser.found


def page_total(html: str) -> int:
    """The number of matching records a list page reports."""
    if match := re.search(r"<span>\d+–\d+ of (\d+)</span>", html):
        return int(match.group(1))
    if match := re.search(r'<p class="muted">(\d+) items?</p>', html):
        return int(match.group(1))
    assert re.search(r"No (risks|tasks) match|No evidence matches", html), "no total shown"
    return 0


@pytest.mark.parametrize(
    ("user", "unit"),
    [("admin", None), ("analyst", None), ("admin", "division-a"), ("analyst", "team-a1")],
)
def test_each_figure_opens_a_list_of_exactly_its_records(
    browser_for, client, token_for, db, world, principal_for, user, unit
) -> None:
    build_register(db, world, principal_for, seed=11)
    db.commit()
    browser = browser_for(user)
    dashboard = browser.get("/" if unit is None else f"/?unit_id={world.units[unit]}")
    assert dashboard.status_code == 200
    found = figures(dashboard.text)
    assert len(found) == FIGURES
    assert sum(count for _, count in found[:5]) > 0
    for href, count in found:
        if unit is not None:
            assert f"within_unit_id={world.units[unit]}" in href
        assert page_total(browser.get(href).text) == count, href
        api = client.get(f"/api/v1{href}&limit=1", headers=token_for(user))
        assert api.status_code == 200, api.text
        assert api.json()["total"] == count, href


def test_the_key_figures_name_their_filters(browser_for, db, world, principal_for) -> None:
    build_register(db, world, principal_for, seed=3)
    db.commit()
    analyst = browser_for("analyst")
    hrefs = [href for href, _ in figures(analyst.get("/").text)[:5]]
    assert hrefs == [
        "/risks?open=true",
        "/risks?open=true&above_appetite=true",
        "/tasks?overdue=true",
        "/evidence?expiring_within_days=30&sort=expires_on",
        "/evidence?expired=true&sort=expires_on",
    ]
    above = analyst.get(hrefs[1]).text
    assert "Open (not closed)" in above and "Above appetite (score &gt; 10)" in above
    assert 'href="/risks?open=true"' in above  # the chip that removes "above appetite"
    assert "Expiring within 30 days" in analyst.get(hrefs[3]).text
