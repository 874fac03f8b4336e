"""Errors of the imports domain."""

from aegis.core.errors import ValidationFailed


class FileRefused(ValidationFailed):
    """The file cannot be read as a CSV or XLSX sheet; nothing in it was looked at."""


class ImportRefused(ValidationFailed):
    """Rows of the file are in error, so nothing was imported; details list each problem."""
