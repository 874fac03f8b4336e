"""The page where a user changes their own password, and what it says when they must."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.auth import service as auth
from aegis.domains.common.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from aegis.web.templating import render

# the value of the form's `page` field when sent from the change-password page
PASSWORD_PAGE = "password"  # noqa: S105  # nosec B105 # not a password


def password_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    """The change-password form; for a user who must change it, why, before anything else."""
    why = auth.password_change_explanation(session=session, principal=principal)
    return render(
        request,
        "session/password.html",
        principal,
        status_code=status,
        why=why,
        errors=errors or {},
        min_password=MIN_PASSWORD_LENGTH,
        max_password=MAX_PASSWORD_LENGTH,
    )
