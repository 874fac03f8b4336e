"""Named levels and levels per cell through the API: reading, saving, refusing, old settings."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aegis.models import StoredSetting
from tests.factories.risks import risk_body

BANDS = [
    {"name": "Low", "min_score": 1, "max_score": 5, "color": "#2e7d32"},
    {"name": "Medium", "min_score": 6, "max_score": 10, "color": "#f9a825"},
    {"name": "High", "min_score": 11, "max_score": 15, "color": "#ef6c00"},
    {"name": "Critical", "min_score": 16, "max_score": 25, "color": "#c62828"},
]
LIKELIHOOD = ["Never seen", "Seldom", "Sometimes", "Often", "Constantly"]


def _matrix(**fields) -> dict:
    return {"likelihood_levels": 5, "impact_levels": 5, "bands": BANDS, **fields}


def _scale(names: list[str]) -> list[dict[str, str]]:
    return [{"name": name, "criteria": f"{name} criteria"} for name in names]


def _fields(response) -> list[str]:
    return [detail["field"] for detail in response.json()["error"]["details"]]


def test_the_matrix_names_its_levels(client: TestClient, token_for) -> None:
    matrix = client.get("/api/v1/risk-matrix", headers=token_for("readonly")).json()
    assert [level["name"] for level in matrix["likelihood_scale"]][3] == "Likely"
    assert matrix["impact_scale"][4] == {
        "name": "Severe",
        "criteria": "Over €1M or regulatory action",
    }
    assert matrix["cell_levels"] == []


def test_a_setting_stored_without_names_still_reads(client, db, token_for) -> None:
    bands = [{**BANDS[0], "max_score": 8}, {**BANDS[3], "min_score": 9, "max_score": 16}]
    old = {"likelihood_levels": 4, "impact_levels": 4, "bands": bands}
    db.add(StoredSetting(key="risk_matrix", value=old))
    db.commit()
    response = client.get("/api/v1/risk-matrix", headers=token_for("analyst"))
    assert response.status_code == 200
    body = response.json()
    assert [level["name"] for level in body["impact_scale"]] == [
        "Low",
        "Moderate",
        "High",
        "Very high",
    ]
    assert body["appetite_score"] == 10 and body["cell_levels"] == []


def test_names_and_cell_levels_are_saved_and_relevel_risks(client, world, token_for) -> None:
    analyst, admin = token_for("analyst"), token_for("admin")
    body = risk_body(world.units["division-a"], inherent_likelihood=5, inherent_impact=1)
    risk = client.post("/api/v1/risks", json=body, headers=analyst).json()
    assert risk["inherent_level"] == "Low"
    new = _matrix(
        likelihood_scale=_scale(LIKELIHOOD),
        cell_levels=[{"likelihood": 5, "impact": 1, "level": "medium"}],
    )
    saved = client.put("/api/v1/risk-matrix", json=new, headers=admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["cell_levels"] == [{"likelihood": 5, "impact": 1, "level": "Medium"}]
    read = client.get("/api/v1/risk-matrix", headers=analyst).json()
    assert read == saved.json()
    assert [level["name"] for level in read["likelihood_scale"]] == LIKELIHOOD
    assert read["impact_scale"][0]["name"] == "Negligible"  # omitted: the default names
    again = client.get(f"/api/v1/risks/{risk['id']}", headers=analyst).json()
    assert (again["inherent_score"], again["inherent_level"]) == (5, "Medium")
    listed = client.get("/api/v1/risks", params={"inherent_level": "Medium"}, headers=analyst)
    assert [r["id"] for r in listed.json()["items"]] == [risk["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"likelihood_scale": _scale(["x" * 41, "b", "c", "d", "e"])}, "likelihood_scale.0.name"),
        (
            {"impact_scale": [{"name": "a", "criteria": "c" * 201}, *_scale(list("bcde"))]},
            "impact_scale.0.criteria",
        ),
        ({"impact_scale": _scale(["a", "b", "c"])}, "impact_scale"),
        (
            {"cell_levels": [{"likelihood": 5, "impact": 1, "level": "Severe"}]},
            "cell_levels.0.level",
        ),
        (
            {"cell_levels": [{"likelihood": 6, "impact": 1, "level": "Low"}]},
            "cell_levels.0.likelihood",
        ),
        (
            {"cell_levels": [{"likelihood": 1, "impact": 11, "level": "Low"}]},
            "cell_levels.0.impact",
        ),
        (
            {"cell_levels": [{"likelihood": 1, "impact": 1, "level": "Low", "x": 1}]},
            "cell_levels.0.x",
        ),
    ],
)
def test_bad_names_or_cell_levels_are_refused_and_nothing_saved(
    client, token_for, change, field
) -> None:
    admin = token_for("admin")
    before = client.get("/api/v1/risk-matrix", headers=admin).json()
    response = client.put("/api/v1/risk-matrix", json=_matrix(**change), headers=admin)
    assert response.status_code == 422, response.text
    assert _fields(response) == [field]
    assert client.get("/api/v1/risk-matrix", headers=admin).json() == before


def test_the_risk_read_flags_a_residual_rating_above_the_inherent_one(
    client, world, token_for
) -> None:
    analyst = token_for("analyst")
    body = risk_body(world.units["division-a"], residual_likelihood=4, residual_impact=1)
    created = client.post("/api/v1/risks", json=body, headers=analyst)
    assert created.status_code == 201  # a warning, never a refusal
    assert created.json()["residual_exceeds_inherent"] is True
    fixed = client.patch(
        f"/api/v1/risks/{created.json()['id']}",
        json={"residual_likelihood": 2, "version": created.json()["version"]},
        headers=analyst,
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["residual_exceeds_inherent"] is False
