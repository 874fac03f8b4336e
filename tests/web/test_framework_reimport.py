"""Importing in the browser: format from the content, the file kept after errors, updates."""

from __future__ import annotations

import html
import re

from aegis.domains.frameworks import service as frameworks
from aegis.models import Framework
from tests.domains.frameworks.test_formats import catalog
from tests.factories.controls import make_control
from tests.factories.frameworks import make_framework

TOKEN = re.compile(r'name="upload_token" value="([^"]+)"')
FIRST = b"id,parent,title,text\nR1,,Access,Control access\nR2,,Backups,\nR3,,Logs,\n"
EDITION = b"id,parent,title,text\nR1,,Access control,Control access\nR4,,Training,\n"


def _text(response) -> str:
    """The page's text without tags, on one line."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def _token(response) -> str:
    found = TOKEN.search(response.text)
    assert found, "the page keeps no file"
    return found.group(1)


def _frameworks(db) -> int:
    return len(db.query(Framework).all())


def _import(browser, unit_id: int, content: bytes, filename: str, **values):
    form = {"unit_id": str(unit_id), "format": "auto", **values}
    return browser.post("/frameworks/import", form, files={"file": (filename, content)})


def test_the_format_is_read_from_the_content(browser_for, db, world) -> None:
    browser = browser_for("analyst")
    unit = world.units["division-a"]
    named = {"name": "House rules", "key": "house", "version": "1"}
    csv_named_json = _import(browser, unit, FIRST, "rules.json", **named)
    assert csv_named_json.status_code == 422 and 'id="e-file"' in csv_named_json.text
    assert "rules.json is not a JSON file: its content is" in csv_named_json.text
    created = _import(browser, unit, FIRST, "rules.txt", **named)
    assert created.status_code == 303, created.text
    oscal_named_csv = _import(browser, unit, catalog(), "tiny.csv")
    assert oscal_named_csv.status_code == 422 and 'id="e-file"' in oscal_named_csv.text
    assert "tiny.csv is not a CSV file: its content is JSON" in oscal_named_csv.text
    claimed = _import(browser, unit, FIRST, "rules.csv", format="oscal", **{**named, "key": "x"})
    assert claimed.status_code == 422 and 'id="e-format"' in claimed.text
    assert "The file holds CSV, not an OSCAL catalog" in claimed.text
    assert f'<option value="{unit}" selected>' in claimed.text
    assert 'value="House rules"' in claimed.text
    assert _frameworks(db) == 1


def test_after_an_error_the_form_keeps_the_choices_and_the_file(browser_for, db, world) -> None:
    browser = browser_for("analyst")
    unit = world.units["division-a"]
    missing = _import(browser, unit, FIRST, "rules.csv", name="House rules")
    assert missing.status_code == 422
    assert 'id="e-key"' in missing.text and 'id="e-version"' in missing.text
    assert "Kept from your last attempt: <strong>rules.csv</strong>" in missing.text
    token = _token(missing)
    stolen = browser_for("admin").post(
        "/frameworks/import",
        {"unit_id": str(unit), "format": "", "name": "N", "key": "n", "version": "1",
         "upload_token": token},
    )  # fmt: skip
    assert stolen.status_code == 422 and "no longer kept" in stolen.text
    forged = browser.post(
        "/frameworks/import",
        {"unit_id": str(unit), "format": "", "name": "N", "key": "n", "version": "1",
         "upload_token": token[:-4] + "AAAA"},
    )  # fmt: skip
    assert forged.status_code == 422 and "no longer kept" in forged.text
    assert _frameworks(db) == 0
    done = browser.post(
        "/frameworks/import",
        {"unit_id": str(unit), "format": "", "name": "House rules", "key": "house",
         "version": "1", "upload_token": token},
    )  # fmt: skip
    assert done.status_code == 303, done.text
    page = browser.get(done.headers["location"])
    assert "House rules" in page.text and "The framework was imported." in page.text


def test_a_broken_or_oversized_file_is_not_kept(browser_for, db, world, settings) -> None:
    browser = browser_for("analyst")
    unit = world.units["division-a"]
    truncated = _import(browser, unit, catalog()[:-30], "tiny.json")
    assert truncated.status_code == 422 and "cut short" in truncated.text
    assert "upload_token" not in truncated.text
    huge = b"id,parent,title,text\n" + b"A,,B,C\n" * (settings.max_upload_bytes // 6)
    too_big = _import(browser, unit, huge, "big.csv", name="Big", key="big", version="1")
    assert too_big.status_code == 422 and "upload limit" in too_big.text
    assert "upload_token" not in too_big.text
    assert _frameworks(db) == 0


def test_reimporting_offers_an_update_with_its_changes_then_applies_it(
    browser_for, db, world, principal_for
) -> None:
    browser = browser_for("analyst")
    unit = world.units["division-a"]
    named = {"name": "House rules", "key": "house", "version": "1"}
    assert _import(browser, unit, FIRST, "rules.csv", **named).status_code == 303
    framework = db.query(Framework).filter_by(key="house").one()
    ids = frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)
    make_control(db, principal_for("admin"), unit, ref="BK-1", requirement_ids=[ids["R2"]])
    db.commit()
    preview = _import(browser, unit, EDITION, "rules-2024.csv", **named)
    assert preview.status_code == 200
    text = _text(preview)
    assert "Update House rules 1?" in text and "Added (1)" in text and "Removed (1)" in text
    assert "R1 — Access control (title changed)" in text
    assert "R2 — Backups — still has 1 control" in text
    assert "Updating would add 1, change 1 and remove 1 requirements." in text
    assert frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id) == ids
    token = _token(preview)
    update = {"upload_token": token, "framework_id": str(framework.id), "unit_id": str(unit)}
    applied = browser.post("/frameworks/import/update", update)
    assert applied.status_code == 303, applied.text
    page = _text(browser.get(applied.headers["location"]))
    assert (
        "The framework was updated: 1 added, 1 changed, 1 removed. "
        "1 no longer in the file were kept because they are in use." in page
    )
    now = frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)
    assert set(now) == {"R1", "R2", "R4"} and now["R1"] == ids["R1"]
    assert _frameworks(db) == 1
    replayed = browser.post("/frameworks/import/update", update)
    assert replayed.status_code == 422 and "no longer kept" in replayed.text


def test_only_the_user_who_uploaded_may_confirm_the_update(browser_for, db, world) -> None:
    framework, ids = make_framework(db, None, world.units["division-a"], ("R1", "R2"), key="k")
    db.commit()
    analyst = browser_for("analyst")
    preview = _import(
        analyst, world.units["division-a"], EDITION, "e.csv", name="n", key="k", version="1.0"
    )
    assert preview.status_code == 200 and "Update Test framework" in preview.text
    update = {"upload_token": _token(preview), "framework_id": str(framework.id)}
    other = browser_for("admin_a").post("/frameworks/import/update", update)
    assert other.status_code == 422 and "no longer kept" in other.text
    assert frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id) == ids


def test_a_catalog_loaded_where_the_user_may_not_change_it_is_refused_on_the_form(
    browser_for, db, world
) -> None:
    make_framework(db, None, world.units["company"], ("R1",), key="shared", version="1")
    db.commit()
    refused = _import(
        browser_for("analyst"), world.units["division-a"], FIRST, "rules.csv",
        name="Mine", key="shared", version="1",
    )  # fmt: skip
    assert refused.status_code == 409 and 'id="e-version"' in refused.text
    assert "only people who may change it can update it" in _text(refused)
    assert "upload_token" in refused.text
