"""Per-request context (request id, client address) shared with logs and the audit trail."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
client_address_var: ContextVar[str | None] = ContextVar("client_address", default=None)


def current_request_id() -> str | None:
    """Return the id of the request being served, if any."""
    return request_id_var.get()


def current_client_address() -> str | None:
    """Return the network address of the client being served, if any."""
    return client_address_var.get()
