"""Labels as people write them: SaaS, Read-only, Non-compliant, one term for the current rating."""

from __future__ import annotations

import pytest

from aegis.core.messages import choice_label, field_label, framework_title
from aegis.models import Framework
from tests.factories.controls import insert_framework
from tests.factories.tasks import make_task


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("saas", "SaaS"),
        ("readonly", "Read-only"),
        ("non_compliant", "Non-compliant"),
    ],
)
def test_stored_choices_read_as_people_write_them(stored: str, shown: str) -> None:
    assert choice_label(stored) == shown


@pytest.mark.parametrize(
    ("name", "version", "shown"),
    [
        ("NIST Cybersecurity Framework 2.0", "2.0", "NIST Cybersecurity Framework 2.0"),
        ("NIST SP 800-53 Rev 5", "rev 5", "NIST SP 800-53 Rev 5"),
        ("ISO/IEC 27001", "2022", "ISO/IEC 27001 2022"),
        ("In-house baseline", "", "In-house baseline"),
    ],
)
def test_a_framework_shows_its_version_once(name: str, version: str, shown: str) -> None:
    assert framework_title(name, version) == shown


def test_forms_and_lists_use_the_labels(browser_for) -> None:
    analyst = browser_for("analyst")
    assert '<option value="saas" >SaaS</option>' in analyst.get("/assets/new").text
    admin_form = browser_for("admin").get("/admin/users/new").text
    assert ">Read-only</option>" in admin_form and ">Readonly<" not in admin_form


def test_framework_names_do_not_repeat_the_version(browser_for, db, world) -> None:
    framework, _ = insert_framework(db, world.units["company"], ("GV.OC-01",))
    db.get(Framework, framework.id).name = "NIST Cybersecurity Framework 2.0"  # type: ignore[union-attr]
    db.get(Framework, framework.id).version = "2.0"  # type: ignore[union-attr]
    db.commit()
    analyst = browser_for("analyst")
    for path in ("/controls/new", f"/frameworks/{framework.id}"):
        page = analyst.get(path).text
        assert "NIST Cybersecurity Framework 2.0" in page, path
        assert "2.0 2.0" not in page and '2.0 <span class="muted">2.0' not in page, path


def test_the_dashboard_and_filters_name_the_current_rating_one_way(browser_for) -> None:
    analyst = browser_for("analyst")
    dashboard = analyst.get("/").text
    assert "Current rating (residual once assessed)" in dashboard
    assert "Current rating heatmap (residual once assessed)" in dashboard
    assert "Residual risk" not in dashboard and ">Current<" not in dashboard
    assert field_label("current_level") == "Current level (residual once assessed)"
    chips = analyst.get("/risks?current_level=High").text
    assert "Current level (residual once assessed): High" in chips


def test_dates_do_not_wrap(browser_for, db, world, principal_for) -> None:
    task = make_task(db, principal_for("admin"), world.units["division-a"], title="Rotate keys")
    db.commit()
    page = browser_for("analyst").get(f"/tasks/{task.id}").text
    assert f'<span class="date">{task.created_at:%Y-%m-%d %H:%M} UTC</span>' in page
