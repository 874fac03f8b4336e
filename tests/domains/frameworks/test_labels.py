"""Requirement labels: CSF subcategories named by their statement, OSCAL prose made readable."""

from __future__ import annotations

import json

from sqlalchemy import update

from aegis.domains.assessments import service as assessments
from aegis.domains.assessments.schemas import ResultQuery
from aegis.domains.frameworks import service
from aegis.domains.frameworks.labels import (
    readable_text,
    requirement_label,
    requirement_title,
    shorten,
)
from aegis.domains.frameworks.oscal import parse_catalog
from aegis.domains.frameworks.schemas import (
    RequirementMappingCreate,
    RequirementMappingQuery,
    RequirementQuery,
)
from aegis.models import Requirement
from aegis.models.enums import MappingRelationship
from tests.domains.frameworks.data import CSF, HIGH, PRIVACY, SHARED, oscal
from tests.factories.assessments import make_assessment
from tests.factories.frameworks import make_framework

MISSION = "The organizational mission is understood and informs cybersecurity risk management"
LINKED = "00000000-0000-4000-8000-0000000000aa"


def _csf_file() -> bytes:
    return (SHARED / "oscal" / CSF).read_bytes()


def _import_csf(db, world):
    framework = service.import_oscal_catalog(
        session=db, principal=None, unit_id=world.units["company"], content=_csf_file(), source=CSF
    )
    refs = service.requirement_ids(session=db, principal=None, framework_id=framework.id)
    return framework, refs


def _as_imported_before(db, framework_id: int) -> None:
    """Titles as older imports stored them: the subcategory identifier again."""
    db.execute(
        update(Requirement)
        .where(Requirement.framework_id == framework_id, Requirement.assessable.is_(True))
        .values(title=Requirement.ref_id)
    )


def test_titles_that_repeat_the_reference_read_as_the_statement() -> None:
    text = f"{MISSION}\n\nImplementation examples:\n- Share the mission"
    assert requirement_title("GV.OC-01", "GV.OC-01", text) == MISSION
    assert requirement_title("GV.OC-01", " gv.oc-01 ", text) == MISSION
    assert requirement_title("GV.OC-01", "", "Line one\nline two\n\nMore") == "Line one line two"
    assert requirement_title("AC-2", "Account Management", "Text") == "Account Management"
    assert requirement_title("X-1", "X-1", "") == "X-1"


def test_labels_join_reference_and_title_and_shorten_at_a_word() -> None:
    assert requirement_label("GV.OC-01", MISSION) == f"GV.OC-01 — {MISSION}"
    assert requirement_label("X-1", "X-1") == "X-1"
    short = requirement_label("GV.OC-01", MISSION, 60)
    assert len(short) <= 60 and short.endswith("…")
    assert short == "GV.OC-01 — The organizational mission is understood and…"
    assert shorten("short", 10) == "short"
    assert shorten("a" * 50, 10) == "a" * 9 + "…"


def test_anchor_links_read_as_their_text() -> None:
    assert readable_text("See [AU-2](#au-2) and [PRIVACT](#18e71fec).") == "See AU-2 and PRIVACT."
    assert readable_text("[x] (y) [a](https://e.org)") == "[x] (y) [a](https://e.org)"


def test_csf_import_names_subcategories_by_their_statement(db, world) -> None:
    parsed = {n.ref_id: n for n in parse_catalog(_csf_file()).nodes}
    assert parsed["GV.OC-01"].title == MISSION
    assert all(n.title != n.ref_id for n in parsed.values())
    assert sum(n.assessable for n in parsed.values()) == 106
    framework, refs = _import_csf(db, world)
    requirement = service.get_requirement(
        session=db, principal=None, requirement_id=refs["GV.OC-01"]
    )
    assert requirement.title == MISSION
    assert requirement.label == f"GV.OC-01 — {MISSION}"
    assert requirement.text.startswith(MISSION)
    assert "Implementation examples:" in requirement.text
    function = service.get_requirement(session=db, principal=None, requirement_id=refs["GV"])
    assert function.label == "GV — GOVERN"
    assert framework.requirement_count == 134


def test_sp800_53_counts_are_unchanged_and_titles_kept() -> None:
    high = parse_catalog(oscal(HIGH)).nodes
    assert sum(n.assessable for n in high) == 370
    assert sum(n.assessable for n in parse_catalog(oscal(PRIVACY)).nodes) == 102
    assert {n.ref_id: n.title for n in high}["AC-2(1)"] == "Automated System Account Management"


