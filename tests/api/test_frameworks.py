"""Frameworks, requirements, imports and mappings through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.domains.frameworks.data import CSF, HIGH, oscal
from tests.factories.frameworks import make_framework

CSV = b"id,parent,title,text\nA,,Area,\nA.1,A,Item,Do it\nA.2,A,Other,\n"


def _upload(client, headers, content: bytes, filename: str = "catalog.json", **form):
    return client.post(
        "/api/v1/frameworks/import",
        headers=headers,
        files={"file": (filename, content, "application/octet-stream")},
        data={key: str(value) for key, value in form.items()},
    )


def test_analyst_creates_reads_updates_and_deletes_a_framework(
    client: TestClient, world, token_for
) -> None:
    headers = token_for("analyst")
    body = {"unit_id": world.units["division-a"], "key": "Policy", "name": "Policy", "version": "1"}
    created = client.post("/api/v1/frameworks", json=body, headers=headers)
    assert created.status_code == 201, created.text
    framework = created.json()
    assert (framework["key"], framework["requirement_count"]) == ("policy", 0)
    url = f"/api/v1/frameworks/{framework['id']}"
    patched = client.patch(url, json={"description": "Our own"}, headers=headers)
    assert patched.json()["description"] == "Our own"
    assert client.get(url, headers=headers).json()["name"] == "Policy"
    assert client.post("/api/v1/frameworks", json=body, headers=headers).status_code == 409
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_bad_framework_input_names_each_field(client, world, token_for) -> None:
    body = {"unit_id": world.units["division-a"], "key": "no spaces", "version": "", "x": 1}
    response = client.post("/api/v1/frameworks", json=body, headers=token_for("analyst"))
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"key", "name", "version", "x"}


def test_list_is_paginated_filtered_and_sorted(client, db, world, token_for) -> None:
    for key in ("b", "a", "c"):
        make_framework(db, None, world.units["company"], key=key)
    db.commit()
    headers = token_for("analyst_b")
    page = client.get("/api/v1/frameworks?sort=-key&limit=2&offset=1", headers=headers).json()
    assert ([f["key"] for f in page["items"]], page["total"]) == (["b", "a"], 3)
    assert client.get("/api/v1/frameworks?key=c", headers=headers).json()["total"] == 1
    assert client.get("/api/v1/frameworks?colour=red", headers=headers).status_code == 422


def test_oscal_upload_imports_the_csf_catalog(client, world, token_for) -> None:
    headers = token_for("analyst")
    response = _upload(client, headers, oscal(CSF), "csf.json", unit_id=world.units["division-a"])
    assert response.status_code == 201, response.text
    framework = response.json()
    assert (framework["requirement_count"], framework["source"]) == (134, "csf.json")
    url = f"/api/v1/frameworks/{framework['id']}/requirements"
    page = client.get(f"{url}?assessable=true&limit=200", headers=headers).json()
    assert page["total"] == 106 and len(page["items"]) == 106
    top = client.get(f"{url}?top_level=true", headers=headers).json()
    assert [r["ref_id"] for r in top["items"]] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    children = client.get(f"{url}?parent_id={top['items'][0]['id']}", headers=headers).json()
    assert children["items"][0]["ref_id"] == "GV.OC"
    first = children["items"][0]
    assert client.get(f"/api/v1/requirements/{first['id']}", headers=headers).json() == first
    again = _upload(client, headers, oscal(CSF), unit_id=world.units["division-a"])
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_upload_key_name_and_version_override_the_metadata(client, world, token_for) -> None:
    response = _upload(
        client,
        token_for("admin"),
        oscal(CSF),
        unit_id=world.units["company"],
        key="csf",
        name="CSF",
        version="2.0",
    )
    assert {k: response.json()[k] for k in ("key", "name", "version")} == {
        "key": "csf",
        "name": "CSF",
        "version": "2.0",
    }


def test_bad_uploads_are_rejected_with_a_clear_error(client, world, token_for) -> None:
    headers = token_for("analyst")
    unit = world.units["division-a"]
    not_json = _upload(client, headers, b"<xml/>", unit_id=unit)
    assert not_json.status_code == 422
    assert "XML" in not_json.json()["error"]["message"]
    not_catalog = _upload(client, headers, b'{"profile": {}}', unit_id=unit)
    assert "OSCAL profile" in not_catalog.json()["error"]["message"]
    bad_csv = _upload(
        client, headers, b"id,title\n", unit_id=unit, format="csv", name="n", key="k", version="1"
    )
    assert bad_csv.status_code == 422
    assert bad_csv.json()["error"]["details"][0]["where"] == "row 1"
    assert _upload(client, headers, CSV, unit_id=unit, format="xlsx").status_code == 422
    assert client.get("/api/v1/frameworks", headers=headers).json()["total"] == 0


def test_an_upload_over_the_size_limit_is_refused(client, world, token_for, settings) -> None:
    content = oscal(HIGH)
    assert len(content) > settings.max_upload_bytes
    response = _upload(client, token_for("admin"), content, unit_id=world.units["company"])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert client.get("/api/v1/frameworks", headers=token_for("admin")).json()["total"] == 0


def test_csv_upload_needs_name_key_and_version(client, world, token_for) -> None:
    headers = token_for("analyst")
    unit = world.units["division-a"]
    missing = _upload(client, headers, CSV, "f.csv", unit_id=unit, format="csv", name="F")
    assert missing.status_code == 422
    assert [d["field"] for d in missing.json()["error"]["details"]] == ["key", "version"]
    created = _upload(
        client, headers, CSV, "f.csv", unit_id=unit, format="csv", name="F", key="f", version="1"
    )
    assert created.status_code == 201
    assert created.json()["requirement_count"] == 3


def test_import_into_a_unit_the_caller_cannot_change_is_forbidden(client, world, token_for) -> None:
    response = _upload(client, token_for("analyst"), oscal(CSF), unit_id=world.units["company"])
    assert response.status_code == 403


def test_mappings_through_the_api(client, db, world, token_for) -> None:
    csf, c = make_framework(db, None, world.units["company"], ("GV-1", "GV-2"), key="csf")
    _, p = make_framework(db, None, world.units["division-a"], ("P1", "P2"), key="policy")
    db.commit()
    headers = token_for("analyst")
    body = {"source_id": p["P1"], "target_id": c["GV-1"], "relationship": "subset"}
    created = client.post("/api/v1/requirement-mappings", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["target"] == {
        "id": c["GV-1"],
        "framework_id": csf.id,
        "ref_id": "GV-1",
        "title": "Requirement GV-1",
    }
    assert (
        client.post("/api/v1/requirement-mappings", json=body, headers=headers).status_code == 409
    )
    rows = (
        b"source_framework,source_id,relationship,target_framework,target_id\n"
        b"policy,P2,equal,csf,GV-2\n"
    )
    imported = client.post(
        "/api/v1/requirement-mappings/import",
        headers=headers,
        files={"file": ("m.csv", rows, "text/csv")},
    )
    assert imported.json() == {"created": 1, "updated": 0, "unchanged": 0}
    listed = client.get(f"/api/v1/requirement-mappings?requirement_id={c['GV-2']}", headers=headers)
    assert [m["source"]["ref_id"] for m in listed.json()["items"]] == ["P2"]
    mapping_id = created.json()["id"]
    assert (
        client.delete(f"/api/v1/requirement-mappings/{mapping_id}", headers=headers).status_code
        == 204
    )
    assert client.get("/api/v1/requirement-mappings", headers=headers).json()["total"] == 1


def test_deleting_a_framework_used_by_an_assessment_is_a_conflict(
    client, db, world, token_for
) -> None:
    from aegis.models import Assessment

    framework, _ = make_framework(db, None, world.units["division-a"])
    db.add(
        Assessment(
            unit_id=world.units["division-a"], framework_id=framework.id, name="A", status="planned"
        )
    )
    db.commit()
    response = client.delete(f"/api/v1/frameworks/{framework.id}", headers=token_for("analyst"))
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "This framework cannot be deleted: it is used by 1 assessment"
    )
