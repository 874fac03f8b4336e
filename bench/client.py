"""A small HTTP client on kept-alive loopback connections, one per thread, that times requests."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Answer:
    """One response: status, parsed body (None when not JSON) and seconds taken."""

    status: int
    body: Any
    seconds: float


class Client:
    """Requests to one server with a bearer token; each thread keeps its own connection."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
            self._local.connection = connection
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None

    def request(self, method: str, path: str, payload: Any = None) -> Answer:
        """Send one request and read the whole answer; the time covers both."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):  # a kept-alive connection the server closed is opened again
            connection = self._connection()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
            except (http.client.HTTPException, ConnectionError):
                self._drop()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self._drop()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return Answer(response.status, parsed, seconds)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Answer:
        """GET a path."""
        return self.request("GET", path)

    def close(self) -> None:
        """Close this thread's connection."""
        self._drop()
