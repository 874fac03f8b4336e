"""The clamd client against the real daemon with the project's signatures."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from aegis.core.scanning import (
    ClamdScanner,
    ScannerUnavailable,
    parse_address,
    scanner_for,
    signature_name,
)
from aegis.core.settings import Settings
from tests.factories.files import EICAR, INFECTED_PDF, PDF, zip_of


def test_clean_content_passes_and_the_eicar_file_is_named(clamd_url: str) -> None:
    scanner = ClamdScanner(clamd_url)
    assert scanner.ping()
    assert scanner.scan([PDF]) is None
    assert scanner.scan([EICAR]) == "Eicar-Test-Signature.UNOFFICIAL"
    assert signature_name(scanner.scan([EICAR]) or "") == "Eicar-Test-Signature"


def test_the_test_file_is_found_inside_documents_archives_and_split_chunks(
    clamd_url: str,
) -> None:
    scanner = ClamdScanner(clamd_url)
    assert scanner.scan([INFECTED_PDF]) is not None
    assert scanner.scan([zip_of({"docs/readme.txt": EICAR})]) is not None
    assert scanner.scan([EICAR[:30], EICAR[30:]]) is not None
    padding = b"x" * (3 * 1024 * 1024)
    assert scanner.scan([padding, EICAR, padding]) is not None
    assert scanner.scan([padding, padding]) is None


def test_an_unreachable_scanner_is_refused_not_taken_for_clean(tmp_path: Path) -> None:
    for url in (f"unix://{tmp_path / 'gone.sock'}", "tcp://127.0.0.1:9"):
        scanner = ClamdScanner(url, timeout=2)
        assert not scanner.ping()
        with pytest.raises(ScannerUnavailable) as refused:
            scanner.scan([PDF])
        assert "cannot be reached" in refused.value.message


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("unix:///run/clamav/clamd.ctl", ("unix", "/run/clamav/clamd.ctl")),
        ("/run/clamav/clamd.ctl", ("unix", "/run/clamav/clamd.ctl")),
        ("tcp://clamav.internal:3310", ("tcp", ("clamav.internal", 3310))),
    ],
)
def test_addresses_by_socket_path_or_tcp(url: str, address: tuple[str, object]) -> None:
    assert parse_address(url) == address


@pytest.mark.parametrize("url", ["clamd", "tcp://host", "http://host:3310", "unix://"])
def test_a_setting_clamd_cannot_be_reached_at_is_refused_naming_the_variable(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(CLAMAV_URL=url)
    assert "CLAMAV_URL" in str(refused.value)


def test_scanning_is_off_unless_configured(tmp_path: Path) -> None:
    assert scanner_for(Settings(data_dir=tmp_path)) is None
    by_socket = scanner_for(Settings(data_dir=tmp_path, CLAMD_SOCKET="/run/clamd.sock"))
    assert by_socket is not None and by_socket.url == "/run/clamd.sock"
    by_url = scanner_for(Settings(data_dir=tmp_path, CLAMAV_URL="tcp://127.0.0.1:3310"))
    assert by_url is not None and by_url.url == "tcp://127.0.0.1:3310"
