"""Password pages: the change asked before anything else, the strength meter, show-password."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from structlog.testing import capture_logs

from aegis.core.security import hash_password
from aegis.models import AuditEvent, User
from tests.conftest import PASSWORD, World
from tests.web.conftest import Browser, post_login, sign_in

NEW = "amber quarry lantern 5612"
MINE = "heron drifts past 9 silver mills"
METER = "/form-parts/password-strength"
PASSWORD_INPUT = re.compile(r"<input[^>]*type=\"password\"[^>]*>")


def _reason_of(db: Session, user_id: int) -> str | None:
    db.expire_all()
    return db.scalar(select(User.password_change_reason).where(User.id == user_id))


def _hash_of(db: Session, user_id: int) -> str | None:
    db.expire_all()
    return db.scalar(select(User.password_hash).where(User.id == user_id))


def _events(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _set_by_admin(browser_for, world: World, name: str = "analyst") -> None:
    admin = browser_for("admin")
    answer = admin.post(
        f"/admin/users/{world.users[name]}/password",
        {"password": NEW, "confirm_password": NEW},
    )
    assert answer.status_code == 303, answer.text


def test_a_password_set_by_an_admin_sends_every_page_to_the_change_with_why(
    app: Any, browser_for, world: World, db: Session
) -> None:
    _set_by_admin(browser_for, world)
    assert _reason_of(db, world.users["analyst"]) == "set_by_admin"
    with TestClient(app) as client:
        signed_in = post_login(client, "analyst@example.com", NEW, next="/risks")
        assert signed_in.status_code == 303
        for path in ("/risks", "/account", "/", "/admin/users"):
            page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
            assert page.status_code == 303, path
            assert page.headers["location"] == "/account/password"
        htmx = client.get("/risks", headers={"HX-Request": "true"}, follow_redirects=False)
        assert htmx.headers["HX-Redirect"] == "/account/password"
        page = client.get("/account/password")
        assert page.status_code == 200
        assert "Choose a new password" in page.text
        assert "An administrator set your password, so someone else knows it." in page.text
        browser = Browser(client, re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1])

        # a refusal shows on the same page, and writes nothing
        before, events = _hash_of(db, world.users["analyst"]), _events(db)
        refused = browser.post(
            "/account/password",
            {"current_password": NEW, "new_password": "Password1234", "confirm_password": "x"},
        )
        assert refused.status_code == 422
        assert "Choose a new password" in refused.text
        assert 'id="e-confirm_password"' in refused.text
        refused = browser.post(
            "/account/password",
            {"current_password": NEW, "new_password": "passwordpassword",
             "confirm_password": "passwordpassword"},
        )  # fmt: skip
        assert refused.status_code == 422
        assert "one of the most commonly used passwords" in refused.text
        assert _hash_of(db, world.users["analyst"]) == before
        assert _reason_of(db, world.users["analyst"]) == "set_by_admin"
        assert _events(db) == events

        changed = browser.post(
            "/account/password",
            {"current_password": NEW, "new_password": MINE, "confirm_password": MINE},
        )
        assert changed.status_code == 303
        assert changed.headers["location"] == "/login?changed=1"
    assert _reason_of(db, world.users["analyst"]) is None
    done = db.scalars(select(AuditEvent).where(AuditEvent.action == "password_change_done"))
    assert [event.entity_id for event in done] == [world.users["analyst"]]
    with TestClient(app) as client:
        again = sign_in(client, "analyst@example.com", MINE)
        assert again.get("/risks").status_code == 200


def test_signing_in_with_a_listed_password_explains_it_must_be_replaced(
    app: Any, world: World, db: Session
) -> None:
    user = db.get(User, world.users["readonly"])
    assert user is not None
    user.password_hash = hash_password("password1234")  # from before the policy, on the list
    db.commit()
    with TestClient(app) as client:
        assert post_login(client, "readonly@example.com", "password1234").status_code == 303
        page = client.get("/")
        assert page.url.path == "/account/password"
        assert "on a list of common and leaked passwords" in page.text
    assert _reason_of(db, world.users["readonly"]) == "breached"
    asked = db.scalars(select(AuditEvent).where(AuditEvent.action == "password_change_required"))
    assert [event.entity_id for event in asked] == [world.users["readonly"]]


def test_signing_out_works_while_a_change_is_required(app: Any, browser_for, world: World) -> None:
    _set_by_admin(browser_for, world)
    with TestClient(app) as client:
        browser = sign_in(client, "analyst@example.com", NEW)
        out = browser.post("/logout")
        assert out.status_code == 303 and out.headers["location"] == "/login"
        after = client.get("/account/password", follow_redirects=False)
        assert after.headers["location"].startswith("/login")


def test_an_admin_setting_their_own_password_on_the_page_goes_on_as_before(
    browser_for, world: World, db: Session
) -> None:
    admin = browser_for("admin")
    answer = admin.post(
        f"/admin/users/{world.users['admin']}/password", {"password": NEW, "confirm_password": NEW}
    )
    assert answer.status_code == 303
    assert _reason_of(db, world.users["admin"]) is None


def test_a_password_of_129_characters_is_refused_on_every_form_naming_the_field(
    browser_for, world: World, db: Session
) -> None:
    too_long = ("Copper kettles whistle at dawn while grey herons wade " * 3)[:129]
    analyst = world.users["analyst"]
    own_browser, admin = browser_for("analyst"), browser_for("admin")
    before, events = _hash_of(db, analyst), _events(db)
    own = own_browser.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": too_long, "confirm_password": too_long},
    )
    assert own.status_code == 422
    assert re.search(r'id="e-new_password">[^<]*at most 128 characters', own.text)
    set_one = admin.post(
        f"/admin/users/{analyst}/password", {"password": too_long, "confirm_password": too_long}
    )
    assert set_one.status_code == 422
    assert re.search(r'id="e-password">[^<]*128 characters', set_one.text)
    created = admin.post(
        "/admin/users/new",
        {
            "name": "Too Long",
            "email": "too.long@example.com",
            "password": too_long,
            "confirm_password": too_long,
            "role": "analyst",
            "unit_id": str(world.units["division-a"]),
        },
    )
    assert created.status_code == 422
    assert re.search(r'id="e-password">[^<]*128 characters', created.text)
    assert _hash_of(db, analyst) == before
    assert db.scalar(select(User).where(User.email == "too.long@example.com")) is None
    assert _events(db) == events


@pytest.mark.parametrize(
    ("typed", "score", "says"),
    [
        ("", "0", "Too short: 0 of at least 12 characters."),
        ("tiny", "[01]", "Too short: 4 of at least 12 characters."),
        ("Password1234", "0", "Too easy to guess: the password is one of the most commonly"),
        ("analyst_b@example.com", "[01]", "Too easy to guess: the password is mostly your name"),
        ("correct horse battery staple", "4", "Strong enough: this password is accepted."),
        ("a" * 129, "0", "Too long: 129 of at most 128 characters."),
    ],
)
def test_the_meter_reads_the_password_by_the_rules_it_will_be_held_to(
    browser_for, typed: str, score: str, says: str
) -> None:
    browser = browser_for("analyst_b")
    answer = browser.post(METER, {"new_password": typed})
    assert answer.status_code == 200
    assert re.search(rf'<meter min="0" max="4"[^>]*value="{score}"', answer.text), answer.text
    assert "Strength: <strong>" in answer.text
    assert says in answer.text
    assert typed not in answer.text or not typed


def test_the_meter_weighs_the_user_the_password_is_for(browser_for) -> None:
    admin = browser_for("admin")
    for_grace = {
        "password": "GraceHopper2026",
        "email": "grace.hopper@example.com",
        "name": "Grace Hopper",
    }
    assert "mostly your name" in admin.post(METER, for_grace).text
    assert "mostly your name" not in admin.post(METER, {"password": "GraceHopper2026"}).text


def test_the_meter_takes_no_password_in_the_address_and_keeps_none(
    app: Any, browser_for, db: Session
) -> None:
    browser = browser_for("analyst")
    secret = "Violet tractor 47 sings at dawn"
    assert browser.get(f"{METER}?new_password=x").status_code == 405
    events = _events(db)
    with capture_logs() as logs:
        answer = browser.post(METER, {"new_password": secret})
    assert answer.status_code == 200
    assert secret not in repr(logs)
    assert _events(db) == events
    assert "no-store" in answer.headers["cache-control"]


def test_the_meter_needs_a_signed_in_user_and_the_form_token(
    app: Any, browser_for, world: World
) -> None:
    with TestClient(app) as anonymous:
        answer = anonymous.post(METER, data={"new_password": "x"}, follow_redirects=False)
        assert answer.status_code in (303, 403)
    browser = browser_for("analyst")
    forged = browser.client.post(METER, data={"new_password": "x"}, headers={"Accept": "text/html"})
    assert forged.status_code == 403


def test_the_meter_works_while_a_change_is_required(app: Any, browser_for, world: World) -> None:
    _set_by_admin(browser_for, world)
    with TestClient(app) as client:
        browser = sign_in(client, "analyst@example.com", NEW)
        answer = browser.post(METER, {"new_password": MINE})
        assert answer.status_code == 200 and "Strong enough" in answer.text


def _password_inputs(html: str) -> list[str]:
    return PASSWORD_INPUT.findall(html)


@pytest.mark.parametrize(
    ("path", "meters"),
    [
        ("/account", ["new_password"]),
        ("/account/password", ["new_password"]),
        ("/admin/users/new", ["password"]),
        ("/admin/users/{analyst}", ["password"]),
    ],
)
def test_password_fields_can_be_shown_pasted_into_and_new_ones_have_a_meter(
    browser_for, world: World, path: str, meters: list[str]
) -> None:
    page = browser_for("admin").get(path.format(analyst=world.users["analyst"])).text
    fields = _password_inputs(page)
    assert fields
    for field in fields:
        name = re.search(r'name="([^"]+)"', field)[1]
        assert "onpaste" not in field and "maxlength" not in field  # never cut short or blocked
        assert re.search(r'autocomplete="(new|current)-password"', field)
        toggle = re.search(
            rf'<button type="button"[^>]*data-show-password="f-{name}"[^>]*>Show password</button>',
            page,
        )
        assert toggle and 'aria-pressed="false"' in toggle[0]
        assert f'aria-controls="f-{name}"' in toggle[0]
        if name in meters:
            assert f'hx-post="{METER}"' in field and f'hx-target="#m-{name}"' in field
            assert f'id="m-{name}"' in page
        else:
            assert "hx-post" not in field
    assert re.search(r'<script src="/static/passwords\.[0-9a-f]+\.js" defer>', page)
    assert "<script>" not in page  # no inline script


def test_the_sign_in_form_can_show_the_password(client: TestClient) -> None:
    page = client.get("/login").text
    assert 'data-show-password="f-password"' in page
    assert 'aria-pressed="false"' in page
