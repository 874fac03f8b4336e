"""Telling an import file's format from its content, then reading it into requirements."""

from __future__ import annotations

from dataclasses import dataclass

from aegis.core.errors import ValidationFailed
from aegis.domains.frameworks.oscal import parse_catalog
from aegis.domains.frameworks.schemas import ImportFormat
from aegis.domains.frameworks.tabular import parse_requirements
from aegis.domains.frameworks.tree import Node, check_size

SNIFF_BYTES = 8192
BOM = b"\xef\xbb\xbf"
ZIP = b"PK\x03\x04"
NAMES = {ImportFormat.OSCAL: "an OSCAL catalog (JSON)", ImportFormat.CSV: "CSV"}
CHOICES = {ImportFormat.OSCAL: "OSCAL", ImportFormat.CSV: "CSV"}


@dataclass(frozen=True)
class ImportFile:
    """The requirements of an import file and what it says about itself."""

    format: ImportFormat
    nodes: list[Node]
    title: str = ""
    version: str = ""
    remarks: str = ""
    uuid: str | None = None


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def detect_format(content: bytes, filename: str) -> ImportFormat:
    """The format the content is in; a file named .csv is only ever read as CSV."""
    head = content[:SNIFF_BYTES].removeprefix(BOM).lstrip()
    if not head:
        raise _refuse("The file is empty")
    if content.startswith(ZIP):
        if b"xl/" in content[:65536] or filename.lower().endswith((".xlsx", ".xlsm")):
            raise _refuse(
                "Excel workbooks cannot be imported; save the sheet as CSV (UTF-8) and import that"
            )
        raise _refuse("This is a ZIP archive; import an OSCAL catalog (JSON) or a CSV file")
    if b"\x00" in head:
        raise _refuse("This is not a text file; import an OSCAL catalog (JSON) or a CSV file")
    if head[:1] in (b"{", b"["):
        if filename.lower().endswith(".csv"):
            raise _refuse(
                "This .csv file holds JSON; a .csv file is only read as CSV. "
                "If it is an OSCAL catalog, name it .json"
            )
        return ImportFormat.OSCAL
    if head[:1] == b"<":
        raise _refuse("This is XML; OSCAL catalogs are imported in their JSON form")
    return ImportFormat.CSV


def read_import(content: bytes, filename: str, claimed: ImportFormat | None) -> ImportFile:
    """Read a file in the format its content shows; a different claimed format is refused."""
    check_size(content)
    found = detect_format(content, filename)
    if claimed is not None and claimed is not found:
        raise ValidationFailed(
            f"The file holds {NAMES[found]}, not {NAMES[claimed]}: choose "
            f"{CHOICES[found]} or let the format be detected",
            field="format",
        )
    if found is ImportFormat.CSV:
        return ImportFile(format=found, nodes=parse_requirements(content))
    catalog = parse_catalog(content)
    return ImportFile(
        format=found,
        nodes=catalog.nodes,
        title=catalog.title,
        version=catalog.version,
        remarks=catalog.remarks,
        uuid=catalog.uuid,
    )
