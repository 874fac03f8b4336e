"""The search page and the search box of the top bar: groups, links, scoping, escaping."""

from __future__ import annotations

import re

from tests.api.test_search import add_one_of_each, add_requirements
from tests.factories.risks import make_risk


def _hrefs(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


def test_every_page_has_the_search_box_in_the_top_bar(browser_for) -> None:
    browser = browser_for("readonly_a")
    for path in ("/", "/risks", "/account"):
        page = browser.get(path).text
        assert '<form class="topbar-search" method="get" action="/search" role="search"' in page
        assert 'for="topbar-q">Find in your units</label>' in page


def test_results_are_grouped_by_kind_with_context_and_links(
    browser_for, db, world, principal_for
) -> None:
    add_one_of_each(db, principal_for, world.units["division-a"], "kestrel")
    page = browser_for("analyst").get("/search?q=kestrel")
    assert page.status_code == 200
    headings = re.findall(r'<h2 id="search-(\w+)">([^<]+)<', page.text)
    assert headings == [
        ("risk", "Risks "),
        ("asset", "Assets "),
        ("control", "Controls "),
        ("requirement", "Framework requirements "),
        ("evidence", "Evidence "),
        ("task", "Tasks "),
    ]
    assert "6 matches for “kestrel”" in page.text
    assert "division-a · Identified · Medium risk" in page.text
    assert "division-a · Open · Urgent priority" in page.text
    assert "Kestrel Standard" in page.text
    links = _hrefs(page.text)
    assert any(re.fullmatch(r"/risks/\d+", link) for link in links)
    assert any(re.fullmatch(r"/frameworks/\d+/requirements/\d+", link) for link in links)
    assert "Show all" not in page.text


def test_show_all_leads_to_the_kinds_own_list_filtered_by_the_words(
    browser_for, db, world, principal_for
) -> None:
    admin = principal_for("admin")
    for number in range(7):
        make_risk(db, admin, world.units["division-a"], title=f"Stork {number}")
    add_requirements(
        db, world.units["company"], *((f"ST-{n}", f"Stork rule {n}", "") for n in range(60))
    )
    db.commit()
    browser = browser_for("analyst")
    page = browser.get("/search?q=stork")
    assert "Show all 7 risks" in page.text and "Show all 60 requirements" in page.text
    links = _hrefs(page.text)
    assert "/risks?q=stork" in links
    assert "/search?q=stork&kinds=requirement" in links
    assert page.text.count('class="search-title"') == 10
    risks = browser.get("/risks?q=stork")
    assert risks.text.count("Stork ") == 7
    requirements = browser.get("/search?q=stork&kinds=requirement")
    assert requirements.text.count('class="search-title"') == 50
    assert "1–50 of 60" in requirements.text
    rest = browser.get("/search?q=stork&kinds=requirement&offset=50")
    assert rest.text.count('class="search-title"') == 10


def test_nothing_from_another_division_appears(browser_for, db, world, principal_for) -> None:
    add_one_of_each(db, principal_for, world.units["division-b"], "heron")
    page = browser_for("analyst").get("/search?q=heron")
    assert page.status_code == 200
    assert "Nothing matches “heron” in your units" in page.text
    assert "division-b" not in page.text
    other = browser_for("analyst_b").get("/search?q=heron")
    assert "6 matches for “heron”" in other.text


def test_markup_and_quotes_are_shown_as_text(browser_for, db, world, principal_for) -> None:
    make_risk(
        db, principal_for("admin"), world.units["division-a"], title="<script>alert(1)</script>"
    )
    make_risk(db, principal_for("admin"), world.units["division-a"], title='O\'Reilly "quoted"')
    db.commit()
    browser = browser_for("analyst")
    page = browser.get("/search", params={"q": "<script>"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'value="&lt;script&gt;"' in page.text
    quoted = browser.get("/search", params={"q": '"quoted"'})
    assert "O&#39;Reilly &#34;quoted&#34;" in quoted.text
    assert "1 match for “&#34;quoted&#34;”" in quoted.text
    wildcard = browser.get("/search", params={"q": "%%"})
    assert "Nothing matches “%%” in your units" in wildcard.text


def test_bad_words_are_refused_on_the_form(browser_for) -> None:
    browser = browser_for("analyst")
    empty = browser.get("/search")
    assert empty.status_code == 200 and "at least 2 characters" in empty.text
    short = browser.get("/search?q=a")
    assert short.status_code == 422
    assert 'id="search-q-error">Search must be at least 2 characters<' in short.text
    assert 'aria-invalid="true"' in short.text
    long = browser.get("/search", params={"q": "x" * 201})
    assert long.status_code == 422 and "at most 200 characters" in long.text
    unknown = browser.get("/search?q=ok&kinds=planet")
    assert unknown.status_code == 422 and "must be one of" in unknown.text


def test_signing_in_is_required(client) -> None:
    response = client.get("/search?q=anything", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login")
