"""Register, evidence and task filters: each keeps exactly the records it names, in scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.factories.register import build_register

Keep = Callable[[dict[str, Any]], bool]
DIVISION_A = ("division-a", "team-a1")
APPETITE = 10


def _all(client, headers, path: str) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] <= 200
    return body["items"]


def _ids(client, headers, path: str, params: dict[str, Any]) -> set[int]:
    response = client.get(path, params={**params, "limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _current(risk: dict[str, Any], name: str) -> Any:
    residual = risk[f"residual_{name}"]
    return risk[f"inherent_{name}"] if risk["residual_score"] is None else residual


def _risk_cases(world, today: date) -> list[tuple[dict[str, Any], Keep]]:
    def expired(risk: dict[str, Any]) -> bool:
        expires = _day(risk["acceptance_expires_on"])
        ran_out = expires is not None and expires < today
        if risk["status"] in ("accepted", "acceptance_expired"):
            assert ran_out == (risk["status"] == "acceptance_expired"), risk
        return risk["status"] == "acceptance_expired"

    def review_overdue(risk: dict[str, Any]) -> bool:
        review = _day(risk["next_review_date"])
        return review is not None and review < today

    owner, unit = world.users["analyst"], world.units["team-a1"]
    return [
        ({"residual_level": "Low"}, lambda r: r["residual_level"] == "Low"),
        ({"current_level": "Medium"}, lambda r: _current(r, "level") == "Medium"),
        (
            {"current_level": "Low", "open": "true"},
            lambda r: _current(r, "level") == "Low" and r["status"] != "closed",
        ),
        ({"above_appetite": "true"}, lambda r: _current(r, "score") > APPETITE),
        ({"above_appetite": "false"}, lambda r: _current(r, "score") <= APPETITE),
        ({"open": "true"}, lambda r: r["status"] != "closed"),
        ({"open": "false"}, lambda r: r["status"] == "closed"),
        ({"owner_id": owner}, lambda r: r["owner_id"] == owner),
        ({"unit_id": unit}, lambda r: r["unit_id"] == unit),
        (
            {"within_unit_id": world.units["division-a"]},
            lambda r: r["unit_id"] in {world.units[n] for n in DIVISION_A},
        ),
        ({"review_overdue": "true"}, review_overdue),
        ({"review_overdue": "false"}, lambda r: not review_overdue(r)),
        ({"acceptance_expired": "true"}, expired),
        ({"acceptance_expired": "false"}, lambda r: not expired(r)),
        ({"status": "accepted"}, lambda r: r["status"] == "accepted"),
        ({"status": "acceptance_expired"}, expired),
        (
            {"above_appetite": "true", "review_overdue": "true", "open": "true"},
            lambda r: (
                _current(r, "score") > APPETITE and review_overdue(r) and r["status"] != "closed"
            ),
        ),
    ]


@pytest.mark.parametrize("user", ["admin", "analyst", "analyst_b"])
def test_each_risk_filter_keeps_exactly_its_risks(
    client, token_for, db, world, principal_for, user
) -> None:
    built = build_register(db, world, principal_for, seed=5)
    db.commit()
    headers = token_for(user)
    risks = _all(client, headers, "/api/v1/risks")
    assert risks
    for params, keep in _risk_cases(world, built.today):
        expected = {r["id"] for r in risks if keep(r)}
        assert _ids(client, headers, "/api/v1/risks", params) == expected, params
    assert _ids(client, headers, "/api/v1/risks", {"acceptance_expired": "true"})
    assert _ids(client, headers, "/api/v1/risks", {"open": "false"})


def test_evidence_expiring_within_days_and_task_unit_trees(
    client, token_for, db, world, principal_for
) -> None:
    built = build_register(db, world, principal_for, seed=9)
    db.commit()
    headers = token_for("analyst")
    evidence = _all(client, headers, "/api/v1/evidence")
    for days in (0, 7, 30):
        horizon = built.today + timedelta(days=days)
        expected = {
            e["id"]
            for e in evidence
            if e["expires_on"] and built.today <= _day(e["expires_on"]) <= horizon
        }
        found = _ids(client, headers, "/api/v1/evidence", {"expiring_within_days": days})
        assert found == expected, days
    team = world.units["team-a1"]
    for path in ("/api/v1/evidence", "/api/v1/tasks"):
        items = _all(client, headers, path)
        assert _ids(client, headers, path, {"within_unit_id": team}) == {
            i["id"] for i in items if i["unit_id"] == team
        }
        assert _ids(client, headers, path, {"within_unit_id": world.units["company"]}) == {
            i["id"] for i in items
        }
    bad = client.get("/api/v1/evidence", params={"expiring_within_days": -1}, headers=headers)
    assert bad.status_code == 422


def test_the_new_filters_are_documented(client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    def names(path: str) -> set[str]:
        return {p["name"] for p in paths[path]["get"]["parameters"]}

    assert {
        "residual_level",
        "current_level",
        "above_appetite",
        "owner_id",
        "unit_id",
        "within_unit_id",
        "open",
        "review_overdue",
        "acceptance_expired",
    } <= names("/api/v1/risks")
    assert {"expiring_within_days", "expired", "within_unit_id"} <= names("/api/v1/evidence")
    assert {"overdue", "within_unit_id"} <= names("/api/v1/tasks")
