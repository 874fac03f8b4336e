"""The search page: objects of every kind whose text contains the words asked for."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from aegis.domains.search import service
from aegis.domains.search.schemas import KindResults, SearchKind, SearchQuery
from aegis.http.deps import SessionDep
from aegis.web.deps import WebPrincipal
from aegis.web.forms import field_errors
from aegis.web.templating import render

router = APIRouter()
PER_KIND = 5  # objects of each kind on the page of every kind
ONE_KIND = 50  # objects on a page of one kind
HEADINGS = {
    SearchKind.RISK: ("Risks", "risks"),
    SearchKind.ASSET: ("Assets", "assets"),
    SearchKind.CONTROL: ("Controls", "controls"),
    SearchKind.REQUIREMENT: ("Framework requirements", "requirements"),
    SearchKind.EVIDENCE: ("Evidence", "evidence items"),
    SearchKind.TASK: ("Tasks", "tasks"),
}
LIST_PAGES = {
    SearchKind.RISK: "/risks",
    SearchKind.ASSET: "/assets",
    SearchKind.CONTROL: "/controls",
    SearchKind.EVIDENCE: "/evidence",
    SearchKind.TASK: "/tasks",
}


def _all_of(kind: SearchKind, text: str) -> str:
    """Where every match of one kind is listed: its own list page, else this page for it."""
    if kind in LIST_PAGES:
        return f"{LIST_PAGES[kind]}?{urlencode({'q': text})}"
    return f"/search?{urlencode({'q': text, 'kinds': kind.value})}"


def _groups(results: dict[SearchKind, KindResults], text: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "heading": HEADINGS[kind][0],
            "noun": HEADINGS[kind][1],
            "total": found.total,
            "items": found.items,
            "all_url": _all_of(kind, text),
        }
        for kind, found in results.items()
    ]


@router.get("/search")
def search_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Search every kind of object (a few of each), or page through one kind."""
    params = {k: v for k, v in request.query_params.items() if v.strip()}
    kind = params.get("kinds", "")
    context: dict[str, Any] = {
        "text": params.get("q", ""),
        "kind": kind,
        "kinds": [(k.value, HEADINGS[k][0]) for k in SearchKind],
        "error": None,
        "problems": [],
        "groups": [],
        "page": None,
    }
    if "q" not in params:
        return render(request, "search/page.html", principal, **context)
    one_kind = kind in {k.value for k in SearchKind}
    params.setdefault("limit", str(ONE_KIND if one_kind else PER_KIND))
    try:
        query = SearchQuery.model_validate(params)
    except ValidationError as exc:
        errors = field_errors(exc)
        context.update(error=errors.pop("q", None), problems=list(errors.values()))
        return render(request, "search/page.html", principal, status_code=422, **context)
    results = service.search(session=session, principal=principal, query=query).results
    groups = _groups(results, query.q)
    if one_kind:
        only = groups[0]
        context["page"] = {"total": only["total"], "limit": query.limit, "offset": query.offset}
    context.update(text=query.q, groups=groups, total=sum(g["total"] for g in groups))
    return render(request, "search/page.html", principal, **context)
