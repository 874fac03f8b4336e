"""Assessments derive a requirement's result from a mapped requirement of another framework."""

from __future__ import annotations

from dataclasses import dataclass

from aegis.domains.assessments import service as assessments
from aegis.domains.assessments.results import compute, compute_many
from aegis.domains.assessments.schemas import ResultQuery
from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import RequirementMappingCreate
from aegis.models import Assessment
from aegis.models.enums import MappingRelationship, ResultStatus
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.frameworks import make_framework


@dataclass
class Built:
    csf: dict[str, int]
    iso_id: int
    iso: dict[str, int]


def _map(db, source: int, target: int, relationship: str) -> None:
    service.create_mapping(
        session=db,
        principal=None,
        data=RequirementMappingCreate(
            source_id=source, target_id=target, relationship=MappingRelationship(relationship)
        ),
    )


def _build(db, world, principal_for, csf_unit: str = "company") -> Built:
    """CSF (PR.AA-01 met, PR.AA-02 not met) and ISO requirements mapped to them in every way."""
    admin = principal_for("admin")
    unit = world.units["division-a"]
    _, csf = make_framework(
        db, None, world.units[csf_unit], ("PR.AA-01", "PR.AA-02", "PR.AA-03"), name="CSF"
    )
    iso_framework, iso = make_framework(
        db, None, unit, ("I1", "I2", "I3", "I4", "I5", "I6", "I7"), name="ISO"
    )
    met = make_control(db, admin, unit, status="implemented", requirement_ids=[csf["PR.AA-01"]])
    make_link(db, admin, unit, control_ids=[met.id])
    make_control(db, admin, unit, status="not_implemented", requirement_ids=[csf["PR.AA-02"]])
    _map(db, iso["I1"], csf["PR.AA-01"], "equal")  # I1 = PR.AA-01: covered
    _map(db, iso["I2"], csf["PR.AA-01"], "subset")  # I2 within PR.AA-01: covered
    _map(db, csf["PR.AA-01"], iso["I3"], "superset")  # PR.AA-01 wider than I3: covered
    _map(db, iso["I4"], csf["PR.AA-01"], "superset")  # I4 wider: not covered
    _map(db, iso["I5"], csf["PR.AA-01"], "intersect")  # overlap only: not covered
    _map(db, iso["I6"], csf["PR.AA-02"], "equal")  # covered by a requirement not met
    _map(db, iso["I6"], csf["PR.AA-01"], "equal")  # ... and by one that is: the met one wins
    make_control(db, admin, unit, status="not_implemented", requirement_ids=[iso["I7"]])
    _map(db, iso["I7"], csf["PR.AA-01"], "equal")  # its own control counts, not the mapping
    _map(db, iso["I7"], csf["PR.AA-03"], "equal")
    return Built(csf=csf, iso_id=iso_framework.id, iso=iso)


def test_results_are_derived_from_covering_requirements_and_say_so(
    db, world, principal_for
) -> None:
    built = _build(db, world, principal_for)
    admin = principal_for("admin")
    assessment = make_assessment(db, admin, world.units["division-a"], built.iso_id)
    page = assessments.list_results(
        session=db, principal=admin, assessment_id=assessment.id, query=ResultQuery(limit=50)
    )
    found = {r.ref_id: (r.derived_status.value, r.basis.value, r.derived_from) for r in page.items}
    assert found == {
        "I1": ("compliant", "derived", "CSF PR.AA-01"),
        "I2": ("compliant", "derived", "CSF PR.AA-01"),
        "I3": ("compliant", "derived", "CSF PR.AA-01"),
        "I4": ("not_assessed", "direct", None),
        "I5": ("not_assessed", "direct", None),
        "I6": ("compliant", "derived", "CSF PR.AA-01"),
        "I7": ("non_compliant", "direct", None),
    }
    first = page.items[0]
    assert (first.derived_from_id, first.control_ids, first.evidence_ids) == (
        built.csf["PR.AA-01"],
        [],
        [],
    )
    detail = assessments.get_assessment(session=db, principal=admin, assessment_id=assessment.id)
    assert detail.counts[ResultStatus.COMPLIANT] == 4 and detail.score == 57.1


def test_a_covering_requirement_outside_the_assessment_scope_is_not_used(
    db, world, principal_for
) -> None:
    built = _build(db, world, principal_for, csf_unit="division-b")
    admin = principal_for("admin")
    assessment = make_assessment(db, admin, world.units["division-a"], built.iso_id)
    results = assessments.list_results(
        session=db, principal=admin, assessment_id=assessment.id, query=ResultQuery(limit=50)
    ).items
    assert {r.basis.value for r in results} == {"direct"}
    assert (
        assessments.get_assessment(session=db, principal=admin, assessment_id=assessment.id).counts[
            ResultStatus.COMPLIANT
        ]
        == 0
    )


def test_batched_scores_derive_the_same_way(db, world, principal_for) -> None:
    built = _build(db, world, principal_for)
    admin = principal_for("admin")
    made = [
        make_assessment(db, admin, world.units[unit], built.iso_id)
        for unit in ("division-a", "division-b", "company")
    ]
    rows = [db.get(Assessment, a.id) for a in made]
    batched = compute_many(db, rows)
    for row in rows:
        assert batched[row.id] == compute(db, row)
    derived = [len([r for r in batched[row.id] if r.basis == "derived"]) for row in rows]
    assert derived == [4, 0, 4]


def test_deriving_costs_the_same_queries_however_many_mappings(
    db, world, principal_for, count_queries
) -> None:
    admin = principal_for("admin")
    built = _build(db, world, principal_for)
    plain_framework, _ = make_framework(db, None, world.units["division-a"], ("Q1",))
    plain_assessment = make_assessment(db, admin, world.units["division-a"], plain_framework.id)
    mapped = make_assessment(db, admin, world.units["division-a"], built.iso_id)
    counts = []
    for assessment in (plain_assessment, mapped):
        row = db.get(Assessment, assessment.id)
        with count_queries() as counter:
            compute(db, row)
        counts.append(counter.count)
    assert counts == [7, 7]
