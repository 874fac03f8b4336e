"""Reading the CSV and XLSX downloads of list pages back, as a spreadsheet would."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(response: Any) -> list[dict[str, str]]:
    """The rows of a CSV download by header, after checking it is UTF-8 with a byte order mark."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.content.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheet(response: Any) -> Worksheet:
    """The worksheet of an XLSX download."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_TYPE
    assert response.headers["content-disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def xlsx_rows(response: Any) -> list[dict[str, Any]]:
    """The rows of an XLSX download by header, with their typed values."""
    rows = list(xlsx_sheet(response).iter_rows(values_only=True))
    header = [str(name) for name in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]
