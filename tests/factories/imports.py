"""Import files built by hand in the format of the list exports (labels, names, '; ' lists)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

ASSET_HEADERS = (
    "Reference",
    "Name",
    "Unit",
    "Type",
    "Criticality",
    "Owner",
    "Environment",
    "Data classification",
    "Hostname",
    "IP address",
    "Description",
    "Tags",
)
CRITICALITIES = ("Low", "Medium", "High", "Critical")


def csv_file(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A UTF-8 CSV with a header row, as a spreadsheet saves it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def xlsx_file(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """An Excel workbook whose first sheet holds the header and the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def asset_rows(count: int, unit: str = "division-a", owner: str = "Analyst") -> list[list[str]]:
    """Rows of the asset export: A-IMP-0001 … with every column filled."""
    return [
        [
            f"A-IMP-{n:04d}",
            f"server-{n:04d}",
            unit,
            "Server",
            CRITICALITIES[n % 4],
            owner,
            "Production",
            "Internal",
            f"server-{n:04d}.example.com",
            f"10.0.{n // 250}.{n % 250 + 1}",
            f"Server number {n}",
            "imported; rack-" + str(n % 3),
        ]
        for n in range(1, count + 1)
    ]
