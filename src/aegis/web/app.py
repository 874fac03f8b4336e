"""Mounting the web application on the FastAPI app: pages, static files, error pages."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated

from fastapi import FastAPI, Path, Request
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response

from aegis.core.confirmation import PasswordConfirmationRequired
from aegis.core.settings import Settings
from aegis.web import routes
from aegis.web.assets import StaticAssets
from aegis.web.cookies import CookieCodec
from aegis.web.deps import LoginRequired
from aegis.web.flash import with_message
from aegis.web.rate_keys import cookie_identity
from aegis.web.routes.password_confirmation import confirmation_required
from aegis.web.security import PagePolicyMiddleware, content_security_policy
from aegis.web.templating import render

ERROR_TITLES = {
    403: "You may not do this",
    404: "Not found",
    409: "This conflicts with the current state",
    413: "The file is too large",
    422: "Invalid input",
    429: "Too many attempts",
}


def render_error(request: Request, status: int, message: str) -> Response:
    """An HTML error page for browsers."""
    title = ERROR_TITLES.get(status, "Something went wrong")
    return render(request, "errors/error.html", status_code=status, title=title, message=message)


def mount_web(app: FastAPI, settings: Settings) -> None:
    """Add the pages, static files and their security headers to the application."""
    max_age = settings.session_absolute_hours * 3600
    app.state.cookie_codec = CookieCodec(settings.secret_key, max_age)
    identities = getattr(app.state, "rate_limit_identities", [])
    app.state.rate_limit_identities = [*identities, cookie_identity]
    app.state.static_assets = StaticAssets(url_prefix=settings.static_url)
    app.state.render_error = render_error

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        response: Response
        if request.headers.get("hx-request"):
            response = Response(status_code=200, headers={"HX-Redirect": exc.next_url})
        else:
            response = RedirectResponse(exc.next_url, status_code=303)
        return with_message(request, response, exc.message) if exc.message else response

    app.add_exception_handler(PasswordConfirmationRequired, confirmation_required)  # type: ignore[arg-type]

    @app.get("/static/{path:path}", include_in_schema=False)
    def static(request: Request, path: Annotated[str, Path(max_length=500)]) -> Response:
        return request.app.state.static_assets.response(request, path)

    for module in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        router = importlib.import_module(f"{routes.__name__}.{module.name}").router
        app.include_router(router, include_in_schema=False)
    app.add_middleware(PagePolicyMiddleware, policy=content_security_policy(settings.static_url))
    app.add_middleware(GZipMiddleware, minimum_size=1024)
