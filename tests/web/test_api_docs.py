"""The API documentation comes from the package, under the page policy, with nothing inline."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

VENDOR = Path(__file__).resolve().parents[2] / "src" / "aegis" / "web" / "static" / "vendor"


def _manifest() -> dict[str, str]:
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines)}


def test_swagger_ui_is_served_from_aegis_itself(client: TestClient, app: FastAPI) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "cdn" not in page.text.lower() and "//" not in re.sub(r"<!doctype[^>]*>", "", page.text)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    local = [source.startswith(("/static/", "/api/v1/openapi.json")) for source in sources]
    assert sources and all(local), sources
    static = app.state.static_assets
    assert static.url("vendor/swagger-ui-bundle.js") in sources
    assert static.url("vendor/swagger-ui.css") in sources
    assert static.url("api-docs.js") in sources
    assert 'data-openapi-url="/api/v1/openapi.json"' in page.text


def test_the_page_runs_no_inline_script_under_the_policy(client: TestClient) -> None:
    page = client.get("/api/docs")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all(
        'src="' in attributes and not body.strip() for attributes, body in scripts
    )
    assert " style=" not in page.text and "<style" not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_served_bundle_is_the_checksummed_one(client: TestClient, app: FastAPI) -> None:
    manifest = _manifest()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(app.state.static_assets.url(f"vendor/{name}"))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == manifest[name]
    starter = client.get(app.state.static_assets.url("api-docs.js"))
    assert starter.status_code == 200 and "SwaggerUIBundle" in starter.text
    assert "validatorUrl: null" in starter.text


def test_the_description_it_shows_is_served_too(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "Aegis"
    assert "/api/docs" not in spec.json()["paths"]
