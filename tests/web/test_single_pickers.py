"""Pickers of one object (owner, assignee, linked risk, asset, control) instead of selects."""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape

from aegis.core.security import hash_password
from aegis.models import RoleAssignment, User
from tests.conftest import PASSWORD
from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task
from tests.hidden_links import Scene
from tests.web.html_forms import submitted_fields, with_changes

KEPT = "Kept as it is (not visible to you)"


def _picker(html: str, name: str) -> str:
    found = re.search(rf'<fieldset [^>]*id="pick-{name}".*?</fieldset>', html, re.S)
    assert found, f"no picker for {name}"
    return found.group(0)


def _select(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of the options of a picker's plain select (its no-script form)."""
    block = re.search(rf'<select id="f-{name}".*?</select>', _picker(html, name), re.S)
    assert block, f"no select in the picker {name}"
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', block.group(0))
    return [(value, unescape(text), bool(chosen)) for value, chosen, text in options]


def _buttons(html: str) -> dict[int, str]:
    """{id: text} of the matches offered to choose with script."""
    found = re.findall(
        r'<button type="button" class="picker-choose" value="(\d+)" '
        r"data-picker-choose>(.*?)</button>",
        html,
        re.S,
    )
    return {int(value): unescape(re.sub(r"<[^>]+>", "", text)) for value, text in found}


def _risks(db, principal, unit: int, count: int, start: int = 0) -> list[int]:  # type: ignore[no-untyped-def]
    return [make_risk(db, principal, unit, title=f"risk-{n:03d}").id for n in range(start, count)]


def _add_person(db, email: str, name: str, unit: int) -> int:  # type: ignore[no-untyped-def]
    user = User(email=email, name=name, password_hash=hash_password(PASSWORD))
    db.add(user)
    db.flush()
    db.add(RoleAssignment(user_id=user.id, role="analyst", unit_id=unit, include_children=True))
    return user.id


def test_a_task_links_one_risk_asset_and_control_and_names_one_assignee_by_search(
    browser_for, db, world, principal_for, count_queries
) -> None:
    admin = principal_for("admin")
    division = world.units["division-a"]
    ids = _risks(db, admin, division, 5)
    db.commit()
    analyst = browser_for("analyst")
    with count_queries() as few:
        assert analyst.get(f"/tasks/new?risk_id={ids[0]}").status_code == 200
    ids += _risks(db, admin, division, 31, start=5)
    last = make_risk(db, admin, division, title="zz-last-risk", ref="LAST-1")
    db.commit()
    with count_queries() as many:
        page = analyst.get(f"/tasks/new?risk_id={last.id}").text
    assert many.count == few.count
    for name in ("assignee_id", "risk_id", "asset_id", "control_id"):
        assert "data-picker-single" in _picker(page, name)
    options = _select(page, "risk_id")
    assert options[0] == ("", "No risk", False)
    assert (str(last.id), "zz-last-risk (LAST-1 · division-a)", True) in options
    assert len(options) == 1 + 1 + 20
    assert "32 risks match; the first 20 not chosen yet are shown." in _picker(page, "risk_id")
    offered = _buttons(_picker(page, "risk_id"))
    assert len(offered) == 20 and last.id not in offered
    assert "Find a risk" in page and "Find a person" in page
    found = analyst.get(f"/form-parts/risks?name=risk_id&pick_q_risk_id=risk-02&risk_id={ids[21]}")
    assert found.status_code == 200 and "<html" not in found.text
    assert set(_buttons(found.text)) == {ids[n] for n in range(20, 30) if n != 21}


def test_single_picker_searches_are_scoped_and_name_a_field_of_their_kind(
    browser_for, db, world, principal_for
) -> None:
    make_risk(db, principal_for("admin"), world.units["division-a"], title="Secret merger")
    db.commit()
    sibling = browser_for("analyst_b")
    risks = sibling.get("/form-parts/risks?name=risk_id&pick_q_risk_id=secret")
    assert risks.status_code == 200 and _buttons(risks.text) == {}
    people = sibling.get("/form-parts/people?name=owner_id&pick_q_owner_id=example.com").text
    assert "Analyst_B" in people and "Readonly_A" not in people
    assert sibling.get("/form-parts/people?name=risk_id").status_code == 404
    assert sibling.get("/form-parts/risks?name=owner_id").status_code == 404
    assert sibling.get("/form-parts/people?name=asset_ids").status_code == 404


def test_people_and_risks_of_the_same_name_are_told_apart(
    browser_for, db, world, principal_for
) -> None:
    division, team = world.units["division-a"], world.units["team-a1"]
    first = _add_person(db, "sam.lee@first.example", "Sam Lee", division)
    second = _add_person(db, "sam.lee@second.example", "Sam Lee", team)
    admin = principal_for("admin")
    one = make_risk(db, admin, division, title="Phishing", ref="PH-1")
    two = make_risk(db, admin, team, title="Phishing", ref="PH-2")
    make_control(db, admin, division, ref="AC-1", title="Reviews")
    make_control(db, admin, team, ref="AC-1", title="Reviews")
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get("/risks/new").text
    owners = _select(form, "owner_id")
    assert (str(first), "Sam Lee (sam.lee@first.example)", False) in owners
    assert (str(second), "Sam Lee (sam.lee@second.example)", False) in owners
    people = analyst.get("/form-parts/people?name=assignee_id&pick_q_assignee_id=sam").text
    assert _buttons(people) == {
        first: "Sam Lee (sam.lee@first.example)",
        second: "Sam Lee (sam.lee@second.example)",
    }
    risks = analyst.get("/form-parts/risks?name=risk_id&pick_q_risk_id=phishing").text
    assert _buttons(risks) == {
        one.id: "Phishing (PH-1 · division-a)",
        two.id: "Phishing (PH-2 · team-a1)",
    }
    by_ref = analyst.get("/form-parts/risks?name=risk_id&pick_q_risk_id=ph-2").text
    assert set(_buttons(by_ref)) == {two.id}
    asset = make_asset(db, admin, team, name="Phishing filter", ref="MAIL-GW")
    db.commit()
    assets = analyst.get("/form-parts/assets?name=asset_id&pick_q_asset_id=mail-gw").text
    assert _buttons(assets) == {asset.id: "Phishing filter (MAIL-GW · team-a1)"}
    controls = analyst.get("/form-parts/controls?name=control_id&pick_q_control_id=AC-1").text
    assert sorted(_buttons(controls).values()) == [
        "AC-1 Reviews (division-a)",
        "AC-1 Reviews (team-a1)",
    ]


def test_without_script_the_search_button_narrows_the_select_and_keeps_the_form(
    browser_for, db, world, principal_for
) -> None:
    ids = _risks(db, principal_for("admin"), world.units["division-a"], 30)
    db.commit()
    analyst = browser_for("analyst")
    searched = analyst.post(
        "/tasks/new",
        {
            "title": "Typed before searching",
            "kind": "remediation",
            "priority": "high",
            "pick_q_risk_id": "risk-027",
            "pick": "risk_id",
        },
    )
    assert searched.status_code == 200
    assert 'value="Typed before searching"' in searched.text
    assert 'value="risk-027"' in searched.text
    assert [value for value, _, _ in _select(searched.text, "risk_id")] == ["", str(ids[27])]
    assert "Typed before searching" not in analyst.get("/tasks").text
    fields = with_changes(submitted_fields(searched.text, "/tasks/new"), risk_id=str(ids[27]))
    form: dict[str, list[str]] = defaultdict(list)
    for name, value in fields:
        form[name].append(value)
    created = analyst.post("/tasks/new", dict(form))
    assert created.status_code == 303, created.text
    detail = analyst.get(created.headers["location"]).text
    assert f'<a href="/risks/{ids[27]}">risk-027</a>' in detail


def test_a_hidden_choice_is_kept_and_a_visible_one_can_be_cleared(
    browser_for, db, world, principal_for, token_for, client, scene: Scene
) -> None:
    admin = principal_for("admin")
    division = world.units["division-a"]
    asset = make_asset(db, admin, division, name="shop-db")
    hidden = make_task(
        db,
        admin,
        division,
        asset_id=asset.id,
        assignee_id=scene.owner,
        control_id=scene.hidden_control,
    )
    seen = make_task(db, admin, division, asset_id=asset.id, assignee_id=world.users["analyst"])
    db.commit()
    analyst = browser_for("analyst")
    page = analyst.get(f"/tasks/{hidden.id}/edit").text
    assert (str(scene.owner), KEPT, True) in _select(page, "assignee_id")
    assert (str(scene.hidden_control), KEPT, True) in _select(page, "control_id")
    url = f"/tasks/{seen.id}/edit"
    fields = with_changes(submitted_fields(analyst.get(url).text, url), assignee_id="")
    form: dict[str, list[str]] = defaultdict(list)
    for name, value in fields:
        form[name].append(value)
    assert analyst.post(url, dict(form)).status_code == 303
    stored = client.get(f"/api/v1/tasks/{seen.id}", headers=token_for("admin")).json()
    assert stored["assignee_id"] is None and stored["asset_id"] == asset.id


def test_odd_or_oversized_ids_are_refused_by_the_field_not_with_a_server_error(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"], title="Real risk")
    db.commit()
    analyst = browser_for("analyst")
    refused = analyst.post(
        "/tasks/new",
        {
            "title": "Odd ids",
            "kind": "remediation",
            "priority": "high",
            "risk_id": str(risk.id),
            "assignee_id": "²",
            "asset_id": "99999999999",
            "control_id": "1" * 40,
        },
    )
    assert refused.status_code == 422
    errors = dict(re.findall(r'<p class="error" id="e-([^"]+)">([^<]*)</p>', refused.text))
    assert {"assignee_id", "asset_id", "control_id"} <= set(errors)
    assert 'value="Odd ids"' in refused.text
    assert (str(risk.id), "Real risk (" + risk.ref + " · division-a)", True) in _select(
        refused.text, "risk_id"
    )
    for url in (
        "/form-parts/risks?name=risk_id&risk_id=²&exclude=99999999999",
        "/form-parts/requirements?name=requirement_ids&pick_in_requirement_ids=99999999999",
        "/form-parts/people?name=owner_id&owner_id=" + "9" * 40,
        "/form-parts/unit-check?noun=task&id=99999999999&risk_id=²&asset_id=99999999999",
    ):
        assert analyst.get(url).status_code == 200, url
