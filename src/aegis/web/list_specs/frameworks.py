"""The frameworks shared with the reader."""

from __future__ import annotations

from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import FrameworkQuery
from aegis.web.listing import Action, Column, Export, Filter, ListSpec

FRAMEWORKS = ListSpec(
    path="/frameworks",
    title="Frameworks",
    query=FrameworkQuery,
    fetch=service.list_frameworks,
    default_sort="name",
    columns=(
        Column("name", sort="name", cell="link"),
        Column("key", sort="key", cell="code"),
        Column("version", sort="version"),
        Column("unit_id", cell="shared"),
        Column("requirement_count", "Requirements"),
        Column("created_at", "Added", sort="created_at", cell="day"),
    ),
    filters=(Filter("q", "search", hint="Name or key"),),
    exports=(
        Export("key"),
        Export("name"),
        Export("version"),
        Export("unit_id", names="unit"),
        Export("description"),
        Export("source"),
        Export("requirement_count"),
        Export("created_at"),
        Export("updated_at"),
    ),
    empty="No frameworks match.",
    actions=(Action("Import a framework", "/frameworks/import"),),
    starts=(Action("Import a framework", "/frameworks/import"),),
    note="Frameworks come from OSCAL catalogs or CSV files; analysts import them.",
)
