"""A framework's requirements exported for people, and read back by the framework import."""

from __future__ import annotations

import re

from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.schemas import RequirementQuery
from tests.web.exported import csv_rows, xlsx_rows

MISSION = "The organizational mission is understood and informs cybersecurity risk management"
SOURCE = (
    "id,parent,title,text,assessable\n"
    "GV,,Govern,The organization's strategy is established,no\n"
    f'GV.OC-01,GV,GV.OC-01,"{MISSION}",yes\n'
    'GV.OC-02,GV,Stakeholders,"- internal\n- external",yes\n'
    "=SUM,GV,Formula-looking reference,+1 more,yes\n"
)


def _tree(db, framework_id: int) -> list[tuple[str, str | None, str, str, bool]]:
    page = frameworks.list_requirements(
        session=db,
        principal=None,
        framework_id=framework_id,
        query=RequirementQuery(limit=MAX_LIMIT),
    )
    refs = {r.id: r.ref_id for r in page.items}
    return [
        (r.ref_id, refs.get(r.parent_id or 0), r.title, r.text, r.assessable) for r in page.items
    ]


def _framework(db, world, content: bytes, key: str) -> int:
    imported = frameworks.import_csv(
        session=db,
        principal=None,
        unit_id=world.units["company"],
        content=content,
        name="NIST CSF",
        key=key,
        version="2.0",
    )
    db.commit()
    return imported.id


def test_requirements_export_in_words_and_import_back_unchanged(browser_for, db, world) -> None:
    source = _framework(db, world, SOURCE.encode(), "csf-source")
    browser = browser_for("analyst")
    response = browser.get(f"/frameworks/{source}?format=csv")
    rows = csv_rows(response)
    assert list(rows[0]) == ["Reference", "Parent", "Title", "Text", "Assessable"]
    by_ref = {row["Reference"]: row for row in rows if not row["Reference"].startswith("'")}
    assert by_ref["GV.OC-01"]["Title"] == MISSION  # the statement, not the bare reference
    assert (by_ref["GV.OC-01"]["Parent"], by_ref["GV.OC-01"]["Assessable"]) == ("GV", "Yes")
    assert by_ref["GV"]["Assessable"] == "No" and by_ref["GV"]["Parent"] == ""
    assert "'=SUM" in response.content.decode("utf-8-sig")  # not run as a formula
    numbers = {str(n) for n in _tree_ids(db, source)}
    assert not numbers & {cell for row in rows for cell in row.values()}

    again = _framework(db, world, response.content, "csf-again")
    assert _tree(db, again) == _tree(db, source)


def _tree_ids(db, framework_id: int) -> list[int]:
    return list(
        frameworks.requirement_ids(session=db, principal=None, framework_id=framework_id).values()
    )


def test_the_workbook_holds_the_same_words(browser_for, db, world) -> None:
    source = _framework(db, world, SOURCE.encode(), "csf-workbook")
    rows = xlsx_rows(browser_for("analyst").get(f"/frameworks/{source}?format=xlsx"))
    mission = next(row for row in rows if row["Reference"] == "GV.OC-01")
    assert mission == {
        "Reference": "GV.OC-01",
        "Parent": "GV",
        "Title": MISSION,
        "Text": MISSION,
        "Assessable": True,
    }
    assert not any(re.fullmatch(r"\d+", str(value)) for row in rows for value in row.values())
