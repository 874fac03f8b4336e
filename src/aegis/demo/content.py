"""Small, plausible evidence files for the demo organisation."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from typing import BinaryIO

NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jules", "Kai", "Logan"]


def _csv(title: str, today: date, rng: random.Random) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["employee", "department", "status", "checked_on"])
    for name in NAMES:
        status = "compliant" if rng.random() > 0.1 else "exception"
        writer.writerow([name, rng.choice(["Retail", "Finance", "IT"]), status, today.isoformat()])
    return f"# {title}\n" + out.getvalue()


def _text(title: str, today: date) -> str:
    return (
        f"{title}\nNorthwind Holdings, prepared {today.isoformat()}\n\n"
        "Scope: all production systems and corporate endpoints.\n"
        "Result: requirements met; exceptions are tracked as remediation tasks in Aegis.\n"
        "Approved by: Information Security Officer\n"
    )


def evidence_file(filename: str, title: str, today: date) -> BinaryIO:
    """The content of a demo evidence file, by its extension."""
    rng = random.Random(filename)  # nosec B311 # demo content, seeded to be the same every time
    body = _csv(title, today, rng) if filename.endswith(".csv") else _text(title, today)
    return io.BytesIO(body.encode())
