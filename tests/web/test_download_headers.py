"""Downloads say `nosniff` once, whichever way they are fetched; pages keep it too."""

from __future__ import annotations

from aegis.domains.discussion.schemas import Subject
from tests.factories.discussion import make_attachment, make_comment
from tests.factories.evidence import PDF, make_file
from tests.factories.risks import make_risk

NOSNIFF = "x-content-type-options"


def test_every_download_says_nosniff_once(
    app, browser_for, client, token_for, db, world, principal_for
) -> None:
    analyst, unit = principal_for("analyst"), world.units["division-a"]
    evidence = make_file(db, analyst, app.state.blob_store, unit)
    risk = make_risk(db, analyst, unit)
    make_comment(db, analyst, Subject.risk(risk.id), "With the report")
    attachment = make_attachment(db, analyst, app.state.blob_store, risk.id)
    db.commit()
    browser = browser_for("analyst")
    api = token_for("analyst")
    responses = {
        "page": browser.get(f"/evidence/{evidence.id}"),
        "evidence": browser.get(f"/evidence/{evidence.id}/download"),
        "evidence version": browser.get(f"/evidence/{evidence.id}/versions/1/download"),
        "attachment": browser.get(f"/risks/{risk.id}/attachments/{attachment.id}/download"),
        "api evidence": client.get(f"/api/v1/evidence/{evidence.id}/download", headers=api),
        "api version": client.get(
            f"/api/v1/evidence/{evidence.id}/versions/1/download", headers=api
        ),
        "api attachment": client.get(
            f"/api/v1/risks/{risk.id}/attachments/{attachment.id}/download", headers=api
        ),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert response.headers.get_list(NOSNIFF) == ["nosniff"], name
        assert len(response.headers.get_list("x-frame-options")) == 1, name
    assert responses["evidence"].content == PDF == responses["api attachment"].content
