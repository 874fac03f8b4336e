"""Updating frameworks through the API: re-imports with their changes, single requirements."""

from __future__ import annotations

from tests.domains.frameworks.test_formats import catalog
from tests.factories.controls import make_control
from tests.factories.frameworks import make_framework

FIRST = b"id,parent,title,text\nR1,,Access,\nR2,,Backups,\nR3,,Logs,\n"
EDITION = b"id,parent,title,text\nR1,,Access control,\nR2,,Backups,\nR4,,Training,\n"


def _upload(client, headers, url: str, content: bytes, filename: str, **form):
    return client.post(
        url,
        headers=headers,
        files={"file": (filename, content, "application/octet-stream")},
        data={key: str(value) for key, value in form.items()},
    )


def test_an_import_of_a_loaded_catalog_names_the_framework_then_updates_it(
    client, db, world, principal_for, token_for
) -> None:
    headers = token_for("analyst")
    unit = world.units["division-a"]
    named = {"unit_id": unit, "name": "Rules", "key": "rules", "version": "1"}
    created = _upload(client, headers, "/api/v1/frameworks/import", FIRST, "rules.csv", **named)
    assert created.status_code == 201, created.text
    framework_id = created.json()["id"]
    again = _upload(client, headers, "/api/v1/frameworks/import", EDITION, "r.csv", **named)
    assert again.status_code == 409
    assert again.json()["error"]["details"][0]["framework_id"] == framework_id
    listed = client.get(f"/api/v1/frameworks/{framework_id}/requirements", headers=headers)
    refs = {r["ref_id"]: r["id"] for r in listed.json()["items"]}
    make_control(db, principal_for("admin"), unit, requirement_ids=[refs["R3"]])
    db.commit()
    url = f"/api/v1/frameworks/{framework_id}/reimport"
    preview = _upload(client, headers, url, EDITION, "r.csv", dry_run="true")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["applied"] is False
    assert [e["ref_id"] for e in body["added"]] == ["R4"]
    assert [(e["ref_id"], e["changes"]) for e in body["changed"]] == [("R1", ["title"])]
    assert body["removed"] == [] and body["kept"][0]["ref_id"] == "R3"
    assert body["kept"][0]["usage"]["controls"] == 1
    unchanged = client.get(f"/api/v1/frameworks/{framework_id}", headers=headers).json()
    assert unchanged["requirement_count"] == 3
    applied = _upload(client, headers, url, EDITION, "r.csv")
    assert applied.status_code == 200 and applied.json()["applied"] is True
    after = client.get(f"/api/v1/frameworks/{framework_id}", headers=headers).json()
    assert (after["requirement_count"], after["source"]) == (4, "r.csv")


def test_the_format_comes_from_the_content_and_bad_files_name_the_field(
    client, world, token_for
) -> None:
    headers = token_for("analyst")
    unit = world.units["division-a"]
    url = "/api/v1/frameworks/import"
    oscal = _upload(client, headers, url, catalog(), "tiny.txt", unit_id=unit)
    assert oscal.status_code == 201 and oscal.json()["catalog_uuid"] is not None
    csv_claimed_oscal = _upload(
        client, headers, url, FIRST, "x.csv", unit_id=unit, format="oscal", name="n", key="n",
        version="1",
    )  # fmt: skip
    assert csv_claimed_oscal.status_code == 422
    assert csv_claimed_oscal.json()["error"]["details"][0]["field"] == "format"
    csv_named_json = _upload(client, headers, url, FIRST, "x.json", unit_id=unit, key="j")
    assert csv_named_json.status_code == 422
    assert "x.json is not a JSON file" in csv_named_json.json()["error"]["message"]
    json_named_csv = _upload(client, headers, url, catalog(), "x.csv", unit_id=unit, key="other")
    assert json_named_csv.status_code == 422
    assert json_named_csv.json()["error"]["details"][0]["field"] == "file"
    truncated = _upload(client, headers, url, catalog()[:-20], "x.json", unit_id=unit, key="t")
    assert truncated.status_code == 422 and "cut short" in truncated.json()["error"]["message"]
    total = client.get("/api/v1/frameworks", headers=headers).json()["total"]
    assert total == 1


def test_reimports_are_scoped_to_those_who_may_change_the_framework(
    client, db, world, token_for
) -> None:
    framework, _ = make_framework(db, None, world.units["division-a"])
    db.commit()
    url = f"/api/v1/frameworks/{framework.id}/reimport"
    assert _upload(client, token_for("analyst_b"), url, EDITION, "e.csv").status_code == 404
    assert _upload(client, token_for("readonly"), url, EDITION, "e.csv").status_code == 403
    missing = "/api/v1/frameworks/999999/reimport"
    assert _upload(client, token_for("admin"), missing, EDITION, "e.csv").status_code == 404


def test_requirements_are_added_changed_and_removed_through_the_api(
    client, db, world, principal_for, token_for
) -> None:
    framework, ids = make_framework(db, None, world.units["division-a"], ("A", "B"))
    _, other_ids = make_framework(db, None, world.units["division-a"], ("X",))
    db.commit()
    headers = token_for("analyst")
    url = f"/api/v1/frameworks/{framework.id}/requirements"
    created = client.post(
        url, json={"ref_id": "A.1", "parent_id": ids["A"], "title": "Child"}, headers=headers
    )
    assert created.status_code == 201, created.text
    child = created.json()
    assert (child["parent_id"], child["assessable"]) == (ids["A"], True)
    taken = client.post(url, json={"ref_id": "a.1", "title": "Again"}, headers=headers)
    assert taken.status_code == 409 and taken.json()["error"]["details"][0]["field"] == "ref_id"
    elsewhere = client.post(
        url, json={"ref_id": "C", "parent_id": other_ids["X"], "title": "C"}, headers=headers
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["error"]["details"][0]["field"] == "parent_id"
    unknown = client.post(url, json={"ref_id": "C", "title": "C", "colour": "red"}, headers=headers)
    assert unknown.status_code == 422
    one = f"/api/v1/requirements/{child['id']}"
    patched = client.patch(one, json={"title": "Renamed", "assessable": False}, headers=headers)
    assert patched.status_code == 200 and patched.json()["title"] == "Renamed"
    make_control(db, principal_for("admin"), world.units["division-a"], requirement_ids=[ids["B"]])
    db.commit()
    in_use = client.delete(f"/api/v1/requirements/{ids['B']}", headers=headers)
    assert in_use.status_code == 409
    assert in_use.json()["error"]["message"] == (
        "B cannot be removed while it has 1 control; remove those first"
    )
    assert client.delete(one, headers=headers).status_code == 204
    assert client.get(one, headers=headers).status_code == 404
    assert (
        client.delete(
            f"/api/v1/requirements/{ids['A']}", headers=token_for("analyst_b")
        ).status_code
        == 404
    )


def test_deleting_a_framework_in_use_says_how_many_use_it(
    client, db, world, principal_for, token_for
) -> None:
    framework, ids = make_framework(db, None, world.units["division-a"])
    make_control(db, principal_for("admin"), world.units["division-a"], requirement_ids=[ids["R1"]])
    db.commit()
    response = client.delete(f"/api/v1/frameworks/{framework.id}", headers=token_for("analyst"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["message"] == "This framework cannot be deleted: it is used by 1 control mapping"
    assert error["details"][0]["control_mappings"] == 1
