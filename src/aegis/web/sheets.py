"""Tables of cells (header first) sent as CSV or XLSX downloads, for exports without a list."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from aegis.web.exports import XLSX_TYPE, Cell, csv_file, xlsx_file


def wanted_format(request: Request) -> str | None:
    """`csv` or `xlsx` when the URL asks for a download (`format=`), else None."""
    kind = request.query_params.get("format")
    return kind if kind in ("csv", "xlsx") else None


def send(cells: list[list[Cell]], kind: str, filename: str, title: str) -> Response:
    """The cells as `filename`.csv or .xlsx (a sheet named `title`)."""
    if kind == "xlsx":
        body: bytes | str = xlsx_file(title, cells)
        media_type = XLSX_TYPE
    else:
        body, media_type = csv_file(cells), "text/csv; charset=utf-8"
    disposition = f'attachment; filename="{filename}.{kind}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
