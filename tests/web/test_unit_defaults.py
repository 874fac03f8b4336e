"""New objects start in the unit of the page they came from, else in the user's own unit."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from aegis.core.security import hash_password
from aegis.models import RoleAssignment, Unit, User
from tests.conftest import PASSWORD
from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.risks import make_risk
from tests.web.conftest import Browser, sign_in

WARNING = "will not see this"


def _selected(html: str, select_id: str) -> str | None:
    """The value of the selected option of one select of a page."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, f"no select #{select_id}"
    found = re.search(r'<option value="([^"]*)"\s*selected>', block.group(0))
    return found.group(1) if found else None


def _chosen(html: str, name: str) -> set[int]:
    """The ids a picker shows as chosen (ticked) for the field `name`."""
    return {int(v) for v in re.findall(rf'name="{name}" value="(\d+)" checked', html)}


@pytest.fixture
def person(db, world, app) -> Callable[..., Browser]:  # type: ignore[no-untyped-def]
    """A new user holding the given (role, unit id) roles, signed in."""
    clients: list[TestClient] = []

    def make(email: str, *roles: tuple[str, int]) -> Browser:
        user = User(email=email, name=email.split("@")[0], password_hash=hash_password(PASSWORD))
        db.add(user)
        db.flush()
        for role, unit_id in roles:
            db.add(
                RoleAssignment(user_id=user.id, role=role, unit_id=unit_id, include_children=True)
            )
        db.commit()
        client = TestClient(app)
        clients.append(client)
        return sign_in(client, email)

    yield make
    for client in clients:
        client.close()


def test_evidence_opened_from_a_control_starts_in_the_controls_unit(
    browser_for, db, world, principal_for
) -> None:
    team = world.units["team-a1"]
    control = make_control(db, principal_for("admin"), team, ref="SHOP-1")
    db.commit()
    analyst = browser_for("analyst")
    for path in ("/evidence/new", "/evidence/links/new"):
        page = analyst.get(f"{path}?control_id={control.id}")
        assert page.status_code == 200
        assert _selected(page.text, "f-unit_id") == str(team)
        assert _chosen(page.text, "control_ids") == {control.id}
        assert WARNING not in page.text


def test_a_risk_opened_from_an_asset_links_it_and_starts_in_its_unit(
    browser_for, db, world, principal_for
) -> None:
    team = world.units["team-a1"]
    asset = make_asset(db, principal_for("admin"), team, name="checkout")
    db.commit()
    page = browser_for("analyst").get(f"/risks/new?asset_id={asset.id}")
    assert page.status_code == 200
    assert _selected(page.text, "f-unit_id") == str(team)
    assert _chosen(page.text, "asset_ids") == {asset.id}


def test_a_task_opened_from_a_risk_links_it_and_starts_in_its_unit(
    browser_for, db, world, principal_for
) -> None:
    team = world.units["team-a1"]
    risk = make_risk(db, principal_for("admin"), team, title="Card skimming")
    db.commit()
    page = browser_for("analyst").get(f"/tasks/new?risk_id={risk.id}")
    assert page.status_code == 200
    assert _selected(page.text, "f-unit_id") == str(team)
    assert _selected(page.text, "f-risk_id") == str(risk.id)


def test_without_a_source_forms_start_in_the_users_most_specific_unit(db, world, person) -> None:
    zeta = Unit(name="Zeta", parent_id=world.units["company"])
    db.add(zeta)
    db.flush()
    db.add(Unit(name="Alpha", parent_id=zeta.id))
    db.flush()
    # writes everywhere through the company, and has a role of its own in Zeta
    user = person("zeta@example.com", ("analyst", world.units["company"]), ("analyst", zeta.id))
    for path in ("/risks/new", "/assets/new", "/controls/new", "/evidence/new"):
        page = user.get(path)
        assert page.status_code == 200, path
        assert _selected(page.text, "f-unit_id") == str(zeta.id), path


