"""Search through the API: every kind, scoping, literal special characters, cost, validation."""

from __future__ import annotations

import uuid
from itertools import count

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from aegis.models import Framework, Requirement
from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task

KINDS = ("risk", "asset", "control", "requirement", "evidence", "task")
_numbers = count(1)


def add_requirements(db: Session, unit_id: int, *rows: tuple[str, str, str]) -> int:
    """A framework of a unit with requirements given as (ref, title, text); its id."""
    framework = Framework(
        unit_id=unit_id, key=f"fw-{uuid.uuid4().hex[:10]}", name="Kestrel Standard", version="1"
    )
    db.add(framework)
    db.flush()
    for position, (ref, title, text) in enumerate(rows):
        db.add(
            Requirement(
                framework_id=framework.id,
                ref_id=ref,
                title=title,
                text=text,
                assessable=True,
                position=position,
            )
        )
    db.flush()
    return framework.id


def add_one_of_each(db: Session, principal_for, unit_id: int, word: str) -> None:
    """A risk, asset, control, requirement, evidence item and task mentioning the word."""
    admin = principal_for("admin")
    make_risk(db, admin, unit_id, title=f"{word} outage", description="Power loss")
    make_asset(db, admin, unit_id, name=f"{word}-db", type="database", criticality="high")
    ref = f"KC-{next(_numbers)}"
    make_control(db, admin, unit_id, ref=ref, title="Backups", description=f"Copies of {word}")
    add_requirements(db, unit_id, ("KR-1", "KR-1", f"Protect the {word} systems."))
    make_link(db, admin, unit_id, title=f"{word} runbook")
    make_task(db, admin, unit_id, title=f"Patch {word}", priority="urgent")
    db.commit()


def search(client: TestClient, headers, **params):
    response = client.get("/api/v1/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_each_kind_is_found_with_a_readable_context_and_a_link(
    client, db, world, principal_for, token_for
):
    add_one_of_each(db, principal_for, world.units["division-a"], "kestrel")
    results = search(client, token_for("analyst"), q="KESTREL")
    assert list(results) == list(KINDS)
    for kind in KINDS:
        assert results[kind]["total"] == 1, kind
        [hit] = results[kind]["items"]
        assert hit["kind"] == kind
        assert hit["url"].endswith(f"/{hit['id']}")
    risk, asset = results["risk"]["items"][0], results["asset"]["items"][0]
    assert risk["title"] == "kestrel outage"
    assert risk["context"] == "division-a · Identified · Medium risk"
    assert risk["url"] == f"/risks/{risk['id']}"
    assert asset["context"] == "division-a · Database · Criticality: High"
    control = results["control"]["items"][0]
    assert control["title"].startswith("KC-") and control["title"].endswith(" Backups")
    assert control["excerpt"] == "Copies of kestrel"
    requirement = results["requirement"]["items"][0]
    assert requirement["title"] == "KR-1 — Protect the kestrel systems."
    assert requirement["context"] == "Kestrel Standard"
    assert requirement["url"].startswith("/frameworks/")
    assert results["evidence"]["items"][0]["context"] == "division-a · Link"
    assert results["task"]["items"][0]["context"] == "division-a · Open · Urgent priority"


def test_requirements_are_found_by_reference_title_and_statement(client, db, world, token_for):
    add_requirements(
        db,
        world.units["company"],
        ("OSPREY-7", "Inventory", "Keep a list."),
        ("B-2", "Osprey watch", "Watch."),
        ("C-3", "Logging", "Log the osprey feeds.\n\nKeep logs a year."),
        ("D-4", "Nothing", "Unrelated."),
        ("E-5", "Osprey nests", "Osprey nests.\n\nCount them each spring."),
        ("F-6", "F-6", "Ring the osprey chicks."),
    )
    db.commit()
    found = search(client, token_for("readonly_a"), q="osprey", kinds="requirement")["requirement"]
    assert found["total"] == 5
    shown = [(hit["title"], hit["excerpt"]) for hit in found["items"]]
    assert shown == [
        ("OSPREY-7 — Inventory", "Keep a list."),
        ("B-2 — Osprey watch", "Watch."),
        ("C-3 — Logging", "Log the osprey feeds. Keep logs a year."),
        ("E-5 — Osprey nests", "Count them each spring."),
        ("F-6 — Ring the osprey chicks.", ""),
    ]


