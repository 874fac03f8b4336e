"""Errors of the risks domain."""

from aegis.core.errors import Conflict, NotFound


class RiskNotFound(NotFound):
    """The risk does not exist or is outside the caller's units."""


class InvalidTransition(Conflict):
    """The risk cannot move from its current status to the requested one."""


class MatrixInUse(Conflict):
    """Stored risks use likelihood or impact values the new matrix would not have."""