def test_a_source_the_user_cannot_write_in_falls_back_to_their_unit_with_a_warning(
    db, world, principal_for, person
) -> None:
    control = make_control(db, principal_for("admin"), world.units["division-a"], ref="AC-9")
    db.commit()
    user = person(
        "mixed@example.com",
        ("analyst", world.units["division-b"]),
        ("readonly", world.units["division-a"]),
    )
    page = user.get(f"/evidence/new?control_id={control.id}")
    assert page.status_code == 200
    assert _selected(page.text, "f-unit_id") == str(world.units["division-b"])
    assert _chosen(page.text, "control_ids") == {control.id}
    assert "People who see control “AC-9 Control” through division-a will not see" in page.text


def test_saving_in_a_unit_that_hides_the_object_from_its_links_asks_first(
    browser_for, db, world, principal_for
) -> None:
    control = make_control(db, principal_for("admin"), world.units["division-a"], ref="AC-2")
    db.commit()
    admin = browser_for("admin")
    sent = {
        "title": "Access review",
        "url": "https://wiki.example.com/review",
        "unit_id": str(world.units["division-b"]),
        "control_ids": str(control.id),
    }
    asked = admin.post("/evidence/links/new", sent)
    assert asked.status_code == 409
    assert "Check the unit before saving" in asked.text
    assert "this evidence: division-b is not division-a or a unit below it" in asked.text
    assert 'name="keep_unit"' in asked.text and 'value="Access review"' in asked.text
    assert "Access review" not in admin.get("/evidence").text
    kept = admin.post("/evidence/links/new", {**sent, "keep_unit": "yes"})
    assert kept.status_code == 303, kept.text
    below = admin.post(
        "/evidence/links/new",
        {**sent, "title": "Team review", "unit_id": str(world.units["team-a1"])},
    )
    assert below.status_code == 303, below.text  # people of division-a see team-a1


def test_an_edit_asks_only_about_a_new_unit_or_new_links(
    browser_for, db, world, principal_for
) -> None:
    admin_principal = principal_for("admin")
    division_a = world.units["division-a"]
    first = make_asset(db, admin_principal, division_a, name="pos-1")
    second = make_asset(db, admin_principal, division_a, name="pos-2")
    risk = make_risk(
        db, admin_principal, world.units["division-b"], title="Shared tills", asset_ids=[first.id]
    )
    db.commit()
    admin = browser_for("admin")
    base = {
        "title": "Shared tills",
        "unit_id": str(world.units["division-b"]),
        "category": risk.category.value,
        "status": risk.status.value,
        "inherent_likelihood": str(risk.inherent_likelihood),
        "inherent_impact": str(risk.inherent_impact),
        "version": str(risk.version),
    }
    unchanged = admin.post(f"/risks/{risk.id}/edit", {**base, "asset_ids": str(first.id)})
    assert unchanged.status_code == 303, unchanged.text
    grown = admin.post(
        f"/risks/{risk.id}/edit",
        {**base, "version": str(risk.version + 1), "asset_ids": [str(first.id), str(second.id)]},
    )
    assert grown.status_code == 409
    assert "asset “pos-2”" in grown.text and "asset “pos-1”" not in grown.text


def test_the_unit_check_follows_the_chosen_unit_and_links(
    browser_for, db, world, principal_for
) -> None:
    control = make_control(db, principal_for("admin"), world.units["division-a"], ref="AC-3")
    db.commit()
    admin = browser_for("admin")
    url = f"/form-parts/unit-check?noun=evidence&control_ids={control.id}&unit_id="
    hidden = admin.get(url + str(world.units["division-b"]))
    assert hidden.status_code == 200 and WARNING in hidden.text
    assert WARNING not in admin.get(url + str(world.units["team-a1"])).text
    assert admin.get("/form-parts/unit-check?noun=nothing").status_code == 404
