"""Generate the benchmark dataset of a scale factor into an empty database.

    .venv/bin/python -m bench.scale --scale 1 [--database-url URL] [--seed N] [--today DAY]

Without a URL the data goes to var/bench/scale-<N>.db (SQLite), which must not exist yet.
The audit trail is sealed with the key of the settings (AEGIS_DATA_DIR defaults to
var/bench/instance here): the benchmark's server and `aegis audit verify` use the same.
"""

from __future__ import annotations

import argparse
import os
from datetime import date

from aegis.core.db import build_engine
from bench.scale import DEFAULT_SEED, generate
from bench.settings import bench_settings, default_url


def main() -> None:
    """Parse the options, generate and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 10,000 assets ...")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--today", type=date.fromisoformat, help="anchor day (default: today)")
    options = parser.parse_args()
    url = options.database_url or os.environ.get("DATABASE_URL") or default_url(options.scale)
    config = bench_settings(url)
    engine = build_engine(url)
    try:
        done = generate(
            engine,
            options.scale,
            key=config.audit_chain_key,
            seed=options.seed,
            today=options.today,
        )
    finally:
        engine.dispose()
    print(f"Scale {done.scale:g} (seed {done.seed}) written in {done.seconds:.1f} s:")
    for name, count in done.counts.items():
        print(f"  {name:<14}{count:>10,}")


if __name__ == "__main__":
    main()
