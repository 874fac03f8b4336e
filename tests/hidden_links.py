"""A scene for editors whose scope is smaller than an object's links (fixture `scene`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories.assets import make_asset
from tests.factories.controls import insert_framework, make_control


@dataclass
class Scene:
    """Ids of the objects seen and unseen by the division analyst."""

    owner: int
    hidden_control: int
    seen_control: int
    other_seen_control: int
    hidden_asset: int
    seen_asset: int
    hidden_requirement: int
    seen_requirement: int


@pytest.fixture
def scene(db, world, principal_for) -> Scene:  # type: ignore[no-untyped-def]
    admin = principal_for("admin")
    company, division = world.units["company"], world.units["division-a"]
    _, hidden_reqs = insert_framework(db, world.units["division-b"], ("H1",))
    _, seen_reqs = insert_framework(db, company, ("S1",))
    scene = Scene(
        owner=world.users["admin"],
        hidden_control=make_control(db, admin, company).id,
        seen_control=make_control(db, admin, division).id,
        other_seen_control=make_control(db, admin, division).id,
        hidden_asset=make_asset(db, admin, company, name="core-router").id,
        seen_asset=make_asset(db, admin, division, name="shop-web").id,
        hidden_requirement=hidden_reqs["H1"],
        seen_requirement=seen_reqs["S1"],
    )
    db.commit()
    return scene
