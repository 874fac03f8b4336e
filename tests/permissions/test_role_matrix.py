"""Every API route and every page called as every actor, checked against the expected table.

Beyond the status, what a list answers is checked: its secret (text of a division-a
object) shows to the readers of division-a and never to the sibling division, and no
JSON item belongs to a unit the actor cannot see.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

import tests.permissions as table
from aegis.core.db import utcnow
from aegis.core.security import new_session_key, token_digest
from aegis.core.settings import Settings
from aegis.main import create_app
from aegis.models import AuthSession
from aegis.web import routes as web_routes
from aegis.web.cookies import COOKIE_NAME
from tests.permissions import (
    ACTOR_USERS,
    ACTORS,
    LIST,
    LIST_PAGE,
    READERS_OF_DIVISION_A,
    Case,
    use_app,
)


def _load(name: str) -> list[Case]:
    rows: list[Case] = []
    for module in pkgutil.iter_modules(table.__path__):
        if module.name.startswith("cases_"):
            loaded = importlib.import_module(f"tests.permissions.{module.name}")
            rows.extend(getattr(loaded, name, []))
    return rows


CASES = _load("CASES")
PAGES = _load("PAGES")
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _case_id(case: Case) -> str:
    return f"{case.method} {case.path}{case.label}"


def test_every_route_has_an_expected_permission_row() -> None:
    spec = create_app(Settings(env="test")).openapi()
    routes = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }
    covered = {(case.method, case.path) for case in CASES}
    assert routes - covered == set(), "routes without a row in tests/permissions"
    assert covered - routes == set(), "rows for routes that do not exist"


def _web_get_routes() -> set[str]:
    found = set()
    for module in pkgutil.iter_modules(web_routes.__path__):
        router = importlib.import_module(f"{web_routes.__name__}.{module.name}").router
        found |= {route.path for route in router.routes if "GET" in route.methods}
    return found


def test_every_page_has_an_expected_permission_row() -> None:
    covered = {case.path for case in PAGES}
    pages = _web_get_routes()
    assert pages - covered == set(), "pages without a PAGES row in tests/permissions"
    assert covered - pages == set(), "PAGES rows for pages that do not exist"


def _text(response: Any) -> str:
    """What a reader of the answer sees: the page, the JSON, the CSV or the workbook's cells."""
    if response.headers.get("content-type", "").startswith(XLSX):
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return str(response.text)


def _units_of_items(body: Any) -> Iterator[int]:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        for item in body["items"]:
            if isinstance(item, dict) and isinstance(item.get("unit_id"), int):
                yield item["unit_id"]


def _check_answer(case: Case, actor: str, request: Any, response: Any, principal_for) -> None:
    """The secret shows exactly to division-a's readers; JSON items stay in the actor's units."""
    if case.expect is LIST or case.expect is LIST_PAGE:
        assert request.secret, "a list row needs a secret to look for (see tests/permissions)"
    if response.status_code != 200 or actor == "anonymous":
        return
    if request.secret:
        shown = request.secret in _text(response)
        assert shown == (actor in READERS_OF_DIVISION_A), (
            actor,
            "secret shown" if shown else "secret missing",
        )
    if response.headers.get("content-type", "").startswith("application/json"):
        principal = principal_for(ACTOR_USERS[actor])
        reach = principal.readable | principal.shared_with
        foreign = set(_units_of_items(response.json())) - reach
        assert foreign == set(), f"items of units {sorted(foreign)} answered to {actor}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_route_answers_each_actor_as_expected(
    case: Case, actor: str, app, client, db, world, principal_for, token_for
) -> None:
    use_app(app)
    request = case.setup(db, world, principal_for)
    db.commit()
    headers = {} if actor == "anonymous" else token_for(ACTOR_USERS[actor])
    response = client.request(
        case.method,
        case.path.format(**request.path),
        headers=headers,
        json=request.json,
        params=request.params,
        files=request.files,
        data=request.data,
    )
    assert response.status_code == case.expect[actor], response.text
    _check_answer(case, actor, request, response, principal_for)


def _signed_in_browser(app: Any, db, world, actor: str) -> TestClient:
    """A browser holding the session cookie of a fresh browser login of the actor."""
    browser = TestClient(app)
    if actor == "anonymous":
        return browser
    key, now = new_session_key(), utcnow()
    user_id = world.users[ACTOR_USERS[actor]]
    db.add(
        AuthSession(
            user_id=user_id,
            key_hash=token_digest(key),
            kind="browser",
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(hours=1),
        )
    )
    db.flush()
    browser.cookies.set(COOKIE_NAME, app.state.cookie_codec.encode(key, user_id))
    return browser


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", PAGES, ids=_case_id)
def test_page_answers_each_actor_as_expected(
    case: Case, actor: str, app, db, world, principal_for
) -> None:
    use_app(app)
    request = case.setup(db, world, principal_for)
    with _signed_in_browser(app, db, world, actor) as browser:
        db.commit()
        response = browser.get(
            case.path.format(**request.path),
            params=request.params,
            headers={"Accept": "text/html"},
            follow_redirects=False,
        )
    assert response.status_code == case.expect[actor], response.text[:2000]
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login")
    _check_answer(case, actor, request, response, principal_for)
