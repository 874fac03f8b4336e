"""Assessments through the API: CRUD, results, overrides, scoping and query counts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.domains.assessments.scenario import EXPECTED, build
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import make_link


def _fields(response) -> set[str]:
    return {d["field"] for d in response.json()["error"]["details"]}


def test_analyst_runs_an_assessment(client: TestClient, db, world, principal_for, token_for):
    built = build(db, world, principal_for)
    db.commit()
    headers = token_for("analyst")
    body = {
        "unit_id": world.units["division-a"],
        "framework_id": built.framework_id,
        "name": "ISO readiness 2026",
        "due_date": "2026-12-31",
    }
    created = client.post("/api/v1/assessments", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assessment = created.json()
    assert (assessment["status"], assessment["score"], assessment["requirement_count"]) == (
        "planned",
        43.8,
        9,
    )
    url = f"/api/v1/assessments/{assessment['id']}"
    patched = client.patch(
        url, json={"status": "in_progress", "description": "Q4"}, headers=headers
    )
    assert patched.status_code == 200
    assert patched.json()["status"] == "in_progress"
    detail = client.get(url, headers=headers).json()
    assert detail["counts"] == {
        "compliant": 2,
        "partially_compliant": 3,
        "non_compliant": 1,
        "not_applicable": 1,
        "not_assessed": 2,
    }
    results = client.get(f"{url}/results", headers=headers).json()
    assert results["total"] == 9
    assert {r["ref_id"]: r["derived_status"] for r in results["items"]} == EXPECTED
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_results_are_paginated_filtered_and_sorted(client, db, world, principal_for, token_for):
    built = build(db, world, principal_for)
    assessment = make_assessment(
        db, principal_for("admin"), world.units["division-a"], built.framework_id
    )
    db.commit()
    headers = token_for("readonly")
    url = f"/api/v1/assessments/{assessment.id}/results"

    def refs(**params) -> list[str]:
        response = client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [r["ref_id"] for r in response.json()["items"]]

    assert refs(limit=3, offset=2) == ["R3", "R4", "R5"]
    assert refs(status="partially_compliant") == ["R5", "R6", "R7"]
    assert refs(status="not_assessed", sort="-ref_id") == ["R9", "R1"]
    assert refs(sort="status")[:2] == ["R3", "R4"]
    page = client.get(url, params={"status": "compliant", "limit": 1}, headers=headers).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert client.get(url, params={"status": "great"}, headers=headers).status_code == 422
    bad_sort = client.get(url, params={"sort": "title"}, headers=headers)
    assert bad_sort.status_code == 422
    assert _fields(bad_sort) == {"sort"}


def test_override_and_clear(client, db, world, principal_for, token_for):
    built = build(db, world, principal_for)
    assessment = make_assessment(
        db, principal_for("admin"), world.units["division-a"], built.framework_id
    )
    db.commit()
    headers = token_for("analyst")
    url = f"/api/v1/assessments/{assessment.id}/results/{built.requirements['R1']}"
    short = client.put(
        url, json={"status": "compliant", "justification": "because"}, headers=headers
    )
    assert short.status_code == 422
    assert _fields(short) == {"justification"}
    missing = client.put(url, json={"status": "compliant"}, headers=headers)
    assert _fields(missing) == {"justification"}
    bad_status = client.put(
        url, json={"status": "great", "justification": "x" * 20}, headers=headers
    )
    assert _fields(bad_status) == {"status"}
    ok = client.put(
        url,
        json={"status": "non_compliant", "justification": "  Auditor found no records  "},
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    result = ok.json()
    assert (result["derived_status"], result["override_status"], result["status"]) == (
        "not_assessed",
        "non_compliant",
        "non_compliant",
    )
    assert result["justification"] == "Auditor found no records"
    detail = client.get(f"/api/v1/assessments/{assessment.id}", headers=headers).json()
    assert detail["counts"]["non_compliant"] == 2
    assert detail["counts"]["not_assessed"] == 1
    assert client.delete(url, headers=headers).status_code == 204
    assert client.delete(url, headers=headers).status_code == 404
    group = f"/api/v1/assessments/{assessment.id}/results/{built.requirements['G']}"
    verdict = {"status": "compliant", "justification": "Long enough reason"}
    assert client.put(group, json=verdict, headers=headers).status_code == 404


def test_scoping_and_roles(client, db, world, principal_for, token_for):
    framework, ids = insert_framework(db, world.units["company"], ("R1",))
    assessment = make_assessment(
        db, principal_for("analyst"), world.units["division-a"], framework.id
    )
    db.commit()
    url = f"/api/v1/assessments/{assessment.id}"
    verdict = {"status": "compliant", "justification": "Long enough reason"}
    sibling = token_for("analyst_b")
    assert client.get("/api/v1/assessments", headers=sibling).json()["total"] == 0
    for path in (url, f"{url}/results"):
        assert client.get(path, headers=sibling).status_code == 404
    assert (
        client.put(f"{url}/results/{ids['R1']}", json=verdict, headers=sibling).status_code == 404
    )
    readonly = token_for("readonly_a")
    assert client.get(url, headers=readonly).status_code == 200
    assert client.get(f"{url}/results", headers=readonly).status_code == 200
    assert client.patch(url, json={"name": "x"}, headers=readonly).status_code == 403
    assert (
        client.put(f"{url}/results/{ids['R1']}", json=verdict, headers=readonly).status_code == 403
    )
    assert client.delete(url, headers=readonly).status_code == 403


def test_invalid_input_names_the_field(client, db, world, token_for):
    foreign, _ = insert_framework(db, world.units["division-b"], ("B1",))
    db.commit()
    headers = token_for("analyst")
    body = {"unit_id": world.units["division-a"], "framework_id": foreign.id, "name": "x"}
    response = client.post("/api/v1/assessments", json=body, headers=headers)
    assert response.status_code == 422
    assert _fields(response) == {"framework_id"}
    bad = client.post(
        "/api/v1/assessments",
        json={**body, "status": "done", "due_date": "tomorrow", "name": ""},
        headers=headers,
    )
    assert {"status", "due_date", "name"} <= _fields(bad)
    made = client.post(
        "/api/v1/assessments",
        json={**body, "framework_id": insert_framework(db, world.units["company"])[0].id},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    frozen = client.patch(
        f"/api/v1/assessments/{made.json()['id']}", json={"framework_id": 1}, headers=headers
    )
    assert frozen.status_code == 422
    assert _fields(frozen) == {"framework_id"}
    assert client.get("/api/v1/assessments", headers=headers).json()["total"] == 1


def test_list_filters_and_sorting(client, db, world, principal_for, token_for):
    admin = principal_for("admin")
    f1, _ = insert_framework(db, world.units["company"], ("A",))
    f2, _ = insert_framework(db, world.units["company"], ("B",))
    make_assessment(
        db, admin, world.units["division-a"], f1.id, name="Bravo", due_date="2026-03-01"
    )
    make_assessment(db, admin, world.units["team-a1"], f2.id, name="Alpha", status="completed")
    make_assessment(
        db, admin, world.units["division-b"], f1.id, name="Charlie", due_date="2026-01-01"
    )
    db.commit()
    headers = token_for("admin")

    def names(**params) -> list[str]:
        response = client.get("/api/v1/assessments", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [a["name"] for a in response.json()["items"]]

    assert names(sort="name") == ["Alpha", "Bravo", "Charlie"]
    assert names(sort="-name") == ["Charlie", "Bravo", "Alpha"]
    assert names(framework_id=f1.id, sort="due_date") == ["Charlie", "Bravo"]
    assert names(unit_id=world.units["team-a1"]) == ["Alpha"]
    assert names(status="completed") == ["Alpha"]
    assert names(sort="status") == ["Bravo", "Charlie", "Alpha"]  # planned, then completed
    assert names(sort="-status")[0] == "Alpha"
    assert (
        client.get("/api/v1/assessments", params={"sort": "score"}, headers=headers).status_code
        == 422
    )
    analyst = token_for("analyst")
    visible = client.get("/api/v1/assessments", params={"sort": "name"}, headers=analyst).json()
    assert [a["name"] for a in visible["items"]] == ["Alpha", "Bravo"]


def _grow(db, principal, world, framework_size: int):
    framework, ids = insert_framework(
        db, world.units["company"], [f"R{n}" for n in range(framework_size)]
    )
    for n, requirement_id in enumerate(ids.values()):
        unit = world.units["division-a" if n % 2 else "team-a1"]
        control = make_control(
            db,
            principal,
            unit,
            f"C{framework.id}-{n}",
            status="implemented",
            requirement_ids=[requirement_id],
        )
        make_link(db, principal, unit, control_ids=[control.id], requirement_ids=[requirement_id])
    return make_assessment(db, principal, world.units["division-a"], framework.id)


def test_results_cost_a_fixed_number_of_queries(
    client, db, world, principal_for, token_for, count_queries
):
    admin = principal_for("admin")
    small = _grow(db, admin, world, 2)
    large = _grow(db, admin, world, 40)
    db.commit()
    headers = token_for("analyst")
    counts = []
    for assessment, size in ((small, 2), (large, 40)):
        for path in ("/results?limit=200", ""):
            with count_queries() as counter:
                response = client.get(f"/api/v1/assessments/{assessment.id}{path}", headers=headers)
            assert response.status_code == 200
            counts.append(counter.count)
        body = client.get(f"/api/v1/assessments/{assessment.id}", headers=headers).json()
        assert body["score"] == 100.0 and body["requirement_count"] == size
    assert counts[0] == counts[2] <= 13, counts
    assert counts[1] == counts[3]
