"""Errors of the units domain."""

from aegis.core.errors import Conflict, NotFound


class UnitNotFound(NotFound):
    """The unit does not exist or is not visible."""


class UnitInUse(Conflict):
    """The unit still has children, objects or role assignments."""
