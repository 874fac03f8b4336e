"""Creating a fresh, empty database per test worker on SQLite, MariaDB or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aegis.core.db import normalize_url


def base_url() -> str | None:
    """The server the suite runs against (AEGIS_TEST_DATABASE_URL), None for SQLite files."""
    url = os.environ.get("AEGIS_TEST_DATABASE_URL", "").strip()
    return normalize_url(url) if url and not url.startswith("sqlite") else None


def fresh_database(name: str, tmp_dir: Path) -> str:
    """Create an empty database called `name` and return its URL."""
    server = base_url()
    if server is None:
        path = tmp_dir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(server)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if url.get_backend_name() == "postgresql":
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            connection.execute(
                text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def worker_suffix() -> str:
    """A name part unique to this pytest-xdist worker."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
