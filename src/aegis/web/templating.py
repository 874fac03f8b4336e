"""Jinja2 environment and the `render` helper every page uses."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import HTMLResponse

from aegis.core.authz import Principal
from aegis.core.messages import choice_label, framework_title
from aegis.web import flash

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
ENV = TEMPLATES.env
ENV.trim_blocks = True
ENV.lstrip_blocks = True

LEVEL_CLASSES = {"Low": "low", "Medium": "medium", "High": "high", "Critical": "critical"}


def _label(value: Any) -> str:
    """Turn an enum value like `partially_implemented` into `Partially implemented`."""
    return choice_label(str(getattr(value, "value", value) or ""))


def _unbroken(text: str) -> Markup:
    """A date that never wraps over two lines."""
    return Markup('<span class="date">{}</span>').format(text)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return _unbroken(value.strftime("%Y-%m-%d %H:%M UTC"))
    return _unbroken(value.isoformat())


def _moment(value: datetime | None) -> str:
    """A time to the second, like 2026-03-01 14:05:09 UTC."""
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _framework_title(framework: Any) -> str:
    return framework_title(framework.name, framework.version)


def _query(request: Request, **changes: Any) -> str:
    """The current URL's query string with some parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


ENV.filters["label"] = _label
ENV.filters["day"] = _day
ENV.filters["moment"] = _moment
ENV.filters["framework_title"] = _framework_title
ENV.filters["level_class"] = lambda level: LEVEL_CLASSES.get(str(level), "none")
ENV.globals["qs"] = _query


def render(
    request: Request,
    template: str,
    principal: Principal | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the layout's context: user, CSRF token, static URLs, message."""
    state = request.app.state
    principal = principal or getattr(request.state, "principal", None)
    if status_code == 422 and isinstance(context.get("errors"), dict):  # for the security log
        request.state.refused_fields = [name for name in context["errors"] if name != "__all__"]
    whole_page = flash.shows_messages(request)
    base = {
        "flash": flash.pending_message(request) if whole_page else None,
        "principal": principal,
        "user_name": getattr(request.state, "user_name", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "static": state.static_assets.url,
        "can_write": bool(principal and principal.writable),
        "is_admin": bool(principal and principal.is_admin),
        "is_auditor": bool(principal and principal.auditable),
    }
    response = TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    if whole_page:
        flash.consume(request, response)
    return response
