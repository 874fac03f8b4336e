"""The organisation of a generated dataset: 29 units, 103 people and their roles."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from aegis.core.security import hash_password
from aegis.models import RoleAssignment, Unit, User
from bench.scale import plan
from bench.scale.tables import insert

OTHER_ROLES = ("analyst", "analyst", "analyst", "readonly", "admin")


@dataclass(frozen=True)
class Person:
    """A generated user: id, e-mail and the unit of their role."""

    id: int
    email: str
    unit_id: int


def people(rng: random.Random, units: list[plan.PlannedUnit]) -> list[tuple[Person, str, str]]:
    """Every user with their name and role: the administrator, the analyst, then the others."""
    division = next(unit.id for unit in units if unit.name == plan.ANALYST_DIVISION)
    found = [
        (Person(1, plan.ADMIN_EMAIL, 1), "Bench administrator", "admin"),
        (Person(2, plan.ANALYST_EMAIL, division), "Division analyst", "analyst"),
    ]
    for number in range(3, plan.USERS + 1):
        unit = rng.choice(units[1:])
        email = f"user{number:03d}@{plan.EMAIL_DOMAIN}"
        role = OTHER_ROLES[number % len(OTHER_ROLES)]
        found.append((Person(number, email, unit.id), f"Bench user {number:03d}", role))
    return found


def write(
    connection: Connection, rng: random.Random, units: list[plan.PlannedUnit], now: datetime
) -> list[Person]:
    """Insert the units, the users (one shared password) and their role assignments."""
    insert(
        connection,
        Unit.__table__,
        [
            {
                "id": unit.id,
                "name": unit.name,
                "description": "",
                "parent_id": unit.parent_id,
                "created_at": now,
                "updated_at": now,
            }
            for unit in units
        ],
    )
    password_hash = hash_password(plan.PASSWORD)
    everyone = people(rng, units)
    users: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    for person, name, role in everyone:
        users.append(
            {
                "id": person.id,
                "email": person.email,
                "name": name,
                "password_hash": password_hash,
                "is_active": True,
                "last_login_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        roles.append(_role(person, role, now))
        if person.email == plan.ANALYST_EMAIL:  # reads the division's audit trail too
            roles.append(_role(person, "readonly", now))
    insert(connection, User.__table__, users)
    insert(connection, RoleAssignment.__table__, roles)
    return [person for person, _, _ in everyone]


def _role(person: Person, role: str, now: datetime) -> dict[str, Any]:
    return {
        "user_id": person.id,
        "unit_id": person.unit_id,
        "role": role,
        "include_children": True,
        "created_at": now,
    }
