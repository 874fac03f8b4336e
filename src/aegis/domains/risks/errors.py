"""Errors of the risks domain."""

from aegis.core.errors import Conflict, NotFound, PermissionDenied


class RiskNotFound(NotFound):
    """The risk does not exist or is outside the caller's units."""


class InvalidTransition(Conflict):
    """The risk cannot move from its current status to the requested one."""


class MatrixInUse(Conflict):
    """Stored risks use likelihood or impact values the new matrix would not have."""


class AcceptanceRequestNotFound(NotFound):
    """The request does not exist or its risk is outside the caller's units."""


class AcceptanceRequestPending(Conflict):
    """The risk already has a request waiting for a decision."""


class AcceptanceRequestDecided(Conflict):
    """The request was approved or rejected already."""


class OwnAcceptanceRequest(PermissionDenied):
    """The caller asked for this acceptance, so someone else must decide it."""
