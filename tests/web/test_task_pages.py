"""Task pages: list, filters, CSV, board by status, comments, forms, scoping and roles."""

from __future__ import annotations

import re
from datetime import timedelta

from aegis.core.db import utcnow
from tests.factories.tasks import make_comment, make_risk, make_task
from tests.web.exported import csv_rows


def _column(html: str, status: str) -> str:
    match = re.search(
        rf'<section class="board-column" id="column-{status}".*?</section>', html, re.S
    )
    assert match, f"no {status} column"
    return match.group(0)


def test_create_comment_and_close_a_task(browser_for, db, world) -> None:
    risk = make_risk(db, world.units["division-a"], title="Unpatched VPN")
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get(f"/tasks/new?risk_id={risk.id}")
    assert form.status_code == 200
    shown = (
        rf'<option value="{risk.id}" selected>Unpatched VPN \({risk.ref} · division-a\)</option>'
    )
    assert re.search(shown, form.text)
    created = analyst.post(
        "/tasks/new",
        {
            "title": "Patch the VPN",
            "kind": "remediation",
            "priority": "high",
            "risk_id": str(risk.id),
        },
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    detail = analyst.get(url).text
    assert "Patch the VPN" in detail and "Unpatched VPN" in detail and "No comments yet" in detail
    commented = analyst.post(f"{url}/comments", {"body": "Vendor fix scheduled for Friday"})
    assert commented.status_code == 303
    assert "Vendor fix scheduled for Friday" in analyst.get(url).text
    empty = analyst.post(f"{url}/comments", {"body": "   "})
    assert empty.status_code == 422 and 'id="e-body"' in empty.text
    closed = analyst.post(f"{url}/status", {"status": "done"})
    assert closed.status_code == 303 and closed.headers["location"] == url
    detail = analyst.get(url).text
    assert "Done" in detail
    assert "/tasks/" in detail and ">Open<" in detail  # done tasks may be reopened
    assert "Patch the VPN" in analyst.get("/tasks?status=done").text


def test_comment_through_htmx_returns_the_comments(browser_for, db, world, principal_for) -> None:
    task = make_task(db, principal_for("admin"), world.units["division-a"], title="Rotate keys")
    db.commit()
    analyst = browser_for("analyst")
    response = analyst.client.post(
        f"/tasks/{task.id}/comments",
        data={"body": "Half of the keys rotated"},
        headers={"HX-Request": "true", "X-CSRF-Token": analyst.csrf, "Accept": "text/html"},
    )
    assert response.status_code == 200
    assert 'id="comments"' in response.text and "Half of the keys rotated" in response.text


def test_invalid_form_shows_errors_and_saves_nothing(browser_for, db, world) -> None:
    analyst = browser_for("analyst")
    no_title = analyst.post("/tasks/new", {"title": "", "kind": "remediation", "priority": "low"})
    assert no_title.status_code == 422 and 'id="e-title"' in no_title.text
    no_link = analyst.post("/tasks/new", {"title": "Orphan", "kind": "review", "priority": "low"})
    assert no_link.status_code == 422 and 'id="e-risk_id"' in no_link.text
    assert 'value="Orphan"' in no_link.text
    bad_date = analyst.post(
        "/tasks/new",
        {
            "title": "Late",
            "kind": "review",
            "priority": "low",
            "due_date": "tomorrow",
            "risk_id": str(make_risk(db, world.units["division-a"]).id),
        },
    )
    assert bad_date.status_code == 422 and 'id="e-due_date"' in bad_date.text
    assert "No tasks match" in analyst.get("/tasks").text


def test_board_moves_a_task_when_its_status_changes(browser_for, db, world, principal_for) -> None:
    task = make_task(db, principal_for("admin"), world.units["division-a"], title="Harden DNS")
    db.commit()
    analyst = browser_for("analyst")
    board = analyst.get("/tasks/board")
    assert board.status_code == 200
    assert "Harden DNS" in _column(board.text, "open")
    assert "Harden DNS" not in _column(board.text, "in_progress")
    assert f'hx-post="/tasks/{task.id}/status"' in board.text
    moved = analyst.post(
        f"/tasks/{task.id}/status", {"status": "in_progress", "next": "/tasks/board"}
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/tasks/board"
    board = analyst.get("/tasks/board").text
    assert "Harden DNS" in _column(board, "in_progress")
    assert "Harden DNS" not in _column(board, "open")
    through_htmx = analyst.client.post(
        f"/tasks/{task.id}/status",
        data={"status": "blocked", "next": "/tasks/board"},
        headers={"HX-Request": "true", "X-CSRF-Token": analyst.csrf, "Accept": "text/html"},
    )
    assert through_htmx.status_code == 200
    assert "Harden DNS" in _column(through_htmx.text, "blocked")
    not_allowed = analyst.post(f"/tasks/{task.id}/status", {"status": "done"})
    assert not_allowed.status_code == 409
    outside = analyst.post(
        f"/tasks/{task.id}/status", {"status": "open", "next": "https://evil.example/"}
    )
    assert outside.headers["location"] == f"/tasks/{task.id}"


def test_list_filters_and_csv_are_scoped(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    today = utcnow().date()
    make_task(
        db,
        admin,
        world.units["division-a"],
        title="Alpha overdue",
        priority="urgent",
        due_date=today - timedelta(days=2),
    )
    make_task(
        db,
        admin,
        world.units["division-a"],
        title="Alpha mine",
        assignee_id=world.users["analyst"],
    )
    make_task(db, admin, world.units["division-b"], title="Beta hidden")
    db.commit()
    analyst = browser_for("analyst")
    page = analyst.get("/tasks?sort=title").text
    assert "Alpha overdue" in page and "Alpha mine" in page and "Beta hidden" not in page
    overdue = analyst.get("/tasks?overdue=true").text
    assert "Alpha overdue" in overdue and "Alpha mine" not in overdue
    mine = analyst.get("/tasks?mine=true").text
    assert "Alpha mine" in mine and "Alpha overdue" not in mine
    urgent = analyst.get("/tasks?priority=urgent").text
    assert "Alpha overdue" in urgent and "Alpha mine" not in urgent
    assert "Alpha mine" in analyst.get("/tasks?q=mine").text
    assert "Alpha mine" in analyst.get("/tasks/board?mine=true").text
    assert "Alpha overdue" not in analyst.get("/tasks/board?mine=true").text
    rows = csv_rows(analyst.get("/tasks?format=csv&overdue=true"))
    assert [(row["Title"], row["Overdue"], row["Priority"]) for row in rows] == [
        ("Alpha overdue", "Yes", "Urgent")
    ]
    sibling = browser_for("analyst_b")
    assert "Alpha" not in sibling.get("/tasks?q=alpha").text
    assert "Alpha" not in sibling.get("/tasks/board").text
    sibling_rows = csv_rows(sibling.get("/tasks?format=csv"))
    assert [row["Title"] for row in sibling_rows] == ["Beta hidden"]


def test_sibling_division_cannot_open_a_task_by_url(browser_for, db, world, principal_for) -> None:
    task = make_task(db, principal_for("admin"), world.units["division-a"], title="Secret")
    db.commit()
    sibling = browser_for("analyst_b")
    base = f"/tasks/{task.id}"
    assert sibling.get(base).status_code == 404
    assert sibling.get(f"{base}/edit").status_code == 404
    assert sibling.post(f"{base}/comments", {"body": "hello"}).status_code == 404
    assert sibling.post(f"{base}/status", {"status": "done"}).status_code == 404
    assert sibling.post(f"{base}/edit", {"title": "x"}).status_code == 404
    assert sibling.post(f"{base}/delete").status_code == 404


def test_readonly_sees_no_controls_and_is_refused(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    task = make_task(db, admin, world.units["division-a"], title="Read only")
    make_comment(db, admin, task.id, "First note")
    db.commit()
    reader = browser_for("readonly")
    base = f"/tasks/{task.id}"
    detail = reader.get(base)
    assert detail.status_code == 200 and "First note" in detail.text
    assert f"{base}/edit" not in detail.text and "Delete" not in detail.text
    assert 'name="body"' not in detail.text and f"{base}/status" not in detail.text
    assert "New task" not in reader.get("/tasks").text
    board = reader.get("/tasks/board").text
    assert "Read only" in board and f"/tasks/{task.id}/status" not in board
    assert reader.get("/tasks/new").status_code == 403
    assert reader.get(f"{base}/edit").status_code == 403
    assert reader.post(f"{base}/comments", {"body": "Let me in"}).status_code == 403
    assert reader.post(f"{base}/status", {"status": "done"}).status_code == 403
    assert reader.post(f"{base}/edit", {"title": "Mine"}).status_code == 403
    assert reader.post(f"{base}/delete").status_code == 403
    assert reader.post("/tasks/new", {"title": "x", "risk_id": "1"}).status_code == 403
    assert "Let me in" not in reader.get(base).text


def test_edit_and_delete_asks_first(browser_for, db, world, principal_for) -> None:
    task = make_task(db, principal_for("admin"), world.units["division-a"], title="Edit me")
    db.commit()
    analyst = browser_for("analyst")
    base = f"/tasks/{task.id}"
    form = analyst.get(f"{base}/edit")
    assert form.status_code == 200 and 'value="Edit me"' in form.text
    fields = {
        "title": "Edited",
        "kind": "review",
        "priority": "low",
        "status": "open",
        "unit_id": str(world.units["division-a"]),
        "risk_id": str(task.risk_id),
        "due_date": "2031-01-31",
        "assignee_id": str(world.users["analyst"]),
    }
    unlinked = analyst.post(f"{base}/edit", {**fields, "risk_id": ""})
    assert unlinked.status_code == 422 and 'id="e-risk_id"' in unlinked.text
    bad_move = analyst.post(f"{base}/edit", {**fields, "status": "blocked", "title": ""})
    assert bad_move.status_code == 422 and 'id="e-title"' in bad_move.text
    saved = analyst.post(f"{base}/edit", fields)
    assert saved.status_code == 303, saved.text
    detail = analyst.get(base).text
    assert "Edited" in detail and "2031-01-31" in detail and "Analyst" in detail
    assert 'data-confirm="Delete this task' in detail
    assert analyst.post(f"{base}/delete").status_code == 303
    assert analyst.get(base).status_code == 404


def test_the_board_costs_the_same_queries_however_many_tasks(
    browser_for, db, world, principal_for, count_queries
) -> None:
    admin = principal_for("admin")
    make_task(db, admin, world.units["division-a"], title="Only one")
    db.commit()
    analyst = browser_for("analyst")
    with count_queries() as few:
        assert analyst.get("/tasks/board").status_code == 200
    for number in range(8):
        task = make_task(db, admin, world.units["division-a"], title=f"Many {number}")
        make_comment(db, admin, task.id, "noted")
    db.commit()
    with count_queries() as many:
        assert "Many 7" in analyst.get("/tasks/board").text
    assert many.count == few.count


def test_posts_without_the_csrf_token_are_refused(browser_for, db, world, principal_for) -> None:
    task = make_task(db, principal_for("admin"), world.units["division-a"], title="Guarded")
    db.commit()
    analyst = browser_for("analyst")
    response = analyst.client.post(
        f"/tasks/{task.id}/comments",
        data={"body": "no token"},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "no token" not in analyst.get(f"/tasks/{task.id}").text
