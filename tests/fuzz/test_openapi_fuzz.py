"""Every operation of the OpenAPI, fuzzed as an administrator and as a read-only user.

Each operation gets a fixed number of generated requests, valid and invalid, from a fixed seed
(every run sends the same ones); each is sent as both users. Ids in the path, the query and the
body mostly name real objects of division-a, so requests reach the objects' code and not only
"not found". No answer may be a server error, and every answer must be what the OpenAPI
declares: its status, content type, headers and body. The objects are built once per worker, in
a transaction rolled back at the end; each request runs in a savepoint rolled back after it (and
the objects' files are put back), so a delete never takes away what the next request works on.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, strategies
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from aegis.core.security import create_access_token
from aegis.core.settings import Settings
from aegis.domains.auth import service as auth_service
from aegis.main import create_app
from aegis.models import User
from tests.conftest import World, open_api_session
from tests.fuzz.objects import build_objects, session_of

EXAMPLES_PER_OPERATION = 12
CALLERS = ("admin", "readonly")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# ids in bodies and queries named otherwise than the path parameter of their kind
REFERENCES = {
    "parent_id": "unit_id",
    "owner_id": "user_id",
    "assignee_id": "user_id",
    "approver_id": "user_id",
    "depends_on_id": "asset_id",
    "source_id": "requirement_id",
    "target_id": "other_requirement_id",
}
Caller = tuple[str, dict[str, str], dict[str, int]]


def _openapi() -> dict[str, Any]:
    """The application's OpenAPI document (it does not depend on the database)."""
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(env="test", database_url="sqlite://", data_dir=Path(directory))
        return create_app(settings).openapi()


schema = schemathesis.openapi.from_dict(
    _openapi(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 20261130,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "with-security-parameters": False,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
        }
    ),
)


@pytest.fixture(scope="module")
def fuzz_connection(engine: Engine, world: World) -> Iterator[Connection]:
    """A connection inside a transaction rolled back once this module's tests are done."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture(scope="module")
def fuzz_app(
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str,
    engine: Engine,
    fuzz_connection: Connection,
) -> Any:
    """The application without rate limits (a 429 for the pace of the run says nothing)."""
    settings = Settings(
        env="test",
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("fuzz"),
        max_upload_bytes=1024 * 1024,
        rate_limits_enabled=False,
        session_idle_minutes=24 * 60,  # each request's record of use is rolled back with it
    )
    application = create_app(settings, engine=engine)
    configured = application.state.session_factory.kw
    application.state.session_factory = sessionmaker(
        **{**configured, "bind": fuzz_connection, "expire_on_commit": False},
        join_transaction_mode="create_savepoint",
    )
    return application


def _token(app: Any, db: Session, user_id: int) -> dict[str, str]:
    key = open_api_session(db, user_id)
    token, _ = create_access_token(
        user_id=user_id,
        session_key=key,
        secret=app.state.settings.jwt_secret_key,
        lifetime=timedelta(hours=2),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def callers(fuzz_app: Any, world: World) -> list[Caller]:
    """Each user's name, headers and the objects its requests aim at."""
    with fuzz_app.state.session_factory() as db:

        def principal_for(name: str) -> Any:
            user = db.get(User, world.users[name])
            principal = auth_service.principal_for_user(session=db, user=user)
            return replace(principal, password_confirmed=True)  # as just after signing in

        objects = build_objects(db, world, principal_for, fuzz_app.state.blob_store)
        found = []
        for name in CALLERS:
            headers = _token(fuzz_app, db, world.users[name])
            session_id = session_of(db, world.users[name]) or 0
            found.append((name, headers, {**objects, "session_id": session_id}))
        db.commit()
    return found


@pytest.fixture(scope="module")
def kept_files(fuzz_app: Any, callers: list[Caller]) -> dict[Path, bytes]:
    """The stored files of the objects (a delete removes its file once its savepoint is gone)."""
    root = fuzz_app.state.blob_store.root
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _restore(files: dict[Path, bytes]) -> None:
    """Put back the objects' files that a rolled-back delete removed."""
    for path, content in files.items():
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def _id_for(name: str, path: str, objects: dict[str, int]) -> int | None:
    """The id of the object a path, query or body field named `name` refers to."""
    if name == "comment_id":
        name = "control_comment_id" if "/controls/" in path else "risk_comment_id"
    return objects.get(REFERENCES.get(name, name)) or None


def _aimed(case: Any, objects: dict[str, int], draw: Callable[[Any], Any]) -> Any:
    """A copy of the case whose ids mostly name the real objects and whose texts are mostly
    printable (the others stay as generated), so that more requests get past validation."""
    path, aimed = case.operation.path, case.derive()

    def chosen(name: str) -> int | None:
        found = _id_for(name, path, objects)
        return found if found is not None and draw(strategies.integers(0, 3)) else None

    for values in (aimed.path_parameters, aimed.query):
        for name in list(values or {}):
            value = chosen(name)
            if value is not None:
                values[name] = value
    if isinstance(aimed.body, dict):
        for name, given in list(aimed.body.items()):
            singular = name[:-1] if name.endswith("_ids") else name
            value = chosen(singular)
            if value is not None:
                aimed.body[name] = [value] if singular != name else value
            elif isinstance(given, str) and draw(strategies.integers(0, 3)):
                aimed.body[name] = _printable(given)
    return aimed


def _printable(text: str) -> str:
    """The text without control and invisible characters (which text fields refuse), if any left."""
    kept = "".join(char for char in text if char.isprintable()).strip()
    return kept or text


def _send(case: Any, app: Any, connection: Connection, caller: str, headers: Any) -> None:
    """Send the case and check the answer, inside a savepoint rolled back afterwards."""
    savepoint = connection.begin_nested()
    try:
        case.call_and_validate(session=ASGIClient(app), headers=headers, checks=CHECKS)
    except Exception as exc:
        exc.add_note(f"Sent as {caller}")
        raise
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@schema.parametrize()
@schema.given(data=strategies.data())
@hypothesis_settings(
    # requests, not generation, take the time: no limit that a busy machine would trip
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
)
def test_operation(
    case: Any,
    data: Any,
    fuzz_app: Any,
    fuzz_connection: Connection,
    callers: list[Caller],
    kept_files: dict[Path, bytes],
) -> None:
    """As an administrator and as a read-only user: no server error, every answer as declared."""
    for name, headers, objects in callers:
        _send(_aimed(case, objects, data.draw), fuzz_app, fuzz_connection, name, headers)
        _restore(kept_files)
