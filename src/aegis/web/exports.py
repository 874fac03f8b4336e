"""Exports of a list for people: CSV and XLSX in names, labels and readable dates."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import xlsxwriter
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.names import service as names_service
from aegis.domains.names.schemas import RefKind
from aegis.web.listing import Export, ListSpec
from aegis.web.lists import neutralised

OUTSIDE = "(outside your units)"
SEPARATOR = "; "
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MOMENT = "%Y-%m-%d %H:%M:%S"
WIDEST = 60
Cell = str | int | float | bool | date | datetime | None
Names = dict[RefKind, dict[int, str]]


def plain(value: Any) -> Cell:
    """A value as a spreadsheet holds it: labels for choices, times to the second in UTC."""
    if isinstance(value, Enum):
        return choice_label(str(value.value))
    if isinstance(value, datetime):
        moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return moment.replace(microsecond=0)
    if isinstance(value, list | tuple | set):
        return SEPARATOR.join(str(plain(item)) for item in value) or None
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _named(export: Export, kind: RefKind, row: Any, names: Names) -> Cell:
    """The names of the objects a field refers to; those out of sight as OUTSIDE."""
    known = names.get(kind, {})
    ids = _ids(export.read(row))
    shown = sorted({known[i] for i in ids if i in known}, key=str.lower)
    hidden = getattr(row, "hidden_links", {}).get(export.field, 0)
    if hidden or any(i not in known for i in ids):
        shown.append(OUTSIDE)
    return SEPARATOR.join(shown) or None


def table(
    spec: ListSpec, rows: Sequence[Any], session: Session, principal: Principal
) -> list[list[Cell]]:
    """The cells of an export, header first; names read once per kind for every row."""
    wanted: dict[RefKind, set[int]] = defaultdict(set)
    for export in spec.exports:
        if export.names:
            for row in rows:
                wanted[export.names].update(_ids(export.read(row)))
    names = names_service.names_of(session=session, principal=principal, wanted=wanted)
    header: list[Cell] = [export.header for export in spec.exports]
    return [header] + [
        [_named(e, e.names, row, names) if e.names else plain(e.read(row)) for e in spec.exports]
        for row in rows
    ]


def _text(value: Cell) -> str:
    """A cell as CSV text: formulas neutralised, dates ISO, yes and no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime(MOMENT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralised(value)
    return str(value)


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_file(cells: list[list[Cell]]) -> str:
    """The cells as CSV text starting with a byte order mark, so spreadsheets read UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows([_text(value) for value in row] for row in cells)
    return buffer.getvalue()


def _width(value: Cell) -> int:
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    lines = _text(value).splitlines() or [""]
    return max(len(line) for line in lines)


def xlsx_file(title: str, cells: list[list[Cell]]) -> bytes:
    """The cells as a workbook: typed cells, a frozen header row with filters, fitting widths."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    sheet = book.add_worksheet(title[:31])
    header = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    widths = [0] * len(cells[0])
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            widths[c] = max(widths[c], _width(value))
            if r == 0:
                sheet.write_string(r, c, str(value), header)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, moment if isinstance(value, datetime) else day)
            elif value is not None:
                sheet.write_string(r, c, value)
    for c, width in enumerate(widths):
        sheet.set_column(c, c, min(max(width + 2, 8), WIDEST))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(cells) - 1, len(cells[0]) - 1)
    book.close()
    return buffer.getvalue()


def download(
    spec: ListSpec, kind: str, rows: Sequence[Any], session: Session, principal: Principal
) -> Response:
    """The rows of a list as a CSV or XLSX download."""
    cells = table(spec, rows, session, principal)
    if kind == "xlsx":
        return _download(xlsx_file(spec.title, cells), XLSX_TYPE, f"{spec.name}.xlsx")
    return _download(csv_file(cells), "text/csv; charset=utf-8", f"{spec.name}.csv")
