"""Pages: sign-ins, exports and downloads recorded; the trail verified from the admin area."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select, text

from aegis.models import AuditEvent
from tests.factories.evidence import make_file
from tests.factories.risks import make_risk


def _events(db, action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_browser_sign_in_is_recorded(browser_for, db, world) -> None:
    browser_for("readonly_a")
    [event] = _events(db, "sign_in")
    assert event.actor_id == world.users["readonly_a"]
    assert event.changes["signed_in_with"] == [None, "web browser"]
    page = _text(browser_for("admin").get("/audit?action=sign_in").text)
    assert "Signed in as Readonly_A (web browser)" in page
    assert "sign_in" not in page.replace("action=sign_in", "")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_list_export_is_recorded_with_its_filters(browser_for, db, world, kind) -> None:
    analyst = browser_for("analyst")
    response = analyst.get(f"/risks?format={kind}&status=identified&q=ransom")
    assert response.status_code == 200
    [event] = _events(db, "export")
    assert event.actor_id == world.users["analyst"]
    assert event.unit_id == world.units["division-a"]
    assert event.changes["route"] == [None, "GET /risks"]
    assert event.changes["filename"] == [None, f"risks.{kind}"]
    assert event.changes["filters"] == [None, {"status": "identified", "q": "ransom"}]
    page = _text(browser_for("admin").get("/audit?action=export").text)
    assert f"Exported 'risks.{kind}' from /risks" in page
    assert "Filters: Search: ransom; Status: Identified" in page


def test_every_kind_of_export_is_recorded(browser_for, db) -> None:
    admin = browser_for("admin")
    for url in ("/admin/users?format=csv", "/audit?format=xlsx", "/assets?format=csv"):
        assert admin.get(url).status_code == 200, url
    routes = [event.changes["route"][1] for event in _events(db, "export")]
    assert routes == ["GET /admin/users", "GET /audit", "GET /assets"]


def test_a_page_or_a_refused_export_records_none(browser_for, db) -> None:
    analyst = browser_for("analyst")
    assert analyst.get("/risks").status_code == 200
    assert analyst.get("/audit?format=csv").status_code == 403
    assert _events(db, "export") == []


def test_an_evidence_download_from_a_page_is_recorded(app, browser_for, db, world, principal_for):
    evidence = make_file(
        db, principal_for("analyst"), app.state.blob_store, world.units["division-a"]
    )
    db.commit()
    response = browser_for("readonly_a").get(f"/evidence/{evidence.id}/versions/1/download")
    assert response.status_code == 200
    [event] = _events(db, "download")
    assert (event.entity_type, event.entity_id) == ("evidence", evidence.id)
    assert event.actor_id == world.users["readonly_a"]
    assert event.changes["version_number"] == [None, 1]
    page = _text(browser_for("admin").get("/audit?action=download").text)
    assert "Downloaded evidence 'Policy'" in page
    assert "Version number: 1" in page and "Filename: policy.pdf" in page


def test_the_audit_page_filters_by_the_new_actions_in_words(browser_for) -> None:
    page = browser_for("admin").get("/audit").text
    for label in ("Signed in", "Sign-in failed", "Account locked", "Exported", "Downloaded"):
        assert f">{label}</option>" in page


def test_the_admin_area_leads_to_the_verification(browser_for) -> None:
    overview = browser_for("admin").get("/admin").text
    assert 'href="/audit/verify"' in overview
    assert 'href="/audit/verify"' not in browser_for("admin_a").get("/admin").text


def test_the_verification_page_says_the_trail_is_intact(
    browser_for, db, world, principal_for
) -> None:
    make_risk(db, principal_for("analyst"), world.units["division-a"], title="Kept")
    response = browser_for("admin").get("/audit/verify")
    assert response.status_code == 200
    page = _text(response.text)
    assert "The audit trail is intact" in page
    assert "alert--error" not in response.text


def test_the_verification_page_names_the_first_broken_link(
    browser_for, db, world, principal_for
) -> None:
    admin = browser_for("admin")
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], title="Kept")
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "risk", AuditEvent.entity_id == risk.id)
    )
    assert event is not None
    db.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})
    response = admin.get("/audit/verify")
    assert response.status_code == 200
    page = _text(response.text)
    assert "Deleted (gap)." in page
    assert f"Position in the trail {event.chain_position} of" in page


def test_only_an_admin_of_the_whole_organisation_opens_the_verification(browser_for) -> None:
    for name in ("admin_a", "readonly", "analyst"):
        response = browser_for(name).get("/audit/verify")
        assert response.status_code == 403, name
        assert "whole organisation" in response.text
