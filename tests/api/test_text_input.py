"""Names and texts refuse control, direction-changing and only-invisible characters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.models import Asset, Framework, User
from tests.conftest import PASSWORD, World

Headers = Callable[[str], dict[str, str]]

REFUSED_NAMES = {
    "a NUL": ("Edge\x00router", "must not contain line breaks, tabs or other control characters"),
    "an escape": ("\x1b[2JEdge", "must not contain line breaks, tabs or other control characters"),
    "a C1 control": ("Edge\x9brouter", "must not contain line breaks, tabs or other control"),
    "a line break": ("Edge\nrouter", "must not contain line breaks, tabs or other control"),
    "a right-to-left override": ("invoice\u202efdp.exe", "change the direction of the text"),
    "a direction isolate": ("Edge \u2067router\u2069", "change the direction of the text"),
    "only zero-width characters": ("\u200b\u200c\u200d", "must contain visible characters"),
    "only a Hangul filler": ("\u3164", "must contain visible characters"),
}
KEPT_NAMES = [
    "Serveur de fichiers – Zürich",
    "خادم الملفات",  # right-to-left script on its own is fine
    "Пограничный маршрутизатор",
    "Team 👩\u200d💻 laptops",  # a zero-width joiner inside an emoji
    "שרת\u200fקבצים",  # a right-to-left mark is not an override
]


def _assets(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Asset)) or 0)


@pytest.mark.parametrize("case", REFUSED_NAMES, ids=list(REFUSED_NAMES))
def test_a_name_with_hidden_characters_is_refused_naming_the_field(
    case: str, client: TestClient, token_for: Headers, world: World, db: Session
) -> None:
    name, message = REFUSED_NAMES[case]
    before = _assets(db)
    response = client.post(
        "/api/v1/assets",
        headers=token_for("analyst"),
        json={"unit_id": world.units["division-a"], "name": name, "type": "server"},
    )
    assert response.status_code == 422, response.text
    [detail] = response.json()["error"]["details"]
    assert detail["field"] == "name"
    assert detail["message"].startswith("Name ") and message in detail["message"]
    assert _assets(db) == before


@pytest.mark.parametrize("name", KEPT_NAMES)
def test_names_in_any_script_are_kept_as_typed(
    name: str, client: TestClient, token_for: Headers, world: World
) -> None:
    response = client.post(
        "/api/v1/assets",
        headers=token_for("analyst"),
        json={"unit_id": world.units["division-a"], "name": name, "type": "server"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name


def test_descriptions_keep_lines_and_tabs_but_refuse_other_controls(
    client: TestClient, token_for: Headers, world: World
) -> None:
    body = {"unit_id": world.units["division-a"], "name": "Mail relay", "type": "server"}
    kept = "Relays outbound mail.\r\n\r\n\tPort 25 only.\nOwner: IT"
    created = client.post(
        "/api/v1/assets", headers=token_for("analyst"), json={**body, "description": kept}
    )
    assert created.status_code == 201
    assert created.json()["description"] == kept
    for text in ("Bell\x07", "Back\x08space", "\u202eevil", "\u2066x"):
        refused = client.patch(
            f"/api/v1/assets/{created.json()['id']}",
            headers=token_for("analyst"),
            json={"description": text},
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["details"][0]["field"] == "description"


def test_every_kind_of_name_is_checked(
    client: TestClient, token_for: Headers, world: World
) -> None:
    headers = token_for("admin")
    unit = world.units["division-a"]
    bad = "Quarterly\u202e review"
    for path, body, field in (
        (
            "/api/v1/risks",
            {
                "unit_id": unit,
                "title": bad,
                "category": "technical",
                "inherent_likelihood": 2,
                "inherent_impact": 2,
            },
            "title",
        ),
        ("/api/v1/controls", {"unit_id": unit, "ref": "AC-1", "title": bad}, "title"),
        ("/api/v1/tasks", {"unit_id": unit, "title": bad}, "title"),
        ("/api/v1/units", {"parent_id": unit, "name": bad}, "name"),
        (
            "/api/v1/evidence/links",
            {"unit_id": unit, "title": bad, "url": "https://example.com/report"},
            "title",
        ),
        (
            "/api/v1/assets",
            {"unit_id": unit, "name": "Router", "type": "server", "ref": "R-\u200b1\u202e"},
            "ref",
        ),
        (
            "/api/v1/users",
            {
                "email": "new@example.com",
                "name": bad,
                "password": PASSWORD,
                "role": "readonly",
                "unit_id": unit,
            },
            "name",
        ),
    ):
        response = client.post(path, headers=headers, json=body)
        assert response.status_code == 422, (path, response.text)
        assert field in {d["field"] for d in response.json()["error"]["details"]}, path


def test_searches_and_filters_refuse_control_characters(
    client: TestClient, token_for: Headers
) -> None:
    headers = token_for("analyst")
    for path, params in (
        ("/api/v1/assets", {"q": "router\x00"}),
        ("/api/v1/risks", {"q": "\u202eransom"}),
        ("/api/v1/assets", {"sort": "name\x00"}),
        ("/api/v1/search", {"q": "fire\x00wall"}),
    ):
        response = client.get(path, params=params, headers=headers)
        assert response.status_code == 422, (path, response.text)


def test_a_user_name_of_invisible_characters_is_refused(
    client: TestClient, token_for: Headers, world: World, db: Session
) -> None:
    response = client.post(
        "/api/v1/users",
        headers=token_for("admin"),
        json={
            "email": "ghost@example.com",
            "name": "\u2060\u200b",
            "password": PASSWORD,
            "role": "readonly",
            "unit_id": world.units["company"],
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Name must contain visible characters, not only spaces or invisible ones"
    )
    assert db.scalar(select(User).where(User.email == "ghost@example.com")) is None


def test_a_catalog_with_hidden_characters_in_a_title_is_refused_whole(
    client: TestClient, token_for: Headers, world: World, db: Session
) -> None:
    catalog = "id,parent,title,text\nA,,Access,\nA.1,A,Re\u202eview logs,Do it\n".encode()
    response = client.post(
        "/api/v1/frameworks/import",
        headers=token_for("analyst"),
        files={"file": ("catalog.csv", catalog, "text/csv")},
        data={
            "unit_id": str(world.units["division-a"]),
            "format": "csv",
            "name": "Internal",
            "key": "internal",
            "version": "1",
        },
    )
    assert response.status_code == 422, response.text
    assert (
        "the title must not contain characters that change the direction"
        in (response.json()["error"]["message"])
    )
    assert db.scalar(select(Framework).where(Framework.key == "internal")) is None
