"""Pickers of linked assets and controls: chosen ones as chips, matches searched on the server."""

from __future__ import annotations

import re

from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.risks import make_risk
from tests.hidden_links import Scene


def _chosen(html: str, name: str) -> set[int]:
    """The ids a picker shows as chosen (ticked) for the field `name`."""
    return {int(v) for v in re.findall(rf'name="{name}" value="(\d+)" checked', html)}


def _offered(html: str, name: str) -> set[int]:
    """The ids a picker offers to add (not ticked) for the field `name`."""
    return {int(v) for v in re.findall(rf'name="{name}" value="(\d+)">', html)}


def _many_assets(db, principal, unit_id: int, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        make_asset(
            db, principal, unit_id, name=f"host-{n:03d}", hostname=f"h{n:03d}.example.com"
        ).id
        for n in range(count)
    ]


def test_linked_assets_and_controls_are_chips_not_a_multiple_select(
    browser_for, db, world, principal_for
) -> None:
    admin = principal_for("admin")
    division = world.units["division-a"]
    assets = _many_assets(db, admin, division, 3)
    control = make_control(db, admin, division, ref="AC-7")
    risk = make_risk(db, admin, division, asset_ids=assets, control_ids=[control.id])
    db.commit()
    page = browser_for("analyst").get(f"/risks/{risk.id}/edit")
    assert page.status_code == 200
    assert "<select" not in re.search(r'id="pick-asset_ids".*?</fieldset>', page.text, re.S)[0]
    assert "multiple" not in page.text and "Ctrl or Cmd" not in page.text
    assert _chosen(page.text, "asset_ids") == set(assets)
    assert _chosen(page.text, "control_ids") == {control.id}
    assert 'class="chip picker-chip"' in page.text


def test_more_than_two_hundred_assets_are_searched_and_the_linked_ones_always_shown(
    browser_for, db, world, principal_for
) -> None:
    admin = principal_for("admin")
    ids = _many_assets(db, admin, world.units["division-a"], 230)
    last = make_asset(db, admin, world.units["division-a"], name="zz-last-asset")
    risk = make_risk(db, admin, world.units["division-a"], asset_ids=[last.id, ids[0]])
    db.commit()
    analyst = browser_for("analyst")
    edit = analyst.get(f"/risks/{risk.id}/edit").text
    assert _chosen(edit, "asset_ids") == {last.id, ids[0]}
    assert len(_offered(edit, "asset_ids")) == 20
    assert "231 assets match; the first 20 not chosen yet are shown." in edit
    found = analyst.get(
        f"/form-parts/assets?name=asset_ids&pick_q_asset_ids=host-219&asset_ids={last.id}"
    )
    assert found.status_code == 200
    assert _offered(found.text, "asset_ids") == {ids[219]}
    beyond = analyst.get("/form-parts/assets?name=asset_ids&pick_q_asset_ids=zz-last")
    assert _offered(beyond.text, "asset_ids") == {last.id}
    skipped = analyst.get(
        f"/form-parts/assets?name=asset_ids&pick_q_asset_ids=zz&asset_ids={last.id}"
    )
    assert _offered(skipped.text, "asset_ids") == set()
    assert "No other assets match “zz”" in skipped.text


def test_picker_matches_are_scoped_and_the_field_must_be_a_picker(
    browser_for, db, world, principal_for
) -> None:
    make_asset(db, principal_for("admin"), world.units["division-a"], name="secret-db")
    db.commit()
    sibling = browser_for("analyst_b")
    found = sibling.get("/form-parts/assets?name=asset_ids&pick_q_asset_ids=secret")
    assert found.status_code == 200 and "secret-db" not in found.text
    assert sibling.get("/form-parts/assets?name=control_ids").status_code == 404
    assert sibling.get("/form-parts/controls?name=owner_id").status_code == 404


def test_assets_of_the_same_name_are_told_apart(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    one = make_asset(db, admin, world.units["division-a"], name="web-01", hostname="a.example.com")
    make_asset(db, admin, world.units["team-a1"], name="web-01", ref="SHOP-WEB")
    db.commit()
    analyst = browser_for("analyst")
    risk_form = analyst.get("/risks/new").text
    assert (
        f'web-01 <span class="muted">({one.ref} · division-a · a.example.com)</span>' in risk_form
    )
    assert 'web-01 <span class="muted">(SHOP-WEB · team-a1)</span>' in risk_form
    task_form = analyst.get("/tasks/new").text
    assert f">web-01 ({one.ref} · division-a · a.example.com)</option>" in task_form
    assert ">web-01 (SHOP-WEB · team-a1)</option>" in task_form


def test_without_script_the_search_button_shows_matches_and_keeps_what_was_typed(
    browser_for, db, world, principal_for
) -> None:
    admin = principal_for("admin")
    ids = _many_assets(db, admin, world.units["division-a"], 30)
    db.commit()
    analyst = browser_for("analyst")
    searched = analyst.post(
        "/risks/new",
        {
            "title": "Half typed",
            "unit_id": str(world.units["division-a"]),
            "asset_ids": str(ids[1]),
            "pick_q_asset_ids": "host-027",
            "pick": "asset_ids",
        },
    )
    assert searched.status_code == 200
    assert 'value="Half typed"' in searched.text and 'value="host-027"' in searched.text
    assert _chosen(searched.text, "asset_ids") == {ids[1]}
    assert _offered(searched.text, "asset_ids") == {ids[27]}
    assert "Half typed" not in analyst.get("/risks").text


def test_evidence_edit_keeps_the_hidden_links_hint_and_offers_controls_by_search(
    browser_for, db, world, principal_for, scene: Scene
) -> None:
    evidence = make_link(
        db,
        principal_for("admin"),
        world.units["division-a"],
        control_ids=[scene.hidden_control, scene.seen_control],
    )
    db.commit()
    page = browser_for("analyst").get(f"/evidence/{evidence.id}/edit").text
    assert "1 more in units you cannot access; saving keeps them." in page
    assert _chosen(page, "control_ids") == {scene.seen_control}
    assert _offered(page, "control_ids") == {scene.other_seen_control}
