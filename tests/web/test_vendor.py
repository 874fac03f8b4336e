"""Vendored front-end files match their checksum manifest and carry their licences."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "src" / "aegis" / "web" / "static" / "vendor"


def test_vendored_files_match_sha256sums() -> None:
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    assert lines, "empty manifest"
    for line in lines:
        digest, name = line.split()
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_every_vendored_script_has_a_licence_and_is_listed() -> None:
    listed = {line.split()[1] for line in (VENDOR / "SHA256SUMS").read_text().splitlines()}
    scripts = {p.name for p in VENDOR.glob("*.js")}
    assert scripts <= listed
    for script in scripts:
        assert (VENDOR / f"{script.split('.')[0]}.LICENSE.txt").is_file()
