"""Which uploads may be attached, and sizes in words."""

from __future__ import annotations

import io

import pytest

from aegis.domains.discussion.attachments import check_upload, readable_size
from aegis.domains.discussion.errors import FileRefused
from aegis.domains.evidence.schemas import Upload
from tests.factories.evidence import PDF


def _upload(name: str, content: bytes) -> Upload:
    return Upload(filename=name, stream=io.BytesIO(content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("policy.pdf", PDF),
        ("notes.txt", b"MZ is the name of our vendor\n"),
        ("data.csv", b"a,b\n1,2\n"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8),
    ],
)
def test_accepted_files_are_left_rewound(name: str, content: bytes) -> None:
    upload = _upload(name, content)
    check_upload(upload)
    assert upload.stream.read() == content


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("policy.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "program"),
        ("tool", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "program"),
        ("run.txt", b"#!/usr/bin/env python\n", "script"),
        ("page.html", b"<html></html>", "does not match"),
        ("policy.pdf", b"just text", "does not match"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_refused_files_name_the_file_field(name: str, content: bytes, words: str) -> None:
    with pytest.raises(FileRefused) as refused:
        check_upload(_upload(name, content))
    assert words in refused.value.message
    assert refused.value.details == [{"field": "file", "message": refused.value.message}]


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "512 bytes"), (20 * 1024, "20 KB"), (1024 * 1024, "1 MB"), (1536 * 1024, "1.5 MB")],
)
def test_sizes_in_words(size: int, text: str) -> None:
    assert readable_size(size) == text
