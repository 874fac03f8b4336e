"""Import pages: upload, columns guessed and changed, the check, the import, refusals."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from aegis.models import Asset
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file

TOKEN = re.compile(r'name="upload_token" value="([^"]+)"')
SELECTED = re.compile(r'<select id="f-column-(\d+)" name="column-\d+">.*?</select>', re.S)


def _imported(db) -> int:
    stmt = select(func.count()).select_from(Asset).where(Asset.ref.like("A-IMP-%"))
    return int(db.scalar(stmt) or 0)


def _columns(page: str) -> dict[str, str]:
    """The field chosen for each column on the columns page, as the form would send it."""
    chosen = {}
    for match in SELECTED.finditer(page):
        selected = re.search(r'<option value="([^"]*)" selected>', match.group(0))
        chosen[f"column-{match.group(1)}"] = selected.group(1) if selected else ""
    return chosen


def _upload(browser, content: bytes, name: str = "assets.csv"):
    return browser.post(
        "/imports/assets", files={"file": (name, content, "text/csv")}, data={"unit_id": ""}
    )


def test_upload_check_and_import_a_file(browser_for, db):
    analyst = browser_for("analyst")
    assert 'href="/imports/assets"' in analyst.get("/assets").text
    assert analyst.get("/imports/assets").status_code == 200
    page = _upload(analyst, csv_file(ASSET_HEADERS, asset_rows(4)))
    assert page.status_code == 200, page.text
    assert "The file has 4 rows" in page.text
    token = TOKEN.search(page.text).group(1)
    chosen = _columns(page.text)
    assert chosen["column-1"] == "name" and chosen["column-4"] == "criticality"
    form = {"upload_token": token, "unit_id": "", **chosen}
    check = analyst.post("/imports/assets/check", form)
    assert check.status_code == 200, check.text
    assert "<strong>4</strong> to create" in check.text and "Import 4 rows" in check.text
    assert _imported(db) == 0
    done = analyst.post("/imports/assets/run", form)
    assert done.status_code == 303 and done.headers["location"] == "/assets"
    assert _imported(db) == 4
    assert "Imported 4 rows: 4 created" in analyst.get("/assets").text
    again = analyst.post(
        "/imports/assets/check",
        {
            **form,
            "upload_token": TOKEN.search(
                _upload(analyst, csv_file(ASSET_HEADERS, asset_rows(4))).text
            ).group(1),
        },
    )
    assert "importing it would change nothing" in again.text


def test_a_check_with_problems_lists_them_and_offers_no_import(browser_for, db):
    analyst = browser_for("analyst")
    rows = asset_rows(2)
    rows[1][2] = "division-b"
    page = _upload(analyst, csv_file(ASSET_HEADERS, rows))
    form = {"upload_token": TOKEN.search(page.text).group(1), **_columns(page.text)}
    check = analyst.post("/imports/assets/check", form)
    assert check.status_code == 422
    assert "There is no unit “division-b” among the units you can see" in check.text
    assert "Import 1 row" not in check.text
    refused = analyst.post("/imports/assets/run", form)
    assert refused.status_code == 422 and "nothing was imported" in refused.text
    assert _imported(db) == 0


def test_a_column_can_be_ignored(browser_for, db):
    analyst = browser_for("analyst")
    page = _upload(analyst, csv_file(ASSET_HEADERS, asset_rows(1)))
    form = {"upload_token": TOKEN.search(page.text).group(1), **_columns(page.text)}
    form["column-10"] = ""  # Description
    analyst.post("/imports/assets/run", form)
    asset = db.scalar(select(Asset).where(Asset.ref == "A-IMP-0001"))
    assert asset is not None and asset.description == ""


def test_unreadable_files_come_back_with_the_reason(browser_for):
    analyst = browser_for("analyst")
    page = _upload(analyst, b"PK\x03\x04not really a workbook", "assets.xlsx")
    assert page.status_code == 422 and "assets.xlsx is not an Excel workbook" in page.text
    assert analyst.post("/imports/assets/check", {"upload_token": "forged"}).status_code == 422


def test_readers_cannot_open_the_import_pages(browser_for):
    reader = browser_for("readonly")
    assert 'href="/imports/assets"' not in reader.get("/assets").text
    assert reader.get("/imports/assets").status_code == 403
