"""Malware scanning through clamd's INSTREAM command, over a Unix socket or TCP."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aegis.core.errors import ServiceUnavailable

if TYPE_CHECKING:
    from aegis.core.settings import Settings

UNAVAILABLE = (
    "The malware scanner cannot be reached, so no file can be accepted now; try again later"
)
_UNOFFICIAL = ".UNOFFICIAL"  # clamd's suffix for signatures of databases it did not sign


class ScannerUnavailable(ServiceUnavailable):
    """clamd is configured but did not answer, or answered with an error."""


def parse_address(url: str) -> tuple[str, str | tuple[str, int]]:
    """`unix:///run/clamd.sock`, a socket path or `tcp://host:3310`: socket family and address."""
    if url.startswith("/"):
        return "unix", url
    parts = urlsplit(url)
    if parts.scheme == "unix" and parts.path:
        return "unix", parts.path
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        return "tcp", (parts.hostname, parts.port)
    raise ValueError("must be unix:///path/to/clamd.sock or tcp://host:port")


def signature_name(reported: str) -> str:
    """A signature's name as people read it, without clamd's marks."""
    return reported.removesuffix(_UNOFFICIAL)


@dataclass(frozen=True)
class ClamdScanner:
    """A clamd daemon, reached anew for each scan."""

    url: str
    timeout: float = 60.0

    def _connect(self) -> socket.socket:
        family, address = parse_address(self.url)
        if family == "unix":
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            conn = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET)
        conn.settimeout(self.timeout)
        try:
            conn.connect(address)
        except OSError:
            conn.close()
            raise
        return conn

    def _ask(self, command: bytes, chunks: Iterable[bytes] = ()) -> str:
        try:
            with self._connect() as conn:
                conn.sendall(b"z" + command + b"\0")
                for chunk in chunks:
                    if chunk:
                        conn.sendall(struct.pack("!L", len(chunk)) + chunk)
                if command == b"INSTREAM":
                    conn.sendall(struct.pack("!L", 0))
                reply = bytearray()
                while not reply.endswith(b"\0"):
                    part = conn.recv(4096)
                    if not part:
                        break
                    reply.extend(part)
        except OSError as exc:
            raise ScannerUnavailable(UNAVAILABLE) from exc
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> bool:
        """Whether clamd answers."""
        try:
            return self._ask(b"PING") == "PONG"
        except ScannerUnavailable:
            return False

    def scan(self, chunks: Iterable[bytes]) -> str | None:
        """The name of the signature the content matches, or None when it is clean."""
        reply = self._ask(b"INSTREAM", chunks)
        if reply.endswith(" FOUND"):
            return reply.removeprefix("stream:").removesuffix(" FOUND").strip()
        if reply == "stream: OK":
            return None
        answer = reply or "no answer"
        raise ScannerUnavailable(f"The malware scanner could not scan the file ({answer})")


def scanner_for(settings: Settings) -> ClamdScanner | None:
    """The scanner the settings name, or None when uploads are not scanned."""
    url = settings.scanner_url
    return ClamdScanner(url, settings.clamav_timeout_seconds) if url else None
