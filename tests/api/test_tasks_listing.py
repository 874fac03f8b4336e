"""The task list: filters, overdue, mine, sorting, paging and its query cost."""

from __future__ import annotations

from datetime import timedelta

from aegis.domains.tasks import service
from aegis.domains.tasks.schemas import TaskUpdate
from aegis.domains.tasks.workflow import today
from tests.factories.assets import make_asset
from tests.factories.tasks import make_comment, make_control, make_risk, make_task


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [t["title"] for t in response.json()["items"]]


def test_overdue_flag_and_filter_agree(client, db, world, principal_for, token_for):
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    past, future = today() - timedelta(days=3), today() + timedelta(days=3)
    make_task(db, analyst, unit, title="late", due_date=past)
    make_task(db, analyst, unit, title="due today", due_date=today())
    make_task(db, analyst, unit, title="later", due_date=future)
    make_task(db, analyst, unit, title="undated")
    for title, status in (("late but done", "done"), ("late but cancelled", "cancelled")):
        task = make_task(db, analyst, unit, title=title, due_date=past)
        service.update_task(
            session=db, principal=analyst, task_id=task.id, data=TaskUpdate(status=status)
        )
    blocked = make_task(db, analyst, unit, title="late and blocked", due_date=past)
    service.update_task(
        session=db, principal=analyst, task_id=blocked.id, data=TaskUpdate(status="blocked")
    )
    db.commit()
    headers = token_for("analyst")
    everything = client.get("/api/v1/tasks", params={"sort": "title"}, headers=headers).json()
    flagged = {t["title"] for t in everything["items"] if t["overdue"]}
    assert flagged == {"late", "late and blocked"}
    overdue = client.get("/api/v1/tasks", params={"overdue": "true"}, headers=headers)
    assert set(_titles(overdue)) == flagged
    assert overdue.json()["total"] == 2
    not_overdue = client.get("/api/v1/tasks", params={"overdue": "false"}, headers=headers)
    assert not_overdue.json()["total"] == everything["total"] - 2
    assert flagged.isdisjoint(_titles(not_overdue))


def test_filters_by_fields_links_dates_and_text(client, db, world, principal_for, token_for):
    analyst = principal_for("analyst")
    unit, team = world.units["division-a"], world.units["team-a1"]
    risk, control = make_risk(db, unit), make_control(db, team)
    asset = make_asset(db, analyst, unit)
    base = today() + timedelta(days=10)
    make_task(
        db, analyst, unit, title="Rotate keys", risk_id=risk.id, priority="high", due_date=base
    )
    make_task(
        db,
        analyst,
        team,
        title="Review firewall",
        control_id=control.id,
        kind="review",
        due_date=base + timedelta(days=5),
        assignee_id=world.users["analyst"],
    )
    make_task(
        db,
        analyst,
        unit,
        title="Patch 100% of hosts",
        asset_id=asset.id,
        description="openssl upgrade",
        assignee_id=world.users["admin_a"],
    )
    db.commit()
    headers = token_for("analyst")

    def titles(**params) -> set[str]:
        return set(_titles(client.get("/api/v1/tasks", params=params, headers=headers)))

    assert titles(risk_id=risk.id) == {"Rotate keys"}
    assert titles(control_id=control.id) == {"Review firewall"}
    assert titles(asset_id=asset.id) == {"Patch 100% of hosts"}
    assert titles(unit_id=team) == {"Review firewall"}
    assert titles(kind="review") == {"Review firewall"}
    assert titles(priority="high") == {"Rotate keys"}
    assert titles(status="open") == {"Rotate keys", "Review firewall", "Patch 100% of hosts"}
    assert titles(status="done") == set()
    assert titles(assignee_id=world.users["admin_a"]) == {"Patch 100% of hosts"}
    assert titles(mine="true") == {"Review firewall"}
    assert titles(q="OPENSSL") == {"Patch 100% of hosts"}
    assert titles(q="100%") == {"Patch 100% of hosts"}
    assert titles(q="%") == {"Patch 100% of hosts"}
    assert titles(due_before=(base + timedelta(days=1)).isoformat()) == {"Rotate keys"}
    assert titles(due_after=base.isoformat()) == {"Review firewall"}
    window = {"due_after": (base - timedelta(days=1)).isoformat(), "due_before": base.isoformat()}
    assert titles(**window) == set()


def test_sorting_and_paging(client, db, world, principal_for, token_for):
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    start = today() + timedelta(days=1)
    for index, (priority, days) in enumerate(
        [("low", 3), ("urgent", None), ("medium", 1), ("high", 2)]
    ):
        due = None if days is None else start + timedelta(days=days)
        make_task(db, analyst, unit, title=f"t{index}", priority=priority, due_date=due)
    db.commit()
    headers = token_for("analyst")

    def order(sort: str) -> list[str]:
        return _titles(client.get("/api/v1/tasks", params={"sort": sort}, headers=headers))

    assert order("priority") == ["t0", "t2", "t3", "t1"]
    assert order("-priority") == ["t1", "t3", "t2", "t0"]
    # tasks without a due date come last
    assert order("due_date") == ["t2", "t3", "t0", "t1"]
    assert order("-title") == ["t3", "t2", "t1", "t0"]
    assert order("status") == ["t0", "t1", "t2", "t3"]
    assert len(order("created_at")) == len(order("-updated_at")) == 4
    page = client.get(
        "/api/v1/tasks", params={"sort": "title", "limit": 2, "offset": 1}, headers=headers
    ).json()
    assert [t["title"] for t in page["items"]] == ["t1", "t2"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)


def test_unknown_filter_or_sort_and_bad_values_get_422(client, token_for):
    headers = token_for("analyst")
    for params, field in (
        ({"colour": "red"}, "colour"),
        ({"sort": "assignee_id"}, "sort"),
        ({"limit": 201}, "limit"),
        ({"status": "finished"}, "status"),
        ({"overdue": "maybe"}, "overdue"),
        ({"due_before": "soon"}, "due_before"),
    ):
        response = client.get("/api/v1/tasks", params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.json()["error"]["details"][0]["field"] == field


def test_task_list_costs_the_same_queries_for_2_or_20_tasks_with_comments(
    client, db, world, principal_for, token_for, count_queries
):
    analyst = principal_for("analyst")
    admin = principal_for("admin_a")
    unit = world.units["division-a"]

    def add(count: int) -> None:
        for index in range(count):
            task = make_task(db, analyst, unit, assignee_id=world.users["analyst"])
            for author in (analyst, admin)[: 1 + index % 2]:
                make_comment(db, author, task.id, f"note {index}")
        db.commit()

    headers = token_for("analyst")
    add(2)
    with count_queries() as small:
        body = client.get("/api/v1/tasks", params={"limit": 200}, headers=headers).json()
    assert body["total"] == 2
    assert sorted(t["comment_count"] for t in body["items"]) == [1, 2]
    add(18)
    with count_queries() as large:
        body = client.get("/api/v1/tasks", params={"limit": 200}, headers=headers).json()
    assert body["total"] == 20
    assert sum(t["comment_count"] for t in body["items"]) == 30
    assert small.count == large.count
