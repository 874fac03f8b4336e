"""Measure Aegis on a generated dataset: a real server, the division analyst's reads, concurrency.

    .venv/bin/python -m bench.measure --scale 1 [--database-url URL] [--modes run serve]
        [--workers 4] [--runs 30] [--clients 20] [--seconds 30] [--label TEXT]

Generate the data first (`python -m bench.scale`). For each server mode (`run`: one process;
`serve`: gunicorn with uvicorn workers) the analyst signs in, the totals of every list and
the dashboard's counts are checked against plain SQL, each read is timed, then the clients
send mixed reads. The table is printed and written with the JSON to var/bench/.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from aegis.core.db import build_engine
from bench import raw, report, server
from bench.checks import Check, check_answers
from bench.client import Client
from bench.scale import plan
from bench.settings import BENCH_DIR, default_url, server_environment
from bench.timing import Figures, mixed_load, timed

MIXED_ONLY = {
    "risks_first_page": lambda _: f"/api/v1/risks?limit={raw.PAGE}",
    "tasks": lambda _: f"/api/v1/tasks?limit={raw.PAGE}",
}
DETAIL_IDS = 50  # risks of the scope that the detail reads go through


@dataclass(frozen=True)
class Options:
    """How much to measure."""

    modes: tuple[str, ...] = ("run", "serve")
    workers: int = 4
    runs: int = 30
    sign_ins: int = 5
    clients: int = 20
    seconds: float = 30.0


def reads(deep_offset: int, risk_ids: list[int]) -> dict[str, Callable[[int], str]]:
    """The timed reads, each a path for its n-th request."""
    return {
        "dashboard": lambda _: "/api/v1/dashboard",
        "risks_deep_page": lambda _: f"/api/v1/risks?limit={raw.PAGE}&offset={deep_offset}",
        "audit_events": lambda _: f"/api/v1/audit-events?limit={raw.PAGE}",
        "assets_by_criticality": lambda _: f"/api/v1/assets?sort=-criticality&limit={raw.PAGE}",
        "risk_detail": lambda n: f"/api/v1/risks/{risk_ids[n % len(risk_ids)]}",
    }


def sign_in(url: str, runs: int) -> tuple[Figures, str]:
    """Sign in as the division analyst `runs` times; the last access token."""
    client = Client(url)
    figures, token = Figures("sign_in", "POST /api/v1/auth/login"), ""
    for _ in range(runs):
        answer = client.request(
            "POST", "/api/v1/auth/login", {"email": plan.ANALYST_EMAIL, "password": plan.PASSWORD}
        )
        figures.seconds.append(answer.seconds)
        if answer.status != 200 or not isinstance(answer.body, dict):
            figures.errors += 1
            continue
        token = str(answer.body.get("access_token", ""))
    client.close()
    if not token:
        raise RuntimeError("The division analyst could not sign in: was the data generated?")
    return figures, token


def measure_mode(
    engine: Engine, env: dict[str, str], mode: str, options: Options, log_dir: Path
) -> dict[str, Any]:
    """Start one server, check its answers, time each read, then the concurrent clients."""
    scope = raw.scope_of(engine, plan.ANALYST_EMAIL)
    with server.running(mode, env, log_dir, workers=options.workers) as running:
        signing, token = sign_in(running.url, options.sign_ins)
        client = Client(running.url, token)
        checks: list[Check] = check_answers(client, engine, scope)
        total = next(c.expected for c in checks if c.name == "risks total")
        deep_offset = max(0, total - raw.PAGE)
        ids = raw.risk_ids(engine, scope.readable, limit=DETAIL_IDS)
        paths = reads(deep_offset, ids)
        figures = [signing] + [
            timed(client, name, path, options.runs) for name, path in paths.items()
        ]
        plain = raw.time_queries(engine, raw.page_queries(scope, deep_offset), ids, options.runs)
        for item in figures:
            item.raw_seconds = plain.get(item.name, [])
        client.close()
        load = None
        if options.clients and options.seconds:
            load = mixed_load(client, {**paths, **MIXED_ONLY}, options.clients, options.seconds)
        return {
            "mode": mode,
            "workers": running.workers,
            "checks": [check.as_dict() for check in checks],
            "reads": [item.summary() for item in figures],
            "concurrency": None if load is None else load.summary(),
            "peak_rss_mb": server.peak_rss_mb(running.process.pid),
        }


def measure(
    url: str,
    options: Options,
    *,
    env: dict[str, str],
    label: str = "",
    log_dir: Path = BENCH_DIR / "logs",
) -> dict[str, Any]:
    """Measure every mode of `options` on the database `url`; the results as one document."""
    engine = build_engine(url)
    try:
        started, host = datetime.now(UTC), report.machine()
        runs = [measure_mode(engine, env, mode, options, log_dir) for mode in options.modes]
        return {
            "label": label,
            "engine": make_url(url).get_backend_name(),
            "started_at": started.isoformat(timespec="seconds"),
            "machine": host,
            "counts": raw.table_counts(engine),
            "options": options.__dict__,
            "runs": runs,
        }
    finally:
        engine.dispose()


def main() -> None:
    """Parse the options, measure, print the table and write the files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="the generated scale to use")
    parser.add_argument("--database-url", help="default: var/bench/scale-<N>.db")
    parser.add_argument("--modes", nargs="+", choices=server.MODES, default=list(Options.modes))
    parser.add_argument("--workers", type=int, default=Options.workers)
    parser.add_argument("--runs", type=int, default=Options.runs, help="timed requests per read")
    parser.add_argument("--clients", type=int, default=Options.clients, help="0: no concurrency")
    parser.add_argument("--seconds", type=float, default=Options.seconds)
    parser.add_argument("--label", default="", help="a name for this run in the files")
    parsed = parser.parse_args()
    url = parsed.database_url or os.environ.get("DATABASE_URL") or default_url(parsed.scale)
    options = Options(
        tuple(parsed.modes),
        parsed.workers,
        parsed.runs,
        Options.sign_ins,
        parsed.clients,
        parsed.seconds,
    )
    label = parsed.label or f"scale {parsed.scale:g}"
    results = measure(url, options, env=server_environment(url), label=label)
    table = report.markdown(results)
    print(table)
    written = report.write(results, table, BENCH_DIR)
    print(f"\nWritten: {', '.join(str(path) for path in written)}")
    failed = [c for run in results["runs"] for c in run["checks"] if not c["ok"]]
    errors = sum(r["errors"] for run in results["runs"] for r in run["reads"])
    sys.exit(1 if failed or errors else 0)


if __name__ == "__main__":
    main()
