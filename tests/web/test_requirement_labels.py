"""Requirement labels on pages and exports: CSF subcategories show their statement."""

from __future__ import annotations

import csv
import io
import re

from markupsafe import escape
from sqlalchemy import update

from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.labels import shorten
from aegis.domains.frameworks.schemas import RequirementQuery
from aegis.models import Requirement
from tests.domains.frameworks.data import CSF, SHARED
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.evidence import make_link

MISSION = "The organizational mission is understood and informs cybersecurity risk management"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _csf(db, world, principal_for, *, imported_before: bool = False):
    """The CSF catalog imported, an assessment of it, and {ref_id: requirement id}."""
    framework = frameworks.import_oscal_catalog(
        session=db,
        principal=None,
        unit_id=world.units["company"],
        content=(SHARED / "oscal" / CSF).read_bytes(),
        source=CSF,
    )
    if imported_before:
        db.execute(
            update(Requirement)
            .where(Requirement.framework_id == framework.id, Requirement.assessable.is_(True))
            .values(title=Requirement.ref_id)
        )
    refs = frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)
    admin = principal_for("admin")
    assessment = make_assessment(db, admin, world.units["division-a"], framework.id)
    db.commit()
    return framework, assessment, refs


def _longest(db, framework_id: int) -> tuple[int, str, str]:
    """The assessable requirement with the longest statement: id, ref_id, statement."""
    page = frameworks.list_requirements(
        session=db,
        principal=None,
        framework_id=framework_id,
        query=RequirementQuery(assessable=True, limit=200),
    )
    found = max(page.items, key=lambda r: len(r.title))
    return found.id, found.ref_id, found.title


def _check_pages(browser_for, db, framework, assessment, refs) -> None:
    analyst = browser_for("analyst")
    base = f"/assessments/{assessment.id}"
    table = analyst.get(f"{base}?limit=200").text
    assert f"<td>{MISSION}</td>" in table
    assert "GV.OC-01 | GV.OC-01" not in table and "<td>GV.OC-01</td>" not in table
    long_id, long_ref, statement = _longest(db, framework.id)
    assert len(statement) > 120
    assert f"<td>{escape(shorten(statement))}</td>" in table and shorten(statement).endswith("…")
    work = analyst.get(f"{base}/requirements/{long_id}").text
    assert f"<h1>{long_ref} — {escape(statement)}</h1>" in work
    mission = analyst.get(f"{base}/requirements/{refs['GV.OC-01']}").text
    assert f"<h1>GV.OC-01 — {MISSION}</h1>" in mission
    rows = {row["Reference"]: row for row in _rows(analyst.get(f"{base}?format=csv").text)}
    assert rows["GV.OC-01"]["Requirement"] == MISSION
    assert rows[long_ref]["Requirement"] == statement
    picker = analyst.get(
        "/form-parts/requirements?name=requirement_ids"
        f"&pick_in_requirement_ids={framework.id}&pick_q_requirement_ids=GV.OC-01"
    ).text
    assert f"GV.OC-01 — {MISSION}" in picker
    page = analyst.get(f"/frameworks/{framework.id}/requirements/{refs['GV.OC-01']}").text
    assert f"<h1>GV.OC-01 — {MISSION}</h1>" in page
    assert f"<title>GV.OC-01 — {MISSION}" in page
    tree = analyst.get(f"/frameworks/{framework.id}?parent_id={refs['GV.OC']}").text
    assert re.search(rf"<strong>GV.OC-01</strong></a> — <span>{MISSION}</span>", tree)
    exported = {
        r["Reference"]: r for r in _rows(analyst.get(f"/frameworks/{framework.id}?format=csv").text)
    }
    assert exported["GV.OC-01"]["Title"] == MISSION


def test_csf_requirements_show_their_statement(browser_for, db, world, principal_for) -> None:
    framework, assessment, refs = _csf(db, world, principal_for)
    _check_pages(browser_for, db, framework, assessment, refs)


def test_csf_imported_with_identifier_titles_still_shows_statements(
    browser_for, db, world, principal_for
) -> None:
    framework, assessment, refs = _csf(db, world, principal_for, imported_before=True)
    _check_pages(browser_for, db, framework, assessment, refs)


def test_control_and_evidence_pages_show_the_statement(
    browser_for, db, world, principal_for
) -> None:
    _, _, refs = _csf(db, world, principal_for, imported_before=True)
    control = make_control(
        db,
        principal_for("admin"),
        world.units["division-a"],
        ref="GOV-1",
        requirement_ids=[refs["GV.OC-01"]],
    )
    db.commit()
    analyst = browser_for("analyst")
    detail = analyst.get(f"/controls/{control.id}").text
    assert f"<strong>GV.OC-01</strong></a> — {MISSION}" in detail
    edit = analyst.get(f"/controls/{control.id}/edit").text
    assert f"GV.OC-01 — {MISSION} <span" in edit
    form = analyst.get(f"/evidence/new?requirement_id={refs['GV.OC-01']}")
    assert form.status_code == 200 and f"GV.OC-01 — {MISSION}" in form.text
    evidence = make_link(
        db, principal_for("admin"), world.units["division-a"], requirement_ids=[refs["GV.OC-01"]]
    )
    db.commit()
    shown = analyst.get(f"/evidence/{evidence.id}").text
    assert f"GV.OC-01</a> — {MISSION}" in shown
