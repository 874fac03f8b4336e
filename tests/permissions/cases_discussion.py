"""Permissions of comments on risks and controls, and of files attached to risks."""

from __future__ import annotations

from aegis.core.storage import LocalBlobStore
from aegis.domains.discussion.schemas import Subject
from tests.factories.controls import make_control
from tests.factories.discussion import make_attachment, make_comment
from tests.factories.evidence import PDF
from tests.factories.risks import make_risk
from tests.permissions import DELETE, PAGE, READ, Case, Request, current_app, statuses

# readonly auditors read comments and files but add and delete none; outsiders see nothing
ADD = statuses(401, 403, 201, 201, 404)


def _store() -> LocalBlobStore:
    store: LocalBlobStore = current_app().state.blob_store
    return store


def _risk_comment(db, world, principal_for) -> Request:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"])
    comment = make_comment(db, analyst, Subject.risk(risk.id), "Likelihood looks too low")
    return Request(
        path={"risk_id": risk.id, "comment_id": comment.id}, json={"body": "Agreed, raise it"}
    )


def _control_comment(db, world, principal_for) -> Request:
    analyst = principal_for("analyst")
    control = make_control(db, analyst, world.units["division-a"])
    comment = make_comment(db, analyst, Subject.control(control.id), "Tested in March")
    return Request(
        path={"control_id": control.id, "comment_id": comment.id}, json={"body": "Retest due"}
    )


def _attachment(db, world, principal_for) -> Request:
    analyst = principal_for("analyst")
    risk = make_risk(db, analyst, world.units["division-a"])
    attachment = make_attachment(db, analyst, _store(), risk.id)
    return Request(
        path={"risk_id": risk.id, "attachment_id": attachment.id},
        files={"file": ("scan.pdf", PDF, "application/pdf")},
    )


CASES = [
    Case("GET", "/api/v1/risks/{risk_id}/comments", READ, _risk_comment),
    Case("POST", "/api/v1/risks/{risk_id}/comments", ADD, _risk_comment),
    Case("DELETE", "/api/v1/risks/{risk_id}/comments/{comment_id}", DELETE, _risk_comment),
    Case("GET", "/api/v1/controls/{control_id}/comments", READ, _control_comment),
    Case("POST", "/api/v1/controls/{control_id}/comments", ADD, _control_comment),
    Case("DELETE", "/api/v1/controls/{control_id}/comments/{comment_id}", DELETE, _control_comment),
    Case("GET", "/api/v1/risks/{risk_id}/attachments", READ, _attachment),
    Case("POST", "/api/v1/risks/{risk_id}/attachments", ADD, _attachment),
    Case("GET", "/api/v1/risks/{risk_id}/attachments/{attachment_id}/download", READ, _attachment),
    Case("DELETE", "/api/v1/risks/{risk_id}/attachments/{attachment_id}", DELETE, _attachment),
]

PAGES = [Case("GET", "/risks/{risk_id}/attachments/{attachment_id}/download", PAGE, _attachment)]