def test_sp800_53_links_read_as_their_text() -> None:
    by_ref = {n.ref_id: n for n in parse_catalog(oscal(PRIVACY)).nodes}
    assert all("](#" not in n.text for n in by_ref.values())
    assert "For federal agencies, PRIVACT processes" in by_ref["AC-3(14)"].text
    assert "Physical and Environmental Protection ( PE ) family" in by_ref["AC-3"].text
    au2 = {n.ref_id: n for n in parse_catalog(oscal(HIGH)).nodes}["AU-2"].text
    assert "event types defined in AU-2a.) along with" in au2


def _catalog_with_params_and_links() -> bytes:
    control = {
        "id": "x-1",
        "title": "x-1",
        "params": [
            {"id": "x-1_prm_1", "label": "organization-defined frequency"},
            {"id": "x-1_prm_2", "values": ["every 30 days"]},
        ],
        "parts": [
            {
                "id": "x-1_smt",
                "name": "statement",
                "prose": "Review the log {{ insert: param, x-1_prm_1 }} and rotate keys "
                "{{ insert: param, x-1_prm_2 }}.",
            },
            {
                "id": "x-1_gdn",
                "name": "guidance",
                "prose": f"See [the policy](#{LINKED}), [](#{LINKED}), [X-2](#x-2) "
                "and [NIST](https://www.nist.gov).",
            },
        ],
    }
    body = {
        "catalog": {
            "uuid": "00000000-0000-4000-8000-000000000000",
            "metadata": {"title": "Linked", "version": "1", "oscal-version": "1.1.2"},
            "groups": [{"id": "x", "title": "X", "controls": [control]}],
            "back-matter": {"resources": [{"uuid": LINKED, "title": "Logging Policy 2024"}]},
        }
    }
    return json.dumps(body).encode()


def test_params_and_back_matter_links_render_as_readable_text() -> None:
    node = {n.ref_id: n for n in parse_catalog(_catalog_with_params_and_links()).nodes}["x-1"]
    statement = (
        "Review the log [Assignment: organization-defined frequency] and rotate keys every 30 days."
    )
    assert node.title == statement
    assert node.text == (
        f"{statement}\n\nGuidance: See the policy, Logging Policy 2024, X-2 "
        "and NIST (https://www.nist.gov)."
    )
    assert "{{" not in node.text and "](#" not in node.text and LINKED not in node.text


def test_frameworks_imported_before_show_the_statement_everywhere(db, world, principal_for) -> None:
    framework, refs = _import_csf(db, world)
    other, other_ids = make_framework(db, None, world.units["company"], ("X.1",))
    service.create_mapping(
        session=db,
        principal=None,
        data=RequirementMappingCreate(
            source_id=other_ids["X.1"],
            target_id=refs["GV.OC-01"],
            relationship=MappingRelationship.EQUAL,
        ),
    )
    _as_imported_before(db, framework.id)
    stored = db.get(Requirement, refs["GV.OC-01"])
    assert stored is not None
    db.refresh(stored)
    assert stored.title == "GV.OC-01"
    requirement = service.get_requirement(
        session=db, principal=None, requirement_id=refs["GV.OC-01"]
    )
    assert requirement.label == f"GV.OC-01 — {MISSION}"
    listed = service.list_requirements(
        session=db,
        principal=None,
        framework_id=framework.id,
        query=RequirementQuery(q="GV.OC-01"),
    ).items
    assert [r.title for r in listed] == [MISSION]
    mapping = service.list_mappings(
        session=db, principal=None, query=RequirementMappingQuery(framework_id=other.id)
    ).items[0]
    assert mapping.target.label == f"GV.OC-01 — {MISSION}"
    admin = principal_for("admin")
    assessment = make_assessment(db, admin, world.units["company"], framework.id)
    results = assessments.list_results(
        session=db, principal=admin, assessment_id=assessment.id, query=ResultQuery(limit=200)
    ).items
    first = next(r for r in results if r.ref_id == "GV.OC-01")
    assert first.title == MISSION and first.label == f"GV.OC-01 — {MISSION}"
    assert all(r.title != r.ref_id for r in results)
