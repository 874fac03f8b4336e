"""No secret in the repository: private keys, API tokens, cloud keys, configured secret keys."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from aegis.core.redaction import SECRET_NAME
from aegis.core.settings import PLACEHOLDER_MARKERS, Settings
from aegis.domains.api_tokens.service import new_secret

ROOT = Path(__file__).resolve().parents[2]

PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
AEGIS_TOKEN = re.compile(r"(?<![A-Za-z0-9_])aegis_[A-Za-z0-9_-]{20,}")
AWS_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "ANPA")
AWS_KEY_ID = re.compile(rf"(?<![A-Z0-9])(?:{'|'.join(AWS_PREFIXES)})[A-Z0-9]{{16}}(?![A-Z0-9])")
AWS_SECRET = re.compile(
    r"aws_?secret_?access_?key[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9/+]{40}", re.IGNORECASE
)
SECRET_FILE_NAMES = {".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
SECRET_FILE_SUFFIXES = {".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"}


def _secret_setting_names() -> list[str]:
    """Every name a secret setting is read under (SECRET_KEY, JWT_SECRET_KEY...) and its field."""
    names = set()
    for name, field in Settings.model_fields.items():
        if SECRET_NAME.search(name):
            aliases = getattr(field.validation_alias, "choices", [])
            names.update([name, *(alias for alias in aliases if isinstance(alias, str))])
    return sorted(names, key=len, reverse=True)


SETTING_NAMES = _secret_setting_names()
SETTING_VALUE = re.compile(
    r"(?<![A-Za-z0-9_])(?P<name>"
    + "|".join(map(re.escape, SETTING_NAMES))
    + r")[\"']?[ \t]*[=:][ \t]*(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'#,)]*)",
    re.IGNORECASE,
)


def _looks_random(text: str) -> bool:
    """Generated rather than a name: lower case mixed with several digits or capitals."""
    return any(c.islower() for c in text) and sum(c.isdigit() or c.isupper() for c in text) >= 4


def _hard_coded(value: str, python: bool) -> bool:
    """A literal secret value: not empty, not code, not a placeholder production refuses."""
    quoted = value[:1] in "\"'" and value[-1:] == value[:1] and len(value) >= 2
    if python and not quoted:
        return False  # a name or an expression, not a literal
    literal = value[1:-1] if quoted else value
    if not literal or literal.startswith(("$", "{", "%")) or "..." in literal:
        return False  # empty, a variable or template, or shortened in an example
    return not any(marker in literal.lower() for marker in PLACEHOLDER_MARKERS)


def _names_in(lower: str) -> bool:
    return any(name.lower() in lower for name in SETTING_NAMES)


def scan(path: str, text: str) -> list[str]:
    """What in one file looks like a secret, as 'path:line: kind'."""
    found: list[str] = []

    def note(match: re.Match[str], kind: str) -> None:
        found.append(f"{path}:{text.count(chr(10), 0, match.start()) + 1}: {kind}")

    lower = text.lower()  # each pattern runs only on files with its clue, to be quick
    for match in PRIVATE_KEY.finditer(text) if "PRIVATE KEY" in text else ():
        note(match, "private key")
    for match in AEGIS_TOKEN.finditer(text) if "aegis_" in text else ():
        if _looks_random(match.group()[len("aegis_") :]):
            note(match, "Aegis API token")
    for match in AWS_KEY_ID.finditer(text) if any(p in text for p in AWS_PREFIXES) else ():
        note(match, "AWS access key id")
    for match in AWS_SECRET.finditer(text) if "accesskey" in lower.replace("_", "") else ():
        note(match, "AWS secret access key")
    if path.startswith("tests/"):  # tests configure throwaway instances with test values
        return found
    python = path.endswith(".py")
    for match in SETTING_VALUE.finditer(text) if _names_in(lower) else ():
        if _hard_coded(match.group("value"), python):
            note(match, f"hard-coded {match.group('name')}")
    return found


def _repository_files() -> list[str]:
    """Tracked files and new ones not ignored, as git lists them."""
    git = shutil.which("git")
    assert git, "git is needed to list the repository's files"
    listed = subprocess.run(  # noqa: S603  (git itself, fixed arguments, no shell)
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return sorted({name for name in listed.stdout.decode().split("\0") if name})


def test_no_file_of_the_repository_holds_a_secret() -> None:
    files = [name for name in _repository_files() if (ROOT / name).is_file()]
    assert len(files) > 100 and "src/aegis/core/settings.py" in files
    found = [
        finding
        for name in files
        for finding in scan(name, (ROOT / name).read_bytes().decode("utf-8", "replace"))
    ]
    assert found == []


def test_no_key_or_environment_file_is_in_the_repository() -> None:
    kept = [
        name
        for name in _repository_files()
        if PurePosixPath(name).name in SECRET_FILE_NAMES
        or PurePosixPath(name).suffix in SECRET_FILE_SUFFIXES
        or "secrets" in PurePosixPath(name).parts[:-1]
    ]
    assert kept == []


def test_local_secrets_are_ignored_by_git() -> None:
    """The .env file and the generated instance secrets (var/secrets) are never committed."""
    git = shutil.which("git")
    assert git
    for name in (".env", "var/secrets/secret_key", "var/secrets/key_encryption_key"):
        ignored = subprocess.run(  # noqa: S603  (git itself, fixed arguments, no shell)
            [git, "check-ignore", "-q", name], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, f"{name} is not ignored by git"


# samples are assembled at run time so that this file holds none of them
RANDOM = "k3Jq9vXz2LmN8pR4tW6yB1cD5fG7hJ0a"


def test_the_scan_finds_every_api_token_aegis_makes() -> None:
    made = [new_secret() for _ in range(200)]
    found = scan("notes.txt", "\n".join(made))
    assert len(found) == len(made) and found[-1] == "notes.txt:200: Aegis API token"


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("docs/x.md", "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIE", "private key"),
        ("a.txt", "-----BEGIN " + "OPENSSH PRIVATE KEY-----", "private key"),
        ("a.txt", "-----BEGIN " + "PGP PRIVATE KEY BLOCK-----", "private key"),
        ("tests/a.py", 'TOKEN = "aegis_' + RANDOM + '"', "Aegis API token"),
        ("src/a.py", "aegis_pat_" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "Aegis API token"),
        ("README.md", "AKIA" + "Z7Q4M2XK9B3VT6LP", "AWS access key id"),
        ("a.ini", "aws_secret_access_key = " + RANDOM + "abcdEFGH", "AWS secret access key"),
        (".env.production", "SECRET_KEY=" + RANDOM, "hard-coded SECRET_KEY"),
        ("deploy.yml", "  JWT_SECRET_KEY: " + RANDOM, "hard-coded JWT_SECRET_KEY"),
        ("src/aegis/x.py", 'Settings(secret_key="' + RANDOM + '")', "hard-coded secret_key"),
        ("src/aegis/x.py", '{"AUDIT_CHAIN_KEY": "' + RANDOM + '"}', "hard-coded AUDIT_CHAIN_KEY"),
        ("docs/smtp.md", "SMTP_PASSWORD=" + "hunter2-mail", "hard-coded SMTP_PASSWORD"),
    ],
)
def test_the_scan_finds_each_kind_of_secret(path: str, text: str, kind: str) -> None:
    [finding] = scan(path, "first line\n" + text)
    assert finding == f"{path}:2: {kind}"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("src/aegis/core/db.py", 'READS_ONLY = "aegis_' + 'reads_only_connection_flag"'),
        ("tests/t.py", "monkeypatch.setenv('AEGIS_" + "TEST_DATABASE_URL', url)"),
        (".env.example", "SECRET_KEY=\nJWT_SECRET_KEY=\nAUDIT_CHAIN_KEY="),
        ("docs/deploy.md", "SECRET_KEY=<" + "strong-production-secret>"),
        ("docs/deploy.md", "SECRET_KEY=${" + "AEGIS_SECRET}"),
        ("docs/keys.md", "AEGIS_KEY_ENCRYPTION_KEYS=" + "2026-12:Hq3...,2026-06:Zt9..."),
        ("src/aegis/x.py", "CookieCodec(secret_key=settings.secret_key, max_age=60)"),
        ("tests/core/t.py", 'Settings(secret_key="' + RANDOM + '")'),
        ("a.txt", "-----BEGIN " + "PUBLIC KEY-----"),
    ],
)
def test_the_scan_leaves_names_placeholders_and_test_values(path: str, text: str) -> None:
    assert scan(path, text) == []
