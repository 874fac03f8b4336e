"""A real SMTP server (aiosmtpd) on a free local port, collecting what Aegis sends.

`mail_server` accepts anything; `mail_server_with_login` offers STARTTLS with a
certificate of a test authority (trusted through SSL_CERT_FILE) and accepts one account,
only over TLS. `mail_settings` points the test application's settings at `mail_server`.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aegis.core.db import utcnow
from aegis.core.settings import Settings

SENDER = "aegis@example.org"
MAIL_USER = "aegis-mailer"
MAIL_PASSWORD = "mail server password"  # nosec B105 # the test server's own


def free_port() -> int:
    """A local TCP port nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return str(self.message.get_content())


@dataclass
class MailBox:
    """The server's address and what it received."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    encrypted: list[bool] = field(default_factory=list)

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.rcpt_tos]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        self.encrypted.append(session.ssl is not None)
        return "250 OK"


def run_server(box: MailBox, **options: Any) -> Controller:
    controller = Controller(box, hostname=box.host, port=box.port, **options)
    controller.start()
    return controller


@pytest.fixture
def mail_server() -> Iterator[MailBox]:
    """A plain SMTP server (no TLS, no login) on a free local port."""
    box = MailBox("127.0.0.1", free_port())
    controller = run_server(box)
    yield box
    controller.stop()


def _authority(directory: Path) -> tuple[Path, Path, Path]:
    """A test certificate authority and a certificate for 127.0.0.1 it signed."""
    now = utcnow()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aegis test mail authority")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@pytest.fixture
def mail_server_with_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MailBox]:
    """An SMTP server offering STARTTLS (its authority trusted) and a login over TLS only."""
    ca_file, cert_file, key_file = _authority(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    box = MailBox("127.0.0.1", free_port())

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode(),
            data.password.decode(),
        ) == (MAIL_USER, MAIL_PASSWORD)
        if ok:
            box.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # a refusal answers 535

    controller = run_server(
        box, tls_context=context, authenticator=authenticate, auth_required=True
    )
    yield box
    controller.stop()


def point_at(settings: Settings, box: MailBox, **more: Any) -> Settings:
    """Send the settings' notices to this server."""
    settings.smtp_server, settings.smtp_port, settings.email_from = box.host, box.port, SENDER
    for name, value in more.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def mail_settings(settings: Settings, mail_server: MailBox) -> Settings:
    """The test application's settings, sending notices to `mail_server`."""
    return point_at(settings, mail_server)
