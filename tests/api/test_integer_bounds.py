"""Whole numbers beyond what the database stores are a 422 naming the field, never a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.domains.common.bounds import MAX_INTEGER
from aegis.http.api_input import body_kind
from aegis.models import Asset, Risk
from tests.conftest import World
from tests.web.conftest import sign_in

HUGE = [str(MAX_INTEGER + 1), str(2**64), "-1", "0"]


def _id_routes(app: FastAPI) -> list[tuple[str, str, list[str], bool]]:
    """(method, path, its whole-number path parameters, whether it takes an upload)."""
    routes = []
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        names = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        for method in sorted(context.methods - {"HEAD"}):
            if names:
                routes.append((method, context.path, names, body_kind(route) == "multipart"))
    return routes


def test_every_id_in_a_path_is_checked_before_any_work(
    app: FastAPI, client: TestClient, token_for: Callable[[str], dict[str, str]]
) -> None:
    routes = _id_routes(app)
    assert len(routes) > 100
    browser = sign_in(TestClient(app), "admin@example.com")
    failures = []
    for method, path, names, upload in routes:
        for value in (str(2**64), str(MAX_INTEGER + 1)):
            url = path
            for name in names:
                url = url.replace("{" + name + "}", value)
            if path.startswith("/api/"):
                body: dict[str, Any] = {"files": {"-": (None, "")}} if upload else {"json": {}}
                response = client.request(method, url, headers=token_for("admin"), **body)
                fields = {d["field"] for d in response.json()["error"].get("details") or []}
                named = response.status_code == 422 and set(names) <= fields
            else:
                response = browser.client.request(
                    method,
                    url,
                    headers={"Accept": "text/html"},
                    data={"csrf_token": browser.csrf},
                    follow_redirects=False,
                )
                said = ("must be at most" in response.text, "are not valid" in response.text)
                named = response.status_code == 422 and any(said)
            if not named:
                failures.append((method, path, value, response.status_code))
    assert failures == []


@pytest.mark.parametrize("value", HUGE)
def test_paging_and_filters_out_of_range_name_the_field(
    client: TestClient, token_for: Callable[[str], dict[str, str]], value: str
) -> None:
    headers = token_for("analyst")
    for path, field in (
        ("/api/v1/assets", "offset"),
        ("/api/v1/assets", "owner_id"),
        ("/api/v1/risks", "unit_id"),
        ("/api/v1/risks", "asset_id"),
        ("/api/v1/tasks", "assignee_id"),
        ("/api/v1/controls", "requirement_id"),
        ("/api/v1/evidence", "control_id"),
        ("/api/v1/audit-events", "entity_id"),
        ("/api/v1/search", "offset"),
    ):
        if field == "offset" and value == "0":
            continue
        params = {field: value, **({"q": "firewall"} if "search" in path else {})}
        response = client.get(path, params=params, headers=headers)
        assert response.status_code in (403, 422), (path, field, response.text)
        if response.status_code == 422:
            details = response.json()["error"]["details"]
            assert [d["field"] for d in details] == [field], (path, details)


def test_bodies_out_of_range_name_the_field_and_write_nothing(
    client: TestClient, token_for: Callable[[str], dict[str, str]], world: World, db: Session
) -> None:
    headers = token_for("admin")
    assets = db.scalar(select(func.count()).select_from(Asset))
    for body, field in (
        ({"unit_id": 2**64, "name": "Edge router", "type": "network_device"}, "unit_id"),
        (
            {
                "unit_id": world.units["company"],
                "name": "Edge router",
                "type": "network_device",
                "owner_id": MAX_INTEGER + 1,
            },
            "owner_id",
        ),
        (
            {
                "unit_id": world.units["company"],
                "name": "Edge router",
                "type": "network_device",
                "depends_on_ids": [1, 2**63],
            },
            "depends_on_ids.1",
        ),
    ):
        response = client.post("/api/v1/assets", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert [d["field"] for d in response.json()["error"]["details"]] == [field]
    assert db.scalar(select(func.count()).select_from(Asset)) == assets


def test_an_update_out_of_range_changes_nothing(
    client: TestClient, token_for: Callable[[str], dict[str, str]], world: World, db: Session
) -> None:
    headers = token_for("admin")
    created = client.post(
        "/api/v1/risks",
        headers=headers,
        json={
            "unit_id": world.units["division-a"],
            "title": "Ransomware on file servers",
            "category": "technical",
            "inherent_likelihood": 3,
            "inherent_impact": 4,
        },
    ).json()
    response = client.patch(
        f"/api/v1/risks/{created['id']}",
        headers=headers,
        json={"title": "Changed", "owner_id": 2**64},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "owner_id"
    risk = db.get(Risk, created["id"])
    assert risk is not None and risk.title == "Ransomware on file servers"


def _params(dependant: Any) -> Iterator[Any]:
    """Every parameter a route reads from the request, its dependencies' included."""
    yield from dependant.path_params
    yield from dependant.query_params
    yield from dependant.header_params
    yield from dependant.cookie_params
    yield from dependant.body_params
    for sub in dependant.dependencies:
        yield from _params(sub)


def _refuses(field: Any, value: Any) -> bool:
    adapter: TypeAdapter[Any] = TypeAdapter(
        Annotated[field.field_info.annotation, field.field_info]
    )
    try:
        adapter.validate_python(value)
    except ValidationError:
        return True
    return False


def test_every_number_and_text_a_route_reads_is_bounded(app: FastAPI) -> None:
    unbounded = []
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for param in _params(route.dependant):
            annotation = repr(param.field_info.annotation)
            too_big = {"int": MAX_INTEGER + 1, "str": "x" * 100_001}
            kind = next((k for k in too_big if annotation in (f"<class '{k}'>", f"{k} | None")), "")
            if kind and not _refuses(param, too_big[kind]):
                unbounded.append((context.path, param.name, kind))
    assert unbounded == [], unbounded
