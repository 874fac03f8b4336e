"""Names of referenced objects: every kind in one query, only what the reader may see."""

from __future__ import annotations

from aegis.domains.names import service
from aegis.domains.names.repository import NAMED
from aegis.domains.names.schemas import KINDS, Named
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework, make_control
from tests.factories.risks import make_risk


def test_every_kind_has_its_scoped_select() -> None:
    assert set(NAMED) == KINDS


def test_one_query_names_every_kind_the_reader_may_see(
    db, world, principal_for, count_queries
) -> None:
    admin, analyst = principal_for("admin"), principal_for("analyst")
    mine = make_control(db, admin, world.units["division-a"], "AC-1", title="Access control")
    theirs = make_control(db, admin, world.units["division-b"], "BC-9", title="Backups")
    risk = make_risk(db, admin, world.units["division-a"], title="Ransomware")
    framework, ids = insert_framework(db, world.units["company"], ("GV.OC-01",))
    assessment = make_assessment(db, admin, world.units["division-a"], framework.id)
    wanted = {
        "control": {mine.id, theirs.id},
        "risk": {risk.id},
        "requirement": set(ids.values()),
        "framework": {framework.id},
        "assessment": {assessment.id},
        "user": {world.users["analyst"], world.users["analyst_b"]},
        "unit": set(range(1, 1200)),  # many ids: still one query
    }
    with count_queries() as counted:
        found = service.lookup(session=db, principal=analyst, wanted=wanted)
    assert counted.count == 1
    assert found["control", mine.id] == Named("AC-1", "Access control")
    assert ("control", theirs.id) not in found
    assert ("user", world.users["analyst_b"]) not in found
    assert found["requirement", ids["GV.OC-01"]] == Named(
        "GV.OC-01", "Requirement GV.OC-01", "Test framework"
    )
    assert found["assessment", assessment.id].name == "Annual review"
    assert found["unit", world.units["division-a"]].name == "division-a"
    assert ("unit", world.units["company"]) not in found
    exported = service.names_of(
        session=db,
        principal=analyst,
        wanted={"requirement": ids.values(), "framework": [framework.id], "control": [mine.id]},
    )
    assert exported == {
        "requirement": {ids["GV.OC-01"]: "Test framework GV.OC-01"},
        "framework": {framework.id: "Test framework 1.0"},
        "control": {mine.id: "AC-1"},
    }
