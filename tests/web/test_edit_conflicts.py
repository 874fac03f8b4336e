"""Two people editing one object in the browser: the second save shows the first one's change."""

from __future__ import annotations

from collections import defaultdict

from tests.factories.risks import make_risk
from tests.web.html_forms import submitted_fields, with_changes


def _post_fields(browser, url: str, fields: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    form: dict[str, list[str]] = defaultdict(list)
    for name, value in fields:
        form[name].append(value)
    return browser.post(url, dict(form))


def test_second_save_is_refused_on_the_form_then_saved_on_purpose(
    db, world, principal_for, browser_for, client, token_for
) -> None:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"], title="Phishing")
    db.commit()
    url = f"/risks/{risk.id}/edit"
    analyst = browser_for("analyst")
    opened = submitted_fields(analyst.get(url).text, url)
    assert ("version", "1") in opened

    meanwhile = client.patch(
        f"/api/v1/risks/{risk.id}", json={"title": "Spear phishing"}, headers=token_for("admin")
    )
    assert meanwhile.status_code == 200

    refused = _post_fields(analyst, url, with_changes(opened, description="Finance team"))
    assert refused.status_code == 409
    page = refused.text
    assert "changed by admin@example.com after you opened it" in page
    assert "now “Spear phishing”" in page
    assert "Finance team" in page  # what the analyst typed is still there
    again = submitted_fields(page, url)
    assert ("version", "2") in again
    stored = client.get(f"/api/v1/risks/{risk.id}", headers=token_for("admin")).json()
    assert (stored["title"], stored["description"]) == ("Spear phishing", "")

    saved = _post_fields(analyst, url, again)
    assert saved.status_code == 303
    stored = client.get(f"/api/v1/risks/{risk.id}", headers=token_for("admin")).json()
    assert (stored["title"], stored["description"], stored["version"]) == (
        "Phishing",
        "Finance team",
        3,
    )
