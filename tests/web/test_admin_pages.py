"""Administration pages: users and roles, the unit tree, the risk matrix; who may use them."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.factories.risks import make_risk
from tests.web.conftest import post_login, sign_in
from tests.web.exported import csv_rows

NEW_PASSWORD = "a brand new passphrase 42"


def _new_user(world, **changes: str) -> dict[str, str]:
    form = {
        "name": "Nora New",
        "email": "newbie@example.com",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "role": "analyst",
        "unit_id": str(world.units["division-a"]),
        "include_children": "1",
    }
    form.update(changes)
    return form


def _matrix_form(bands: list[tuple[str, int, int, str]], likelihood=5, impact=5, appetite=10):
    form = {
        "likelihood_levels": str(likelihood),
        "impact_levels": str(impact),
        "appetite_score": str(appetite),
    }
    for index, (name, low, high, colour) in enumerate(bands):
        form.update(
            {
                f"bands.{index}.name": name,
                f"bands.{index}.min_score": str(low),
                f"bands.{index}.max_score": str(high),
                f"bands.{index}.color": colour,
            }
        )
    # a blank spare row, as the page always sends one
    form.update({"bands.9.name": "", "bands.9.min_score": "", "bands.9.max_score": ""})
    form["bands.9.color"] = "#607d8b"
    return form


DEFAULT_BANDS = [
    ("Low", 1, 5, "#2e7d32"),
    ("Medium", 6, 10, "#f9a825"),
    ("High", 11, 15, "#ef6c00"),
    ("Critical", 16, 25, "#c62828"),
]


def _pages(world) -> list[str]:
    return [
        "/admin",
        "/admin/users",
        "/admin/users?format=csv",
        "/admin/users/new",
        f"/admin/users/{world.users['analyst']}",
        "/admin/units",
        f"/admin/units/{world.units['division-a']}",
        "/admin/risk-matrix",
    ]


def test_every_admin_page_renders_for_an_admin(browser_for, world) -> None:
    admin = browser_for("admin")
    for url in _pages(world):
        response = admin.get(url)
        assert response.status_code == 200, (url, response.text[:500])
    overview = admin.get("/admin").text
    for link in ("/admin/users", "/admin/units", "/admin/risk-matrix", "/audit"):
        assert f'href="{link}"' in overview


@pytest.mark.parametrize("name", ["analyst", "readonly", "readonly_a"])
def test_non_admins_are_refused_every_admin_page_and_action(browser_for, world, name) -> None:
    browser = browser_for(name)
    assert 'href="/admin"' not in browser.get("/risks").text
    for url in _pages(world):
        assert browser.get(url).status_code == 403, url
    user, unit = world.users["analyst_b"], world.units["division-a"]
    posts = {
        "/admin/users/new": _new_user(world),
        f"/admin/users/{user}/status": {"is_active": "false"},
        f"/admin/users/{user}/password": {"password": NEW_PASSWORD},
        f"/admin/users/{user}/roles": {"role": "admin", "unit_id": str(unit)},
        "/admin/units/new": {"parent_id": str(unit), "name": "Rogue"},
        f"/admin/units/{unit}/edit": {"name": "Renamed"},
        f"/admin/units/{unit}/delete": {},
        "/admin/risk-matrix": _matrix_form(DEFAULT_BANDS),
    }
    for url, data in posts.items():
        assert browser.post(url, data).status_code == 403, url


def test_division_admin_sees_and_manages_only_their_division(browser_for, world) -> None:
    admin_a = browser_for("admin_a")
    listing = admin_a.get("/admin/users").text
    for email in ("analyst@example.com", "readonly_a@example.com", "admin_a@example.com"):
        assert email in listing
    for email in ("analyst_b@example.com", "admin@example.com", "readonly@example.com"):
        assert email not in listing
    emails = {row["E-mail"] for row in csv_rows(admin_a.get("/admin/users?format=csv"))}
    assert emails == {"analyst@example.com", "readonly_a@example.com", "admin_a@example.com"}
    units = admin_a.get("/admin/units").text
    assert "division-a" in units and "team-a1" in units and "division-b" not in units
    assert admin_a.get(f"/admin/users/{world.users['analyst_b']}").status_code == 404
    assert admin_a.get(f"/admin/units/{world.units['division-b']}").status_code == 404
    forged = admin_a.post(
        "/admin/users/new", _new_user(world, unit_id=str(world.units["division-b"]))
    )
    assert forged.status_code == 403
    assert (
        admin_a.post(
            "/admin/units/new", {"parent_id": str(world.units["division-b"]), "name": "Rogue"}
        ).status_code
        == 403
    )
    # the division admin manages their own users
    created = admin_a.post("/admin/users/new", _new_user(world))
    assert created.status_code == 303
    assert "newbie@example.com" in admin_a.get("/admin/users?q=newbie").text


def test_user_list_search_filter_and_pagination(browser_for, world) -> None:
    admin = browser_for("admin")
    page = admin.get("/admin/users?q=analyst").text
    assert "analyst@example.com" in page and "analyst_b@example.com" in page
    assert "readonly@example.com" not in page
    by_unit = admin.get(f"/admin/users?unit_id={world.units['division-b']}").text
    assert "analyst_b@example.com" in by_unit and "analyst@example.com" not in by_unit
    assert "No users match" in admin.get("/admin/users?is_active=false").text
    first = admin.get("/admin/users?limit=2&sort=email").text
    assert 'rel="next"' in first and "1–2 of 6" in first
    assert admin.get("/admin/users?colour=blue").status_code == 422


def test_invalid_new_user_shows_errors_next_to_fields_and_saves_nothing(browser_for, world) -> None:
    admin = browser_for("admin")
    response = admin.post("/admin/users/new", _new_user(world, email="not-an-email", name=""))
    assert response.status_code == 422
    assert 'id="e-email"' in response.text and 'id="e-name"' in response.text
    assert 'value="not-an-email"' in response.text
    assert PASSWORD not in response.text  # passwords are never echoed back
    short = admin.post(
        "/admin/users/new", _new_user(world, password="short", confirm_password="short")
    )
    assert short.status_code == 422 and 'id="e-password"' in short.text
    differ = admin.post("/admin/users/new", _new_user(world, confirm_password="something else 1"))
    assert differ.status_code == 422 and 'id="e-confirm_password"' in differ.text
    taken = admin.post("/admin/users/new", _new_user(world, email="analyst@example.com"))
    assert taken.status_code == 409 and 'id="e-email"' in taken.text
    assert "No users match" in admin.get("/admin/users?q=newbie").text


def test_a_created_user_can_sign_in_with_their_role(browser_for, world) -> None:
    admin = browser_for("admin")
    created = admin.post("/admin/users/new", _new_user(world))
    assert created.status_code == 303
    page = admin.get(created.headers["location"])
    assert "Nora New" in page.text and "Analyst" in page.text and "division-a" in page.text
    newbie = browser_for("newbie")
    first = newbie.get("/risks", follow_redirects=False)  # the admin knows it: replaced first
    assert first.status_code == 303 and first.headers["location"] == "/account/password"
    changed = newbie.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303, changed.text
    newbie = sign_in(newbie.client, "newbie@example.com", NEW_PASSWORD)
    assert newbie.get("/risks").status_code == 200
    assert newbie.get("/admin").status_code == 403


def test_disabling_a_user_ends_their_session_and_asks_first(browser_for, world) -> None:
    analyst = browser_for("analyst")
    assert analyst.get("/risks").status_code == 200
    admin = browser_for("admin")
    user_id = world.users["analyst"]
    page = admin.get(f"/admin/users/{user_id}").text
    assert 'data-confirm="Disable Analyst?' in page
    disabled = admin.post(f"/admin/users/{user_id}/status", {"is_active": "false"})
    assert disabled.status_code == 303
    after = analyst.get("/risks", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    page = admin.get(f"/admin/users/{user_id}").text
    assert "Disabled" in page and 'data-confirm="Enable Analyst?' in page
    assert "analyst@example.com" in admin.get("/admin/users?is_active=false").text
    assert admin.post(f"/admin/users/{user_id}/status", {"is_active": "true"}).status_code == 303
    assert browser_for("analyst").get("/risks").status_code == 200


def test_an_admin_cannot_disable_themselves(browser_for, world) -> None:
    admin = browser_for("admin")
    page = admin.get(f"/admin/users/{world.users['admin']}").text
    assert "Disable user" not in page
    refused = admin.post(f"/admin/users/{world.users['admin']}/status", {"is_active": "false"})
    assert refused.status_code == 422 and "You cannot disable yourself" in refused.text


def test_grant_and_revoke_roles(browser_for, world) -> None:
    admin = browser_for("admin")
    user_id = world.users["analyst_b"]
    granted = admin.post(
        f"/admin/users/{user_id}/roles",
        {"role": "readonly", "unit_id": str(world.units["team-a1"])},
    )
    assert granted.status_code == 303
    page = admin.get(f"/admin/users/{user_id}").text
    assert "team-a1" in page and "This unit only" in page
    assert 'data-confirm="Revoke the read-only role of Analyst_B on team-a1?' in page
    again = admin.post(
        f"/admin/users/{user_id}/roles",
        {"role": "readonly", "unit_id": str(world.units["team-a1"])},
    )
    assert again.status_code == 422 and 'id="e-role"' in again.text
    assert "already holds this role" in again.text
    missing = admin.post(f"/admin/users/{user_id}/roles", {"role": "readonly"})
    assert missing.status_code == 422 and 'id="e-unit_id"' in missing.text
    analyst_b = browser_for("analyst_b")
    assert analyst_b.get(f"/admin/users/{user_id}").status_code == 403
    (assignment,) = [
        line.split("/roles/")[1].split("/revoke")[0]
        for line in page.splitlines()
        if "/revoke" in line and "team-a1" in line
    ]
    revoked = admin.post(f"/admin/users/{user_id}/roles/{assignment}/revoke")
    assert revoked.status_code == 303
    after = admin.get(f"/admin/users/{user_id}").text
    assert "on team-a1?" not in after and "division-b" in after


def test_revoking_the_last_role_returns_to_the_list(browser_for, db, world) -> None:
    from aegis.models import RoleAssignment

    only = db.query(RoleAssignment).filter_by(user_id=world.users["analyst_b"]).one()
    admin = browser_for("admin")
    url = f"/admin/users/{world.users['analyst_b']}/roles/{only.id}/revoke"
    assert (
        admin.post(f"/admin/users/{world.users['analyst']}/roles/{only.id}/revoke").status_code
        == 404
    )
    revoked = admin.post(url)
    assert revoked.status_code == 303 and revoked.headers["location"] == "/admin/users?revoked=1"
    assert "holds no other role in your units" in admin.get(revoked.headers["location"]).text
    assert "analyst_b@example.com" not in admin.get("/admin/users").text


def test_an_admin_cannot_revoke_their_own_admin_role(browser_for, db, world) -> None:
    from aegis.models import RoleAssignment

    own = db.query(RoleAssignment).filter_by(user_id=world.users["admin"]).one()
    admin = browser_for("admin")
    refused = admin.post(f"/admin/users/{world.users['admin']}/roles/{own.id}/revoke")
    assert refused.status_code == 422
    assert "You cannot remove your own administrator role" in refused.text
    assert admin.get("/admin").status_code == 200


def test_set_password_validates_and_ends_the_users_sessions(browser_for, world) -> None:
    analyst = browser_for("analyst")
    admin = browser_for("admin")
    url = f"/admin/users/{world.users['analyst']}/password"
    differ = admin.post(url, {"password": NEW_PASSWORD, "confirm_password": "x" + NEW_PASSWORD})
    assert differ.status_code == 422 and 'id="e-confirm_password"' in differ.text
    short = admin.post(url, {"password": "tiny", "confirm_password": "tiny"})
    assert short.status_code == 422 and 'id="e-password"' in short.text
    assert analyst.get("/risks").status_code == 200  # nothing changed so far
    assert (
        admin.post(url, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code
        == 303
    )
    assert analyst.get("/risks", follow_redirects=False).status_code == 303
    signed_in = post_login(analyst.client, "analyst@example.com", NEW_PASSWORD)
    assert signed_in.status_code == 303


def test_unit_tree_create_rename_move_and_delete(browser_for, world) -> None:
    admin_a = browser_for("admin_a")
    division, team = world.units["division-a"], world.units["team-a1"]
    tree = admin_a.get("/admin/units").text
    assert tree.index("division-a") < tree.index("team-a1")
    assert '<ul class="tree">' in tree  # team-a1 is nested below division-a
    created = admin_a.post("/admin/units/new", {"parent_id": str(team), "name": "squad-x"})
    assert created.status_code == 303
    squad = int(created.headers["location"].split("/")[-1].split("?")[0])
    duplicate = admin_a.post("/admin/units/new", {"parent_id": str(team), "name": "squad-x"})
    assert duplicate.status_code == 409 and 'id="e-name"' in duplicate.text
    blank = admin_a.post("/admin/units/new?from=unit", {"parent_id": str(team), "name": ""})
    assert blank.status_code == 422 and 'id="ce-name"' in blank.text
    renamed = admin_a.post(
        f"/admin/units/{squad}/edit",
        {"name": "squad-y", "description": "Night shift", "parent_id": str(team)},
    )
    assert renamed.status_code == 303
    moved = admin_a.post(
        f"/admin/units/{squad}/edit",
        {"name": "squad-y", "description": "Night shift", "parent_id": str(division)},
    )
    assert moved.status_code == 303
    page = admin_a.get(f"/admin/units/{squad}").text
    assert "Night shift" in page and 'data-confirm="Delete the unit squad-y?' in page
    below_itself = admin_a.post(
        f"/admin/units/{division}/edit", {"name": "division-a", "parent_id": str(squad)}
    )
    assert below_itself.status_code == 422 and 'id="e-parent_id"' in below_itself.text
    has_children = admin_a.post(f"/admin/units/{division}/delete")
    assert has_children.status_code == 409 and "“division-a” has sub-units" in has_children.text
    assert admin_a.post(f"/admin/units/{squad}/delete").status_code == 303
    assert "squad-y" not in admin_a.get("/admin/units").text
    has_users = browser_for("admin").post(f"/admin/units/{world.units['division-b']}/delete")
    assert has_users.status_code == 409 and "1 user(s) with a role on it" in has_users.text


def test_unit_with_objects_or_users_is_not_deleted(browser_for, db, world, principal_for) -> None:
    admin = browser_for("admin")
    created = admin.post(
        "/admin/units/new", {"parent_id": str(world.units["division-b"]), "name": "ops"}
    )
    ops = int(created.headers["location"].split("/")[-1].split("?")[0])
    make_risk(db, principal_for("admin"), ops, title="Risk in ops")
    db.commit()
    refused = admin.post(f"/admin/units/{ops}/delete")
    assert refused.status_code == 409
    assert "The unit was not deleted" in refused.text
    assert admin.get(f"/admin/units/{ops}").status_code == 200


def test_root_unit_has_no_delete_or_move(browser_for, world) -> None:
    admin = browser_for("admin")
    page = admin.get(f"/admin/units/{world.units['company']}").text
    assert "Delete unit" not in page and 'name="parent_id"' not in page.split("Add a sub-unit")[0]


def test_risk_matrix_is_shown_with_level_names_to_every_admin(browser_for) -> None:
    admin_a = browser_for("admin_a")
    page = admin_a.get("/admin/risk-matrix")
    assert page.status_code == 200
    for name in ("Low", "Medium", "High", "Critical"):
        assert name in page.text
    assert 'fill="#c62828"' in page.text and "16–25" in page.text
    assert 'name="likelihood_levels"' not in page.text  # only the root admin edits
    assert admin_a.post("/admin/risk-matrix", _matrix_form(DEFAULT_BANDS)).status_code == 403


def test_root_admin_edits_the_matrix_with_errors_next_to_fields(browser_for) -> None:
    admin = browser_for("admin")
    assert 'name="bands.0.name"' in admin.get("/admin/risk-matrix").text
    gap = [("Low", 1, 5, "#2e7d32"), ("High", 7, 25, "#c62828")]
    refused = admin.post("/admin/risk-matrix", _matrix_form(gap))
    assert refused.status_code == 422
    assert 'id="e-bands.1.min_score"' in refused.text and "leaves a gap" in refused.text
    too_big = admin.post("/admin/risk-matrix", _matrix_form(DEFAULT_BANDS, likelihood=11))
    assert too_big.status_code == 422 and 'id="e-likelihood_levels"' in too_big.text
    bad_colour = [*DEFAULT_BANDS[:3], ("Critical", 16, 25, "red")]
    colour = admin.post("/admin/risk-matrix", _matrix_form(bad_colour))
    assert colour.status_code == 422 and 'id="e-bands.3.color"' in colour.text
    assert "Minor" not in admin.get("/admin/risk-matrix").text  # nothing saved
    renamed = [("Minor", 1, 4, "#2e7d32"), *DEFAULT_BANDS[1:]]
    renamed[1] = ("Medium", 5, 10, "#f9a825")
    saved = admin.post("/admin/risk-matrix", _matrix_form(renamed, appetite=8))
    assert saved.status_code == 303
    page = admin.get(saved.headers["location"]).text
    assert "Minor" in page and "5–10" in page and "was saved" in page


def test_matrix_smaller_than_stored_ratings_is_refused_clearly(
    browser_for, db, world, principal_for
) -> None:
    make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        title="Very likely",
        inherent_likelihood=5,
        inherent_impact=2,
    )
    db.commit()
    admin = browser_for("admin")
    bands = [*DEFAULT_BANDS[:3], ("Critical", 16, 20, "#c62828")]
    refused = admin.post("/admin/risk-matrix", _matrix_form(bands, likelihood=4))
    assert refused.status_code == 409
    assert "re-rate them first" in refused.text
    assert 'id="e-likelihood_levels"' in refused.text and "1 risk(s)" in refused.text
    assert "5 × 5 grid" in admin.get("/admin/risk-matrix").text


def test_users_with_roles_elsewhere_are_only_partly_managed(browser_for, world) -> None:
    admin = browser_for("admin")
    user_id = world.users["analyst"]
    granted = admin.post(
        f"/admin/users/{user_id}/roles",
        {"role": "readonly", "unit_id": str(world.units["division-b"]), "include_children": "1"},
    )
    assert granted.status_code == 303
    admin_a = browser_for("admin_a")
    page = admin_a.get(f"/admin/users/{user_id}").text
    assert "also holds roles on units you do not administer" in page
    assert "Disable user" not in page and 'name="password"' not in page
    assert "division-b" not in page.split("Grant a role")[0]  # the other role stays hidden
    assert admin_a.post(f"/admin/users/{user_id}/status", {"is_active": "false"}).status_code == 403
    assert browser_for("analyst").get("/risks").status_code == 200
