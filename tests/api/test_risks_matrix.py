"""Reading and changing the risk matrix through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories.risks import risk_body

DEFAULT = {
    "likelihood_levels": 5,
    "impact_levels": 5,
    "bands": [
        {"name": "Low", "min_score": 1, "max_score": 5, "color": "#2e7d32"},
        {"name": "Medium", "min_score": 6, "max_score": 10, "color": "#f9a825"},
        {"name": "High", "min_score": 11, "max_score": 15, "color": "#ef6c00"},
        {"name": "Critical", "min_score": 16, "max_score": 25, "color": "#c62828"},
    ],
    "appetite_score": 10,
    "likelihood_scale": [
        {"name": "Rare", "criteria": "Less than once in 10 years"},
        {"name": "Unlikely", "criteria": "Once in 3 to 10 years"},
        {"name": "Possible", "criteria": "Once in 1 to 3 years"},
        {"name": "Likely", "criteria": "About once a year"},
        {"name": "Almost certain", "criteria": "Several times a year"},
    ],
    "impact_scale": [
        {"name": "Negligible", "criteria": "Under €10k; no effect on customers"},
        {"name": "Limited", "criteria": "€10k to €100k; a short disruption for a few customers"},
        {"name": "Moderate", "criteria": "€100k to €500k; customers affected for days"},
        {"name": "Major", "criteria": "€500k to €1M, or a breach that must be reported"},
        {"name": "Severe", "criteria": "Over €1M or regulatory action"},
    ],
    "cell_levels": [],
}


def _matrix(size: int, *bands: tuple[str, int, int]) -> dict:
    return {
        "likelihood_levels": size,
        "impact_levels": size,
        "bands": [
            {"name": name, "min_score": low, "max_score": high, "color": "#336699"}
            for name, low, high in bands
        ],
    }


def _fields(response) -> list[str]:
    return [d["field"] for d in response.json()["error"]["details"]]


def test_every_signed_in_user_reads_the_default_matrix(client: TestClient, token_for) -> None:
    for name in ("readonly", "analyst_b", "admin"):
        response = client.get("/api/v1/risk-matrix", headers=token_for(name))
        assert response.status_code == 200
        assert response.json() == DEFAULT
    assert client.get("/api/v1/risk-matrix").status_code == 401


def test_changing_the_matrix_relevels_every_risk(client, world, token_for) -> None:
    analyst, admin = token_for("analyst"), token_for("admin")
    body = risk_body(world.units["division-a"], inherent_likelihood=4, inherent_impact=5)
    risk = client.post("/api/v1/risks", json=body, headers=analyst).json()
    assert risk["inherent_level"] == "Critical"
    new = _matrix(6, ("Green", 21, 36), ("Red", 1, 20))
    response = client.put("/api/v1/risk-matrix", json=new, headers=admin)
    assert response.status_code == 200, response.text
    assert [b["name"] for b in response.json()["bands"]] == ["Red", "Green"]
    assert client.get("/api/v1/risk-matrix", headers=analyst).json() == response.json()
    again = client.get(f"/api/v1/risks/{risk['id']}", headers=analyst).json()
    assert (again["inherent_score"], again["inherent_level"]) == (20, "Red")
    assert (
        client.get("/api/v1/risks", params={"inherent_level": "Red"}, headers=analyst).json()[
            "total"
        ]
        == 1
    )
    bigger = client.post(
        "/api/v1/risks",
        json={**body, "inherent_likelihood": 6, "inherent_impact": 6},
        headers=analyst,
    )
    assert bigger.status_code == 201 and bigger.json()["inherent_level"] == "Green"
    events = client.get(
        "/api/v1/audit-events", params={"entity_type": "risk_matrix"}, headers=admin
    ).json()
    assert events["total"] == 1


def test_inconsistent_matrices_are_refused_with_the_field_named(client, token_for) -> None:
    admin = token_for("admin")
    cases = [
        (_matrix(5, ("Low", 1, 9), ("High", 11, 25)), "bands.1.min_score"),
        (_matrix(5, ("Low", 1, 12), ("High", 12, 25)), "bands.1.min_score"),
        (_matrix(5, ("Low", 1, 20)), "bands.0.max_score"),
        (_matrix(2, ("Low", 1, 4)), "likelihood_levels"),
        (_matrix(11, ("Low", 1, 121)), "likelihood_levels"),
        ({**_matrix(5, ("Low", 1, 25)), "extra": 1}, "extra"),
        ({**_matrix(5, ("Low", 1, 25)), "impact_levels": "5"}, "impact_levels"),
        ({"likelihood_levels": 5, "impact_levels": 5, "bands": []}, "bands"),
    ]
    for body, field in cases:
        response = client.put("/api/v1/risk-matrix", json=body, headers=admin)
        assert response.status_code == 422, body
        assert field in _fields(response), (field, response.json())
    bad_colour = _matrix(5, ("Low", 1, 25))
    bad_colour["bands"][0]["color"] = "red"
    response = client.put("/api/v1/risk-matrix", json=bad_colour, headers=admin)
    assert _fields(response) == ["bands.0.color"]
    assert client.get("/api/v1/risk-matrix", headers=admin).json() == DEFAULT


def test_a_matrix_too_small_for_stored_risks_is_a_conflict(client, world, token_for) -> None:
    body = risk_body(world.units["division-b"], inherent_likelihood=5, residual_likelihood=4)
    body["residual_impact"] = 1
    assert (
        client.post("/api/v1/risks", json=body, headers=token_for("analyst_b")).status_code == 201
    )
    admin = token_for("admin")
    response = client.put(
        "/api/v1/risk-matrix", json=_matrix(4, ("Low", 1, 8), ("High", 9, 16)), headers=admin
    )
    assert response.status_code == 409
    assert _fields(response) == ["likelihood_levels"]
    assert client.get("/api/v1/risk-matrix", headers=admin).json() == DEFAULT


def test_only_the_root_administrator_changes_the_matrix(client, token_for) -> None:
    body = _matrix(5, ("Low", 1, 25))
    for name in ("admin_a", "analyst", "readonly", "analyst_b"):
        assert (
            client.put("/api/v1/risk-matrix", json=body, headers=token_for(name)).status_code == 403
        )
    assert client.put("/api/v1/risk-matrix", json=body).status_code == 401
    assert client.get("/api/v1/risk-matrix", headers=token_for("admin")).json() == DEFAULT
