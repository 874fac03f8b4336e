"""The JSON API reads a body only in the media type its route takes, answers only what the
client accepts, refuses a single-valued query parameter sent twice, and names its JSON answers
itself."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aegis.models import Asset, Evidence
from tests.conftest import World
from tests.factories.evidence import PDF
from tests.openapi_answers import assert_declared

ASSET = '{"name": "Mail relay", "unit_id": %d, "type": "server", "criticality": "high"}'


def _assets(db: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(Asset)) or 0)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"],
)
def test_a_json_body_of_another_type_is_415_and_nothing_is_written(
    client: TestClient, app: Any, db: Any, world: World, token_for: Any, content_type: str
) -> None:
    response = client.post(
        "/api/v1/assets",
        content=ASSET % world.units["division-a"],
        headers={**token_for("analyst"), "Content-Type": content_type},
    )
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "application/json" in response.json()["error"]["message"]
    assert_declared(app, response)
    assert _assets(db) == 0


def test_a_body_without_a_content_type_is_415(
    client: TestClient, app: Any, db: Any, world: World, token_for: Any
) -> None:
    for content in (ASSET % world.units["division-a"], "name=Mail relay"):
        response = client.post("/api/v1/assets", content=content, headers=token_for("analyst"))
        assert response.status_code == 415, response.text
        assert "Content-Type header is missing" in response.json()["error"]["message"]
    assert _assets(db) == 0


def test_json_and_json_suffixed_types_are_read(
    client: TestClient, world: World, token_for: Any
) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = client.post(
            "/api/v1/assets",
            content=ASSET.replace("Mail relay", content_type) % world.units["division-a"],
            headers={**token_for("analyst"), "Content-Type": content_type},
        )
        assert response.status_code == 201, response.text


def test_an_upload_takes_only_multipart_form_data(
    client: TestClient, app: Any, db: Any, world: World, token_for: Any
) -> None:
    form = {"title": "Policy", "unit_id": str(world.units["division-a"])}
    as_json = client.post("/api/v1/evidence", json=form, headers=token_for("analyst"))
    as_fields = client.post("/api/v1/evidence", data=form, headers=token_for("analyst"))
    for response in (as_json, as_fields):
        assert response.status_code == 415, response.text
        assert "multipart/form-data" in response.json()["error"]["message"]
        assert_declared(app, response)
    assert int(db.scalar(select(func.count()).select_from(Evidence)) or 0) == 0
    uploaded = client.post(
        "/api/v1/evidence",
        files={"file": ("policy.pdf", PDF, "application/pdf")},
        data=form,
        headers=token_for("analyst"),
    )
    assert uploaded.status_code == 201, uploaded.text


def test_an_accept_header_without_json_is_406(client: TestClient, app: Any, token_for: Any) -> None:
    for accept in ("text/html", "application/xml, text/plain;q=0.5", "application/json;q=0"):
        response = client.get("/api/v1/assets", headers={**token_for("analyst"), "Accept": accept})
        assert response.status_code == 406, accept
        assert response.json()["error"]["code"] == "not_acceptable"
        assert_declared(app, response)
    for accept in ("application/json", "*/*", "text/html, application/*;q=0.1", "application/*"):
        response = client.get("/api/v1/assets", headers={**token_for("analyst"), "Accept": accept})
        assert response.status_code == 200, accept


def test_a_download_answers_its_own_type_whatever_json_says(
    client: TestClient, world: World, token_for: Any
) -> None:
    headers = token_for("analyst")
    evidence = client.post(
        "/api/v1/evidence",
        files={"file": ("key ceremony.pdf", PDF, "application/pdf")},
        data={"title": "Key ceremony", "unit_id": str(world.units["division-a"])},
        headers=headers,
    ).json()
    download = client.get(
        f"/api/v1/evidence/{evidence['id']}/download",
        headers={**headers, "Accept": "application/pdf"},
    )
    assert download.status_code == 200
    assert "api.json" not in download.headers["content-disposition"]
    assert "key" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        ("/api/v1/assets", "limit=5&limit=500", "limit"),
        ("/api/v1/risks", "sort=title&sort=-created_at", "sort"),
        ("/api/v1/risks", "limit=500&limit=5", "limit"),
        ("/api/v1/tasks", "offset=0&offset=10", "offset"),
        ("/api/v1/controls", "status=implemented&status=planned", "status"),
    ],
)
def test_a_single_valued_parameter_sent_twice_is_422_naming_it(
    client: TestClient, app: Any, token_for: Any, path: str, query: str, name: str
) -> None:
    response = client.get(f"{path}?{query}", headers=token_for("analyst"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert [detail["field"] for detail in error["details"]] == [name]
    assert error["details"][0]["location"] == "query"
    assert "is given more than once" in error["message"]
    assert_declared(app, response)


def test_every_list_route_refuses_a_repeated_limit(
    client: TestClient, app: Any, token_for: Any
) -> None:
    spec = app.openapi()
    lists = [
        path
        for path, operations in spec["paths"].items()
        if "get" in operations
        and "limit" in {p["name"] for p in operations["get"].get("parameters", [])}
        and "{" not in path
    ]
    assert len(lists) > 10
    for path in lists:
        response = client.get(f"{path}?limit=1&limit=2", headers=token_for("admin"))
        assert response.status_code == 422, path
        assert [d["field"] for d in response.json()["error"]["details"]] == ["limit"], path


def test_a_list_page_refuses_a_repeated_filter(browser_for: Any) -> None:
    analyst = browser_for("analyst")
    page = analyst.client.get(
        "/risks?status=identified&status=closed", headers={"Accept": "text/html"}
    )
    assert page.status_code == 422
    assert "Give status once" in page.text
    assert analyst.client.get("/risks?status=identified").status_code == 200


def test_json_answers_are_named_api_json_and_downloads_keep_their_names(
    client: TestClient, token_for: Any
) -> None:
    fixed = 'attachment; filename="api.json"'
    listing = client.get("/api/v1/assets?name=evil.bat", headers=token_for("analyst"))
    refused = client.get("/api/v1/assets/999999;evil.bat", headers=token_for("analyst"))
    anonymous = client.get("/api/v1/assets")
    document = client.get("/api/v1/openapi.json")
    for response in (listing, refused, anonymous, document):
        assert response.headers["content-disposition"] == fixed, response.request.url
        assert response.headers["content-type"].startswith("application/json")
    assert "content-disposition" not in client.get("/healthz").headers
