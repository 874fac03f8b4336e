"""Fixtures: a migrated database per worker, a rolled-back transaction per test, a base org."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from aegis.core import migrations
from aegis.core.authz import Principal
from aegis.core.db import build_engine, utcnow
from aegis.core.security import (
    create_access_token,
    hash_password,
    new_session_key,
    token_digest,
)
from aegis.core.settings import Settings
from aegis.domains.auth import service as auth_service
from aegis.main import create_app
from aegis.models import AuthSession, RoleAssignment, Unit, User
from tests.databases import fresh_database, worker_suffix

pytest_plugins = ["tests.hidden_links", "tests.mail_support", "tests.mfa_support", "tests.scanning"]

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    """The base organisation every test starts from (committed once per worker)."""

    units: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)


# name: (role, unit, include_children)
BASE_USERS = {
    "admin": ("admin", "company", True),
    "readonly": ("readonly", "company", True),
    "analyst": ("analyst", "division-a", True),
    "analyst_b": ("analyst", "division-b", True),
    "readonly_a": ("readonly", "division-a", True),
    "admin_a": ("admin", "division-a", True),
}


def build_world(engine: Engine) -> World:
    world = World()
    with Session(engine) as session:
        company = Unit(name="company", parent_id=None)
        session.add(company)
        session.flush()
        for name, parent in (("division-a", company.id), ("division-b", company.id)):
            unit = Unit(name=name, parent_id=parent)
            session.add(unit)
            session.flush()
            world.units[name] = unit.id
        team = Unit(name="team-a1", parent_id=world.units["division-a"])
        session.add(team)
        session.flush()
        world.units.update({"company": company.id, "team-a1": team.id})
        password_hash = hash_password(PASSWORD)
        for name, (role, unit, children) in BASE_USERS.items():
            user = User(email=f"{name}@example.com", name=name.title(), password_hash=password_hash)
            session.add(user)
            session.flush()
            session.add(
                RoleAssignment(
                    user_id=user.id, role=role, unit_id=world.units[unit], include_children=children
                )
            )
            world.users[name] = user.id
        session.commit()
    return world


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh database for this worker."""
    return fresh_database(f"aegis_test_{worker_suffix()}", tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The worker's engine, its schema built by running the migrations."""
    engine = build_engine(database_url)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def world(engine: Engine) -> World:
    """Units company > division-a > team-a1, company > division-b, and one user per role."""
    return build_world(engine)


@pytest.fixture
def connection(engine: Engine, world: World) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test's transaction."""
    return sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for service-level tests."""
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings of a test application."""
    return Settings(
        env="test", database_url=database_url, data_dir=tmp_path, max_upload_bytes=1024 * 1024
    )


@pytest.fixture
def app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session]) -> Any:
    """The application, its sessions bound to the test's transaction."""
    application = create_app(settings, engine=engine)
    application.state.session_factory = session_factory
    return application


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """An HTTP client of the application."""
    with TestClient(app) as test_client:
        yield test_client


def open_api_session(db: Session, user_id: int) -> str:
    """Open an API login session for a user in the test's transaction; return its key."""
    key, now = new_session_key(), utcnow()
    db.add(
        AuthSession(
            user_id=user_id,
            key_hash=token_digest(key),
            kind="api",
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(hours=12),
            password_confirmed_at=now,  # as at sign-in, which starts with the password
        )
    )
    db.flush()
    return key


@pytest.fixture
def token_for(world: World, settings: Settings, db: Session) -> Callable[[str], dict[str, str]]:
    """Authorization headers for a base user, by name (one login session per user and test)."""
    keys: dict[str, str] = {}

    def headers(name: str) -> dict[str, str]:
        if name not in keys:
            keys[name] = open_api_session(db, world.users[name])
        token, _ = create_access_token(
            user_id=world.users[name],
            session_key=keys[name],
            secret=settings.jwt_secret_key,
            lifetime=timedelta(minutes=5),
        )
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def principal_for(db: Session, world: World) -> Callable[[str], Principal]:
    """The principal of a base user, by name, for service-level tests."""

    def resolve(name: str) -> Principal:
        user = db.get(User, world.users[name])
        assert user is not None
        principal = auth_service.principal_for_user(session=db, user=user)
        return replace(principal, password_confirmed=True)  # as just after signing in

    return resolve


class Clock:
    """The time login sessions are checked against, moved forward by tests."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **span: float) -> None:
        self.offset += timedelta(**span)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Controllable time for session idle timeouts and lifetimes."""
    from aegis.domains.auth import service as auth

    controlled = Clock()
    monkeypatch.setattr(auth, "utcnow", controlled.now)
    return controlled


class QueryCounter:
    """Counts SQL statements sent through an engine."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            return
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def count_queries(engine: Engine) -> Callable[[], Any]:
    """Context manager counting the statements run inside it."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
