"""One framework, controls across the unit tree and evidence: a result of every kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import make_link

REFS = ("G", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9")
# requirement -> expected derived result for an assessment of division-a
EXPECTED = {
    "R1": "not_assessed",  # nothing mapped
    "R2": "not_applicable",  # only a not-applicable control
    "R3": "compliant",  # implemented, current evidence on the control (ancestor unit)
    "R4": "compliant",  # implemented (descendant unit), current evidence on the requirement
    "R5": "partially_compliant",  # implemented, only expired evidence
    "R6": "partially_compliant",  # partially implemented, with evidence
    "R7": "partially_compliant",  # implemented and not implemented, with evidence
    "R8": "non_compliant",  # planned
    "R9": "not_assessed",  # implemented, but in the sibling division, out of scope
}


@dataclass
class Scenario:
    """Ids of what was built."""

    framework_id: int
    requirements: dict[str, int]
    controls: dict[str, int]
    evidence: dict[str, int]


def build(db: Session, world: Any, principal_for: Any) -> Scenario:
    """Build the scenario through the services (frameworks inserted as rows)."""
    admin, today = principal_for("admin"), utcnow().date()
    units = world.units
    framework, req = insert_framework(
        db, units["company"], REFS, parents={r: "G" for r in REFS[1:]}, not_assessable=("G",)
    )

    def control(name: str, unit: str, status: str, *refs: str) -> int:
        made = make_control(
            db, admin, units[unit], name, status=status, requirement_ids=[req[r] for r in refs]
        )
        return made.id

    controls = {
        "na": control("NA-1", "division-a", "not_applicable", "R2"),
        "company": control("CO-1", "company", "implemented", "R3"),
        "team": control("TM-1", "team-a1", "implemented", "R4"),
        "stale": control("ST-1", "division-a", "implemented", "R5"),
        "partial": control("PA-1", "division-a", "partially_implemented", "R6"),
        "mixed_yes": control("MX-1", "division-a", "implemented", "R7"),
        "mixed_no": control("MX-2", "division-a", "not_implemented", "R7"),
        "planned": control("PL-1", "division-a", "planned", "R8"),
        "sibling": control("SB-1", "division-b", "implemented", "R9"),
    }

    def link(name: str, unit: str, **fields: Any) -> int:
        return make_link(db, admin, units[unit], title=name, **fields).id

    evidence = {
        "company": link("company", "company", control_ids=[controls["company"]], expires_on=today),
        "requirement": link("requirement", "team-a1", requirement_ids=[req["R4"]]),
        "expired": link(
            "expired",
            "division-a",
            control_ids=[controls["stale"]],
            expires_on=today - timedelta(days=1),
        ),
        "partial": link("partial", "division-a", control_ids=[controls["partial"]]),
        "mixed": link("mixed", "division-a", control_ids=[controls["mixed_yes"]]),
        "sibling": link(
            "sibling", "division-b", control_ids=[controls["sibling"]], requirement_ids=[req["R9"]]
        ),
        # evidence kept by the sibling division does not count for division-a
        "foreign": link("foreign", "division-b", requirement_ids=[req["R5"]]),
    }
    return Scenario(framework.id, req, controls, evidence)
