"""The API documentation: Swagger UI from the package, under the page policy."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from aegis.web.security import content_security_policy
from aegis.web.templating import render

router = APIRouter()


@router.get("/api/docs")
def api_docs(request: Request) -> Response:
    """Swagger UI on the OpenAPI description, its files served by Aegis itself."""
    response = render(request, "api/docs.html", openapi_url=request.app.openapi_url)
    policy = content_security_policy(request.app.state.settings.static_url)
    response.headers["Content-Security-Policy"] = policy
    return response
