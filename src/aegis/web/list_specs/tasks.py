"""The remediation tasks."""

from __future__ import annotations

from aegis.domains.tasks import service
from aegis.domains.tasks.schemas import TaskQuery
from aegis.web.listing import Action, Column, Export, Filter, ListSpec

TASKS = ListSpec(
    path="/tasks",
    title="Tasks",
    query=TaskQuery,
    fetch=service.list_tasks,
    default_sort="due_date",
    columns=(
        Column("title", sort="title", cell="link"),
        Column("status", sort="status", cell="choice"),
        Column("priority", sort="priority", cell="priority"),
        Column("assignee_id", cell="person"),
        Column("due_date", "Due", sort="due_date", cell="due"),
        Column("unit_id", cell="unit"),
        Column("comment_count", "Comments"),
    ),
    sorts=("created_at", "updated_at"),
    filters=(
        Filter("q", "search", hint="Title or description"),
        Filter("status"),
        Filter("priority"),
        Filter("mine", "check", heading="Assigned to me"),
        Filter("overdue", "check"),
    ),
    exports=(
        Export("ref"),
        Export("title"),
        Export("unit_id", names="unit"),
        Export("kind"),
        Export("status"),
        Export("priority"),
        Export("assignee_id", names="user"),
        Export("description"),
        Export("due_date"),
        Export("overdue"),
        Export("completed_at"),
        Export("risk_id", names="risk"),
        Export("asset_id", names="asset"),
        Export("control_id", names="control"),
        Export("comment_count"),
        Export("created_at"),
        Export("updated_at"),
    ),
    empty="No tasks match.",
    actions=(Action("New task", "/tasks/new"),),
    starts=(Action("Plan a task", "/tasks/new"),),
    note="Tasks can also be added from a risk, an asset or a control.",
)
