"""Controls through the API: validation, scoping, filters, sorting and query counts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories.controls import insert_framework, make_control


def _new(world, **fields):
    return {
        "ref": "AC-1",
        "title": "Access reviews",
        "unit_id": world.units["division-a"],
        **fields,
    }


def _refs(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["ref"] for c in response.json()["items"]]


def test_analyst_creates_reads_updates_and_deletes_a_control(
    client: TestClient, db, world, token_for
):
    _, ids = insert_framework(db, world.units["company"], ("R1", "R2"))
    db.commit()
    headers = token_for("analyst")
    body = _new(
        world,
        status="implemented",
        owner_id=world.users["admin_a"],
        requirement_ids=[ids["R2"], ids["R1"]],
        description="Quarterly review of privileged access",
    )
    created = client.post("/api/v1/controls", json=body, headers=headers)
    assert created.status_code == 201, created.text
    control = created.json()
    assert control["requirement_ids"] == sorted(ids.values())
    assert control["owner_id"] == world.users["admin_a"]
    url = f"/api/v1/controls/{control['id']}"
    patched = client.patch(
        url, json={"status": "not_applicable", "requirement_ids": []}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["status"] == "not_applicable"
    assert patched.json()["requirement_ids"] == []
    assert client.get(url, headers=headers).json()["title"] == "Access reviews"
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_invalid_control_input_names_each_field_and_writes_nothing(client, world, token_for):
    headers = token_for("analyst")
    bad = _new(world, ref="", status="done", requirement_ids=["x"], colour="red")
    response = client.post("/api/v1/controls", json=bad, headers=headers)
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"ref", "status", "requirement_ids.0", "colour"} <= fields
    unknown = client.post(
        "/api/v1/controls", json=_new(world, requirement_ids=[987654]), headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["field"] == "requirement_ids"
    assert client.get("/api/v1/controls", headers=headers).json()["total"] == 0


def test_duplicate_reference_is_a_conflict_on_ref(client, world, token_for):
    headers = token_for("analyst")
    assert client.post("/api/v1/controls", json=_new(world), headers=headers).status_code == 201
    again = client.post("/api/v1/controls", json=_new(world), headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert again.json()["error"]["details"][0]["field"] == "ref"


def test_sibling_sees_nothing_and_readonly_cannot_write(
    client, db, world, principal_for, token_for
):
    control = make_control(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    url = f"/api/v1/controls/{control.id}"
    sibling = token_for("analyst_b")
    assert client.get("/api/v1/controls", headers=sibling).json()["total"] == 0
    assert client.get(url, headers=sibling).status_code == 404
    assert client.patch(url, json={"title": "x"}, headers=sibling).status_code == 404
    readonly = token_for("readonly")
    assert client.get(url, headers=readonly).status_code == 200
    assert client.patch(url, json={"title": "x"}, headers=readonly).status_code == 403
    assert client.delete(url, headers=readonly).status_code == 403
    assert (
        client.post("/api/v1/controls", json=_new(world, ref="Z"), headers=readonly).status_code
        == 403
    )


def test_filters_and_sorting(client, db, world, principal_for, token_for):
    analyst = principal_for("analyst")
    framework, ids = insert_framework(db, world.units["company"], ("R1", "R2"))
    other, other_ids = insert_framework(db, world.units["company"], ("X1",))
    a = world.units["division-a"]
    make_control(
        db, analyst, a, "B-2", title="Backups", status="implemented", requirement_ids=[ids["R1"]]
    )
    make_control(db, analyst, a, "A-1", title="Antivirus", owner_id=world.users["analyst"])
    make_control(
        db,
        analyst,
        world.units["team-a1"],
        "C-3",
        title="Crypto",
        requirement_ids=[ids["R2"], other_ids["X1"]],
    )
    db.commit()
    headers = token_for("analyst")

    def refs(**params) -> list[str]:
        return _refs(client.get("/api/v1/controls", params=params, headers=headers))

    assert refs(sort="ref") == ["A-1", "B-2", "C-3"]
    assert refs(sort="-title") == ["C-3", "B-2", "A-1"]
    assert refs(sort="status") == ["A-1", "C-3", "B-2"]  # planned before implemented
    assert refs(q="back") == ["B-2"]
    assert refs(q="c-3") == ["C-3"]
    assert refs(unit_id=world.units["team-a1"]) == ["C-3"]
    assert refs(status="implemented") == ["B-2"]
    assert refs(owner_id=world.users["analyst"]) == ["A-1"]
    assert refs(framework_id=framework.id, sort="ref") == ["B-2", "C-3"]
    assert refs(framework_id=other.id) == ["C-3"]
    assert refs(requirement_id=ids["R1"]) == ["B-2"]
    assert refs(limit=1, offset=1, sort="ref") == ["B-2"]
    bad = client.get("/api/v1/controls", params={"sort": "owner"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "sort"
    unknown = client.get("/api/v1/controls", params={"colour": "red"}, headers=headers)
    assert unknown.status_code == 422


def test_listing_costs_the_same_queries_whatever_the_page_size(
    client, db, world, principal_for, token_for, count_queries
):
    analyst = principal_for("analyst")
    _, ids = insert_framework(db, world.units["company"], ("R1", "R2", "R3"))
    for n in range(3):
        make_control(
            db, analyst, world.units["division-a"], f"S-{n}", requirement_ids=list(ids.values())
        )
    db.commit()
    headers = token_for("analyst")
    with count_queries() as small:
        assert len(client.get("/api/v1/controls", headers=headers).json()["items"]) == 3
    for n in range(25):
        make_control(db, analyst, world.units["team-a1"], f"L-{n}", requirement_ids=[ids["R1"]])
    db.commit()
    with count_queries() as large:
        assert len(client.get("/api/v1/controls", headers=headers).json()["items"]) == 28
    assert large.count == small.count
