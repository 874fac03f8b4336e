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


def test_every_vendored_file_has_a_licence_and_is_listed() -> None:
    listed = {line.split()[1] for line in (VENDOR / "SHA256SUMS").read_text().splitlines()}
    files = {p.name for p in VENDOR.iterdir() if p.name not in ("SHA256SUMS", "README.md")}
    assert files == listed
    packages = [p.name.removesuffix(".LICENSE.txt") for p in VENDOR.glob("*.LICENSE.txt")]
    for name in {p.name for p in VENDOR.glob("*.js")} | {p.name for p in VENDOR.glob("*.css")}:
        assert any(name.startswith(package) for package in packages), f"{name} has no licence"
