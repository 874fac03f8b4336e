"""Time the dry run of asset files of 2,000 and 20,000 rows, and count its queries.

    .venv/bin/python -m bench.imports [--sizes 2000 20000] [--database-url URL]

Each file is a mixed sheet as a team keeps it: 30% of its rows are assets imported before
(one in ten of those changed), the rest new, every row with an owner, tags and a dependency.
The database is a new SQLite file unless a URL is given (it must be an empty database).
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from aegis.core import migrations
from aegis.core.authz import Principal
from aegis.core.db import build_engine
from aegis.core.security import hash_password
from aegis.domains.auth import service as auth
from aegis.domains.imports import service
from aegis.domains.imports.schemas import ImportKind, ImportReport
from aegis.models import RoleAssignment, Unit, User

HEADERS = (
    "Reference",
    "Name",
    "Unit",
    "Type",
    "Criticality",
    "Owner",
    "Environment",
    "Data classification",
    "Hostname",
    "IP address",
    "Description",
    "Tags",
    "Dependencies",
)
CRITICALITIES = ("Low", "Medium", "High", "Critical")
UNIT, OWNER = "Bench unit", "bench@example.com"
EXISTING = 0.3  # share of a file's rows imported before


@dataclass
class Run:
    """One timed import of a file."""

    what: str
    rows: int
    seconds: float
    queries: int
    report: ImportReport


def rows(prefix: str, count: int, changed: int = 0) -> list[list[str]]:
    """Asset rows P-000001…; one in ten of the first `changed` ones with another criticality."""
    found = []
    for n in range(1, count + 1):
        critical = CRITICALITIES[(n + (1 if n % 10 == 1 and n <= changed else 0)) % 4]
        found.append(
            [
                f"{prefix}-{n:06d}",
                f"{prefix.lower()}-host-{n:06d}",
                UNIT,
                "Server",
                critical,
                OWNER,
                "Production",
                "Internal",
                f"{prefix.lower()}-host-{n:06d}.example.com",
                f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}",
                f"Server number {n}",
                f"bench; rack-{n % 7}",
                "bench-base",
            ]
        )
    return found


def csv_bytes(cells: list[list[str]]) -> bytes:
    """The rows as a UTF-8 CSV under the export's headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(cells)
    return buffer.getvalue().encode()


@contextmanager
def counting(engine: Engine) -> Iterator[list[int]]:
    """Count the statements run inside the block."""
    counter = [0]

    def count(*_: Any) -> None:
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def organisation(session: Session) -> Principal:
    """A unit, its analyst, and the asset every row depends on."""
    unit = Unit(name=UNIT, parent_id=None)
    user = User(email=OWNER, name="Bench analyst", password_hash=hash_password("not used here"))
    session.add_all([unit, user])
    session.flush()
    session.add(RoleAssignment(user_id=user.id, role="analyst", unit_id=unit.id))
    session.commit()
    principal = auth.principal_for_user(session=session, user=user)
    base = io.StringIO()
    csv.writer(base).writerows(
        [
            HEADERS[:8],
            ["BASE-1", "bench-base", UNIT, "Server", "High", "", "Production", "Internal"],
        ]
    )
    if not imported(session, principal, base.getvalue().encode(), dry_run=False).applied:
        raise RuntimeError("The asset every row depends on could not be imported")
    session.commit()
    return principal


def imported(
    session: Session, principal: Principal, content: bytes, *, dry_run: bool
) -> ImportReport:
    """Import (or check) a CSV of assets as the principal, with room for 20,000 rows."""
    return service.import_file(
        session=session,
        principal=principal,
        kind=ImportKind.ASSETS,
        content=content,
        filename="assets.csv",
        dry_run=dry_run,
        max_bytes=100 * 1024 * 1024,
        max_rows=100_000,
    )


def timed(
    engine: Engine, session: Session, principal: Principal, what: str, cells: list[list[str]]
) -> Run:
    """Run one import (a dry run unless `what` says "import") and measure it."""
    content = csv_bytes(cells)
    with counting(engine) as counter:
        started = time.perf_counter()
        report = imported(session, principal, content, dry_run=what != "import")
        seconds = time.perf_counter() - started
    session.commit()
    return Run(what, len(cells), seconds, counter[0], report)


def bench(engine: Engine, sizes: list[int]) -> list[Run]:
    """Seed each size's existing rows by a real import, then time the dry run of its file."""
    runs: list[Run] = []
    with Session(engine) as session:
        principal = organisation(session)
        for size in sizes:
            prefix = f"S{size}"
            existing = int(size * EXISTING)
            runs.append(timed(engine, session, principal, "import", rows(prefix, existing)))
            runs.append(timed(engine, session, principal, "dry run", rows(prefix, size, existing)))
    return runs


def table(runs: list[Run]) -> str:
    """The runs as a table for people."""
    lines = [
        f"{'Run':<10}{'Rows':>8}{'Seconds':>10}{'Rows/s':>9}{'Queries':>9}"
        f"{'Create':>8}{'Update':>8}{'Same':>8}{'Errors':>8}"
    ]
    for run in runs:
        report = run.report
        lines.append(
            f"{run.what:<10}{run.rows:>8,}{run.seconds:>10.2f}{run.rows / run.seconds:>9,.0f}"
            f"{run.queries:>9,}{report.created:>8,}{report.updated:>8,}{report.unchanged:>8,}"
            f"{report.failed:>8,}"
        )
    return "\n".join(lines)


def main() -> None:
    """Parse the options, build the database, run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = build_engine(url)
        migrations.upgrade(engine)
        try:
            print(table(bench(engine, options.sizes)))
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
