"""Evidence pages: upload with progress, versions, downloads, links, filters, CSV, scoping."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aegis.core.db import utcnow
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import PDF, make_file, make_link
from tests.web.exported import csv_rows


def _blobs(app) -> list[Path]:
    root = app.state.blob_store.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(browser, world, content=PDF, filename="policy.pdf", headers=None, **fields):
    data = {"title": "Access policy", "unit_id": str(world.units["division-a"]), **fields}
    form = {"csrf_token": browser.csrf, **data}
    return browser.client.post(
        "/evidence/new",
        data=form,
        files={"file": (filename, content, "application/pdf")},
        headers={"Accept": "text/html", **(headers or {})},
        follow_redirects=False,
    )


def test_upload_then_download_returns_the_same_bytes(browser_for, app, world) -> None:
    analyst = browser_for("analyst")
    form = analyst.get("/evidence/new")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert 'hx-encoding="multipart/form-data"' in form.text
    assert "<progress data-upload-progress" in form.text
    assert "up to 1 MB" in form.text
    content = PDF + b"signed by the CISO\n"
    response = _upload(analyst, world, content=content)
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    detail = analyst.get(url)
    assert "Access policy" in detail.text and "policy.pdf" in detail.text
    assert f"{url}/versions/1/download" in detail.text
    download = analyst.get(f"{url}/download")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-disposition"].startswith("attachment")
    assert "policy.pdf" in download.headers["content-disposition"]
    assert download.headers["content-type"] == "application/pdf"
    assert "sandbox" in download.headers["content-security-policy"]
    assert analyst.get(f"{url}/versions/1/download").content == content


def test_new_version_keeps_the_old_one_downloadable(browser_for, app, world) -> None:
    analyst = browser_for("analyst")
    url = _upload(analyst, world).headers["location"]
    assert analyst.get(f"{url}/versions").status_code == 200
    second = analyst.post(
        f"{url}/versions", files={"file": ("policy-v2.txt", b"version two", "text/plain")}
    )
    assert second.status_code == 303, second.text
    detail = analyst.get(url).text
    assert "v2" in detail and "policy-v2.txt" in detail
    assert analyst.get(f"{url}/download").content == b"version two"
    assert analyst.get(f"{url}/versions/1/download").content == PDF
    assert analyst.get(f"{url}/versions/3/download").status_code == 404
    empty = analyst.post(f"{url}/versions", files={"file": ("empty.txt", b"", "text/plain")})
    assert empty.status_code == 422
    assert 'id="e-file"' in empty.text
    assert len(_blobs(app)) == 2


def test_upload_through_htmx_redirects_the_page(browser_for, world) -> None:
    analyst = browser_for("analyst")
    response = _upload(analyst, world, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["hx-redirect"].startswith("/evidence/")
    invalid = _upload(analyst, world, headers={"HX-Request": "true"}, title="")
    assert invalid.status_code == 422
    assert 'id="upload-form"' in invalid.text and 'id="e-title"' in invalid.text


def test_invalid_upload_shows_errors_next_to_fields_and_saves_nothing(
    browser_for, app, world, settings
) -> None:
    analyst = browser_for("analyst")
    missing = analyst.post(
        "/evidence/new", {"title": "", "unit_id": str(world.units["division-a"])}
    )
    assert missing.status_code == 422
    assert 'id="e-title"' in missing.text and 'id="e-file"' in missing.text
    bad_date = _upload(analyst, world, expires_on="soon")
    assert bad_date.status_code == 422
    assert 'id="e-expires_on"' in bad_date.text
    assert 'value="Access policy"' in bad_date.text
    empty = _upload(analyst, world, content=b"")
    assert empty.status_code == 422 and 'id="e-file"' in empty.text
    too_big = _upload(analyst, world, content=b"%PDF-" + b"x" * settings.max_upload_bytes)
    assert too_big.status_code == 413 and 'id="e-file"' in too_big.text
    assert "larger than the limit of 1 MB" in too_big.text
    assert _blobs(app) == []
    assert "No evidence matches" in analyst.get("/evidence").text


def test_link_evidence_with_validation(browser_for, world) -> None:
    analyst = browser_for("analyst")
    assert analyst.get("/evidence/links/new").status_code == 200
    bad = analyst.post(
        "/evidence/links/new",
        {"title": "Wiki", "unit_id": str(world.units["division-a"]), "url": "javascript:x"},
    )
    assert bad.status_code == 422 and 'id="e-url"' in bad.text
    created = analyst.post(
        "/evidence/links/new",
        {
            "title": "Runbook",
            "unit_id": str(world.units["division-a"]),
            "url": "https://wiki.example/runbook",
        },
    )
    assert created.status_code == 303
    detail = analyst.get(created.headers["location"])
    assert "https://wiki.example/runbook" in detail.text
    assert "/download" not in detail.text


def test_list_filters_and_csv_are_scoped(browser_for, app, db, world, principal_for) -> None:
    admin = principal_for("admin")
    control = make_control(db, admin, world.units["division-a"], ref="AC-7", title="Lockout")
    past = utcnow().date() - timedelta(days=3)
    make_link(db, admin, world.units["division-a"], title="Alpha runbook")
    make_link(
        db,
        admin,
        world.units["division-a"],
        title="Alpha old scan",
        expires_on=past,
        control_ids=[control.id],
    )
    make_file(db, admin, app.state.blob_store, world.units["division-a"], title="Alpha policy")
    make_link(db, admin, world.units["division-b"], title="Beta secret")
    db.commit()
    analyst = browser_for("analyst")
    page = analyst.get("/evidence?sort=title").text
    assert "Alpha runbook" in page and "Alpha policy" in page and "Beta secret" not in page
    assert "Alpha policy" in analyst.get("/evidence?kind=file").text
    assert "Alpha runbook" not in analyst.get("/evidence?kind=file").text
    expired = analyst.get("/evidence?expired=true").text
    assert "Alpha old scan" in expired and "Alpha runbook" not in expired
    assert 'badge--critical">Expired' in expired
    by_control = analyst.get(f"/evidence?control_id={control.id}").text
    assert "Alpha old scan" in by_control and "Alpha policy" not in by_control
    assert "Alpha runbook" in analyst.get("/evidence?q=runbook").text
    rows = csv_rows(analyst.get("/evidence?format=csv&q=alpha&kind=link"))
    assert sorted(row["Title"] for row in rows) == ["Alpha old scan", "Alpha runbook"]
    old = next(row for row in rows if row["Title"] == "Alpha old scan")
    assert old["Expired"] == "Yes" and old["Controls"] == "AC-7"
    sibling = browser_for("analyst_b")
    assert "Alpha" not in sibling.get("/evidence?q=alpha").text
    sibling_rows = csv_rows(sibling.get("/evidence?format=csv"))
    assert [row["Title"] for row in sibling_rows] == ["Beta secret"]


def test_sibling_division_cannot_open_evidence_by_url(
    browser_for, app, db, world, principal_for
) -> None:
    evidence = make_file(
        db, principal_for("admin"), app.state.blob_store, world.units["division-a"]
    )
    db.commit()
    sibling = browser_for("analyst_b")
    base = f"/evidence/{evidence.id}"
    for url in (base, f"{base}/edit", f"{base}/versions", f"{base}/download"):
        assert sibling.get(url).status_code == 404, url
    assert sibling.get(f"{base}/versions/1/download").status_code == 404
    assert sibling.post(f"{base}/delete").status_code == 404
    assert sibling.post(f"{base}/edit", {"title": "Mine"}).status_code == 404


def test_readonly_sees_no_controls_and_is_refused(
    browser_for, app, db, world, principal_for
) -> None:
    evidence = make_file(
        db, principal_for("admin"), app.state.blob_store, world.units["division-a"]
    )
    db.commit()
    reader = browser_for("readonly")
    base = f"/evidence/{evidence.id}"
    detail = reader.get(base)
    assert detail.status_code == 200
    assert f"{base}/edit" not in detail.text and "Delete" not in detail.text
    assert f'href="{base}/versions"' not in detail.text
    assert reader.get(f"{base}/download").content == PDF
    listing = reader.get("/evidence").text
    assert "/evidence/new" not in listing and "/evidence/links/new" not in listing
    assert reader.get("/evidence/new").status_code == 403
    assert reader.get("/evidence/links/new").status_code == 403
    assert reader.get(f"{base}/edit").status_code == 403
    assert reader.get(f"{base}/versions").status_code == 403
    assert _upload(reader, world).status_code == 403
    assert reader.post(f"{base}/edit", {"title": "Changed"}).status_code == 403
    assert reader.post(f"{base}/versions", files={"file": ("a.txt", b"a")}).status_code == 403
    assert reader.post(f"{base}/delete").status_code == 403
    assert reader.get(base).status_code == 200


def test_expiry_badges(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    today = utcnow().date()
    soon = make_link(
        db, admin, world.units["division-a"], title="Soon", expires_on=today + timedelta(days=10)
    )
    gone = make_link(
        db, admin, world.units["division-a"], title="Gone", expires_on=today - timedelta(days=1)
    )
    later = make_link(
        db, admin, world.units["division-a"], title="Later", expires_on=today + timedelta(days=90)
    )
    db.commit()
    analyst = browser_for("analyst")
    assert 'badge--high">Expires soon' in analyst.get(f"/evidence/{soon.id}").text
    assert 'badge--critical">Expired' in analyst.get(f"/evidence/{gone.id}").text
    listing = analyst.get("/evidence?sort=expires_on").text
    assert 'badge--high">Expires soon' in listing and 'badge--critical">Expired' in listing
    later_page = analyst.get(f"/evidence/{later.id}").text
    assert "Expires soon" not in later_page and "Expired" not in later_page


def test_edit_links_controls_and_delete_asks_first(
    browser_for, app, db, world, principal_for
) -> None:
    admin = principal_for("admin")
    control = make_control(db, admin, world.units["division-a"], ref="IR-4", title="Handling")
    _, requirements = insert_framework(db, world.units["company"], ("R1",))
    evidence = make_file(
        db,
        admin,
        app.state.blob_store,
        world.units["division-a"],
        requirement_ids=[requirements["R1"]],
    )
    db.commit()
    analyst = browser_for("analyst")
    base = f"/evidence/{evidence.id}"
    assert analyst.get(f"{base}/edit").status_code == 200
    invalid = analyst.post(f"{base}/edit", {"title": "", "expires_on": "2030-01-01"})
    assert invalid.status_code == 422 and 'id="e-title"' in invalid.text
    saved = analyst.post(
        f"{base}/edit",
        {
            "title": "Incident policy",
            "description": "Approved",
            "expires_on": "2030-01-01",
            "control_ids": str(control.id),
        },
    )
    assert saved.status_code == 303, saved.text
    detail = analyst.get(base).text
    assert "Incident policy" in detail and "IR-4 Handling" in detail and "2030-01-01" in detail
    assert "R1" in detail and "Requirement R1" in detail
    assert 'data-confirm="Delete this evidence' in detail
    assert analyst.post(f"{base}/delete").status_code == 303
    assert analyst.get(base).status_code == 404


def test_prefilled_links_from_a_requirement(browser_for, db, world) -> None:
    _, requirements = insert_framework(db, world.units["company"], ("R9",))
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get(f"/evidence/new?requirement_id={requirements['R9']}").text
    assert f'name="requirement_ids" value="{requirements["R9"]}"' in form
    assert "Requirement R9" in form


def test_the_list_costs_the_same_queries_however_many_items(
    browser_for, app, db, world, principal_for, count_queries
) -> None:
    admin = principal_for("admin")
    control = make_control(db, admin, world.units["division-a"])
    make_link(db, admin, world.units["division-a"], title="First")
    db.commit()
    analyst = browser_for("analyst")
    with count_queries() as few:
        assert analyst.get("/evidence").status_code == 200
    for number in range(6):
        make_file(
            db,
            admin,
            app.state.blob_store,
            world.units["division-a"],
            title=f"File {number}",
            control_ids=[control.id],
        )
    db.commit()
    with count_queries() as many:
        assert "File 5" in analyst.get("/evidence").text
    assert many.count == few.count
