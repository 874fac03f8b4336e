"""The assessments of frameworks."""

from __future__ import annotations

from aegis.domains.assessments import service
from aegis.domains.assessments.schemas import AssessmentQuery
from aegis.web.listing import Action, Column, Export, Filter, ListSpec

ASSESSMENTS = ListSpec(
    path="/assessments",
    title="Assessments",
    query=AssessmentQuery,
    fetch=service.list_assessments,
    default_sort="-created_at",
    columns=(
        Column("name", sort="name", cell="link"),
        Column("framework_id", cell="framework"),
        Column("unit_id", cell="unit"),
        Column("status", sort="status", cell="choice"),
        Column("due_date", "Due", sort="due_date", cell="day"),
        Column("created_at", "Started", sort="created_at", cell="day"),
    ),
    filters=(Filter("framework_id"), Filter("status"), Filter("unit_id")),
    exports=(
        Export("name"),
        Export("unit_id", names="unit"),
        Export("framework_id", names="framework"),
        Export("status"),
        Export("description"),
        Export("due_date"),
        Export("created_at"),
        Export("updated_at"),
    ),
    empty="No assessments match.",
    actions=(Action("New assessment", "/assessments/new"),),
    starts=(Action("Start an assessment of a framework", "/assessments/new"),),
)
