"""The stable reference of assets, risks and tasks: typed on the forms, shown on the pages."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from html import unescape

import pytest

from tests.factories.assets import make_asset
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task
from tests.web.html_forms import submitted_fields, with_changes


@dataclass(frozen=True)
class Kind:
    """What differs between the forms of the three kinds of object."""

    area: str
    noun: str
    name_field: str
    prefix: str


ASSET = Kind("assets", "asset", "name", "A")
RISK = Kind("risks", "risk", "title", "R")
TASK = Kind("tasks", "task", "title", "T")
KINDS = [ASSET, RISK, TASK]


def _send(browser, url: str, **changes: str):  # type: ignore[no-untyped-def]
    """Open a form, change some fields as a person would, and send it."""
    page = browser.get(url)
    assert page.status_code == 200, page.text
    form: dict[str, list[str]] = defaultdict(list)
    for name, value in with_changes(submitted_fields(page.text, url), **changes):
        form[name].append(value)
    return browser.post(url, dict(form))


def _new(kind: Kind, browser, unit: int, link: int, **changes: str):  # type: ignore[no-untyped-def]
    """Send the new-object form of a kind in a unit (a task linked to the risk `link`)."""
    url = f"/{kind.area}/new" + (f"?risk_id={link}" if kind is TASK else "")
    page = browser.get(url)
    fields = with_changes(submitted_fields(page.text, f"/{kind.area}/new"), **changes)
    if kind is RISK:
        fields = with_changes(fields, category="technical")
    if kind is ASSET:
        fields = with_changes(fields, type="server")
    form: dict[str, list[str]] = defaultdict(list)
    for name, value in with_changes(fields, unit_id=str(unit)):
        form[name].append(value)
    return browser.post(f"/{kind.area}/new", dict(form))


def _error(html: str) -> str:
    found = re.search(r'<p class="error" id="e-ref">([^<]*)</p>', html)
    assert found, "no message by the Reference field"
    return unescape(found.group(1))


def _shown_ref(html: str) -> str:
    found = re.search(r"<dt>Reference</dt><dd>([^<]*)</dd>", html)
    assert found, "no reference on the page"
    return unescape(found.group(1))


def _ref_input(html: str) -> str:
    found = re.search(r'<input id="f-ref" name="ref" type="text" value="([^"]*)"', html)
    assert found, "no Reference field"
    return unescape(found.group(1))


@pytest.fixture
def link(db, world, principal_for) -> int:  # type: ignore[no-untyped-def]
    """A risk of division A that new tasks are linked to."""
    risk = make_risk(db, principal_for("admin"), world.units["division-a"], title="Linked")
    db.commit()
    return risk.id


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.noun)
def test_a_reference_typed_on_the_form_is_kept_and_shown(
    kind: Kind, browser_for, world, link
) -> None:
    analyst = browser_for("analyst")
    unit = world.units["division-a"]
    page = analyst.get(f"/{kind.area}/new")
    assert '<label for="f-ref">Reference</label>' in page.text
    assert f"like {kind.prefix}-000123" in page.text
    created = _new(kind, analyst, unit, link, ref="SHOP-7", **{kind.name_field: "Checkout"})
    assert created.status_code == 303, created.text
    detail = analyst.get(created.headers["location"]).text
    assert _shown_ref(detail) == "SHOP-7"
    numbered = _new(kind, analyst, unit, link, **{kind.name_field: "No reference"})
    assert numbered.status_code == 303, numbered.text
    made = _shown_ref(analyst.get(numbered.headers["location"]).text)
    assert re.fullmatch(rf"{kind.prefix}-\d{{6}}", made)
    edit_url = created.headers["location"] + "/edit"
    assert _ref_input(analyst.get(edit_url).text) == "SHOP-7"
    renamed = _send(analyst, edit_url, ref="SHOP-8")
    assert renamed.status_code == 303, renamed.text
    assert _shown_ref(analyst.get(created.headers["location"]).text) == "SHOP-8"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.noun)
def test_a_duplicate_reference_is_refused_on_the_form_keeping_what_was_typed(
    kind: Kind, browser_for, world, link
) -> None:
    analyst = browser_for("analyst")
    unit = world.units["division-a"]
    first = _new(kind, analyst, unit, link, ref="DUP-1", **{kind.name_field: "First"})
    assert first.status_code == 303, first.text
    again = _new(kind, analyst, unit, link, ref="dup-1", **{kind.name_field: "Second one"})
    assert again.status_code == 409
    assert _error(again.text) == f"Another {kind.noun} of this unit already has this reference"
    assert _ref_input(again.text) == "dup-1" and 'value="Second one"' in again.text
    listed = analyst.get(f"/{kind.area}?q=Second").text
    assert "Second one" not in listed
    elsewhere = _new(
        kind, analyst, world.units["team-a1"], link, ref="DUP-1", **{kind.name_field: "Team"}
    )
    assert elsewhere.status_code == 303, elsewhere.text
    other = _new(kind, analyst, unit, link, ref="DUP-2", **{kind.name_field: "Other"})
    edit_url = other.headers["location"] + "/edit"
    clash = _send(analyst, edit_url, ref="Dup-1", **{kind.name_field: "Other renamed"})
    assert clash.status_code == 409
    assert _error(clash.text) == f"Another {kind.noun} of this unit already has this reference"
    assert _ref_input(clash.text) == "Dup-1" and 'value="Other renamed"' in clash.text
    detail = analyst.get(other.headers["location"]).text
    assert _shown_ref(detail) == "DUP-2" and "Other renamed" not in detail


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.noun)
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("R" * 65, "Reference must be at most 64 characters"),
        ("~7", "Reference must not start with '~'"),
    ],
)
def test_an_invalid_reference_is_named_in_plain_words(
    kind: Kind, typed: str, message: str, browser_for, world, link
) -> None:
    analyst = browser_for("analyst")
    refused = _new(kind, analyst, world.units["division-a"], link, ref=typed)
    assert refused.status_code == 422
    assert _error(refused.text) == message and _ref_input(refused.text) == typed


def test_clearing_the_reference_of_a_saved_object_is_refused(
    browser_for, db, world, principal_for
) -> None:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"], ref="KEEP-9")
    task = make_task(db, principal_for("admin"), world.units["division-a"], asset_id=asset.id)
    db.commit()
    analyst = browser_for("analyst")
    for url in (f"/assets/{asset.id}/edit", f"/tasks/{task.id}/edit"):
        page = analyst.get(url).text
        assert re.search(r'id="f-ref" name="ref" type="text" value="[^"]+" required', page)
        cleared = _send(analyst, url, ref="", description="Changed")
        assert cleared.status_code == 422
        assert _error(cleared.text) == "Reference is required"
        assert "Changed</textarea>" in cleared.text
    assert _shown_ref(analyst.get(f"/assets/{asset.id}").text) == "KEEP-9"


def test_control_pages_show_the_reference_in_the_details(
    browser_for, db, world, principal_for
) -> None:
    created = _control(browser_for("analyst"), world.units["division-a"])
    detail = browser_for("readonly_a").get(created).text
    assert _shown_ref(detail) == "NET-1"


def _control(browser, unit: int) -> str:  # type: ignore[no-untyped-def]
    saved = _send(browser, "/controls/new", ref="NET-1", title="Segments", unit_id=str(unit))
    assert saved.status_code == 303, saved.text
    return str(saved.headers["location"])
