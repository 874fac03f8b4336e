"""My account's "Download my data", the administrator's erasure page and the upload quota."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from aegis.core.settings import Settings
from aegis.models import Risk
from tests.conftest import World
from tests.factories.evidence import PDF
from tests.factories.risks import make_risk

QUOTA_MESSAGE = "You have uploaded 1 files, the quota of 1 files per user"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """A quota of one file per user."""
    return Settings(
        env="test",
        database_url=database_url,
        data_dir=tmp_path,
        max_upload_bytes=1024 * 1024,
        upload_quota_files=1,
    )


def test_my_account_offers_my_data_as_a_file(browser_for, world: World) -> None:
    analyst = browser_for("analyst")
    account = analyst.get("/account")
    assert 'href="/account/data-export"' in account.text and "Download my data" in account.text
    assert "ask an administrator of your organisation" in account.text
    download = analyst.get("/account/data-export")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/json"
    user_id = world.users["analyst"]
    assert download.headers["content-disposition"] == (
        f'attachment; filename="aegis-personal-data-{user_id}.json"'
    )
    body = download.json()
    assert body["profile"]["email"] == "analyst@example.com"
    assert any(s["device"] for s in body["sessions"])  # the session of this browser


def test_an_administrator_erases_a_disabled_user_from_their_page(
    browser_for, world: World, db, principal_for
) -> None:
    browser_for("readonly_a")  # signs in: an event they are the actor of
    admin = browser_for("admin")
    user_id = world.users["readonly_a"]
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"], owner_id=user_id)
    page = admin.get(f"/admin/users/{user_id}/erase")
    assert page.status_code == 200
    assert "Disable the user first" in page.text and "Erase personal data</button>" not in page.text
    refused = admin.post(f"/admin/users/{user_id}/erase")
    assert refused.status_code == 409 and "Disable the user first" in refused.text
    assert admin.post(f"/admin/users/{user_id}/status", {"is_active": "false"}).status_code == 303
    user_page = admin.get(f"/admin/users/{user_id}")
    assert f'href="/admin/users/{user_id}/erase"' in user_page.text
    assert "Erase personal data</button>" in admin.get(f"/admin/users/{user_id}/erase").text

    erased = admin.post(f"/admin/users/{user_id}/erase")

    assert erased.status_code == 303 and erased.headers["location"] == f"/admin/users/{user_id}"
    shown = admin.get(f"/admin/users/{user_id}").text
    assert f"Former user #{user_id}" in shown
    assert f"former-user-{user_id}@erased.invalid" in shown
    assert "readonly_a@example.com" not in shown
    assert "already erased" in admin.get(f"/admin/users/{user_id}/erase").text
    trail = html.unescape(admin.get("/audit").text)
    assert f"Personal data erased: Former user #{user_id}" in trail
    assert f"Signed in as Former user #{user_id}" in trail  # their past events, renamed
    assert db.get(Risk, risk.id).owner_id == user_id  # still its owner


def test_an_administrator_cannot_erase_their_own_data(browser_for, world: World) -> None:
    admin = browser_for("admin")
    page = admin.get(f"/admin/users/{world.users['admin']}/erase")
    assert "You cannot erase your own personal data" in page.text
    refused = admin.post(f"/admin/users/{world.users['admin']}/erase")
    assert refused.status_code == 422
    assert "You cannot erase your own personal data" in html.unescape(refused.text)


def test_an_upload_past_the_quota_is_refused_next_to_the_file_field(
    browser_for, app, world: World
) -> None:
    analyst = browser_for("analyst")

    def upload():  # type: ignore[no-untyped-def]
        return analyst.client.post(
            "/evidence/new",
            data={
                "csrf_token": analyst.csrf,
                "title": "Access policy",
                "unit_id": str(world.units["division-a"]),
            },
            files={"file": ("policy.pdf", PDF, "application/pdf")},
            headers={"Accept": "text/html"},
            follow_redirects=False,
        )

    assert upload().status_code == 303
    refused = upload()
    assert refused.status_code == 422
    error = re.search(r'<p class="error" id="e-file">([^<]*)</p>', refused.text)
    assert error is not None and html.unescape(error.group(1)).startswith(QUOTA_MESSAGE)
    assert 'value="Access policy"' in refused.text  # what was typed is kept
    admin = browser_for("admin")
    other = admin.client.post(
        "/evidence/new",
        data={"csrf_token": admin.csrf, "title": "Mine", "unit_id": str(world.units["company"])},
        files={"file": ("policy.pdf", PDF, "application/pdf")},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert other.status_code == 303  # another user's quota is their own
