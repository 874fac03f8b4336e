"""Compliance per framework: the newest assessment of each, all scored in one batch."""

from __future__ import annotations

from datetime import timedelta

from aegis.domains.assessments import service as assessments
from aegis.domains.assessments.results import compute, compute_many
from aegis.domains.assessments.schemas import OverrideWrite
from aegis.models import Assessment
from tests.domains.assessments.scenario import build as build_assessment_scenario
from tests.factories.assessments import make_assessment


def test_batched_results_equal_those_of_each_assessment_alone(db, world, principal_for) -> None:
    built = build_assessment_scenario(db, world, principal_for)
    admin = principal_for("admin")
    made = [
        make_assessment(db, admin, world.units[unit], built.framework_id)
        for unit in ("division-a", "team-a1", "division-b", "company")
    ]
    assessments.set_override(
        session=db,
        principal=admin,
        assessment_id=made[2].id,
        requirement_id=built.requirements["R8"],
        data=OverrideWrite(status="compliant", justification="Verified by the external auditor"),
    )
    rows = [db.get(Assessment, a.id) for a in made]
    batched = compute_many(db, rows)
    for row in rows:
        assert batched[row.id] == compute(db, row)
    assert len({tuple(r.status for r in batched[row.id]) for row in rows}) > 1
    assert compute_many(db, []) == {}


def test_the_newest_assessment_of_each_framework_by_creation_time(
    db, world, principal_for, count_queries
) -> None:
    built = build_assessment_scenario(db, world, principal_for)
    admin = principal_for("admin")
    first = make_assessment(db, admin, world.units["division-a"], built.framework_id, name="1st")
    second = make_assessment(db, admin, world.units["division-b"], built.framework_id, name="2nd")
    db.get(Assessment, first.id).created_at = second.created_at + timedelta(minutes=1)
    db.flush()
    [found] = assessments.latest_scores_by_framework(session=db, principal=admin)
    assert found.assessment.id == first.id
    assert found.assessment == assessments.get_assessment(
        session=db, principal=admin, assessment_id=first.id
    )
    # division-b's own newest assessment is the second one
    [sibling] = assessments.latest_scores_by_framework(
        session=db, principal=principal_for("analyst_b")
    )
    assert sibling.assessment.id == second.id
    assert (
        sibling.assessment.score
        == assessments.get_assessment(session=db, principal=admin, assessment_id=second.id).score
    )
    with count_queries() as counter:
        assessments.latest_scores_by_framework(session=db, principal=admin)
    assert counter.count == 8  # the newest per framework, then seven for every score
