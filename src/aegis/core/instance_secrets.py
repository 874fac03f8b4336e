"""Secrets generated at first start and kept in the instance directory, for the owner only."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

FOLDER = "secrets"
MIN_LENGTH = 32


class InstanceSecretError(RuntimeError):
    """A kept secret cannot be created or read."""


def _read(path: Path) -> str:
    """The secret in a kept file, its permissions narrowed to the owner if they were wider."""
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < MIN_LENGTH:
        raise InstanceSecretError(
            f"{path} holds no usable secret; delete it to have a new one generated"
        )
    return value


def _create(path: Path) -> None:
    """Write a new random secret to `path` unless another process did so first."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: keep its secret
            os.link(temporary, path)  # atomic: never a half-written secret, never two winners
    finally:
        os.unlink(temporary)


def instance_secret(data_dir: Path, name: str) -> str:
    """The secret kept in `<data_dir>/secrets/<name>` (mode 0600), generated when missing."""
    folder = data_dir / FOLDER
    path = folder / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            _create(path)
        return _read(path)
    except OSError as exc:
        raise InstanceSecretError(f"Cannot keep the generated secret in {path}: {exc}") from exc
