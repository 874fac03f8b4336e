"""The asset inventory through the API: validation, scoping, filters, sorting, queries."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories.assets import make_asset


def _new(world, **fields):
    return {"name": "crm", "type": "application", "unit_id": world.units["division-a"], **fields}


def test_analyst_creates_reads_updates_and_deletes_an_asset(client: TestClient, world, token_for):
    headers = token_for("analyst")
    body = _new(
        world,
        criticality="critical",
        hostname="crm.internal.example",
        ip_address="10.0.0.12",
        tags=["PCI", "crm"],
        data_classification="confidential",
    )
    created = client.post("/api/v1/assets", json=body, headers=headers)
    assert created.status_code == 201, created.text
    asset = created.json()
    assert asset["unit_id"] == world.units["division-a"]
    assert asset["tags"] == ["crm", "pci"]
    assert asset["criticality"] == "critical"

    dependency = client.post("/api/v1/assets", json=_new(world, name="db"), headers=headers).json()
    patched = client.patch(
        f"/api/v1/assets/{asset['id']}",
        json={"depends_on_ids": [dependency["id"]], "environment": "staging"},
        headers=headers,
    )
    assert patched.status_code == 200
    assert patched.json()["depends_on_ids"] == [dependency["id"]]
    assert patched.json()["environment"] == "staging"
    assert client.get(f"/api/v1/assets/{asset['id']}", headers=headers).json()["tags"] == [
        "crm",
        "pci",
    ]

    assert client.delete(f"/api/v1/assets/{asset['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/assets/{asset['id']}", headers=headers).status_code == 404


def test_invalid_asset_input_names_each_field_and_writes_nothing(client, world, token_for):
    headers = token_for("analyst")
    bad = _new(world, type="spaceship", ip_address="999.1.1.1", tags=["bad tag!"], colour="red")
    response = client.post("/api/v1/assets", json=bad, headers=headers)
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"type", "ip_address", "tags.0", "colour"} <= fields
    assert client.get("/api/v1/assets", headers=headers).json()["total"] == 0


def test_unknown_dependency_or_owner_is_a_field_error(client, world, token_for):
    headers = token_for("analyst")
    response = client.post(
        "/api/v1/assets", json=_new(world, depends_on_ids=[999999]), headers=headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "depends_on_ids"
    outsider = world.users["analyst_b"]
    response = client.post("/api/v1/assets", json=_new(world, owner_id=outsider), headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "owner_id"


def test_an_asset_cannot_depend_on_itself(client, world, token_for):
    headers = token_for("analyst")
    asset = client.post("/api/v1/assets", json=_new(world), headers=headers).json()
    response = client.patch(
        f"/api/v1/assets/{asset['id']}", json={"depends_on_ids": [asset["id"]]}, headers=headers
    )
    assert response.status_code == 422


def test_required_fields_cannot_be_nulled(client, world, token_for):
    headers = token_for("analyst")
    asset = client.post("/api/v1/assets", json=_new(world), headers=headers).json()
    response = client.patch(f"/api/v1/assets/{asset['id']}", json={"name": None}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "name"


def test_sibling_division_sees_nothing_not_by_list_search_count_or_id(
    client, db, world, principal_for, token_for
):
    asset = make_asset(db, principal_for("analyst"), world.units["team-a1"], name="secret-sauce")
    db.commit()
    headers = token_for("analyst_b")
    listing = client.get("/api/v1/assets", params={"q": "secret"}, headers=headers).json()
    assert listing == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert client.get(f"/api/v1/assets/{asset.id}", headers=headers).status_code == 404
    moved = client.patch(
        f"/api/v1/assets/{asset.id}", json={"unit_id": world.units["division-b"]}, headers=headers
    )
    assert moved.status_code == 404
    # the analyst of division-a sees assets of its team through include_children
    own = client.get("/api/v1/assets", params={"q": "secret"}, headers=token_for("analyst")).json()
    assert own["total"] == 1


def test_moving_an_asset_needs_write_access_to_the_target_unit(
    client, db, world, principal_for, token_for
):
    asset = make_asset(db, principal_for("admin"), world.units["division-a"])
    db.commit()
    response = client.patch(
        f"/api/v1/assets/{asset.id}",
        json={"unit_id": world.units["division-b"]},
        headers=token_for("analyst"),
    )
    assert response.status_code == 403


def test_filters_sorting_and_paging(client, db, world, principal_for, token_for):
    admin = principal_for("admin")
    for index, criticality in enumerate(["low", "high", "critical", "high"]):
        make_asset(
            db,
            admin,
            world.units["division-a"],
            name=f"srv-{index}",
            criticality=criticality,
            tags=["web"] if index % 2 else [],
        )
    db.commit()
    headers = token_for("analyst")
    high = client.get("/api/v1/assets", params={"criticality": "high"}, headers=headers).json()
    assert high["total"] == 2
    tagged = client.get("/api/v1/assets", params={"tag": "WEB"}, headers=headers).json()
    assert {a["name"] for a in tagged["items"]} == {"srv-1", "srv-3"}
    page = client.get(
        "/api/v1/assets", params={"sort": "-name", "limit": 2, "offset": 1}, headers=headers
    ).json()
    assert [a["name"] for a in page["items"]] == ["srv-2", "srv-1"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)


def test_unknown_filter_or_sort_field_and_oversized_limit_get_422(client, token_for):
    headers = token_for("analyst")
    for params, field in (
        ({"colour": "red"}, "colour"),
        ({"sort": "password"}, "sort"),
        ({"limit": 201}, "limit"),
    ):
        response = client.get("/api/v1/assets", params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.json()["error"]["details"][0]["field"] == field


def test_asset_list_costs_the_same_queries_for_2_or_40_assets(
    client, db, world, principal_for, token_for, count_queries
):
    admin = principal_for("admin")
    headers = token_for("analyst")

    def add(count: int, offset: int) -> None:
        first = None
        for index in range(count):
            asset = make_asset(
                db,
                admin,
                world.units["division-a"],
                name=f"a{offset + index}",
                tags=["x", "y"],
                depends_on_ids=[first] if first else [],
            )
            first = first or asset.id
        db.commit()

    add(2, 0)
    with count_queries() as small:
        assert (
            client.get("/api/v1/assets", params={"limit": 200}, headers=headers).json()["total"]
            == 2
        )
    add(38, 2)
    with count_queries() as large:
        assert (
            client.get("/api/v1/assets", params={"limit": 200}, headers=headers).json()["total"]
            == 40
        )
    assert small.count == large.count
