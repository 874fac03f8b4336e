"""Uploaded files kept on the server between two steps of a form, for the user who sent them.

A browser cannot send a file again when a form comes back, so the file is stored under a
random key and the form carries a signed token naming it, the user and the time; tokens of
other users, forged or older than an hour are refused. Files older than that are swept when
a file is kept, and whenever the store is opened for a request, at most once a minute (a
marker file's time says when the folder was last swept, for every process).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from itsdangerous import BadData, URLSafeTimedSerializer

from aegis.core.errors import NotFound
from aegis.core.storage import LocalBlobStore

TTL_SECONDS = 3600
SWEEP_EVERY_SECONDS = 60
SALT = "aegis.web.kept-upload"
FOLDER = "kept-uploads"
MARKER = ".last-sweep"


@dataclass(frozen=True)
class KeptUpload:
    """A kept file: the token naming it, its name and its content."""

    token: str
    filename: str
    content: bytes


class KeptUploads:
    """Files kept for a while under signed tokens bound to one user."""

    def __init__(self, root: Path, secret: str, max_bytes: int) -> None:
        self.root = root
        self.store = LocalBlobStore(root)
        self.serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.max_bytes = max_bytes

    def keep(self, content: bytes, filename: str, user_id: int) -> KeptUpload:
        """Store a file for its user; return it with its token."""
        self._sweep()
        blob = self.store.put([content], max_bytes=self.max_bytes)
        name = filename[:200]
        token = str(self.serializer.dumps({"key": blob.key, "user": user_id, "name": name}))
        return KeptUpload(token=token, filename=name, content=content)

    def _claims(self, token: str, user_id: int) -> dict[str, str] | None:
        try:
            claims = self.serializer.loads(token, max_age=TTL_SECONDS)
        except BadData:
            return None
        if not isinstance(claims, dict) or claims.get("user") != user_id:
            return None
        if not isinstance(claims.get("key"), str) or not isinstance(claims.get("name"), str):
            return None
        return claims

    def load(self, token: str, user_id: int) -> KeptUpload | None:
        """The file a token names, if it is this user's and still kept."""
        claims = self._claims(token, user_id)
        if claims is None:
            return None
        try:
            content = b"".join(self.store.open_chunks(claims["key"]))
        except NotFound:
            return None
        if len(content) > self.max_bytes:
            return None
        return KeptUpload(token=token, filename=claims["name"], content=content)

    def discard(self, token: str, user_id: int) -> None:
        """Remove the file a token names, once it has served."""
        claims = self._claims(token, user_id)
        if claims is not None:
            self.store.delete(claims["key"])

    def _sweep(self) -> None:
        """Remove the files kept longer than the tokens last."""
        oldest = time.time() - TTL_SECONDS
        for path in self.root.glob("*/*"):
            try:
                if path.is_file() and path.stat().st_mtime < oldest:
                    path.unlink(missing_ok=True)
            except OSError:
                continue

    def sweep_if_due(self) -> None:
        """Sweep unless the folder was swept less than a minute ago."""
        marker = self.root / MARKER
        try:
            if time.time() - marker.stat().st_mtime < SWEEP_EVERY_SECONDS:
                return
        except FileNotFoundError:
            if not self.root.is_dir():
                return  # nothing was ever kept
        except OSError:
            return
        marker.touch()
        self._sweep()


def kept_uploads(request: Request) -> KeptUploads:
    """The kept uploads of the application, swept of expired files when that is due."""
    settings = request.app.state.settings
    store = KeptUploads(
        Path(settings.data_dir) / FOLDER, settings.secret_key, settings.max_upload_bytes
    )
    store.sweep_if_due()
    return store
