"""Daily work of the analyst: evidence on a control, an assessment requirement, a task."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    ANALYST,
    choose,
    chosen,
    fill_form,
    form_with,
    id_in_url,
    link_id,
    pick,
    sign_in,
    submit,
    unique,
    visit,
)

CONTROL = "PR-06"  # Immutable, isolated backups (demo catalogue)
REVIEW = b"user,system,decision\nj.doe,erp,keep\nr.roe,erp,revoke\n"


def test_evidence_is_uploaded_and_attached_to_a_control(page: Page, tmp_path: Path) -> None:
    upload = tmp_path / "backup-restore-test.csv"
    upload.write_bytes(REVIEW)
    sign_in(page, ANALYST, then="/controls")

    page.get_by_label("Search").fill(CONTROL)
    page.get_by_role("button", name="Filter").click()
    control_id = link_id(page, "controls", CONTROL)
    page.locator(f'main a[href="/controls/{control_id}"]').first.click()
    expect(page).to_have_url(re.compile(rf"/controls/{control_id}$"))
    page.get_by_role("link", name="Attach evidence").click()
    expect(page).to_have_url(re.compile(rf"/evidence/new\?control_id={control_id}$"))

    form = form_with(page, "file")
    assert chosen(form, "control_ids") == [str(control_id)]
    title = unique("Quarterly restore test")
    fill_form(
        form,
        {
            "file": str(upload),
            "title": title,
            "description": "Restore of the ERP database from the isolated vault.",
            "unit_id": "IT Infrastructure",
        },
    )
    submit(form)
    evidence_id = id_in_url(page, "evidence")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.locator(f'main a[href="/controls/{control_id}"]')).to_contain_text(CONTROL)
    expect(page.locator("main")).to_contain_text("backup-restore-test.csv")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download", exact=True).click()
    saved = tmp_path / "downloaded.csv"
    download.value.save_as(saved)
    assert saved.read_bytes() == REVIEW

    visit(page, f"/controls/{control_id}")
    evidence = page.locator(f'main a[href="/evidence/{evidence_id}"]')
    expect(evidence).to_have_text(title)

    visit(page, f"/evidence?control_id={control_id}")
    expect(page.get_by_role("link", name=title)).to_be_visible()


def test_evidence_uploaded_alone_is_attached_to_a_control_afterwards(
    page: Page, tmp_path: Path
) -> None:
    upload = tmp_path / "mfa-report.csv"
    upload.write_bytes(b"user,mfa\na,yes\nb,yes\n")
    sign_in(page, ANALYST, then="/evidence")
    page.get_by_role("link", name="Upload evidence").click()
    expect(page).to_have_url(re.compile(r"/evidence/new$"))
    form = form_with(page, "file")
    title = unique("MFA enrolment report")
    fill_form(form, {"file": str(upload), "title": title, "unit_id": "IT Infrastructure"})
    submit(form)
    evidence_id = id_in_url(page, "evidence")
    expect(page.locator("main")).to_contain_text("Not linked to a control")

    page.get_by_role("link", name="Edit", exact=True).click()
    form = form_with(page, "title")
    control_id = pick(form, "control_ids", "PR-01")
    submit(form)
    expect(page).to_have_url(re.compile(rf"/evidence/{evidence_id}$"))
    expect(page.locator(f'main a[href="/controls/{control_id}"]')).to_contain_text("PR-01")

    visit(page, f"/controls/{control_id}")
    expect(page.locator(f'main a[href="/evidence/{evidence_id}"]')).to_have_text(title)


def test_an_assessment_requirement_gets_an_override_with_a_justification(page: Page) -> None:
    sign_in(page, ANALYST, then="/assessments")
    page.get_by_role("link", name="New assessment").click()
    form = form_with(page, "framework_id")
    name = unique("Store network review")
    framework = form.locator('[name="framework_id"] option', has_text="NIST").first
    fill_form(
        form,
        {
            "name": name,
            "framework_id": str(framework.get_attribute("value")),
            "unit_id": "Store Operations",
            "status": "in_progress",
            "description": "Walk through the framework for the store network.",
        },
    )
    submit(form)
    assessment_id = id_in_url(page, "assessments")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    first = page.locator(f'main table tbody a[href^="/assessments/{assessment_id}/requirements/"]')
    ref = first.first.inner_text().strip()
    first.first.click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/requirements/\d+$"))
    requirement_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(ref)

    form = form_with(page, "justification")
    justification = "Stores have no such system; the guest network is out of scope."
    fill_form(form, {"status": "not_applicable", "justification": justification})
    submit(form)
    result = page.locator("#result")
    expect(result).to_contain_text(justification)
    expect(result.locator("#result-row")).to_contain_text("Not applicable")
    expect(result).to_contain_text("Riley Chen")
    expect(page.get_by_role("button", name="Clear override")).to_be_visible()

    page.reload()
    expect(page).to_have_url(requirement_url)
    expect(page.locator("#result")).to_contain_text(justification)

    visit(page, f"/assessments/{assessment_id}?status=not_applicable")
    row = page.locator("main table tbody tr", has_text=ref)
    expect(row).to_contain_text("Not applicable")


def test_a_task_is_created_commented_and_closed(page: Page) -> None:
    sign_in(page, ANALYST, then="/tasks")
    page.get_by_role("link", name="New task").click()
    expect(page).to_have_url(re.compile(r"/tasks/new$"))
    form = form_with(page, "title")
    title = unique("Test restore from the immutable vault")
    fill_form(
        form,
        {
            "title": title,
            "description": "Restore one production database end to end.",
            "kind": "remediation",
            "priority": "high",
            "due_date": "2031-03-31",
        },
    )
    choose(form, "assignee_id", "Riley Chen")
    choose(form, "risk_id", "Ransomware encrypts")
    submit(form)
    task_id = id_in_url(page, "tasks")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    main = page.locator("main")
    expect(main).to_contain_text("Open")
    expect(
        main.get_by_role("link", name="Ransomware encrypts production databases")
    ).to_be_visible()

    comment = "Restore window agreed with the DBA team for Saturday."
    page.get_by_label("Add a comment").fill(comment)
    page.get_by_role("button", name="Comment").click()
    comments = page.locator("#comments")
    expect(comments.locator(".work-comment, li", has_text=comment).first).to_be_visible()
    expect(comments).to_contain_text("Riley Chen")
    expect(page.get_by_label("Add a comment")).to_have_value("")

    page.get_by_label(re.compile("^Move")).select_option("done")
    page.get_by_role("button", name="Move").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}$"))
    status = page.locator("main dl.facts").first
    expect(status).to_contain_text("Done")
    expect(comments).to_contain_text(comment)

    visit(page, "/tasks?status=done&q=" + title.split()[-1])
    expect(page.get_by_role("link", name=title)).to_be_visible()
    visit(page, "/tasks?status=open&q=" + title.split()[-1])
    expect(page.get_by_role("link", name=title)).to_have_count(0)
