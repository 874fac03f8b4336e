"""Version 1 of the JSON API: every router, mounted under /api/v1."""

from fastapi import APIRouter

from aegis.api.v1 import assets, audit, auth, units, users

api_router = APIRouter(prefix="/api/v1")
for module in (auth, units, users, assets, audit):
    api_router.include_router(module.router)
