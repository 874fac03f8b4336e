"""The results as tables for people, the files they are kept in, and the comparison of two runs.

.venv/bin/python -m bench.report BEFORE.json AFTER.json   # p50 and p99 side by side
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

READS = {
    "sign_in": "POST /api/v1/auth/login",
    "dashboard": "GET /api/v1/dashboard",
    "risks_deep_page": "GET /api/v1/risks, deep page",
    "audit_events": "GET /api/v1/audit-events",
    "assets_by_criticality": "GET /api/v1/assets?sort=-criticality",
    "risk_detail": "GET /api/v1/risks/{id}",
}


def _git(*args: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 B607 # fixed git command, no shell
            ["git", *args],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return ""
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    """What the figures were measured on: system, processors, load, Python and commit."""
    return {
        "system": platform.platform(),
        "processors": os.cpu_count(),
        "load_average": [round(n, 2) for n in os.getloadavg()],
        "python": platform.python_version(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _ms(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _mode(run: dict[str, Any]) -> str:
    return (
        "aegis run (1 process)"
        if run["mode"] == "run"
        else f"aegis serve ({run['workers']} workers)"
    )


def _run_table(run: dict[str, Any]) -> list[str]:
    lines = [
        f"### {_mode(run)}",
        "",
        "| Read | Requests | p50 ms | p95 ms | p99 ms | Raw SQL p50 ms | p50 − raw ms | Errors |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for read in run["reads"]:
        lines.append(
            f"| {READS.get(read['name'], read['name'])} | {read['requests']} "
            f"| {_ms(read['p50_ms'])} | {_ms(read['p95_ms'])} | {_ms(read['p99_ms'])} "
            f"| {_ms(read['raw_sql_p50_ms'])} "
            f"| {_ms(read['overhead_ms'])} | {read['errors']} |"
        )
    load = run["concurrency"]
    if load:
        lines += [
            "",
            f"{load['clients']} concurrent clients, mixed reads, {load['seconds']:.0f} s: "
            f"{load['requests']:,} requests, **{load['throughput_rps']:.1f} req/s**, "
            f"p50 {_ms(load['p50_ms'])} ms, p99 {_ms(load['p99_ms'])} ms, "
            f"max {_ms(load['max_ms'])} ms, errors {load['errors']}"
            + (f" ({load['errors_by_kind']})" if load["errors"] else ""),
        ]
    failed = [check for check in run["checks"] if not check["ok"]]
    lines += ["", f"Peak memory of the server processes: {run['peak_rss_mb']:,.0f} MiB."]
    agreeing = len(run["checks"]) - len(failed)
    lines.append(f"Checks against plain SQL: {agreeing} of {len(run['checks'])} agree.")
    lines += [f"- **{c['name']}**: API {c['api']!r}, database {c['expected']!r}" for c in failed]
    return [*lines, ""]


def markdown(results: dict[str, Any]) -> str:
    """Every mode of a run as tables, with the machine and the data they were measured on."""
    host, counts = results["machine"], results["counts"]
    load = " ".join(str(n) for n in host["load_average"])
    data = ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items())
    lines = [
        f"## Aegis benchmark, {results['label']}, {results['engine']}, {results['started_at']}",
        "",
        f"Machine: {host['system']}, {host['processors']} processors, load average {load} at "
        f"the start; Python {host['python']}; commit {host['commit']}"
        + (" with uncommitted changes" if host["uncommitted_changes"] else "")
        + ".",
        f"Data: {data}. Reads as the division analyst (about half of the data).",
        "",
    ]
    for run in results["runs"]:
        lines += _run_table(run)
    return "\n".join(lines)


def write(results: dict[str, Any], table: str, folder: Path) -> list[Path]:
    """Keep the results as JSON and the table as Markdown under `folder`/results."""
    stem = re.sub(
        r"[^a-z0-9.]+",
        "-",
        f"{results['started_at'][:16]}-{results['engine']}-{results['label']}".lower(),
    )
    target = folder / "results"
    target.mkdir(parents=True, exist_ok=True)
    paths = [target / f"{stem}.json", target / f"{stem}.md"]
    paths[0].write_text(json.dumps(results, indent=2) + "\n")
    paths[1].write_text(table + "\n")
    return paths


def _p(run: dict[str, Any], name: str, key: str) -> float | None:
    found = next((r for r in run["reads"] if r["name"] == name), None)
    return None if found is None else found[key]


def _ratio(before: float | None, after: float | None) -> str:
    if not before or after is None:
        return "–"
    return f"{after / before:.1f}×"


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """p50 and p99 of each read and the concurrent load, before → after, for each mode."""
    lines = [
        f"## {before['label']} → {after['label']} ({before['engine']} → {after['engine']})",
        "",
        "| Mode | Read | p50 ms | p99 ms |",
        "|---|---|--:|--:|",
    ]
    for old in before["runs"]:
        new = next((r for r in after["runs"] if r["mode"] == old["mode"]), None)
        if new is None:
            continue
        for name, label in READS.items():
            p50 = (_p(old, name, "p50_ms"), _p(new, name, "p50_ms"))
            p99 = (_p(old, name, "p99_ms"), _p(new, name, "p99_ms"))
            lines.append(
                f"| {old['mode']} | {label} | {_ms(p50[0])} → {_ms(p50[1])} ({_ratio(*p50)}) "
                f"| {_ms(p99[0])} → {_ms(p99[1])} ({_ratio(*p99)}) |"
            )
        if old["concurrency"] and new["concurrency"]:
            a, b = old["concurrency"], new["concurrency"]
            lines.append(
                f"| {old['mode']} | {a['clients']} clients: req/s {a['throughput_rps']:.1f} → "
                f"{b['throughput_rps']:.1f}, errors {a['errors']} → {b['errors']} "
                f"| {_ms(a['p50_ms'])} → {_ms(b['p50_ms'])} "
                f"| {_ms(a['p99_ms'])} → {_ms(b['p99_ms'])} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Print the comparison of two result files."""
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    before, after = (json.loads(Path(name).read_text()) for name in sys.argv[1:])
    print(compare(before, after))


if __name__ == "__main__":
    main()
