"""Asking for a risk to be accepted and deciding it in the browser."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from aegis.core.db import utcnow
from aegis.models import Risk, RiskAcceptanceRequest
from tests.factories.risks import accept_risk, make_risk
from tests.web.round_trip import api_import, exported

TODAY = utcnow().date()


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', page, re.S)
    assert found, f"no message by {field}"
    return found.group(1).strip()


def _requests(db) -> int:
    return db.scalar(select(func.count()).select_from(RiskAcceptanceRequest))


def test_an_analyst_asks_and_an_administrator_of_the_unit_approves(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], status="assessed")
    db.commit()
    analyst = browser_for("analyst")
    detail = analyst.get(f"/risks/{risk.id}").text
    assert f'href="/risks/{risk.id}/acceptance">Ask for acceptance</a>' in detail
    page = analyst.get(f"/risks/{risk.id}/acceptance").text
    assert "at most 365 days" in page and 'name="expires_on"' in page

    until = (TODAY + timedelta(days=60)).isoformat()
    sent = analyst.post(
        f"/risks/{risk.id}/acceptance",
        {"justification": "The system is retired in two months", "expires_on": until},
    )
    assert sent.status_code == 303
    waiting = analyst.get(sent.headers["location"]).text
    assert "Waiting for a decision" in waiting
    assert "You asked for this acceptance" in waiting and "Approve</button>" not in waiting

    admin_a = browser_for("admin_a")
    assert 'href="/acceptance-requests"' in admin_a.get("/risks").text
    listed = admin_a.get("/acceptance-requests").text
    assert f'href="/risks/{risk.id}/acceptance">{risk.title}</a>' in listed
    request_id = db.scalar(select(RiskAcceptanceRequest.id))
    approved = admin_a.post(
        f"/acceptance-requests/{request_id}/approve", {"comment": "Agreed by the committee"}
    )
    assert approved.status_code == 303
    shown = admin_a.get(approved.headers["location"]).text
    assert f"Approved: the risk is accepted until {until}." in shown
    assert "Agreed by the committee" in shown
    db.expire_all()
    assert db.get(Risk, risk.id).status == "accepted"
    assert "Nothing is waiting for your decision." in admin_a.get("/acceptance-requests").text


def test_refusals_are_shown_on_the_forms_and_write_nothing(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], status="assessed")
    db.commit()
    analyst = browser_for("analyst")
    url = f"/risks/{risk.id}/acceptance"
    too_long = (TODAY + timedelta(days=3650)).isoformat()
    refused = analyst.post(url, {"justification": "Forever", "expires_on": too_long})
    assert refused.status_code == 422
    assert "at most 365 days" in _error(refused.text, "expires_on")
    assert ">Forever</textarea>" in refused.text
    missing = analyst.post(url, {"expires_on": (TODAY + timedelta(days=9)).isoformat()})
    assert missing.status_code == 422
    assert _error(missing.text, "justification") == "Justification is required"
    assert _requests(db) == 0

    sent = analyst.post(
        url, {"justification": "Small", "expires_on": (TODAY + timedelta(days=9)).isoformat()}
    )
    assert sent.status_code == 303
    request_id = db.scalar(select(RiskAcceptanceRequest.id))
    own = analyst.post(f"/acceptance-requests/{request_id}/approve", {})
    assert own.status_code == 403
    assert "someone else must approve or reject it" in own.text
    unexplained = browser_for("admin_a").post(f"/acceptance-requests/{request_id}/reject", {})
    assert unexplained.status_code == 422
    assert _error(unexplained.text, "comment") == "Say why the request is rejected"
    db.expire_all()
    assert db.get(RiskAcceptanceRequest, request_id).status == "pending"
    assert db.get(Risk, risk.id).status == "assessed"


def test_a_lapsed_acceptance_is_listed_and_shown_as_expired(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(
        db, principal_for("analyst"), world.units["division-a"], status="assessed", title="Old VPN"
    )
    accept_risk(
        db,
        principal_for("analyst"),
        principal_for("admin_a"),
        risk.id,
        days=5,
        today=TODAY - timedelta(days=10),
    )
    db.commit()
    browser = browser_for("readonly_a")
    listed = browser.get("/risks", params={"acceptance_expired": "true"}).text
    assert "Old VPN" in listed and "Acceptance expired" in listed
    assert "Old VPN" not in browser.get("/risks", params={"status": "accepted"}).text
    detail = browser.get(f"/risks/{risk.id}").text
    assert "the risk is back in review" in detail
    assert "Ask for acceptance" not in detail  # a reader may not ask


def test_other_divisions_see_neither_the_page_nor_the_requests(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], status="assessed")
    db.commit()
    browser_for("analyst").post(
        f"/risks/{risk.id}/acceptance",
        {"justification": "Secret plan", "expires_on": (TODAY + timedelta(days=9)).isoformat()},
    )
    request_id = db.scalar(select(RiskAcceptanceRequest.id))
    sibling = browser_for("analyst_b")
    assert sibling.get(f"/risks/{risk.id}/acceptance").status_code == 404
    assert "Secret plan" not in sibling.get("/acceptance-requests").text
    assert sibling.post(f"/acceptance-requests/{request_id}/approve", {}).status_code == 404
    db.expire_all()
    assert db.get(RiskAcceptanceRequest, request_id).status == "pending"


def test_the_risk_form_shows_the_acceptance_and_saving_it_keeps_it(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], status="assessed")
    accepted = accept_risk(db, principal_for("analyst"), principal_for("admin_a"), risk.id)
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get(f"/risks/{risk.id}/edit").text
    assert f'Accepted until <span class="date">{accepted.acceptance_expires_on}</span>' in form
    assert 'name="acceptance_' not in form
    assert f'href="/risks/{risk.id}/acceptance"' in form
    page = analyst.get(f"/risks/{risk.id}/edit")
    fields = dict(re.findall(r'<input[^>]* name="([a-z_]+)"[^>]* value="([^"]*)"', page.text))
    saved = analyst.post(
        f"/risks/{risk.id}/edit",
        {
            "title": "Renamed while accepted",
            "unit_id": str(world.units["division-a"]),
            "category": accepted.category,
            "status": "accepted",
            "inherent_likelihood": str(accepted.inherent_likelihood),
            "inherent_impact": str(accepted.inherent_impact),
            "treatment": "accept",
            "version": fields.get("version", str(accepted.version)),
        },
    )
    assert saved.status_code == 303, saved.text
    db.expire_all()
    stored = db.get(Risk, risk.id)
    assert (stored.title, stored.status) == ("Renamed while accepted", "accepted")
    assert stored.acceptance_approver_id == world.users["admin_a"]
    assert stored.acceptance_expires_on == accepted.acceptance_expires_on


def test_an_export_of_accepted_and_lapsed_risks_reimports_unchanged(
    browser_for, client, token_for, db, world, principal_for
) -> None:
    analyst, admin_a = principal_for("analyst"), principal_for("admin_a")
    for title, days_ago in (("Kept open", 0), ("Ran out", 40)):
        risk = make_risk(db, analyst, world.units["division-a"], status="assessed", title=title)
        accept_risk(db, analyst, admin_a, risk.id, days=30, today=TODAY - timedelta(days=days_ago))
    db.commit()
    content = exported(browser_for("admin_a"), "risks", "csv")
    assert "Acceptance expired" in content.decode("utf-8-sig")
    report = api_import(client, token_for("admin_a"), "risks", content, "csv", dry_run=False)
    assert report["errors"] == [] and report["unchanged"] == report["total"] == 2, report["rows"]
