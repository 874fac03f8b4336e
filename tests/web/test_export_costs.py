"""An export costs the same number of queries for 5 rows as for 50: names are read per kind."""

from __future__ import annotations

import pytest

from tests.factories.assets import make_asset
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import make_link
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task

LISTS = ["/risks", "/assets", "/controls", "/evidence", "/tasks"]


def _grow(db, world, admin, requirement: int, numbers: range) -> None:
    """Objects of every listed kind, each referring to people, units and other objects."""
    unit, owner = world.units["division-a"], world.users["analyst"]
    for n in numbers:
        asset = make_asset(db, admin, unit, name=f"asset-{n}", owner_id=owner, tags=[f"t{n}"])
        make_asset(db, admin, unit, name=f"child-{n}", depends_on_ids=[asset.id])
        control = make_control(
            db, admin, unit, f"C-{n}", owner_id=owner, requirement_ids=[requirement]
        )
        risk = make_risk(
            db,
            admin,
            unit,
            title=f"Risk {n}",
            owner_id=owner,
            asset_ids=[asset.id],
            control_ids=[control.id],
        )
        make_link(db, admin, unit, title=f"Evidence {n}", owner_id=owner, control_ids=[control.id])
        make_task(
            db,
            admin,
            unit,
            title=f"Task {n}",
            assignee_id=owner,
            risk_id=risk.id,
            asset_id=asset.id,
            control_id=control.id,
        )
    db.commit()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_costs_the_same_for_5_and_50_rows(
    browser_for, db, world, principal_for, count_queries, kind
) -> None:
    admin = principal_for("admin")
    _, requirement = insert_framework(db, world.units["company"], ("R1",))
    _grow(db, world, admin, requirement["R1"], range(5))
    analyst = browser_for("analyst")

    def costs() -> dict[str, int]:
        found = {}
        for path in LISTS:
            with count_queries() as counted:
                response = analyst.get(f"{path}?format={kind}")
            assert response.status_code == 200, path
            found[path] = counted.count
        return found

    few = costs()
    _grow(db, world, admin, requirement["R1"], range(5, 50))
    assert costs() == few
