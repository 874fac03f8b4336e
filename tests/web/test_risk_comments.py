"""The risk page's comments and attached files: thread, forms, refusals, scoping, query cost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from aegis.domains.discussion.schemas import Subject
from aegis.models import Comment, RiskAttachment
from tests.factories.discussion import make_attachment, make_comment
from tests.factories.evidence import PDF
from tests.factories.risks import make_risk

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def _risk(db, world, principal_for, title="Stolen laptops"):
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], title=title)
    db.commit()
    return risk


def _blobs(app) -> list[Path]:
    root = app.state.blob_store.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_analyst_comments_and_the_thread_shows_authors_and_times_oldest_first(
    browser_for, db, world, principal_for
) -> None:
    risk = _risk(db, world, principal_for)
    make_comment(db, principal_for("admin_a"), Subject.risk(risk.id), "First: encrypt disks")
    db.commit()
    analyst = browser_for("analyst")
    posted = analyst.post(f"/risks/{risk.id}/comments", {"body": "Second: done for sales"})
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/risks/{risk.id}#comments"
    page = analyst.get(f"/risks/{risk.id}").text
    assert page.index("First: encrypt disks") < page.index("Second: done for sales")
    assert "<strong>Admin_A</strong>" in page and "<strong>Analyst</strong>" in page
    assert " UTC</span>" in page
    assert f'action="/risks/{risk.id}/comments"' in page


def test_empty_and_overlong_comments_are_shown_again_with_the_message(
    browser_for, db, world, principal_for
) -> None:
    risk = _risk(db, world, principal_for)
    analyst = browser_for("analyst")
    empty = analyst.post(f"/risks/{risk.id}/comments", {"body": "   "})
    assert empty.status_code == 422
    assert 'id="e-comment"' in empty.text
    assert 'id="comments"' in empty.text
    overlong = analyst.post(f"/risks/{risk.id}/comments", {"body": "y" * 10001})
    assert overlong.status_code == 422
    assert 'id="e-comment"' in overlong.text and "y" * 10001 in overlong.text
    assert db.scalar(select(func.count()).select_from(Comment)) == 0


def test_authors_delete_their_own_comments_and_administrators_any(
    browser_for, db, world, principal_for
) -> None:
    risk = _risk(db, world, principal_for)
    mine = make_comment(db, principal_for("analyst"), Subject.risk(risk.id), "mine")
    theirs = make_comment(db, principal_for("admin_a"), Subject.risk(risk.id), "theirs")
    db.commit()
    analyst = browser_for("analyst")
    page = analyst.get(f"/risks/{risk.id}").text
    assert f"/comments/{mine.id}/delete" in page
    assert f"/comments/{theirs.id}/delete" not in page
    refused = analyst.post(f"/risks/{risk.id}/comments/{theirs.id}/delete")
    assert refused.status_code == 403
    deleted = analyst.post(f"/risks/{risk.id}/comments/{mine.id}/delete")
    assert deleted.status_code == 303
    admin = browser_for("admin")
    assert f"/comments/{theirs.id}/delete" in admin.get(f"/risks/{risk.id}").text
    assert admin.post(f"/risks/{risk.id}/comments/{theirs.id}/delete").status_code == 303
    assert db.scalar(select(func.count()).select_from(Comment)) == 0


def test_readonly_sees_comments_and_files_without_forms_and_is_refused(
    browser_for, app, db, world, principal_for
) -> None:
    risk = _risk(db, world, principal_for)
    analyst = principal_for("analyst")
    comment = make_comment(db, analyst, Subject.risk(risk.id), "Visible to auditors")
    attachment = make_attachment(db, analyst, app.state.blob_store, risk.id)
    db.commit()
    readonly = browser_for("readonly")
    page = readonly.get(f"/risks/{risk.id}").text
    assert "Visible to auditors" in page and "assessment.pdf" in page
    assert 'name="body"' not in page and 'type="file"' not in page
    assert "/delete" not in page.split('id="attachments"')[1]
    download = readonly.get(f"/risks/{risk.id}/attachments/{attachment.id}/download")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert readonly.post(f"/risks/{risk.id}/comments", {"body": "x"}).status_code == 403
    assert readonly.post(f"/risks/{risk.id}/comments/{comment.id}/delete").status_code == 403
    upload = readonly.client.post(
        f"/risks/{risk.id}/attachments",
        data={"csrf_token": readonly.csrf},
        files={"file": ("x.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert upload.status_code == 403
    remove = readonly.post(f"/risks/{risk.id}/attachments/{attachment.id}/delete")
    assert remove.status_code == 403
    assert db.scalar(select(func.count()).select_from(Comment)) == 1
    assert db.scalar(select(func.count()).select_from(RiskAttachment)) == 1


def test_the_sibling_division_gets_404_everywhere(browser_for, app, db, world, principal_for):
    risk = _risk(db, world, principal_for)
    analyst = principal_for("analyst")
    comment = make_comment(db, analyst, Subject.risk(risk.id), "private")
    attachment = make_attachment(db, analyst, app.state.blob_store, risk.id)
    db.commit()
    sibling = browser_for("analyst_b")
    base = f"/risks/{risk.id}"
    assert sibling.get(base).status_code == 404
    assert sibling.post(f"{base}/comments", {"body": "x"}).status_code == 404
    assert sibling.post(f"{base}/comments/{comment.id}/delete").status_code == 404
    assert sibling.get(f"{base}/attachments/{attachment.id}/download").status_code == 404
    assert sibling.post(f"{base}/attachments/{attachment.id}/delete").status_code == 404


def test_analyst_attaches_downloads_and_removes_a_file(browser_for, app, db, world, principal_for):
    risk = _risk(db, world, principal_for)
    analyst = browser_for("analyst")
    uploaded = analyst.client.post(
        f"/risks/{risk.id}/attachments",
        data={"csrf_token": analyst.csrf},
        files={"file": ("vendor-report.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    assert uploaded.headers["location"] == f"/risks/{risk.id}#attachments"
    page = analyst.get(f"/risks/{risk.id}").text
    assert "vendor-report.pdf" in page and "The file was attached." in page
    attachment = db.scalars(select(RiskAttachment)).one()
    download = analyst.get(f"/risks/{risk.id}/attachments/{attachment.id}/download")
    assert download.content == PDF
    removed = analyst.post(f"/risks/{risk.id}/attachments/{attachment.id}/delete")
    assert removed.status_code == 303
    assert "vendor-report.pdf" not in analyst.get(f"/risks/{risk.id}").text
    assert _blobs(app) == []


def test_refused_uploads_show_the_message_next_to_the_file_field(
    browser_for, app, db, world, principal_for, settings
):
    risk = _risk(db, world, principal_for)
    analyst = browser_for("analyst")

    def upload(name: str, content: bytes):
        return analyst.client.post(
            f"/risks/{risk.id}/attachments",
            data={"csrf_token": analyst.csrf},
            files={"file": (name, content, "application/pdf")},
            headers={"Accept": "text/html"},
            follow_redirects=False,
        )

    disguised = upload("invoice.pdf", PROGRAM)
    assert disguised.status_code == 422
    assert 'id="e-f-attachment"' in disguised.text and "program" in disguised.text
    too_big = upload("big.pdf", PDF + b"x" * settings.max_upload_bytes)
    assert too_big.status_code == 413
    assert 'id="e-f-attachment"' in too_big.text and "larger than the limit of 1 MB" in too_big.text
    missing = analyst.post(f"/risks/{risk.id}/attachments")
    assert missing.status_code == 422 and "Choose a file" in missing.text
    assert _blobs(app) == []
    assert db.scalar(select(func.count()).select_from(RiskAttachment)) == 0


def test_the_risk_page_costs_the_same_queries_with_2_or_20_comments(
    browser_for, app, db, world, principal_for, count_queries
) -> None:
    analyst, admin = principal_for("analyst"), principal_for("admin_a")
    few = _risk(db, world, principal_for, "Few comments")
    many = _risk(db, world, principal_for, "Many comments")
    for risk, count in ((few, 2), (many, 20)):
        for number in range(count):
            author = analyst if number % 2 else admin
            make_comment(db, author, Subject.risk(risk.id), f"comment {number}")
            make_attachment(db, author, app.state.blob_store, risk.id, filename=f"f{number}.pdf")
    db.commit()
    browser = browser_for("analyst")
    browser.get(f"/risks/{few.id}")
    with count_queries() as small:
        assert "comment 1" in browser.get(f"/risks/{few.id}").text
    with count_queries() as large:
        assert "comment 19" in browser.get(f"/risks/{many.id}").text
    assert large.count == small.count
