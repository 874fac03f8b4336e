"""What the notices of one request or command need to know beyond the event itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class NoticeContext:
    """The user agent of the request, whether new devices are told, the notices written."""

    user_agent: str | None = None
    new_device_notices: bool = True
    written: list[int] = field(default_factory=list)


notice_context_var: ContextVar[NoticeContext | None] = ContextVar("notice_context", default=None)


@contextmanager
def collecting(
    *, user_agent: str | None = None, new_device_notices: bool = True
) -> Iterator[NoticeContext]:
    """Collect the ids of the notices written within the block (to send them after commit)."""
    context = NoticeContext(user_agent=user_agent, new_device_notices=new_device_notices)
    token = notice_context_var.set(context)
    try:
        yield context
    finally:
        notice_context_var.reset(token)


def current() -> NoticeContext:
    """The context of the request or command being served (defaults outside one)."""
    return notice_context_var.get() or NoticeContext()
