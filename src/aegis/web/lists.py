"""What list pages share: reading filters from the URL, every matching row, CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.responses import StreamingResponse

from aegis.core.errors import ValidationFailed
from aegis.domains.common.listing import MAX_LIMIT, ListQuery, Page
from aegis.web.forms import field_errors

Q = TypeVar("Q", bound=ListQuery)
EXPORT_LIMIT = 10_000


def list_query(request: Request, model: type[Q], **defaults: Any) -> Q:
    """The list filters in the URL (empty values ignored); unknown ones are a 422."""
    params = {k: v for k, v in request.query_params.items() if v != "" and k != "format"}
    repeated = [name for name in params if len(request.query_params.getlist(name)) > 1]
    if repeated:  # which of the values was meant cannot be known (parameter pollution)
        message = f"Give {repeated[0]} once: it takes a single value"
        details = [{"field": name, "message": message} for name in repeated]
        raise ValidationFailed(message, details=details)
    try:
        return model(**{**defaults, **params})
    except ValidationError as exc:
        errors = field_errors(exc)
        details = [{"field": name, "message": message} for name, message in errors.items()]
        raise ValidationFailed("; ".join(errors.values()), details=details) from exc


def all_rows(fetch: Callable[[Q], Page[Any]], query: Q) -> list[Any]:
    """Every row matching a query, read a database page at a time (capped for exports)."""
    rows: list[Any] = []
    offset = 0
    while offset < EXPORT_LIMIT:
        page = fetch(query.model_copy(update={"limit": MAX_LIMIT, "offset": offset}))
        rows.extend(page.items)
        offset += MAX_LIMIT
        if offset >= page.total:
            break
    return rows


def neutralised(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading formula character is quoted)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(value: Any) -> str:
    text = "" if value is None else str(getattr(value, "value", value))
    if isinstance(value, list):
        text = ";".join(str(v) for v in value)
    return neutralised(text)


def csv_export(filename: str, columns: Sequence[str], rows: list[BaseModel]) -> StreamingResponse:
    """A CSV download of the given columns of the rows."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(getattr(row, column)) for column in columns])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
