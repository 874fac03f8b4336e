"""Errors of the assets domain."""

from aegis.core.errors import NotFound


class AssetNotFound(NotFound):
    """The asset does not exist or is outside the caller's units."""
