"""A declared list as a page, or with `format=csv` or `format=xlsx` as a download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.common.listing import ListQuery, Page
from aegis.web import lookups
from aegis.web.exports import FORMATS, download
from aegis.web.listing import ListSpec
from aegis.web.lists import all_rows, list_query
from aegis.web.templating import render

Context = Callable[[Any, Page[Any]], dict[str, Any]]


def wanted_download(request: Request) -> str | None:
    """The export asked for by the URL, if any."""
    kind = request.query_params.get("format")
    return kind if kind in FORMATS else None


def export_rows(
    spec: ListSpec, session: Session, principal: Principal, query: ListQuery
) -> list[Any]:
    """Every row of the list matching the query, for an export."""
    return all_rows(lambda q: spec.read(session, principal, q), query)


def show_list(
    request: Request,
    session: Session,
    principal: Principal,
    spec: ListSpec,
    context: Context | None = None,
) -> Response:
    """The list page of the URL's filters, or every matching row as CSV or XLSX.

    `context(query, page)` gives what the page shows besides the rows and the names of the
    units (names, chips) and, as `options`, the choices of the filters that are neither
    fixed nor a field's choices.
    """
    query = list_query(request, spec.query, sort=spec.default_sort)
    kind = wanted_download(request)
    if kind:
        return download(
            spec, kind, export_rows(spec, session, principal, query), session, principal
        )
    page = spec.read(session, principal, query)
    extra = context(query, page) if context else {}
    if "units" not in extra:
        extra["units"] = lookups.unit_names(session, principal)
    choices = extra.pop("options", {})
    return render(
        request,
        spec.template,
        principal,
        spec=spec,
        page=page,
        query=query,
        form=spec.form(query, choices),
        **extra,
    )


def by_name(names: dict[int, str]) -> list[tuple[int, str]]:
    """Options from {id: name}, in the order of their names."""
    return sorted(names.items(), key=lambda option: option[1].lower())
