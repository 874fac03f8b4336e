"""Ordinal fields sort by rank (low before critical), not by spelling, in the API, pages and CSV."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.models import Task
from aegis.models.enums import (
    AssessmentStatus,
    ControlStatus,
    Criticality,
    RiskStatus,
    TaskPriority,
    TaskStatus,
)
from tests.domains.assessments.scenario import build
from tests.factories.assessments import make_assessment
from tests.factories.assets import make_asset
from tests.factories.controls import insert_framework, make_control
from tests.factories.tasks import make_risk, make_task
from tests.web.exported import csv_rows

NAME = re.compile(r"ord-[a-z_]+-\d")

Maker = Callable[[Session, Principal, int, str, str], int]


def _asset(db: Session, admin: Principal, unit: int, name: str, value: str) -> int:
    return make_asset(db, admin, unit, name=name, criticality=value).id


def _task_priority(db: Session, admin: Principal, unit: int, name: str, value: str) -> int:
    return make_task(db, admin, unit, title=name, priority=value).id


def _task_status(db: Session, admin: Principal, unit: int, name: str, value: str) -> int:
    task = make_task(db, admin, unit, title=name)
    db.execute(update(Task).where(Task.id == task.id).values(status=value))
    return task.id


def _risk(db: Session, admin: Principal, unit: int, name: str, value: str) -> int:
    # an acceptance that ran out yesterday is shown, and sorted, as acceptance expired
    if value == RiskStatus.ACCEPTANCE_EXPIRED:
        yesterday = utcnow().date() - timedelta(days=1)
        expired = {"status": "accepted", "acceptance_expires_on": yesterday}
        return make_risk(db, unit, title=name, **expired).id
    return make_risk(db, unit, title=name, status=value).id


def _control(db: Session, admin: Principal, unit: int, name: str, value: str) -> int:
    return make_control(db, admin, unit, title=name, status=value).id


def _assessment(db: Session, admin: Principal, unit: int, name: str, value: str) -> int:
    framework, _ = insert_framework(db, unit)
    return make_assessment(db, admin, unit, framework.id, name=name, status=value).id


@dataclass(frozen=True)
class Ordinal:
    """A list and one of its ordinal sorts."""

    api: str
    page: str
    sort: str
    values: type[StrEnum]
    name: str
    make: Maker


ORDINALS = [
    Ordinal("/api/v1/assets", "/assets", "criticality", Criticality, "name", _asset),
    Ordinal("/api/v1/tasks", "/tasks", "priority", TaskPriority, "title", _task_priority),
    Ordinal("/api/v1/tasks", "/tasks", "status", TaskStatus, "title", _task_status),
    Ordinal("/api/v1/risks", "/risks", "status", RiskStatus, "title", _risk),
    Ordinal("/api/v1/controls", "/controls", "status", ControlStatus, "title", _control),
    Ordinal("/api/v1/assessments", "/assessments", "status", AssessmentStatus, "name", _assessment),
]


def _created(db: Session, admin: Principal, unit: int, ordinal: Ordinal) -> list[tuple[int, str]]:
    """One object per value, created neither in rank nor in alphabetical order, and a tie.

    Returns (rank, name) in creation (id) order.
    """
    values = list(ordinal.values)
    # odd ranks from the top, then even ranks from the top: no order a wrong sort could give
    shuffled = values[1::2][::-1] + values[0::2][::-1]
    made = [(values.index(v), f"ord-{v.value}-1", v.value) for v in shuffled]
    made.append((values.index(shuffled[0]), f"ord-{shuffled[0].value}-2", shuffled[0].value))
    for _, name, value in made:
        ordinal.make(db, admin, unit, name, value)
    return [(rank, name) for rank, name, _ in made]


def _expected(created: list[tuple[int, str]], descending: bool) -> list[str]:
    """Names by rank, either way, ties in creation (id) order."""
    by_id = list(enumerate(created))
    ordered = sorted(by_id, key=lambda c: (-c[1][0] if descending else c[1][0], c[0]))
    return [name for _, (_, name) in ordered]


def _in_page(html: str) -> list[str]:
    return list(dict.fromkeys(NAME.findall(html)))


def _in_csv(rows: list[dict[str, str]]) -> list[str]:
    return [next(v for v in row.values() if NAME.fullmatch(v)) for row in rows]


@pytest.mark.parametrize("ordinal", ORDINALS, ids=lambda o: f"{o.page[1:]}-{o.sort}")
def test_ordinal_sorts_by_rank_both_ways_in_api_page_and_csv(
    client, browser_for, token_for, db, world, principal_for, ordinal: Ordinal
) -> None:
    created = _created(db, principal_for("admin"), world.units["division-a"], ordinal)
    db.commit()
    assert len(created) == len(ordinal.values) + 1
    headers, browser = token_for("analyst"), browser_for("analyst")
    for sort in (ordinal.sort, f"-{ordinal.sort}"):
        expected = _expected(created, descending=sort.startswith("-"))
        answer = client.get(ordinal.api, params={"sort": sort, "limit": 200}, headers=headers)
        assert answer.status_code == 200, answer.text
        assert [item[ordinal.name] for item in answer.json()["items"]] == expected, sort
        page = browser.get(f"{ordinal.page}?sort={sort}")
        assert page.status_code == 200
        assert _in_page(page.text) == expected, sort
        assert _in_csv(csv_rows(browser.get(f"{ordinal.page}?format=csv&sort={sort}"))) == (
            expected
        ), sort


def test_criticality_is_not_sorted_by_its_spelling(client, token_for, db, world, principal_for):
    admin, unit = principal_for("admin"), world.units["division-a"]
    for value in ("medium", "critical", "low", "high"):
        make_asset(db, admin, unit, name=f"web-{value}", criticality=value)
    db.commit()
    answer = client.get(
        "/api/v1/assets", params={"sort": "-criticality"}, headers=token_for("readonly")
    )
    assert [a["criticality"] for a in answer.json()["items"]] == [
        "critical",
        "high",
        "medium",
        "low",
    ]


def test_results_sort_by_status_rank_ties_in_framework_order(
    client, db, world, principal_for, token_for
) -> None:
    built = build(db, world, principal_for)
    assessment = make_assessment(
        db, principal_for("admin"), world.units["division-a"], built.framework_id
    )
    db.commit()
    url = f"/api/v1/assessments/{assessment.id}/results"

    def refs(sort: str) -> list[str]:
        answer = client.get(url, params={"sort": sort}, headers=token_for("readonly"))
        assert answer.status_code == 200, answer.text
        return [r["ref_id"] for r in answer.json()["items"]]

    # compliant, partially compliant, non-compliant, not applicable, not assessed
    assert refs("status") == ["R3", "R4", "R5", "R6", "R7", "R8", "R2", "R1", "R9"]
    assert refs("-status") == ["R1", "R9", "R2", "R8", "R5", "R6", "R7", "R3", "R4"]


def test_an_unknown_sort_is_refused_naming_the_field(client, token_for) -> None:
    refused = client.get("/api/v1/assets", params={"sort": "-rank"}, headers=token_for("analyst"))
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["sort"]
