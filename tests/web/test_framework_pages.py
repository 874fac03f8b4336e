"""Framework pages: list, CSV, the requirement tree and search, requirements, imports, scoping."""

from __future__ import annotations

import json

from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.schemas import RequirementMappingCreate
from aegis.models.enums import MappingRelationship
from tests.factories.controls import insert_framework, make_control
from tests.factories.frameworks import make_framework
from tests.web.exported import csv_rows

TREE = ("G1", "C1", "C1.a", "C2", "G2", "C3")
PARENTS = {"C1": "G1", "C1.a": "C1", "C2": "G1", "C3": "G2"}


def _catalog() -> bytes:
    """A small OSCAL catalog: one group with two controls."""
    controls = [
        {
            "id": f"tc-{n}",
            "title": f"Test control {n}",
            "parts": [{"id": f"tc-{n}_smt", "name": "statement", "prose": f"Do thing {n}."}],
        }
        for n in (1, 2)
    ]
    body = {
        "catalog": {
            "uuid": "00000000-0000-4000-8000-000000000001",
            "metadata": {"title": "Tiny Catalog", "version": "3.1", "oscal-version": "1.1.2"},
            "groups": [{"id": "tc", "title": "Test controls", "controls": controls}],
        }
    }
    return json.dumps(body).encode()


def test_list_csv_and_search_show_only_shared_frameworks(browser_for, db, world) -> None:
    make_framework(db, None, world.units["company"], key="company-fw", name="Company baseline")
    make_framework(db, None, world.units["division-a"], key="alpha-fw", name="Alpha rules")
    db.commit()
    reader = browser_for("readonly")
    listing = reader.get("/frameworks?sort=name")
    assert listing.status_code == 200
    assert "Company baseline" in listing.text and "Alpha rules" in listing.text
    assert "/frameworks/import" not in listing.text
    sibling = browser_for("analyst_b")
    page = sibling.get("/frameworks")
    assert "Company baseline" in page.text and "Alpha rules" not in page.text
    assert "No frameworks match" in sibling.get("/frameworks?q=alpha").text
    rows = csv_rows(sibling.get("/frameworks?format=csv"))
    assert [(r["Key"], r["Requirement count"]) for r in rows] == [("company-fw", "3")]
    analyst = browser_for("analyst")
    assert "/frameworks/import" in analyst.get("/frameworks").text
    searched = analyst.get("/frameworks?q=alpha").text
    assert "Alpha rules" in searched and "Company baseline" not in searched


def test_framework_page_browses_the_tree_a_level_at_a_time(browser_for, db, world) -> None:
    framework, ids = insert_framework(db, world.units["company"], TREE, parents=PARENTS)
    db.commit()
    browser = browser_for("readonly")
    page = browser.get(f"/frameworks/{framework.id}")
    assert page.status_code == 200
    assert "<strong>G1</strong>" in page.text and "<strong>G2</strong>" in page.text
    assert "<strong>C1</strong>" not in page.text
    assert f'hx-get="/frameworks/{framework.id}/tree?parent_id={ids["G1"]}"' in page.text
    assert "2 sub-requirements" in page.text and "1 sub-requirement<" in page.text
    fragment = browser.get(f"/frameworks/{framework.id}/tree?parent_id={ids['G1']}")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "<strong>C1</strong>" in fragment.text and "<strong>C2</strong>" in fragment.text
    assert "<strong>C1.a</strong>" not in fragment.text
    assert f"parent_id={ids['C1']}" in fragment.text
    level = browser.get(f"/frameworks/{framework.id}?parent_id={ids['C1']}")
    assert level.status_code == 200 and "<strong>C1.a</strong>" in level.text
    assert "<strong>G2</strong>" not in level.text


