"""Where the benchmark keeps its databases, results and instance secrets."""

from __future__ import annotations

import os
from pathlib import Path

from aegis.core.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
INSTANCE_DIR = BENCH_DIR / "instance"  # secrets (the audit chain key) of benchmark servers


def default_url(scale: float) -> str:
    """The SQLite file of a scale when no database is named."""
    return f"sqlite:///{BENCH_DIR / f'scale-{scale:g}.db'}"


def bench_settings(url: str) -> Settings:
    """The settings on `url`, in var/bench/instance unless AEGIS_DATA_DIR says otherwise."""
    # the generator seals the audit trail with the key the benchmark's servers check it with
    os.environ.setdefault("AEGIS_DATA_DIR", str(INSTANCE_DIR))
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return get_settings()


SERVER_SETTINGS = {
    "AEGIS_RATE_LIMITS_ENABLED": "false",  # the load would otherwise be refused, not measured
    "AEGIS_ACCESS_TOKEN_MINUTES": "240",
    "AEGIS_SESSION_IDLE_MINUTES": "240",
}


def server_environment(url: str, data_dir: Path | None = None) -> dict[str, str]:
    """The environment of a benchmark server: this one's, on `url`, without rate limits."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "AEGIS_DATABASE_URL")}
    env["DATABASE_URL"] = url
    env["AEGIS_DATA_DIR"] = str(data_dir or os.environ.get("AEGIS_DATA_DIR") or INSTANCE_DIR)
    env.update(SERVER_SETTINGS)
    return env
