"""Every API route called as every actor, checked against the expected-permissions table."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.permissions as table
from aegis.core.settings import Settings
from aegis.main import create_app
from tests.permissions import ACTOR_USERS, ACTORS, Case, use_app


def _load_cases() -> list[Case]:
    cases: list[Case] = []
    for module in pkgutil.iter_modules(table.__path__):
        if module.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"tests.permissions.{module.name}").CASES)
    return cases


CASES = _load_cases()
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


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


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
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
