"""Compliance figures on random data equal a straightforward computation from the raw links."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.domains.assessments import repository as repo
from aegis.domains.assessments.derivation import count, derive, score
from aegis.domains.dashboard import service as dashboard
from aegis.models.enums import ControlStatus
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import make_link

UNITS = ("company", "division-a", "team-a1", "division-b")
# the units whose controls and evidence count for an assessment of a unit: it, below, above
SCOPES = {
    "company": {"company", "division-a", "team-a1", "division-b"},
    "division-a": {"company", "division-a", "team-a1"},
    "team-a1": {"company", "division-a", "team-a1"},
    "division-b": {"company", "division-b"},
}
ASSESSED_IN = ("division-a", "team-a1", "company")  # one assessment per framework


@dataclass
class Built:
    """What was written, as plain data to compute the expected figures from."""

    requirements: dict[int, list[int]] = field(default_factory=dict)  # assessable, by framework
    groups: dict[int, int] = field(default_factory=dict)  # the framework's one group heading
    controls: dict[int, tuple[int, str, set[int]]] = field(default_factory=dict)
    evidence: dict[int, tuple[int, date | None, set[int], set[int]]] = field(default_factory=dict)
    assessments: dict[int, tuple[int, int]] = field(default_factory=dict)  # framework: (id, unit)


def _build(db: Session, world: Any, admin: Any, seed: int, today: date) -> Built:
    rng, built, units = random.Random(seed), Built(), world.units
    every: list[int] = []
    for _ in ASSESSED_IN:
        refs = ["G", *(f"R{n}" for n in range(1, 13))]
        framework, ids = insert_framework(
            db, units["company"], refs, parents={r: "G" for r in refs[1:]}, not_assessable=("G",)
        )
        built.requirements[framework.id] = [ids[r] for r in refs[1:]]
        built.groups[framework.id] = ids["G"]
        every += built.requirements[framework.id] + [ids["G"]]
    for n in range(30):
        unit = units[rng.choice(UNITS)]
        status = rng.choice(list(ControlStatus)).value
        mapped = set(rng.sample(every, rng.randint(0, 4)))  # often across frameworks
        made = make_control(
            db, admin, unit, f"RND-{n}", status=status, requirement_ids=sorted(mapped)
        )
        built.controls[made.id] = (unit, status, mapped)
    expiries = (None, today, today - timedelta(days=1), today + timedelta(days=30))
    for n in range(45):
        unit = units[rng.choice(UNITS)]
        expires = rng.choice(expiries)
        on_controls = set(rng.sample(sorted(built.controls), rng.randint(0, 3)))
        on_requirements = set(rng.sample(every, rng.randint(0, 2)))
        made = make_link(
            db,
            admin,
            unit,
            title=f"Evidence {n}",
            expires_on=expires,
            control_ids=sorted(on_controls),
            requirement_ids=sorted(on_requirements),
        )
        built.evidence[made.id] = (unit, expires, on_controls, on_requirements)
    for framework_id, unit in zip(built.requirements, ASSESSED_IN, strict=True):
        made = make_assessment(db, admin, units[unit], framework_id)
        built.assessments[framework_id] = (made.id, units[unit])
    return built


def _current(expires: date | None, today: date) -> bool:
    return expires is None or expires >= today


def _expected_score(built: Built, framework_id: int, scope: set[int], today: date) -> Any:
    """Each requirement's result from its own controls and evidence in scope, then the score."""
    results = []
    for requirement in built.requirements[framework_id]:
        controls = {
            c: status
            for c, (unit, status, mapped) in built.controls.items()
            if requirement in mapped and unit in scope
        }
        evidenced = any(
            unit in scope
            and _current(expires, today)
            and (requirement in on_requirements or on_controls & controls.keys())
            for unit, expires, on_controls, on_requirements in built.evidence.values()
        )
        results.append(derive([controls[c] for c in sorted(controls)], evidenced))
    return score(count(results)), len(results)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_evidence_queries_return_each_current_link_in_scope_once(
    db, world, principal_for, seed
) -> None:
    today = utcnow().date()
    built = _build(db, world, principal_for("admin"), seed, today)
    frameworks = sorted(built.requirements)[:2]
    wanted = {r for f in frameworks for r in [*built.requirements[f], built.groups[f]]}
    for unit in UNITS:
        scope = {world.units[u] for u in SCOPES[unit]}
        expected_on_controls = sorted(
            (control, evidence, unit_id)
            for evidence, (unit_id, expires, on_controls, _) in built.evidence.items()
            for control in on_controls
            if unit_id in scope
            and _current(expires, today)
            and built.controls[control][0] in scope
            and built.controls[control][2] & wanted
        )
        found = repo.control_evidence_of_frameworks(db, frameworks, frozenset(scope), today)
        assert sorted(found) == expected_on_controls, unit
        expected_on_requirements = sorted(
            (requirement, evidence, unit_id)
            for evidence, (unit_id, expires, _, on_requirements) in built.evidence.items()
            for requirement in on_requirements
            if unit_id in scope and _current(expires, today) and requirement in wanted
        )
        found = repo.requirement_evidence_of_frameworks(db, frameworks, frozenset(scope), today)
        assert sorted(found) == expected_on_requirements, unit


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("reader", ["admin", "analyst"])
def test_dashboard_compliance_matches_a_straightforward_computation(
    db, world, principal_for, seed, reader
) -> None:
    today = utcnow().date()
    built = _build(db, world, principal_for("admin"), seed, today)
    principal = principal_for(reader)
    names = {world.units[u]: u for u in UNITS}
    expected = {
        framework_id: (
            assessment_id,
            *_expected_score(
                built, framework_id, {world.units[u] for u in SCOPES[names[unit]]}, today
            ),
        )
        for framework_id, (assessment_id, unit) in built.assessments.items()
        if principal.can_read(unit)
    }
    shown = dashboard.summary(session=db, principal=principal, today=today).compliance
    assert {
        c.framework_id: (c.assessment_id, c.score, c.requirement_count) for c in shown
    } == expected
    assert len(expected) == (3 if reader == "admin" else 2)
