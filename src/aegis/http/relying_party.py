"""The WebAuthn relying party: the host name and origin users open Aegis on."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from aegis.domains.auth.mfa_schemas import RelyingParty
from aegis.http.deps import SettingsDep


def relying_party(request: Request, settings: SettingsDep) -> RelyingParty:
    """AEGIS_PUBLIC_URL when set; otherwise the request's host (behind trusted proxies too)."""
    if settings.public_url:
        return RelyingParty(
            id=urlsplit(settings.public_url).hostname or "localhost", origin=settings.public_url
        )
    url = request.url
    return RelyingParty(id=url.hostname or "localhost", origin=f"{url.scheme}://{url.netloc}")


RelyingPartyDep = Annotated[RelyingParty, Depends(relying_party)]
