"""Whether the server's answers are right: totals and counts equal to plain SQL, order by rank."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from bench import raw
from bench.client import Client

RANKS = {"low": 1, "medium": 2, "high": 3, "critical": 4}  # as raw.RANK_OF_CRITICALITY
LIST_PATHS = {
    "risks": "/api/v1/risks",
    "assets": "/api/v1/assets",
    "tasks": "/api/v1/tasks",
    "controls": "/api/v1/controls",
    "evidence": "/api/v1/evidence",
    "audit_events": "/api/v1/audit-events",
}


@dataclass(frozen=True)
class Check:
    """One comparison of what the API says with what the database holds."""

    name: str
    api: Any
    expected: Any

    @property
    def ok(self) -> bool:
        """Whether both agree."""
        return bool(self.api == self.expected)

    def as_dict(self) -> dict[str, Any]:
        """The check with its verdict, for the JSON file."""
        return {**asdict(self), "ok": self.ok}


def _body(client: Client, path: str) -> Any:
    answer = client.get(path)
    return answer.body if answer.status == 200 else {"status": answer.status}


def _get(body: Any, *keys: str) -> Any:
    for key in keys:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def check_answers(client: Client, engine: Engine, scope: raw.Scope) -> list[Check]:
    """Totals, dashboard counts, a deep page, the criticality order and a hidden risk vs SQL."""
    expected = raw.counts(engine, scope, datetime.now(UTC).date())
    checks = [
        Check(f"{name} total", _get(_body(client, f"{path}?limit=1"), "total"), expected[name])
        for name, path in LIST_PATHS.items()
    ]
    dashboard = _body(client, "/api/v1/dashboard")
    checks.append(
        Check(
            "dashboard open risks", _get(dashboard, "risks", "open_count"), expected["open_risks"]
        )
    )
    checks.append(
        Check(
            "dashboard overdue tasks",
            _get(dashboard, "tasks", "overdue"),
            expected["overdue_tasks"],
        )
    )
    offset = max(0, expected["risks"] - raw.PAGE)
    page = _body(client, f"/api/v1/risks?limit={raw.PAGE}&offset={offset}")
    checks.append(
        Check(
            "risks deep page rows",
            [item["id"] for item in _get(page, "items") or []],
            raw.risk_ids(engine, scope.readable, offset=offset),
        )
    )
    by_criticality = _body(client, f"/api/v1/assets?sort=-criticality&limit={raw.PAGE}")
    checks.append(
        Check(
            "assets sorted by criticality rank",
            [RANKS.get(item["criticality"], 0) for item in _get(by_criticality, "items") or []],
            raw.top_criticality_ranks(engine, scope.readable),
        )
    )
    outside = raw.outside_risk(engine, scope.readable)
    if outside is not None:
        checks.append(
            Check("risk outside the scope", client.get(f"/api/v1/risks/{outside}").status, 404)
        )
    return checks
