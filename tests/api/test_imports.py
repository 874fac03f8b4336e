"""POST /api/v1/imports/{kind}: dry run, import, refusals with rows and columns, mapping."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from aegis.models import Asset
from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file, xlsx_file

URL = "/api/v1/imports/assets"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _assets(db) -> int:
    return int(db.scalar(select(func.count()).select_from(Asset).where(Asset.ref.like("A-IMP-%"))))


def test_dry_run_then_import_then_nothing_to_change(client, db, token_for):
    headers = token_for("analyst")
    files = {"file": ("assets.csv", csv_file(ASSET_HEADERS, asset_rows(3)), CSV)}
    dry = client.post(URL, params={"dry_run": "true"}, files=files, headers=headers)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert (body["dry_run"], body["applied"], body["created"], body["errors"]) == (
        True,
        False,
        3,
        [],
    )
    assert {c["header"]: c["field"] for c in body["columns"]}["Data classification"] == (
        "data_classification"
    )
    assert _assets(db) == 0
    done = client.post(URL, files=files, headers=headers)
    assert done.status_code == 200 and done.json()["applied"] is True
    assert _assets(db) == 3
    again = client.post(URL, files=files, headers=headers).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_an_import_with_problems_writes_nothing_and_lists_them(client, db, token_for):
    rows = asset_rows(2)
    rows[1][4] = "Severe"
    files = {"file": ("assets.xlsx", xlsx_file(ASSET_HEADERS, rows), XLSX)}
    response = client.post(URL, files=files, headers=token_for("analyst"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"] == "Nothing was imported: 1 problem(s) in 1 row(s)"
    assert error["details"] == [
        {
            "row": 3,
            "column": "Criticality",
            "field": "criticality",
            "message": "Criticality must be one of: Low, Medium, High, Critical",
        }
    ]
    assert _assets(db) == 0


def test_a_mapping_names_the_field_of_a_column(client, db, token_for):
    content = csv_file(
        ["Ref", "Asset called", "Kind", "Unit", "Notes"],
        [["X-1", "db", "Database", "division-a", "n"]],
    )
    response = client.post(
        URL,
        files={"file": ("a.csv", content, CSV)},
        data={"mapping": json.dumps({"Asset called": "name", "Kind": "type", "Notes": None})},
        headers=token_for("analyst"),
    )
    assert response.status_code == 200, response.text
    asset = db.scalar(select(Asset).where(Asset.ref == "X-1"))
    assert (asset.name, asset.type, asset.description) == ("db", "database", "")
    bad = client.post(
        URL,
        files={"file": ("a.csv", content, CSV)},
        data={"mapping": json.dumps({"Kind": "colour"})},
        headers=token_for("analyst"),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "mapping"


def test_an_oversized_file_is_refused(client, token_for):
    content = csv_file(ASSET_HEADERS, asset_rows(20_000))
    response = client.post(
        URL, files={"file": ("a.csv", content, CSV)}, headers=token_for("analyst")
    )
    assert response.status_code == 413


def test_a_readonly_user_may_not_import(client, token_for):
    files = {"file": ("assets.csv", csv_file(ASSET_HEADERS, asset_rows(1)), CSV)}
    response = client.post(
        URL, params={"dry_run": "true"}, files=files, headers=token_for("readonly")
    )
    assert response.status_code == 403