def test_search_across_the_requirements_of_a_framework(browser_for, db, world) -> None:
    framework, _ = insert_framework(db, world.units["company"], TREE, parents=PARENTS)
    db.commit()
    browser = browser_for("analyst")
    found = browser.get(f"/frameworks/{framework.id}?q=c1")
    assert found.status_code == 200
    assert "<strong>C1</strong>" in found.text and "<strong>C1.a</strong>" in found.text
    assert "<strong>G1</strong>" not in found.text
    rows = csv_rows(browser.get(f"/frameworks/{framework.id}?q=c1&format=csv"))
    assert [(r["Reference"], r["Parent"]) for r in rows] == [("C1", "G1"), ("C1.a", "C1")]
    every = csv_rows(browser.get(f"/frameworks/{framework.id}?format=csv"))
    assert [r["Reference"] for r in every] == list(TREE)
    assert (
        "No requirement of this framework matches"
        in browser.get(f"/frameworks/{framework.id}?q=zzz").text
    )


def test_requirement_page_shows_text_family_controls_and_mappings(
    browser_for, db, world, principal_for
) -> None:
    framework, ids = insert_framework(db, world.units["company"], TREE, parents=PARENTS)
    other, other_ids = make_framework(db, None, world.units["company"], ("X.1",), name="Other")
    frameworks.create_mapping(
        session=db,
        principal=None,
        data=RequirementMappingCreate(
            source_id=other_ids["X.1"],
            target_id=ids["C1"],
            relationship=MappingRelationship.SUBSET,
        ),
    )
    admin = principal_for("admin")
    make_control(db, admin, world.units["division-a"], ref="OURS-1", requirement_ids=[ids["C1"]])
    make_control(db, admin, world.units["division-b"], ref="THEIRS-1", requirement_ids=[ids["C1"]])
    db.commit()
    url = f"/frameworks/{framework.id}/requirements/{ids['C1']}"
    page = browser_for("analyst").get(url)
    assert page.status_code == 200 and "Requirement C1" in page.text
    assert f'href="/frameworks/{framework.id}/requirements/{ids["G1"]}"' in page.text
    assert "<strong>C1.a</strong>" in page.text
    assert "OURS-1" in page.text and "THEIRS-1" not in page.text
    assert "Superset of" in page.text
    assert f'href="/frameworks/{other.id}/requirements/{other_ids["X.1"]}"' in page.text
    mapped = browser_for("readonly").get(f"/frameworks/{other.id}/requirements/{other_ids['X.1']}")
    assert "Subset of" in mapped.text and "<strong>C1</strong>" in mapped.text
    wrong_framework = f"/frameworks/{other.id}/requirements/{ids['C1']}"
    assert browser_for("analyst").get(wrong_framework).status_code == 404


def test_frameworks_of_another_division_are_not_found(browser_for, db, world) -> None:
    framework, ids = insert_framework(db, world.units["division-a"], TREE, parents=PARENTS)
    db.commit()
    sibling = browser_for("analyst_b")
    assert sibling.get(f"/frameworks/{framework.id}").status_code == 404
    assert sibling.get(f"/frameworks/{framework.id}?format=csv").status_code == 404
    tree = f"/frameworks/{framework.id}/tree?parent_id={ids['G1']}"
    assert sibling.get(tree).status_code == 404
    requirement = f"/frameworks/{framework.id}/requirements/{ids['C1']}"
    assert sibling.get(requirement).status_code == 404
    assert browser_for("analyst").get(requirement).status_code == 200


