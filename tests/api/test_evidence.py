"""Evidence through the API: uploads, links, metadata, filters, scoping and query counts."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from aegis.core.db import utcnow
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import PDF, make_file, make_link


def _blobs(app) -> list[Path]:
    root = app.state.blob_store.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(client, headers, world, content=PDF, filename="policy.pdf", **form):
    data = {"title": "Access policy", "unit_id": str(world.units["division-a"]), **form}
    return client.post(
        "/api/v1/evidence",
        files={"file": (filename, content, "application/pdf")},
        data=data,
        headers=headers,
    )


def _fields(response) -> set[str]:
    return {d["field"] for d in response.json()["error"]["details"]}


def test_upload_with_comma_separated_and_repeated_ids(
    client: TestClient, app, db, world, principal_for, token_for
):
    analyst = principal_for("analyst")
    c1 = make_control(db, analyst, world.units["division-a"])
    c2 = make_control(db, analyst, world.units["team-a1"])
    c3 = make_control(db, analyst, world.units["division-a"])
    _, ids = insert_framework(db, world.units["company"], ("R1", "R2"))
    db.commit()
    expires = (utcnow().date() + timedelta(days=30)).isoformat()
    response = _upload(
        client,
        token_for("analyst"),
        world,
        control_ids=[f"{c1.id},{c2.id}", str(c3.id)],
        requirement_ids=f"{ids['R1']}, {ids['R2']}",
        description="Signed by the CISO",
        expires_on=expires,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "file"
    assert body["control_ids"] == sorted([c1.id, c2.id, c3.id])
    assert body["requirement_ids"] == sorted(ids.values())
    assert body["expires_on"] == expires
    assert body["expired"] is False
    version = body["latest_version"]
    assert version["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert version["content_type"] == "application/pdf"
    assert "storage_key" not in version
    assert len(_blobs(app)) == 1


def test_upload_input_errors_name_the_field_and_write_nothing(client, app, world, token_for):
    headers = token_for("analyst")
    missing = client.post(  # a multipart form without its file
        "/api/v1/evidence",
        files={"title": (None, "x"), "unit_id": (None, str(world.units["division-a"]))},
        headers=headers,
    )
    assert missing.status_code == 422
    assert "file" in _fields(missing)
    empty = _upload(client, headers, world, content=b"")
    assert empty.status_code == 422
    assert _fields(empty) == {"file"}
    bad = _upload(client, headers, world, control_ids="1,abc", expires_on="soon", colour="red")
    assert bad.status_code == 422
    assert {"expires_on", "colour"} <= _fields(bad)
    assert any(f.startswith("control_ids") for f in _fields(bad))
    unknown = _upload(client, headers, world, control_ids="999999")
    assert unknown.status_code == 422
    assert _fields(unknown) == {"control_ids"}
    assert _blobs(app) == []
    assert client.get("/api/v1/evidence", headers=headers).json()["total"] == 0


def test_upload_over_the_limit_is_413_and_leaves_nothing(client, app, world, token_for, settings):
    headers = token_for("analyst")
    response = _upload(client, headers, world, content=b"%PDF-" + b"x" * settings.max_upload_bytes)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert _blobs(app) == []
    assert client.get("/api/v1/evidence", headers=headers).json()["total"] == 0


def test_new_versions_and_version_list(client, app, world, token_for):
    headers = token_for("analyst")
    evidence = _upload(client, headers, world).json()
    url = f"/api/v1/evidence/{evidence['id']}/versions"
    second = client.post(url, files={"file": ("policy-v2.pdf", PDF + b"2")}, headers=headers)
    assert second.status_code == 201, second.text
    assert second.json()["number"] == 2
    empty = client.post(url, files={"file": ("empty.pdf", b"")}, headers=headers)
    assert empty.status_code == 422
    assert _fields(empty) == {"file"}
    versions = client.get(url, headers=headers).json()
    assert [(v["number"], v["filename"]) for v in versions] == [
        (1, "policy.pdf"),
        (2, "policy-v2.pdf"),
    ]
    assert len(_blobs(app)) == 2
    read = client.get(f"/api/v1/evidence/{evidence['id']}", headers=headers).json()
    assert read["version_count"] == 2


def test_links_accept_only_http_and_https(client, world, token_for):
    headers = token_for("analyst")
    body = {"title": "Runbook", "unit_id": world.units["division-a"]}
    ok = client.post(
        "/api/v1/evidence/links",
        json={**body, "url": "https://wiki.example/runbook"},
        headers=headers,
    )
    assert ok.status_code == 201, ok.text
    assert (ok.json()["kind"], ok.json()["latest_version"]) == ("link", None)
    for url in (
        "javascript:alert(1)",
        "ftp://files.example/x",
        "https://",
        "file:///etc/passwd",
        "http://a b",
    ):
        response = client.post("/api/v1/evidence/links", json={**body, "url": url}, headers=headers)
        assert response.status_code == 422, url
        assert _fields(response) == {"url"}
    versions = client.post(
        f"/api/v1/evidence/{ok.json()['id']}/versions",
        files={"file": ("a.txt", b"a")},
        headers=headers,
    )
    assert versions.status_code == 409


def test_patch_metadata_links_and_url(client, db, world, principal_for, token_for, app):
    analyst = principal_for("analyst")
    control = make_control(db, analyst, world.units["division-a"])
    link = make_link(db, analyst, world.units["division-a"])
    file = make_file(db, analyst, app.state.blob_store, world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    patched = client.patch(
        f"/api/v1/evidence/{link.id}",
        json={"url": "http://intranet.example/x", "control_ids": [control.id], "title": "New"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["url"], patched.json()["control_ids"]) == (
        "http://intranet.example/x",
        [control.id],
    )
    not_a_link = client.patch(
        f"/api/v1/evidence/{file.id}", json={"url": "https://x.example"}, headers=headers
    )
    assert not_a_link.status_code == 422
    assert _fields(not_a_link) == {"url"}
    for body, field in (
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"url": "ftp://x"}, "url"),
    ):
        response = client.patch(f"/api/v1/evidence/{link.id}", json=body, headers=headers)
        assert response.status_code == 422
        assert _fields(response) == {field}
    past = (utcnow().date() - timedelta(days=1)).isoformat()
    expired = client.patch(
        f"/api/v1/evidence/{file.id}", json={"expires_on": past}, headers=headers
    )
    assert expired.json()["expired"] is True


def test_delete_removes_the_row_and_its_blobs(client, app, world, token_for):
    headers = token_for("analyst")
    evidence = _upload(client, headers, world).json()
    client.post(
        f"/api/v1/evidence/{evidence['id']}/versions",
        files={"file": ("b.txt", b"b")},
        headers=headers,
    )
    assert len(_blobs(app)) == 2
    assert client.delete(f"/api/v1/evidence/{evidence['id']}", headers=headers).status_code == 204
    assert _blobs(app) == []
    assert client.get(f"/api/v1/evidence/{evidence['id']}", headers=headers).status_code == 404


def test_sibling_sees_nothing_readonly_reads_but_cannot_write(client, app, world, token_for):
    evidence = _upload(client, token_for("analyst"), world).json()
    url = f"/api/v1/evidence/{evidence['id']}"
    sibling = token_for("analyst_b")
    assert client.get("/api/v1/evidence", headers=sibling).json()["total"] == 0
    for path in (url, f"{url}/versions", f"{url}/download", f"{url}/versions/1/download"):
        assert client.get(path, headers=sibling).status_code == 404, path
    readonly = token_for("readonly")
    assert client.get(url, headers=readonly).status_code == 200
    assert client.get(f"{url}/download", headers=readonly).status_code == 200
    assert _upload(client, readonly, world).status_code == 403
    assert client.patch(url, json={"title": "x"}, headers=readonly).status_code == 403
    assert client.delete(url, headers=readonly).status_code == 403
    assert (
        client.post(
            f"{url}/versions", files={"file": ("a.txt", b"a")}, headers=readonly
        ).status_code
        == 403
    )
    assert len(_blobs(app)) == 1


def test_filters_and_sorting(client, app, db, world, principal_for, token_for):
    analyst = principal_for("analyst")
    store = app.state.blob_store
    today = utcnow().date()
    control = make_control(db, analyst, world.units["division-a"])
    _, ids = insert_framework(db, world.units["company"], ("R1",))
    make_file(
        db,
        analyst,
        store,
        world.units["division-a"],
        title="Backup report",
        expires_on=today - timedelta(days=1),
        control_ids=[control.id],
    )
    make_link(
        db,
        analyst,
        world.units["team-a1"],
        title="Antivirus console",
        expires_on=today,
        requirement_ids=[ids["R1"]],
    )
    make_link(
        db, analyst, world.units["division-a"], title="Crypto standard", description="AES keys"
    )
    db.commit()
    headers = token_for("analyst")

    def titles(**params) -> list[str]:
        response = client.get("/api/v1/evidence", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [e["title"] for e in response.json()["items"]]

    assert titles(sort="title") == ["Antivirus console", "Backup report", "Crypto standard"]
    assert titles(sort="-title")[0] == "Crypto standard"
    assert titles(q="aes") == ["Crypto standard"]
    assert titles(unit_id=world.units["team-a1"]) == ["Antivirus console"]
    assert titles(kind="file") == ["Backup report"]
    assert titles(expired="true") == ["Backup report"]
    assert titles(expired="false", sort="title") == ["Antivirus console", "Crypto standard"]
    assert titles(control_id=control.id) == ["Backup report"]
    assert titles(requirement_id=ids["R1"]) == ["Antivirus console"]
    assert titles(sort="expires_on", kind="link", unit_id=world.units["team-a1"]) == [
        "Antivirus console"
    ]
    listed = client.get("/api/v1/evidence", params={"sort": "title"}, headers=headers).json()[
        "items"
    ]
    assert [e["expired"] for e in listed] == [False, True, False]
    assert (
        client.get("/api/v1/evidence", params={"sort": "size"}, headers=headers).status_code == 422
    )
    assert (
        client.get("/api/v1/evidence", params={"kind": "video"}, headers=headers).status_code == 422
    )


def test_listing_costs_the_same_queries_whatever_the_page_size(
    client, app, db, world, principal_for, token_for, count_queries
):
    analyst = principal_for("analyst")
    store = app.state.blob_store
    control = make_control(db, analyst, world.units["division-a"])
    _, ids = insert_framework(db, world.units["company"], ("R1",))
    links = {"control_ids": [control.id], "requirement_ids": [ids["R1"]]}
    make_file(db, analyst, store, world.units["division-a"], **links)
    make_link(db, analyst, world.units["division-a"], **links)
    db.commit()
    headers = token_for("analyst")
    with count_queries() as small:
        assert client.get("/api/v1/evidence", headers=headers).json()["total"] == 2
    for n in range(12):
        make_file(db, analyst, store, world.units["team-a1"], content=PDF + bytes([n]), **links)
        make_link(db, analyst, world.units["division-a"], **links)
    db.commit()
    with count_queries() as large:
        items = client.get("/api/v1/evidence", headers=headers).json()["items"]
    assert len(items) == 26
    assert large.count == small.count


def test_uploading_the_newest_version_again_adds_nothing(client, app, world, token_for):
    headers = token_for("analyst")
    evidence = _upload(client, headers, world).json()
    url = f"/api/v1/evidence/{evidence['id']}/versions"
    same = client.post(url, files={"file": ("renamed.pdf", PDF)}, headers=headers)
    assert same.status_code == 409
    assert same.json()["error"]["message"] == (
        "This file is identical to version 1; no new version was added"
    )
    assert [v["number"] for v in client.get(url, headers=headers).json()] == [1]
    assert len(_blobs(app)) == 1
    changed = client.post(url, files={"file": ("policy.pdf", PDF + b"2")}, headers=headers)
    assert changed.status_code == 201
    back = client.post(url, files={"file": ("policy.pdf", PDF)}, headers=headers)
    assert back.status_code == 201, "going back to an older content is a new version"
