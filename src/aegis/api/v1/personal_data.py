"""One's own personal data as a file."""

from __future__ import annotations

from fastapi import APIRouter, Response

from aegis.domains.users import personal_data
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.downloads import json_attachment

router = APIRouter()


@router.get(
    "/auth/me/data-export",
    response_model=personal_data.PersonalDataExport,
    tags=["auth"],
    responses={200: {"description": "The file aegis-personal-data-<id>.json, to save"}},
)
def export_my_data(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Everything Aegis keeps about the caller, as a JSON file (recorded in the audit trail).

    Profile, roles, sessions, API tokens and second factors (never a secret or digest), the
    comments the caller wrote and the newest audit events they are the actor of.
    """
    document = personal_data.export_own_data(session=session, principal=principal)
    return json_attachment(document, personal_data.export_filename(principal.user_id))