def test_analyst_imports_a_csv_framework(browser_for, world) -> None:
    browser = browser_for("analyst")
    form = browser.get("/frameworks/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    content = b"id,parent,title,text\nP1,,Policies,\nP1.1,P1,Policy review,Review yearly\n"
    response = browser.post(
        "/frameworks/import",
        {
            "format": "csv",
            "unit_id": str(world.units["division-a"]),
            "name": "House rules",
            "key": "house-rules",
            "version": "2024",
        },
        files={"file": ("rules.csv", content, "text/csv")},
    )
    assert response.status_code == 303, response.text
    page = browser.get(response.headers["location"])
    assert "House rules" in page.text and "<strong>P1</strong>" in page.text
    assert "rules.csv" in page.text


def test_analyst_imports_an_oscal_catalog(browser_for, world) -> None:
    browser = browser_for("analyst")
    response = browser.post(
        "/frameworks/import",
        {"format": "oscal", "unit_id": str(world.units["division-a"])},
        files={"file": ("tiny.json", _catalog(), "application/json")},
    )
    assert response.status_code == 303, response.text
    page = browser.get(response.headers["location"])
    assert "Tiny Catalog" in page.text and "<strong>tc</strong>" in page.text
    again = browser.post(
        "/frameworks/import",
        {"format": "oscal", "unit_id": str(world.units["division-a"])},
        files={"file": ("tiny.json", _catalog(), "application/json")},
    )
    assert again.status_code == 200 and "Update Tiny Catalog 3.1?" in again.text
    assert "nothing to update" in again.text


def test_import_errors_are_shown_on_the_form_and_nothing_is_saved(browser_for, world) -> None:
    browser = browser_for("analyst")
    unit = str(world.units["division-a"])
    no_file = browser.post("/frameworks/import", {"format": "csv", "unit_id": unit})
    assert no_file.status_code == 422
    for field in ("file", "name", "key", "version"):
        assert f'id="e-{field}"' in no_file.text
    broken = browser.post(
        "/frameworks/import",
        {"format": "csv", "unit_id": unit, "name": "Broken", "key": "broken", "version": "1"},
        files={"file": ("broken.csv", b"id,parent,title,text\nA,MISSING,Orphan,\n", "text/csv")},
    )
    assert broken.status_code == 422 and 'id="e-file"' in broken.text
    assert "MISSING" in broken.text and 'value="Broken"' in broken.text
    bad_key = browser.post(
        "/frameworks/import",
        {"format": "csv", "unit_id": unit, "name": "Bad", "key": "Not a key!", "version": "1"},
        files={"file": ("ok.csv", b"id,parent,title,text\nA,,Alpha,\n", "text/csv")},
    )
    assert bad_key.status_code == 422 and 'id="e-key"' in bad_key.text
    not_oscal = browser.post(
        "/frameworks/import",
        {"format": "oscal", "unit_id": unit},
        files={"file": ("x.json", b"{not json", "application/json")},
    )
    assert not_oscal.status_code == 422 and 'id="e-file"' in not_oscal.text
    assert "No frameworks match" in browser.get("/frameworks").text


def test_readonly_cannot_import(browser_for, world) -> None:
    reader = browser_for("readonly")
    assert "/frameworks/import" not in reader.get("/frameworks").text
    assert reader.get("/frameworks/import").status_code == 403
    refused = reader.post(
        "/frameworks/import",
        {"format": "csv", "unit_id": str(world.units["company"]), "name": "n", "key": "k"},
        files={"file": ("a.csv", b"id,parent,title,text\nA,,Alpha,\n", "text/csv")},
    )
    assert refused.status_code == 403
    sibling = browser_for("analyst_b")
    into_other_unit = sibling.post(
        "/frameworks/import",
        {
            "format": "csv",
            "unit_id": str(world.units["division-a"]),
            "name": "n",
            "key": "k",
            "version": "1",
        },
        files={"file": ("a.csv", b"id,parent,title,text\nA,,Alpha,\n", "text/csv")},
    )
    assert into_other_unit.status_code == 403
    assert "No frameworks match" in browser_for("analyst").get("/frameworks").text


def test_tree_pages_cost_the_same_queries_whatever_their_size(
    browser_for, db, world, count_queries
) -> None:
    small, _ = insert_framework(db, world.units["company"], TREE, parents=PARENTS)
    refs = [f"G{n}" for n in range(30)] + [f"C{n}" for n in range(60)]
    parents = {f"C{n}": f"G{n % 30}" for n in range(60)}
    large, _ = insert_framework(db, world.units["company"], refs, parents=parents)
    db.commit()
    browser = browser_for("readonly")
    with count_queries() as few:
        assert browser.get(f"/frameworks/{small.id}").status_code == 200
    with count_queries() as many:
        assert browser.get(f"/frameworks/{large.id}").status_code == 200
    assert many.count == few.count
