"""Deleting a requirement through the API: its assessment work goes only when asked for."""

from __future__ import annotations

from aegis.models import AssessmentResult, Requirement
from tests.domains.frameworks.test_requirement_removal import WORK, worked


def test_assessment_work_goes_only_with_the_flag(client, token_for, db, world, principal_for):
    requirement = worked(db, world, principal_for)
    db.commit()
    url = f"/api/v1/requirements/{requirement}"
    admin = token_for("admin")
    refused = client.delete(url, headers=admin)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["message"] == f"Removing R1 also removes its {WORK}; confirm that to remove it"
    assert error["details"][0]["field"] == "with_assessment_work"
    assert (
        client.delete(url, params={"with_assessment_work": "maybe"}, headers=admin).status_code
        == 422
    )
    assert db.get(Requirement, requirement) is not None
    assert (
        client.delete(
            url, params={"with_assessment_work": "true"}, headers=token_for("analyst_b")
        ).status_code
        == 403
    )
    done = client.delete(url, params={"with_assessment_work": "true"}, headers=admin)
    assert done.status_code == 204
    db.expire_all()
    assert db.get(Requirement, requirement) is None
    assert db.query(AssessmentResult).count() == 0
