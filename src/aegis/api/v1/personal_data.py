"""One's own personal data as a file, and erasing a former user's on their request."""

from __future__ import annotations

from fastapi import APIRouter, Response

from aegis.domains.common.bounds import Id
from aegis.domains.users import erasure, personal_data
from aegis.domains.users.schemas import UserRead
from aegis.http.deps import CurrentPrincipal, SessionDep
from aegis.http.downloads import json_attachment
from aegis.http.openapi import sensitive_responses

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


@router.post(
    "/users/{user_id}/erase",
    response_model=UserRead,
    tags=["users"],
    responses=sensitive_responses(),
)
def erase_user(user_id: Id, session: SessionDep, principal: CurrentPrincipal) -> UserRead:
    """Erase a disabled user's personal data on their request (needs a recent password).

    Name and e-mail address are replaced by a pseudonym and an address that cannot receive
    mail; password, sessions, API tokens and second factors are removed. What they own or
    wrote stays, shown under the pseudonym; the audit trail is kept as recorded. Refused
    (409) for an active user and (422) for oneself.
    """
    erased = erasure.erase_personal_data(session=session, principal=principal, user_id=user_id)
    return erased.user
