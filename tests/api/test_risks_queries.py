"""Filtering, sorting and paging the risk list, and what a page costs in queries."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories.assets import make_asset
from tests.factories.risks import make_control, make_risk


@pytest.fixture
def register(db, world, principal_for):
    """Four risks of division-a (one in team-a1) linked to an asset and a control."""
    analyst = principal_for("analyst")
    unit, team = world.units["division-a"], world.units["team-a1"]
    asset = make_asset(db, analyst, unit)
    control = make_control(db, unit)
    risks = {
        "phishing": make_risk(
            db,
            analyst,
            unit,
            title="Phishing of finance staff",
            category="operational",
            inherent_likelihood=4,
            inherent_impact=5,
            residual_likelihood=2,
            residual_impact=2,
            owner_id=world.users["analyst"],
            treatment="mitigate",
            next_review_date=date(2030, 3, 1),
            asset_ids=[asset.id],
        ),
        "vendor": make_risk(
            db,
            analyst,
            unit,
            title="Vendor outage",
            description="Payroll SaaS is unavailable",
            category="third_party",
            inherent_likelihood=2,
            inherent_impact=4,
            treatment="transfer",
            next_review_date=date(2030, 6, 1),
            control_ids=[control],
        ),
        "gdpr": make_risk(
            db,
            analyst,
            team,
            title="GDPR fine",
            category="compliance",
            status="assessed",
            inherent_likelihood=3,
            inherent_impact=4,
            residual_likelihood=3,
            residual_impact=3,
        ),
        "laptop": make_risk(
            db,
            analyst,
            unit,
            title="Lost laptop_1",
            category="technical",
            inherent_likelihood=1,
            inherent_impact=2,
        ),
    }
    db.commit()
    return {"asset": asset.id, "control": control, **{k: v.id for k, v in risks.items()}}


def _titles(client, headers, **params) -> list[str]:
    response = client.get("/api/v1/risks", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def _ids(client, headers, register, **params) -> set[str]:
    names = {v: k for k, v in register.items() if k not in ("asset", "control")}
    response = client.get("/api/v1/risks", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {names[item["id"]] for item in response.json()["items"]}


def test_each_filter_narrows_the_list(client, world, token_for, register) -> None:
    h = token_for("analyst")
    assert _ids(client, h, register, q="PAYROLL") == {"vendor"}
    assert _ids(client, h, register, q="laptop_") == {"laptop"}
    assert _ids(client, h, register, q="%") == set()
    assert _ids(client, h, register, unit_id=world.units["team-a1"]) == {"gdpr"}
    assert _ids(client, h, register, category="compliance") == {"gdpr"}
    assert _ids(client, h, register, status="assessed") == {"gdpr"}
    assert _ids(client, h, register, owner_id=world.users["analyst"]) == {"phishing"}
    assert _ids(client, h, register, treatment="transfer") == {"vendor"}
    assert _ids(client, h, register, inherent_level="Critical") == {"phishing"}
    assert _ids(client, h, register, inherent_level="High") == {"gdpr"}
    assert _ids(client, h, register, residual_level="Low") == {"phishing"}
    assert _ids(client, h, register, min_inherent_score=8, max_inherent_score=12) == {
        "vendor",
        "gdpr",
    }
    assert _ids(client, h, register, min_residual_score=5) == {"gdpr"}
    assert _ids(client, h, register, max_residual_score=4) == {"phishing"}
    assert _ids(client, h, register, asset_id=register["asset"]) == {"phishing"}
    assert _ids(client, h, register, control_id=register["control"]) == {"vendor"}
    assert _ids(client, h, register, review_due_before="2030-04-01") == {"phishing"}


def test_sorting_and_paging_happen_in_the_database(client, token_for, register) -> None:
    h = token_for("analyst")
    assert _titles(client, h, sort="-inherent_score") == [
        "Phishing of finance staff",
        "GDPR fine",
        "Vendor outage",
        "Lost laptop_1",
    ]
    assert _titles(client, h, sort="title", limit=2, offset=1) == [
        "Lost laptop_1",
        "Phishing of finance staff",
    ]
    # risks without a residual score or review date come last in both directions
    assert _titles(client, h, sort="residual_score")[:2] == [
        "Phishing of finance staff",
        "GDPR fine",
    ]
    assert _titles(client, h, sort="-residual_score")[:2] == [
        "GDPR fine",
        "Phishing of finance staff",
    ]
    assert _titles(client, h, sort="-next_review_date")[:2] == [
        "Vendor outage",
        "Phishing of finance staff",
    ]
    for field in ("status", "category", "created_at", "updated_at", "-id"):
        assert len(_titles(client, h, sort=field)) == 4
    page = client.get("/api/v1/risks", params={"limit": 1}, headers=h).json()
    assert (page["total"], len(page["items"]), page["limit"]) == (4, 1, 1)


def test_unknown_filters_and_sorts_are_refused(client, token_for, register) -> None:
    h = token_for("analyst")
    for params, field in (
        ({"colour": "red"}, "colour"),
        ({"sort": "owner_id"}, "sort"),
        ({"category": "weather"}, "category"),
        ({"min_inherent_score": 0}, "min_inherent_score"),
        ({"review_due_before": "soon"}, "review_due_before"),
        ({"limit": 500}, "limit"),
    ):
        response = client.get("/api/v1/risks", params=params, headers=h)
        assert response.status_code == 422, params
        assert response.json()["error"]["details"][0]["field"] == field
    url = f"/api/v1/risks/{register['phishing']}/history"
    for params, field in (({"sort": "score"}, "sort"), ({"since": "2030-01-01"}, "since")):
        history = client.get(url, params=params, headers=h)
        assert history.status_code == 422
        assert history.json()["error"]["details"][0]["field"] == field


def _fill(db, world, principal_for, count: int) -> None:
    analyst = principal_for("analyst")
    unit = world.units["division-a"]
    asset = make_asset(db, analyst, unit, name=f"host-{count}")
    control = make_control(db, unit, ref=f"C-{count}")
    for index in range(count):
        make_risk(
            db,
            analyst,
            unit,
            title=f"Risk {index}",
            residual_likelihood=1,
            residual_impact=2,
            asset_ids=[asset.id],
            control_ids=[control],
        )
    db.commit()


def test_the_list_costs_the_same_queries_for_2_and_20_risks(
    client, db, world, principal_for, token_for, count_queries
) -> None:
    headers = token_for("analyst")
    costs = []
    for count in (2, 18):
        _fill(db, world, principal_for, count)
        with count_queries() as counter:
            response = client.get("/api/v1/risks", params={"limit": 50}, headers=headers)
        assert response.status_code == 200
        page = response.json()
        assert all(item["asset_ids"] and item["control_ids"] for item in page["items"])
        costs.append((len(page["items"]), counter.count))
    assert [size for size, _ in costs] == [2, 20]
    assert costs[0][1] == costs[1][1], costs


def test_risks_filter_by_heatmap_cell(client, db, world, principal_for, token_for) -> None:  # type: ignore[no-untyped-def]
    from tests.factories.risks import make_risk

    admin = principal_for("admin")
    make_risk(
        db, admin, world.units["division-a"], title="cell", inherent_likelihood=4, inherent_impact=5
    )
    make_risk(
        db,
        admin,
        world.units["division-a"],
        title="other",
        inherent_likelihood=5,
        inherent_impact=4,
    )
    db.commit()
    cell = client.get(
        "/api/v1/risks",
        params={"inherent_likelihood": 4, "inherent_impact": 5},
        headers=token_for("analyst"),
    ).json()
    assert [r["title"] for r in cell["items"]] == ["cell"]


def test_risks_filter_by_current_rating(client, db, world, principal_for, token_for) -> None:  # type: ignore[no-untyped-def]
    from tests.factories.risks import make_risk

    admin = principal_for("admin")
    unit = world.units["division-a"]
    make_risk(db, admin, unit, title="unassessed", inherent_likelihood=2, inherent_impact=3)
    make_risk(
        db,
        admin,
        unit,
        title="reduced",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=2,
        residual_impact=3,
    )
    make_risk(db, admin, unit, title="elsewhere", inherent_likelihood=2, inherent_impact=4)
    db.commit()
    cell = client.get(
        "/api/v1/risks",
        params={"current_likelihood": 2, "current_impact": 3, "sort": "title"},
        headers=token_for("analyst"),
    ).json()
    assert [r["title"] for r in cell["items"]] == ["reduced", "unassessed"]
