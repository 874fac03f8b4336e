"""Reading an uploaded CSV or XLSX file into a header and rows of text, treating it as hostile.

Every file is limited in bytes and rows. A workbook is checked as a ZIP archive before it is
opened (its parts are limited in number, unpacked size and compression ratio, and it must hold
a workbook), then read without evaluating anything: cells give the values last saved with them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

from openpyxl import DEFUSEDXML, load_workbook

from aegis.core.errors import PayloadTooLarge
from aegis.domains.imports.errors import FileRefused

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
BOM = b"\xef\xbb\xbf"
MAX_COLUMNS = 200
MAX_PARTS = 1000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # unpacked bytes per packed byte, for parts over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
DELIMITERS = (",", ";", "\t")

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class Sheet:
    """The header and the non-empty rows of a file, each row with its number in the file."""

    format: Format
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def _refuse(message: str) -> FileRefused:
    return FileRefused(message, field="file")


def read_sheet(content: bytes, filename: str, *, max_bytes: int, max_rows: int) -> Sheet:
    """Read the file as CSV or XLSX, as its content shows; refuse what cannot be read safely."""
    if len(content) > max_bytes:
        raise PayloadTooLarge(f"The file is larger than the limit of {max_bytes:,} bytes")
    name = filename.lower()
    if not content.strip():
        raise _refuse("The file is empty")
    if content.startswith(OLE):
        raise _refuse("Old Excel files (.xls) cannot be read; save the sheet as .xlsx or as CSV")
    if content.startswith(ZIP):
        if name.endswith(".csv"):
            raise _refuse("This .csv file is a ZIP archive, not text; save the sheet as CSV")
        return _read_xlsx(content, max_rows)
    if name.endswith((".xlsx", ".xlsm")):
        raise _refuse("This file is named .xlsx but is not an Excel workbook")
    return _read_csv(content, max_rows)


def _table(fmt: Format, lines: Iterable[tuple[int, list[str]]], max_rows: int, empty: str) -> Sheet:
    """The header (the first row) and the rows under it, with the limits checked."""
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in lines:
        if header is None:
            header = [cell.strip() for cell in cells]
            while header and not header[-1]:
                header.pop()
            if not header:
                raise _refuse(empty)
            if len(header) > MAX_COLUMNS:
                raise _refuse(f"The file has more than {MAX_COLUMNS} columns")
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= max_rows:
            raise _refuse(f"The file has more than {max_rows:,} rows; split it into smaller files")
        if any(cell.strip() for cell in cells[len(header) :]):
            raise _refuse(f"Row {number} has more cells than the header has columns")
        rows.append((number, (cells + [""] * len(header))[: len(header)]))
    if header is None:
        raise _refuse(empty)
    named = [h for h in header if h]
    seen: set[str] = set()
    for h in named:
        if h.casefold() in seen:
            raise _refuse(f"The column “{h}” appears twice in the header")
        seen.add(h.casefold())
    return Sheet(format=fmt, headers=header, rows=rows)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(content: bytes, max_rows: int) -> Sheet:
    if b"\x00" in content:
        raise _refuse("This is not a text file; import a CSV (UTF-8) or an Excel workbook (.xlsx)")
    try:
        text = content.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(
            f"The file is not UTF-8 text (unreadable byte at position {exc.start}); "
            "save it as “CSV UTF-8” and import it again"
        ) from exc
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))

    def lines() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise _refuse(f"The CSV cannot be read near line {reader.line_num}: {exc}") from exc

    return _table("csv", lines(), max_rows, "The file has no header row naming its columns")


def check_archive(content: bytes) -> None:
    """Refuse a ZIP that is not a workbook, or whose parts would unpack to too much."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse("The file looks like an Excel workbook but is damaged") from exc
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _refuse("The workbook has too many parts to be a plain sheet")
        names = {part.filename for part in parts}
        if not all(name in names for name in WORKBOOK_PARTS):
            raise _refuse("This is a ZIP archive, not an Excel workbook")
        unpacked = 0
        for part in parts:
            unpacked += part.file_size
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
                raise _refuse("The workbook unpacks to far more than its size; it was refused")
            if part.flag_bits & 0x1:
                raise _refuse("The workbook is encrypted; save it without a password")
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refuse("The workbook unpacks to far more than its size; it was refused")


def cell_text(value: Any) -> str:
    """A cell's value as text: whole numbers without '.0', dates as 2026-12-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes, max_rows: int) -> Sheet:
    check_archive(content)
    if not DEFUSEDXML:
        raise _refuse("Excel workbooks cannot be read safely here; import the sheet as CSV")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for damaged files
        raise _refuse("The workbook cannot be read; save it again as .xlsx or as CSV") from exc
    try:
        if not workbook.worksheets:
            raise _refuse("The workbook has no sheet")
        sheet = workbook.worksheets[0]

        def lines() -> Iterator[tuple[int, list[str]]]:
            try:
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    extra = values[MAX_COLUMNS:]
                    if any(value is not None for value in extra):
                        raise _refuse(f"The sheet has more than {MAX_COLUMNS} columns")
                    yield number, [cell_text(value) for value in values[:MAX_COLUMNS]]
            except FileRefused:
                raise
            except Exception as exc:
                raise _refuse("The sheet cannot be read; save it again as .xlsx or CSV") from exc

        return _table("xlsx", lines(), max_rows, "The first sheet has no header row")
    finally:
        workbook.close()
