"""The dashboard through the API: the summary, the unit filter, appetite and errors."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from aegis.core.db import utcnow
from tests.domains.dashboard.scenario import build
from tests.openapi_answers import assert_declared


def _grid(heatmap: dict) -> dict[tuple[int, int], int]:
    return {
        (c["likelihood"], c["impact"]): c["count"]
        for row in heatmap["cells"]
        for c in row
        if c["count"]
    }


def test_the_summary_of_the_callers_units(
    client: TestClient, db, world, principal_for, token_for
) -> None:
    built = build(db, world, principal_for, utcnow().date())
    db.commit()
    response = client.get("/api/v1/dashboard", headers=token_for("analyst"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["today"] == utcnow().date().isoformat() and body["unit_id"] is None
    risks = body["risks"]
    assert risks["open_count"] == 4
    assert risks["by_current_level"] == [
        {"level": "Low", "count": 2, "color": "#2e7d32"},
        {"level": "Medium", "count": 1, "color": "#f9a825"},
        {"level": "High", "count": 0, "color": "#ef6c00"},
        {"level": "Critical", "count": 1, "color": "#c62828"},
    ]
    assert (risks["appetite_score"], risks["above_appetite"]) == (10, 1)
    cell = risks["inherent_heatmap"]["cells"][3][4]
    assert cell == {
        "likelihood": 4,
        "impact": 5,
        "count": 1,
        "level": "Critical",
        "color": "#c62828",
        "above_appetite": True,
    }
    assert _grid(risks["inherent_heatmap"]) == {(4, 5): 1, (3, 3): 1, (2, 2): 1, (3, 4): 1}
    assert _grid(risks["residual_heatmap"]) == {(4, 5): 1, (1, 2): 1, (2, 2): 1, (2, 4): 1}
    assert risks["top"][0] == {
        "id": built.risks["a_critical"],
        "unit_id": world.units["division-a"],
        "title": "a_critical",
        "status": "identified",
        "score": 20,
        "level": "Critical",
        "color": "#c62828",
        "residual": False,
    }
    assert body["tasks"]["overdue"] == 2
    assert body["tasks"]["mine"][0] == {
        "id": built.tasks["late_mine"],
        "title": "late_mine",
        "due_date": (utcnow().date() - timedelta(days=3)).isoformat(),
        "priority": "medium",
        "status": "open",
        "overdue": True,
    }
    assert body["evidence"] == {"window_days": 30, "expiring": 2, "expired": 1}
    [alpha] = body["compliance"]
    assert (alpha["framework_name"], alpha["score"], alpha["requirement_count"]) == (
        "Alpha",
        50.0,
        2,
    )
    assert len(body["recent_activity"]) == 10
    assert set(body["recent_activity"][0]) == {
        "id",
        "occurred_at",
        "actor_email",
        "actor_name",
        "action",
        "entity_type",
        "entity_id",
        "entity_name",
        "summary",
        "unit_id",
    }


def test_the_unit_filter_narrows_or_is_not_found(
    client: TestClient, db, world, principal_for, token_for
) -> None:
    build(db, world, principal_for, utcnow().date())
    db.commit()
    admin = token_for("admin")
    team = client.get(
        "/api/v1/dashboard", params={"unit_id": world.units["team-a1"]}, headers=admin
    )
    assert team.status_code == 200, team.text
    assert team.json()["unit_id"] == world.units["team-a1"]
    assert team.json()["risks"]["open_count"] == 1
    assert team.json()["evidence"] == {"window_days": 30, "expiring": 1, "expired": 0}
    everything = client.get("/api/v1/dashboard", headers=admin).json()
    assert everything["risks"]["open_count"] == 6
    for name, unit in (("analyst_b", "division-a"), ("analyst", "company")):
        response = client.get(
            "/api/v1/dashboard", params={"unit_id": world.units[unit]}, headers=token_for(name)
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    unknown = client.get("/api/v1/dashboard", params={"unit_id": 999_999}, headers=admin)
    assert unknown.status_code == 404


def test_bad_parameters_and_anonymous_calls_are_refused(client: TestClient, token_for) -> None:
    analyst = token_for("analyst")
    assert client.get("/api/v1/dashboard").status_code == 401
    for params in ({"unit": 1}, {"unit_id": "a"}):
        response = client.get("/api/v1/dashboard", params=params, headers=analyst)
        assert response.status_code == 422, params


def test_the_appetite_is_set_with_the_matrix(
    client: TestClient, db, world, principal_for, token_for
) -> None:
    build(db, world, principal_for, utcnow().date())
    db.commit()
    admin = token_for("admin")
    matrix = client.get("/api/v1/risk-matrix", headers=admin).json()
    assert matrix["appetite_score"] == 10
    too_high = client.put(
        "/api/v1/risk-matrix", json={**matrix, "appetite_score": 26}, headers=admin
    )
    assert too_high.status_code == 422
    assert [d["field"] for d in too_high.json()["error"]["details"]] == ["appetite_score"]
    changed = client.put(
        "/api/v1/risk-matrix", json={**matrix, "appetite_score": 16}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["appetite_score"] == 16
    risks = client.get("/api/v1/dashboard", headers=admin).json()["risks"]
    assert (risks["appetite_score"], risks["above_appetite"]) == (16, 1)
    events = client.get(
        "/api/v1/audit-events", params={"entity_type": "risk_matrix"}, headers=admin
    ).json()["items"]
    assert events[0]["changes"]["appetite_score"] == [10, 16]


def test_a_unit_not_found_is_declared_in_the_openapi(client: TestClient, app, token_for) -> None:
    response = client.get(
        "/api/v1/dashboard", params={"unit_id": 999_999}, headers=token_for("readonly")
    )
    assert response.status_code == 404
    assert_declared(app, response)
