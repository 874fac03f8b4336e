"""My account: downloading one's own personal data."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from aegis.domains.users import personal_data
from aegis.http.deps import SessionDep
from aegis.http.downloads import json_attachment
from aegis.web.deps import WebPrincipal

router = APIRouter()


@router.get("/account/data-export")
def download_my_data(session: SessionDep, principal: WebPrincipal) -> Response:
    """Everything Aegis keeps about the signed-in user, as a JSON file (recorded)."""
    document = personal_data.export_own_data(session=session, principal=principal)
    return json_attachment(document, personal_data.export_filename(principal.user_id))
