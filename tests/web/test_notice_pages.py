"""My account shows the user's security notices; the notices page shows them in full."""

from __future__ import annotations

from datetime import timedelta

from aegis.core.db import utcnow
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.schemas import ApiTokenCreate
from tests.conftest import World


def _token(db, principal_for, world: World, user: str, name: str) -> None:
    api_tokens.create_token(
        session=db,
        principal=principal_for(user),
        data=ApiTokenCreate(
            name=name,
            access="read_only",
            unit_ids=[world.units["division-a"]],
            expires_on=utcnow().date() + timedelta(days=30),
        ),
        max_days=365,
    )


def test_my_account_lists_my_notices_and_links_to_them_in_full(
    browser_for, db, principal_for, world: World
) -> None:
    browser = browser_for("analyst")
    empty = browser.get("/account")
    assert "Security notices" in empty.text and "No security notices yet" in empty.text
    _token(db, principal_for, world, "analyst", "report <script>")
    _token(db, principal_for, world, "admin", "not for the analyst")
    account = browser.get("/account")
    assert "An API token was created on your Aegis account" in account.text
    assert "Not e-mailed" in account.text
    assert 'href="/account/notices"' in account.text
    page = browser.get("/account/notices")
    assert page.status_code == 200
    assert "The API token &#34;report &lt;script&gt;&#34; was created" in page.text
    assert "contact your administrator" in page.text
    assert "not for the analyst" not in page.text
    assert "No mail server is set up" in page.text


def test_the_notices_page_refuses_bad_paging(browser_for) -> None:
    answer = browser_for("analyst").get("/account/notices", params={"limit": 0})
    assert answer.status_code == 422
