"""A save is announced once; a move refused on a stale board is explained in place."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    ANALYST,
    Problems,
    choose,
    fill_form,
    forced_post,
    form_with,
    id_in_url,
    sign_in,
    submit,
    unique,
    visit,
)


def test_a_created_task_is_announced_and_a_stale_move_is_refused_on_the_board(
    page: Page, problems: Problems
) -> None:
    problems.allow(r"status of 409")
    sign_in(page, ANALYST, then="/tasks/new")
    form = form_with(page, "title")
    title = unique("Rotate the vault keys")
    fill_form(form, {"title": title, "kind": "remediation", "priority": "urgent"})
    choose(form, "risk_id", "Ransomware encrypts")
    submit(form)
    task_id = id_in_url(page, "tasks")
    message = page.locator("main .alert--success")
    expect(message).to_have_text("The task was created.")
    page.reload()
    expect(message).to_have_count(0)

    visit(page, "/tasks/board?q=" + title.split()[-1])
    card = page.locator(f"#card-{task_id}")
    expect(card).to_be_visible()
    # someone else cancels the task while this board is open
    assert forced_post(page, f"/tasks/{task_id}/status", {"status": "cancelled"}) == 0
    card.get_by_label(re.compile("^Move")).select_option("done")
    card.get_by_role("button", name="Move").click()
    expect(page.locator("#board").get_by_role("alert")).to_contain_text(
        "was not moved: A task cannot go from Cancelled to Done"
    )
    expect(page.locator(f"#card-{task_id}")).to_have_count(0)  # cancelled tasks leave the board
    expect(page).to_have_url(re.compile(r"/tasks/board\?q="))
