"""Structured JSON logs with the request id on every line."""

from __future__ import annotations

import logging
import sys

import structlog


def processors(*, json: bool = True) -> list[structlog.typing.Processor]:
    """What every log line goes through: an exception becomes its plain traceback (no locals)."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        renderer,
    ]


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Send structlog and standard logging records to stderr as JSON (or console text)."""
    structlog.configure(
        processors=processors(json=json),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
