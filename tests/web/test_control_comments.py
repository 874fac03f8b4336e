"""The control page's comments and its form attaching a file as evidence of the control."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from aegis.domains.discussion.schemas import Subject
from aegis.models import Comment, Evidence, evidence_controls
from tests.factories.controls import make_control
from tests.factories.discussion import make_comment
from tests.factories.evidence import PDF

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def _control(db, world, principal_for):
    control = make_control(db, principal_for("analyst"), world.units["division-a"], ref="BK-1")
    db.commit()
    return control


def _blobs(app) -> list[Path]:
    root = app.state.blob_store.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _attach(browser, control_id: int, name: str, content: bytes, title: str = ""):
    return browser.client.post(
        f"/controls/{control_id}/evidence",
        data={"csrf_token": browser.csrf, "title": title},
        files={"file": (name, content, "application/pdf")},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def test_comments_on_a_control(browser_for, db, world, principal_for) -> None:
    control = _control(db, world, principal_for)
    make_comment(db, principal_for("admin_a"), Subject.control(control.id), "Backups tested")
    db.commit()
    analyst = browser_for("analyst")
    posted = analyst.post(f"/controls/{control.id}/comments", {"body": "Restore took 2 hours"})
    assert posted.status_code == 303
    page = analyst.get(f"/controls/{control.id}").text
    assert page.index("Backups tested") < page.index("Restore took 2 hours")
    assert "<strong>Admin_A</strong>" in page
    empty = analyst.post(f"/controls/{control.id}/comments", {"body": ""})
    assert empty.status_code == 422 and 'id="e-comment"' in empty.text
    readonly = browser_for("readonly")
    assert "Restore took 2 hours" in readonly.get(f"/controls/{control.id}").text
    assert readonly.post(f"/controls/{control.id}/comments", {"body": "x"}).status_code == 403
    sibling = browser_for("analyst_b")
    assert sibling.post(f"/controls/{control.id}/comments", {"body": "x"}).status_code == 404
    assert db.scalar(select(func.count()).select_from(Comment)) == 2


def test_a_file_attached_to_a_control_is_evidence_of_it(
    browser_for, db, world, principal_for
) -> None:
    control = _control(db, world, principal_for)
    analyst = browser_for("analyst")
    attached = _attach(analyst, control.id, "restore-test.pdf", PDF)
    assert attached.status_code == 303
    assert attached.headers["location"] == f"/controls/{control.id}#evidence"
    evidence = db.scalars(select(Evidence)).one()
    assert (evidence.title, evidence.unit_id) == ("restore-test.pdf", world.units["division-a"])
    assert db.execute(select(evidence_controls.c.control_id)).scalars().all() == [control.id]
    page = analyst.get(f"/controls/{control.id}").text
    assert "The file was attached as evidence." in page
    assert f'href="/evidence/{evidence.id}/download">restore-test.pdf</a>' in page
    titled = _attach(analyst, control.id, "q2.pdf", PDF, title="Q2 restore test")
    assert titled.status_code == 303
    assert "Q2 restore test" in analyst.get(f"/controls/{control.id}").text


def test_refused_evidence_files_keep_nothing(
    browser_for, app, db, world, principal_for, settings
) -> None:
    control = _control(db, world, principal_for)
    analyst = browser_for("analyst")
    disguised = _attach(analyst, control.id, "policy.pdf", PROGRAM, title="Policy")
    assert disguised.status_code == 422
    assert 'id="e-f-evidence-file"' in disguised.text and "program" in disguised.text
    assert 'value="Policy"' in disguised.text
    too_big = _attach(analyst, control.id, "big.pdf", PDF + b"x" * settings.max_upload_bytes)
    assert too_big.status_code == 413 and 'id="e-f-evidence-file"' in too_big.text
    long_title = _attach(analyst, control.id, "ok.pdf", PDF, title="t" * 301)
    assert long_title.status_code == 422 and 'id="e-evidence-title"' in long_title.text
    assert db.scalar(select(func.count()).select_from(Evidence)) == 0
    assert _blobs(app) == []


def test_only_writers_of_the_control_attach_evidence(browser_for, db, world, principal_for):
    control = _control(db, world, principal_for)
    readonly = browser_for("readonly")
    assert (
        f'action="/controls/{control.id}/evidence"'
        not in readonly.get(f"/controls/{control.id}").text
    )
    assert _attach(readonly, control.id, "x.pdf", PDF).status_code == 403
    assert _attach(browser_for("analyst_b"), control.id, "x.pdf", PDF).status_code == 404
    assert db.scalar(select(func.count()).select_from(Evidence)) == 0
