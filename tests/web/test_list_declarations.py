"""Each list is declared once, and its page, exports and links keep to that declaration."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aegis.core.messages import field_label
from aegis.web.list_specs import ALL, AUDIT, RISKS, TASKS
from aegis.web.listing import Column, ListSpec
from aegis.web.routes import risks as risk_pages
from tests.factories.listed import build_listed
from tests.factories.risks import make_risk
from tests.web.exported import csv_rows, xlsx_sheet

PAGES = [spec for spec in ALL if spec is not AUDIT]


@pytest.mark.parametrize("spec", ALL, ids=lambda spec: spec.name)
def test_exports_are_headed_by_field_labels_and_filters_come_from_the_query(spec) -> None:
    headers = [export.header for export in spec.exports]
    assert headers == [field_label(export.field) for export in spec.exports]
    assert len(set(headers)) == len(headers), "two exported fields share a label"
    for asked in spec.filters:
        assert asked.field in spec.query.model_fields, asked.field
    for sort in spec.sortable:
        assert not sort.startswith("-")


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_every_declared_sort_works_both_ways(browser_for, spec) -> None:
    browser = browser_for("admin")
    for sort in spec.sortable:
        for order in (sort, f"-{sort}"):
            response = browser.get(f"{spec.path}?sort={order}")
            assert response.status_code == 200, (spec.path, order)
            assert f'name="sort" value="{order}"' in response.text


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_the_page_shows_the_declared_columns_filters_and_export_links(
    browser_for, db, world, principal_for, spec
) -> None:
    build_listed(db, world, principal_for)
    page = browser_for("analyst").get(spec.path).text
    assert "<tbody>" in page, spec.path
    assert f"<h1>{spec.title}</h1>" in page
    for column in spec.columns:
        assert f">{column.label}" in page, column.field
    for asked in spec.filters:
        assert f'name="{asked.field}"' in page, asked.field
    assert 'href="?format=csv">Export CSV</a>' in page
    assert 'href="?format=xlsx">Export XLSX</a>' in page


@pytest.mark.parametrize("spec", ALL, ids=lambda spec: spec.name)
def test_both_exports_carry_the_declared_fields_in_order(browser_for, spec) -> None:
    browser = browser_for("admin")
    headers = [export.header for export in spec.exports]
    assert list(csv_rows_or_header(browser, spec)) == headers
    sheet = xlsx_sheet(browser.get(f"{spec.path}?format=xlsx"))
    assert [cell.value for cell in sheet[1]] == headers
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def csv_rows_or_header(browser, spec: ListSpec) -> list[str]:
    """The header of a list's CSV export, even when it has no rows."""
    response = browser.get(f"{spec.path}?format=csv")
    csv_rows(response)
    return response.content.decode("utf-8-sig").splitlines()[0].split(",")


def test_a_filter_carried_by_the_url_stays_in_the_form(browser_for, world) -> None:
    unit = world.units["division-a"]
    page = browser_for("analyst").get(f"/risks?within_unit_id={unit}&treatment=mitigate").text
    assert f'<input type="hidden" name="within_unit_id" value="{unit}">' in page
    assert '<input type="hidden" name="treatment" value="mitigate">' in page
    tasks = browser_for("analyst").get("/tasks?mine=true").text
    assert 'name="mine" type="checkbox" value="true" checked' in tasks
    assert 'type="hidden" name="mine"' not in tasks


def test_links_to_a_list_are_checked_against_its_declaration() -> None:
    assert RISKS.href(open="true", current_level="High") == "/risks?open=true&current_level=High"
    assert RISKS.href(above_appetite=True, within_unit_id=None) == "/risks?above_appetite=true"
    assert TASKS.href(sort="-due_date") == "/tasks?sort=-due_date"
    with pytest.raises(ValueError):
        RISKS.href(colour="red")
    with pytest.raises(ValueError):
        TASKS.href(sort="colour")


def test_a_new_column_is_one_declared_line(
    browser_for, db, world, principal_for, monkeypatch
) -> None:
    make_risk(db, principal_for("admin"), world.units["division-a"], treatment="avoid")
    db.commit()
    wider = replace(RISKS, columns=(*RISKS.columns, Column("treatment", cell="choice")))
    monkeypatch.setattr(risk_pages, "RISKS", wider)
    page = browser_for("analyst").get("/risks").text
    assert '<th scope="col">Treatment</th>' in page and "<td>Avoid</td>" in page
