"""The WebAuthn relying party of a request: the host name and origin the pages are served on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aegis.domains.auth.mfa_schemas import RelyingParty


def relying_party(request: Request) -> RelyingParty:
    """Security keys sign for the host and origin of the request (behind trusted proxies too)."""
    url = request.url
    return RelyingParty(id=url.hostname or "localhost", origin=f"{url.scheme}://{url.netloc}")


RelyingPartyDep = Annotated[RelyingParty, Depends(relying_party)]
