"""Errors of the controls domain."""

from aegis.core.errors import Conflict, NotFound


class ControlNotFound(NotFound):
    """The control does not exist or is outside the caller's units."""


class ControlRefTaken(Conflict):
    """Another control of the unit already has this reference."""
