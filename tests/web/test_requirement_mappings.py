"""Mappings in the browser: shown both ways, added, removed, imported, used by assessments."""

from __future__ import annotations

import html
import re

from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.schemas import RequirementMappingCreate, RequirementMappingQuery
from aegis.models.enums import MappingRelationship
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.frameworks import make_framework
from tests.web.exported import csv_rows

HEADER = "source_framework,source_id,relationship,target_framework,target_id\n"


def _text(response) -> str:
    """The page's text without tags, on one line."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def _mappings(db) -> list[tuple[str, str, str]]:
    page = frameworks.list_mappings(
        session=db, principal=None, query=RequirementMappingQuery(limit=200)
    )
    return [(m.source.ref_id, m.relationship.value, m.target.ref_id) for m in page.items]


def _setup(db, world):
    csf, c = make_framework(
        db, None, world.units["company"], ("PR.AA-01", "PR.AA-02"), key="csf", name="CSF"
    )
    ours, o = make_framework(db, None, world.units["division-a"], ("P1", "P2"), key="ours")
    theirs, t = make_framework(db, None, world.units["division-b"], ("T1",), key="theirs")
    db.commit()
    return csf, c, ours, o, theirs, t


def test_a_mapping_is_added_from_a_requirement_page_and_shown_both_ways(
    browser_for, db, world
) -> None:
    csf, c, ours, o, _, _ = _setup(db, world)
    browser = browser_for("analyst")
    url = f"/frameworks/{ours.id}/requirements/{o['P1']}"
    search = browser.get(f"{url}?map_framework={csf.id}&map_q=aa-01")
    assert search.status_code == 200
    assert f'name="target_id" value="{c["PR.AA-01"]}"' in search.text
    assert f'name="target_id" value="{c["PR.AA-02"]}"' not in search.text
    added = browser.post(
        f"{url}/mappings",
        {"target_id": str(c["PR.AA-01"]), "relationship": "subset", "map_framework": str(csf.id)},
    )
    assert added.status_code == 303 and added.headers["location"] == url
    page = _text(browser.get(url))
    assert "The mapping was added." in page and "Subset of PR.AA-01" in page
    other_side = _text(browser.get(f"/frameworks/{csf.id}/requirements/{c['PR.AA-01']}"))
    assert "Superset of P1" in other_side
    assert _mappings(db) == [("P1", "subset", "PR.AA-01")]
    again = browser.post(f"{url}/mappings", {"target_id": str(c["PR.AA-01"]),
                                            "relationship": "equal"})  # fmt: skip
    assert again.status_code == 409 and "already mapped" in _text(again)


def test_a_mapping_is_removed_by_those_who_may_change_its_source(browser_for, db, world) -> None:
    csf, c, ours, o, _, _ = _setup(db, world)
    mapping = frameworks.create_mapping(
        session=db,
        principal=None,
        data=RequirementMappingCreate(
            source_id=o["P2"], target_id=c["PR.AA-02"], relationship=MappingRelationship.EQUAL
        ),
    )
    db.commit()
    remove = f"/frameworks/{ours.id}/requirements/{o['P2']}/mappings/{mapping.id}/delete"
    csf_page = browser_for("analyst").get(f"/frameworks/{csf.id}/requirements/{c['PR.AA-02']}")
    assert "Equal to" in csf_page.text
    reader = browser_for("readonly")
    assert remove not in reader.get(f"/frameworks/{ours.id}/requirements/{o['P2']}").text
    assert reader.post(remove).status_code == 403
    assert browser_for("analyst_b").post(remove).status_code == 404
    analyst = browser_for("analyst")
    assert remove in analyst.get(f"/frameworks/{ours.id}/requirements/{o['P2']}").text
    removed = analyst.post(remove)
    assert removed.status_code == 303
    assert "The mapping was removed." in analyst.get(removed.headers["location"]).text
    assert _mappings(db) == []


def test_bad_mappings_are_refused_naming_the_field_and_nothing_is_written(
    browser_for, db, world
) -> None:
    _, c, ours, o, _, t = _setup(db, world)
    browser = browser_for("analyst")
    url = f"/frameworks/{ours.id}/requirements/{o['P1']}/mappings"
    missing = browser.post(url, {"relationship": "equal"})
    assert missing.status_code == 422 and 'id="e-target_id"' in missing.text
    unknown = browser.post(url, {"target_id": "999999", "relationship": "equal"})
    assert unknown.status_code == 422 and 'id="e-target_id"' in unknown.text
    assert "Requirement: Requirement not found" in _text(unknown)
    invisible = browser.post(url, {"target_id": str(t["T1"]), "relationship": "equal"})
    assert invisible.status_code == 422 and 'id="e-target_id"' in invisible.text
    bad_kind = browser.post(url, {"target_id": str(c["PR.AA-01"]), "relationship": "twin"})
    assert bad_kind.status_code == 422 and 'id="e-relationship"' in bad_kind.text
    assert _mappings(db) == []


def test_other_divisions_and_readers_cannot_map(browser_for, db, world) -> None:
    csf, c, ours, o, _, t = _setup(db, world)
    sibling = browser_for("analyst_b")
    mine = f"/frameworks/{ours.id}/requirements/{o['P1']}/mappings"
    assert (
        sibling.post(mine, {"target_id": str(t["T1"]), "relationship": "equal"}).status_code == 404
    )
    shared = f"/frameworks/{csf.id}/requirements/{c['PR.AA-01']}"
    page = browser_for("analyst").get(shared)
    assert "Map to a requirement of another framework" not in page.text
    refused = browser_for("analyst").post(
        f"{shared}/mappings", {"target_id": str(o["P1"]), "relationship": "equal"}
    )
    assert refused.status_code == 403 and "You may not change" in _text(refused)
    reader = browser_for("readonly")
    assert reader.post(mine, {"target_id": str(c["PR.AA-01"]),
                              "relationship": "equal"}).status_code == 403  # fmt: skip
    assert _mappings(db) == []


def test_mapping_files_are_imported_from_the_browser(browser_for, db, world) -> None:
    _setup(db, world)
    browser = browser_for("analyst")
    form = browser.get("/frameworks/mappings/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    bad = (HEADER + "ours,P1,equal,csf,NOPE\nours,P9,equal,csf,PR.AA-01\n").encode()
    refused = browser.post("/frameworks/mappings/import", files={"file": ("m.csv", bad)})
    assert refused.status_code == 422
    assert "row 2: 'NOPE' is not a requirement of csf" in _text(refused)
    assert "row 3: 'P9' is not a requirement of ours" in _text(refused)
    assert _mappings(db) == []
    good = (HEADER + "ours,P1,equal,csf,PR.AA-01\nours,P2,subset,csf,PR.AA-02\n").encode()
    done = browser.post("/frameworks/mappings/import", files={"file": ("m.csv", good)})
    assert done.status_code == 303
    assert "Mappings imported: 2 created, 0 updated, 0 unchanged." in _text(
        browser.get(done.headers["location"])
    )
    assert len(_mappings(db)) == 2
    reader = browser_for("readonly")
    assert reader.get("/frameworks/mappings/import").status_code == 403
    sibling = browser_for("analyst_b").post(
        "/frameworks/mappings/import",
        files={"file": ("m.csv", (HEADER + "theirs,T1,equal,ours,P1\n").encode())},
    )
    assert sibling.status_code == 422 and "framework &#39;ours&#39; not found" in sibling.text


def test_the_assessment_shows_results_derived_through_mappings(
    browser_for, db, world, principal_for
) -> None:
    csf, c, ours, o, _, _ = _setup(db, world)
    admin = principal_for("admin")
    unit = world.units["division-a"]
    met = make_control(db, admin, unit, status="implemented", requirement_ids=[c["PR.AA-01"]])
    make_link(db, admin, unit, control_ids=[met.id])
    frameworks.create_mapping(
        session=db,
        principal=None,
        data=RequirementMappingCreate(
            source_id=o["P1"], target_id=c["PR.AA-01"], relationship=MappingRelationship.EQUAL
        ),
    )
    assessment = make_assessment(db, admin, unit, ours.id)
    db.commit()
    browser = browser_for("analyst")
    detail = _text(browser.get(f"/assessments/{assessment.id}"))
    assert "Compliant via CSF 1.0 PR.AA-01" not in detail
    assert "Compliant via CSF PR.AA-01" in detail and "50.0 %" in detail
    page = browser.get(f"/assessments/{assessment.id}/requirements/{o['P1']}")
    assert f'href="/frameworks/{csf.id}/requirements/{c["PR.AA-01"]}"' in page.text
    shown = _text(page)
    assert "via CSF PR.AA-01" in shown and "a mapped requirement that covers this one" in shown
    rows = csv_rows(browser.get(f"/assessments/{assessment.id}?format=csv"))
    by_ref = {r["Reference"]: r for r in rows}
    assert (by_ref["P1"]["Derived via"], by_ref["P1"]["Result"]) == ("CSF PR.AA-01", "Compliant")
    assert by_ref["P2"]["Derived via"] == ""


def test_the_requirement_page_costs_the_same_queries_however_many_mappings(
    browser_for, db, world, count_queries
) -> None:
    _, c = make_framework(db, None, world.units["company"], [f"C{n}" for n in range(30)])
    ours, o = make_framework(db, None, world.units["division-a"], ("P1", "P2"))
    for source, targets in ((o["P1"], ["C0"]), (o["P2"], [f"C{n}" for n in range(30)])):
        for target in targets:
            frameworks.create_mapping(
                session=db,
                principal=None,
                data=RequirementMappingCreate(
                    source_id=source, target_id=c[target], relationship=MappingRelationship.EQUAL
                ),
            )
    db.commit()
    browser = browser_for("analyst")
    counts = []
    for requirement_id in (o["P1"], o["P2"]):
        with count_queries() as counter:
            page = browser.get(f"/frameworks/{ours.id}/requirements/{requirement_id}")
        assert page.status_code == 200 and 'aria-label="Remove the mapping to C0"' in page.text
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
