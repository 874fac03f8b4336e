"""Permissions of bulk imports."""

from __future__ import annotations

from tests.factories.imports import ASSET_HEADERS, asset_rows, csv_file
from tests.permissions import FORM, Case, Request, statuses


def _assets_file(db, world, principal_for) -> Request:
    content = csv_file(ASSET_HEADERS, asset_rows(2))
    return Request(path={"kind": "assets"}, files={"file": ("assets.csv", content, "text/csv")})


# readonly users may change nothing; the sibling cannot see division-a, so its rows are refused
IMPORT = statuses(401, 403, 200, 200, 422)

CASES = [Case("POST", "/api/v1/imports/{kind}", IMPORT, _assets_file)]

PAGES = [Case("GET", "/imports/{kind}", FORM, lambda db, w, p: Request(path={"kind": "assets"}))]
