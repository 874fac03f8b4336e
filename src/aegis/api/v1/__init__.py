"""Version 1 of the JSON API: every module of this package with a `router`, under /api/v1."""

import importlib
import pkgutil

from fastapi import APIRouter

from aegis.http.api_input import API_CHECKS

# every route first checks its request's media types and single-valued query parameters
api_router = APIRouter(prefix="/api/v1", dependencies=[API_CHECKS])
for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _module.name != "health":
        api_router.include_router(importlib.import_module(f"{__name__}.{_module.name}").router)
