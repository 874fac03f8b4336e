"""Static files with content-hashed names, served with long-lived cache headers."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"


class StaticAssets:
    """Maps logical names (`app.css`) to hashed names (`app.1a2b3c4d5e.css`) and back."""

    def __init__(self, root: Path = STATIC_DIR, url_prefix: str = "/static") -> None:
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")
        self.hashed: dict[str, str] = {}
        self.logical: dict[str, str] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            self.hashed[name], self.logical[hashed] = hashed, name

    def url(self, name: str) -> str:
        """The public URL of a static file, with its content hash."""
        return f"{self.url_prefix}/{self.hashed[name]}"

    def response(self, request: Request, path: str) -> Response:
        """Serve a hashed name for a year; a plain name (service worker, manifest) briefly."""
        if path in self.logical:
            name, cache = self.logical[path], IMMUTABLE
        elif path in self.hashed:
            name, cache = path, "no-cache"
        else:
            return Response("Not found", status_code=404, media_type="text/plain")
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name.endswith(".webmanifest"):
            media_type = "application/manifest+json"
        return FileResponse(
            self.root / name, media_type=media_type, headers={"Cache-Control": cache}
        )