def test_another_divisions_objects_are_neither_listed_nor_counted(
    client, db, world, principal_for, token_for
):
    add_one_of_each(db, principal_for, world.units["division-a"], "heron")
    add_one_of_each(db, principal_for, world.units["division-b"], "heron")
    for user, unit in (("analyst", "division-a"), ("analyst_b", "division-b")):
        results = search(client, token_for(user), q="heron", limit=50)
        for kind in KINDS:
            assert results[kind]["total"] == 1, (user, kind)
            context = results[kind]["items"][0]["context"]
            assert context.startswith(unit) or kind == "requirement"
    everyone = search(client, token_for("admin"), q="heron", limit=50)
    assert {everyone[kind]["total"] for kind in KINDS} == {2}


def test_wildcards_quotes_and_markup_are_searched_literally(
    client, db, world, principal_for, token_for
):
    admin, unit = principal_for("admin"), world.units["division-a"]
    for title in (
        "Rate 100% done",
        "Rate 1000 done",
        "key_vault",
        "keyXvault",
        'O\'Reilly "quoted"',
        "<script>alert(1)</script>",
        "back\\slash",
    ):
        make_risk(db, admin, unit, title=title)
    db.commit()
    headers = token_for("analyst")

    def titles(text: str) -> list[str]:
        found = search(client, headers, q=text, kinds="risk")["risk"]
        assert found["total"] == len(found["items"])
        return [hit["title"] for hit in found["items"]]

    assert titles("0%") == ["Rate 100% done"]
    assert titles("y_v") == ["key_vault"]
    assert titles("%%") == []
    assert titles("__") == []
    assert titles("'Reilly \"q") == ['O\'Reilly "quoted"']
    assert titles("<script>") == ["<script>alert(1)</script>"]
    assert titles("k\\s") == ["back\\slash"]


def test_cost_is_the_same_for_3_and_30_matches(
    client, db, world, principal_for, token_for, count_queries
):
    headers = token_for("analyst")

    def add(count: int) -> None:
        for _ in range(count):
            add_one_of_each(db, principal_for, world.units["team-a1"], "plover")

    def cost(**params) -> int:
        with count_queries() as counter:
            search(client, headers, q="plover", **params)
        return counter.count

    add(3)
    few_full, few = cost(limit=3), cost()
    add(27)
    many_full, many = cost(limit=3), cost()
    assert few_full == many_full
    # a page that is not full tells its total; a full one is counted: one query more per kind
    assert many - few == len(KINDS)
    assert search(client, headers, q="plover")["task"]["total"] == 30


def test_kinds_limit_and_offset_choose_what_is_returned(
    client, db, world, principal_for, token_for
):
    admin, unit = principal_for("admin"), world.units["division-a"]
    for number in range(4):
        make_risk(db, admin, unit, title=f"Wren {number}")
    make_asset(db, admin, unit, name="wren-01")
    db.commit()
    headers = token_for("analyst")
    results = search(client, headers, q="wren", kinds="asset,risk", limit=3)
    assert list(results) == ["asset", "risk"]
    assert results["risk"]["total"] == 4
    assert [hit["title"] for hit in results["risk"]["items"]] == ["Wren 0", "Wren 1", "Wren 2"]
    later = search(client, headers, q="wren", kinds="risk", limit=3, offset=3)["risk"]
    assert later["total"] == 4
    assert [hit["title"] for hit in later["items"]] == ["Wren 3"]
    beyond = search(client, headers, q="wren", kinds="risk", limit=3, offset=9)["risk"]
    assert beyond == {"total": 4, "items": []}
    repeated = client.get("/api/v1/search?q=wren&kinds=risk&kinds=asset", headers=headers)
    assert list(repeated.json()["results"]) == ["risk", "asset"]


def test_bad_requests_answer_422_naming_the_problem(client, token_for):
    headers = token_for("analyst")
    cases = {
        "": ("q", "Search is required"),
        "?q=a": ("q", "Search must be at least 2 characters"),
        "?q=%20a%20": ("q", "Search must be at least 2 characters"),
        f"?q={'x' * 201}": ("q", "Search must be at most 200 characters"),
        "?q=tab%09bed": ("q", "must not contain line breaks, tabs or other control characters"),
        "?q=nul%00": ("q", "must not contain line breaks"),
        "?q=ok&kinds=risk,planet": ("kinds.1", "must be one of"),
        "?q=ok&limit=0": ("limit", "Limit must be at least 1"),
        "?q=ok&limit=51": ("limit", "Limit must be at most 50"),
        "?q=ok&colour=red": ("colour", "Unknown field"),
    }
    for query, (field, message) in cases.items():
        response = client.get(f"/api/v1/search{query}", headers=headers)
        assert response.status_code == 422, query
        [detail] = response.json()["error"]["details"]
        assert detail["field"] == field, query
        assert message in detail["message"], query


def test_signing_in_is_required(client):
    assert client.get("/api/v1/search", params={"q": "anything"}).status_code == 401
