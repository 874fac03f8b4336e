"""The installable shell: web app manifest, service worker and offline page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from aegis.web.templating import render

router = APIRouter()


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    """The web app manifest."""
    return request.app.state.static_assets.response(request, "manifest.webmanifest")


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    """The service worker, served from the root so it controls every page."""
    response: Response = request.app.state.static_assets.response(request, "sw.js")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@router.get("/offline")
def offline(request: Request) -> Response:
    """Shown by the service worker when the network is gone."""
    return render(request, "errors/offline.html")
