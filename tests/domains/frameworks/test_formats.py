"""An import file's format is read from its content; a name or a choice cannot override it."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest

from aegis.core.errors import ValidationFailed
from aegis.domains.frameworks.formats import read_import
from aegis.domains.frameworks.schemas import ImportFormat

CSV = b"id,parent,title,text\nA,,Area,\nA.1,A,Item,Do it\n"
UUID = "5b3c1f0e-8a7d-4c2b-9e6f-0123456789ab"


def catalog() -> bytes:
    """A small OSCAL catalog with a uuid: one group of two controls."""
    controls = [
        {
            "id": f"tc-{n}",
            "title": f"Test control {n}",
            "parts": [{"id": f"tc-{n}_smt", "name": "statement", "prose": f"Do thing {n}."}],
        }
        for n in (1, 2)
    ]
    body = {
        "catalog": {
            "uuid": UUID,
            "metadata": {"title": "Tiny Catalog", "version": "3.1", "oscal-version": "1.1.2"},
            "groups": [{"id": "tc", "title": "Test controls", "controls": controls}],
        }
    }
    return json.dumps(body).encode()


def _refusal(content: bytes, filename: str, claimed: ImportFormat | None = None):
    with pytest.raises(ValidationFailed) as caught:
        read_import(content, filename, claimed)
    return caught.value


def test_json_is_read_as_oscal_and_text_as_csv_whatever_the_name() -> None:
    read = read_import(catalog(), "catalog.txt", None)
    assert (read.format, read.title, read.version, read.uuid) == (
        ImportFormat.OSCAL,
        "Tiny Catalog",
        "3.1",
        UUID,
    )
    assert [n.ref_id for n in read.nodes] == ["tc", "tc-1", "tc-2"]
    table = read_import(b"\xef\xbb\xbf" + CSV, "requirements.json", None)
    assert table.format is ImportFormat.CSV and [n.ref_id for n in table.nodes] == ["A", "A.1"]


def test_a_csv_file_is_never_read_as_oscal() -> None:
    refused = _refusal(catalog(), "catalog.csv")
    assert refused.details == [{"field": "file", "message": refused.message}]
    assert ".csv file holds JSON" in refused.message
    claimed = _refusal(catalog(), "catalog.csv", ImportFormat.OSCAL)
    assert "only read as CSV" in claimed.message


def test_a_file_claiming_to_be_oscal_that_is_csv_is_refused_naming_the_format() -> None:
    refused = _refusal(CSV, "catalog.json", ImportFormat.OSCAL)
    assert refused.details[0]["field"] == "format"
    assert refused.message == (
        "The file holds CSV, not an OSCAL catalog (JSON): choose CSV or let the format be detected"
    )
    other_way = _refusal(catalog(), "catalog.json", ImportFormat.CSV)
    assert other_way.details[0]["field"] == "format"


def test_workbooks_archives_xml_binary_and_empty_files_are_refused_with_the_reason() -> None:
    workbook = BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    reasons = {
        "workbook": _refusal(workbook.getvalue(), "catalog.xlsx").message,
        "zip": _refusal(b"PK\x03\x04rest", "catalog.zip").message,
        "xml": _refusal(b'<?xml version="1.0"?><catalog/>', "catalog.xml").message,
        "binary": _refusal(b"\x00\x01\x02id", "catalog.bin").message,
        "empty": _refusal(b" \n", "catalog.csv").message,
    }
    assert "save the sheet as CSV" in reasons["workbook"]
    assert "ZIP archive" in reasons["zip"]
    assert "JSON form" in reasons["xml"]
    assert "not a text file" in reasons["binary"]
    assert reasons["empty"] == "The file is empty"


def test_a_truncated_file_is_refused_saying_where() -> None:
    cut = catalog()[:-40]
    refused = _refusal(cut, "catalog.json")
    assert "cut short" in refused.message and refused.details[0]["field"] == "file"
    table = _refusal(CSV + b"A.2,A", "requirements.csv")
    assert table.details[0]["where"] == "row 4" and "2 fields" in table.details[0]["message"]
