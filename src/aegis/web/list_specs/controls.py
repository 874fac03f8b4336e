"""The controls."""

from __future__ import annotations

from aegis.domains.controls import service
from aegis.domains.controls.schemas import ControlQuery
from aegis.web.listing import Action, Column, Export, Filter, ListSpec

CONTROLS = ListSpec(
    path="/controls",
    title="Controls",
    query=ControlQuery,
    fetch=service.list_controls,
    default_sort="ref",
    columns=(
        Column("ref", sort="ref", cell="link"),
        Column("title", sort="title"),
        Column("unit_id", cell="unit"),
        Column("status", sort="status", cell="control_status"),
        Column("owner_id", cell="person"),
        Column("requirement_ids", cell="count"),
    ),
    sorts=("created_at", "updated_at"),
    filters=(
        Filter("q", "search", hint="Reference, title or description"),
        Filter("status"),
        Filter("framework_id"),
    ),
    exports=(
        Export("ref"),
        Export("title"),
        Export("unit_id", names="unit"),
        Export("status"),
        Export("owner_id", names="user"),
        Export("description"),
        Export("requirement_ids", names="requirement"),
        Export("created_at"),
        Export("updated_at"),
    ),
    empty="No controls match.",
    actions=(Action("New control", "/controls/new"),),
    starts=(Action("Add a control", "/controls/new"),),
)
