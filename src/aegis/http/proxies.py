"""Client address and scheme behind reverse proxies, believed only from the configured ones."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network


class TrustedProxyMiddleware:
    """Takes the client address from X-Forwarded-For and the scheme from X-Forwarded-Proto.

    Only when the connection comes from a trusted proxy; X-Forwarded-For is read from the
    right, hop by hop, while the hop is itself a trusted proxy. Without trusted proxies the
    headers are ignored, so a client cannot claim another address or https.
    """

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks: list[Network] = [ip_network(entry, strict=False) for entry in trusted]

    def trusts(self, address: str) -> bool:
        """Whether an address is one of the configured proxies."""
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The first address, from the right, that is not a trusted proxy."""
        client = peer
        for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
            if not self.trusts(client):
                break
            try:
                client = str(ip_address(hop))
            except ValueError:
                break
        return client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] not in ("http", "websocket") or not peer or not self.trusts(peer[0]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        scope = dict(scope)
        forwarded_for = ",".join(headers.getlist("x-forwarded-for"))
        if forwarded_for:
            scope["client"] = (self.client(peer[0], forwarded_for), 0)
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")
        await self.app(scope, receive, send)
