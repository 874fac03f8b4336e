"""Per-request context (request id, client address, account) for logs and the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
client_address_var: ContextVar[str | None] = ContextVar("client_address", default=None)


@dataclass
class Account:
    """The account a request acts as, or that the credentials it was refused with name."""

    user_id: int | None = None
    email: str | None = None


# one holder per request, set by the request middleware; code running in worker threads sees
# the same holder (contexts are copied, not the objects they point to), so what it notes is
# there for the request's log line
account_var: ContextVar[Account | None] = ContextVar("account", default=None)


def current_request_id() -> str | None:
    """Return the id of the request being served, if any."""
    return request_id_var.get()


def current_client_address() -> str | None:
    """Return the network address of the client being served, if any."""
    return client_address_var.get()


def note_account(user_id: int | None, email: str | None) -> None:
    """Name the account of the request being served (for its log line); never a token."""
    holder = account_var.get()
    if holder is not None and user_id is not None:
        holder.user_id, holder.email = user_id, email


def current_account() -> Account | None:
    """The account noted for the request being served, if any."""
    holder = account_var.get()
    return holder if holder is not None and holder.user_id is not None else None
