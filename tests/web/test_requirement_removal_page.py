"""The requirement page says what goes with a requirement before it is deleted."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from aegis.models import AssessmentResult, Requirement
from tests.domains.frameworks.test_requirement_removal import WORK, worked


def test_the_page_names_the_work_removed_with_it(browser_for, db, world, principal_for) -> None:
    requirement = worked(db, world, principal_for)
    framework_id = db.get(Requirement, requirement).framework_id
    db.commit()
    admin = browser_for("admin")
    url = f"/frameworks/{framework_id}/requirements/{requirement}"
    page = html.unescape(admin.get(url).text)
    assert f"Deleting this requirement also removes its {WORK}" in page
    assert f'data-confirm="Delete requirement R1 and its {WORK}? This cannot be undone."' in page
    assert f'name="removes" value="{WORK}"' in page

    for stale in ({}, {"removes": "1 assessment result in 1 assessment"}):
        refused = admin.post(f"{url}/delete", stale)
        assert refused.status_code == 409
        assert f"Nothing was removed: R1 now has {WORK}" in html.unescape(refused.text)
    assert db.get(Requirement, requirement) is not None

    done = admin.post(f"{url}/delete", {"removes": WORK})
    assert done.status_code == 303
    shown = html.unescape(admin.get(done.headers["location"]).text)
    assert f"Requirement R1 was removed with its {WORK}." in shown
    db.expire_all()
    assert db.get(Requirement, requirement) is None
    assert db.scalar(select(func.count()).select_from(AssessmentResult)) == 0


def test_readers_see_no_delete_and_no_counts(browser_for, db, world, principal_for) -> None:
    requirement = worked(db, world, principal_for)
    framework_id = db.get(Requirement, requirement).framework_id
    db.commit()
    page = browser_for("analyst").get(f"/frameworks/{framework_id}/requirements/{requirement}")
    assert page.status_code == 200
    assert "Deleting this requirement" not in page.text and "/delete" not in page.text
