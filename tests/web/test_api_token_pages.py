"""API tokens in My account and in the administration: create, see once, revoke."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aegis.core.db import utcnow
from aegis.models import ApiToken
from tests.conftest import World

SECRET_FIELD = re.compile(r'id="new-token-secret"[^>]*value="(aegis_[A-Za-z0-9]+)"')


def _in_days(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def _form(world: World, **changes: object) -> dict:
    form = {
        "name": "Nightly export",
        "access": "read_only",
        "unit_ids": [str(world.units["division-a"])],
        "expires_on": _in_days(30),
    }
    return {**form, **changes}


def _count(db) -> int:
    return int(db.scalar(select(func.count()).select_from(ApiToken)) or 0)


def test_the_account_page_leads_to_the_api_tokens(browser_for) -> None:
    page = browser_for("analyst").get("/account")
    assert page.status_code == 200
    assert 'href="/account/api-tokens"' in page.text


def test_a_token_made_on_the_page_is_shown_once_with_its_units_by_name(
    browser_for, db, world: World, app
) -> None:
    browser = browser_for("admin")
    form = browser.get("/account/api-tokens")
    assert form.status_code == 200
    for unit in ("company", "division-a", "division-b", "team-a1"):
        assert f'value="{world.units[unit]}"' in form.text and f">{unit}</label>" in form.text
    created = browser.post("/account/api-tokens", _form(world))
    assert created.status_code == 200, created.text
    match = SECRET_FIELD.search(created.text)
    assert match, "the new token is not shown"
    secret = match.group(1)
    assert "readonly" in created.text[match.start() - 200 : match.end() + 200]
    assert "shown this once" in created.text
    again = browser.get("/account/api-tokens")
    assert secret not in again.text and secret[:12] in again.text
    row = again.text[again.text.index("Nightly export") :]
    assert "division-a" in row and "Read-only" in row and "Never" in row
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/assets", headers=headers).status_code == 200


def test_a_unit_outside_the_users_roles_is_refused_on_the_form(
    browser_for, db, world: World
) -> None:
    browser = browser_for("analyst")
    refused = browser.post(
        "/account/api-tokens", _form(world, unit_ids=[str(world.units["division-b"])])
    )
    assert refused.status_code == 422
    assert 'id="e-unit_ids"' in refused.text
    assert "Choose only units you hold a role on" in refused.text
    assert 'value="Nightly export"' in refused.text  # what was typed stays
    assert _count(db) == 0
    assert 'id="new-token-secret"' not in refused.text


def test_an_expiry_beyond_the_limit_or_missing_is_refused_on_the_form(
    browser_for, db, world: World
) -> None:
    browser = browser_for("analyst")
    too_late = browser.post("/account/api-tokens", _form(world, expires_on=_in_days(400)))
    assert too_late.status_code == 422
    assert 'id="e-expires_on"' in too_late.text and "at most 365 days" in too_late.text
    missing = browser.post("/account/api-tokens", _form(world, expires_on=""))
    assert missing.status_code == 422 and 'id="e-expires_on"' in missing.text
    no_units = browser.post("/account/api-tokens", _form(world, unit_ids=[]))
    assert no_units.status_code == 422 and 'id="e-unit_ids"' in no_units.text
    assert _count(db) == 0


def test_revoking_on_the_page_ends_the_token(browser_for, db, world: World, app) -> None:
    browser = browser_for("analyst")
    secret = SECRET_FIELD.search(browser.post("/account/api-tokens", _form(world)).text).group(1)
    token = db.scalars(select(ApiToken)).one()
    revoked = browser.post(f"/account/api-tokens/{token.id}/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/account/api-tokens"
    page = browser.get("/account/api-tokens")
    assert "Revoked the API token &#39;Nightly export&#39;" in page.text
    assert "Revoked" in page.text[page.text.index("Nightly export", page.text.index("<table")) :]
    with TestClient(app) as client:
        refused = client.get("/api/v1/assets", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401


def test_someone_elses_token_cannot_be_revoked_from_my_account(
    browser_for, db, world: World
) -> None:
    browser_for("analyst").post("/account/api-tokens", _form(world))
    token = db.scalars(select(ApiToken)).one()
    refused = browser_for("readonly").post(f"/account/api-tokens/{token.id}/revoke")
    assert refused.status_code == 404
    db.refresh(token)
    assert token.revoked_at is None


def test_administrators_see_and_revoke_the_tokens_of_their_users(
    browser_for, db, world: World
) -> None:
    browser_for("analyst").post("/account/api-tokens", _form(world, name="analyst-token"))
    browser_for("analyst_b").post(
        "/account/api-tokens",
        _form(world, name="sibling-token", unit_ids=[str(world.units["division-b"])]),
    )
    tokens = {t.name: t for t in db.scalars(select(ApiToken))}
    division_admin = browser_for("admin_a")
    page = division_admin.get("/admin/api-tokens")
    assert page.status_code == 200
    assert "analyst-token" in page.text and "sibling-token" not in page.text
    assert "Analyst" in page.text  # the owner, by name
    assert (
        division_admin.post(f"/admin/api-tokens/{tokens['sibling-token'].id}/revoke").status_code
        == 404
    )
    done = division_admin.post(f"/admin/api-tokens/{tokens['analyst-token'].id}/revoke")
    assert done.status_code == 303 and done.headers["location"] == "/admin/api-tokens"
    db.refresh(tokens["analyst-token"])
    assert tokens["analyst-token"].revoked_at is not None
    assert tokens["analyst-token"].revoked_by_id == world.users["admin_a"]
    revoked = division_admin.get("/admin/api-tokens", params={"status": "revoked"})
    assert "analyst-token" in revoked.text
    assert browser_for("analyst").get("/admin/api-tokens").status_code == 403
    assert (
        browser_for("analyst")
        .post(f"/admin/api-tokens/{tokens['sibling-token'].id}/revoke")
        .status_code
        == 403
    )
    db.refresh(tokens["sibling-token"])
    assert tokens["sibling-token"].revoked_at is None
