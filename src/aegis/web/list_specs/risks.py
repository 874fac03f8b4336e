"""The risk register."""

from __future__ import annotations

from aegis.domains.risks import service
from aegis.domains.risks.schemas import RiskQuery
from aegis.web.listing import Action, Column, Export, Filter, ListSpec

RISKS = ListSpec(
    path="/risks",
    title="Risk register",
    crumb="Risks",
    query=RiskQuery,
    fetch=service.list_risks,
    default_sort="-inherent_score",
    columns=(
        Column("title", sort="title", cell="link"),
        Column("unit_id", cell="unit"),
        Column("category", sort="category", cell="choice"),
        Column("status", sort="status", cell="choice"),
        Column("inherent_score", "Inherent", sort="inherent_score", cell="score"),
        Column("residual_score", "Residual", sort="residual_score", cell="score"),
        Column("next_review_date", "Next review", sort="next_review_date", cell="day"),
    ),
    sorts=("created_at", "updated_at"),
    filters=(
        Filter("q", "search", hint="Title or description"),
        Filter("status"),
        Filter(
            "open",
            heading="Open or closed",
            choices=(("true", "Open (not closed)"), ("false", "Closed")),
        ),
        Filter("category"),
        Filter("inherent_level"),
        Filter("residual_level"),
        Filter("current_level"),
        Filter("owner_id", blank="Anyone"),
        Filter("unit_id"),
        Filter("above_appetite", "check"),
        Filter("review_overdue", "check"),
        Filter("acceptance_expired", "check"),
    ),
    exports=(
        # the risk's "ref" goes first here once risks have a reference
        Export("title"),
        Export("unit_id", names="unit"),
        Export("category"),
        Export("status"),
        Export("owner_id", names="user"),
        Export("description"),
        Export("inherent_likelihood"),
        Export("inherent_impact"),
        Export("inherent_score"),
        Export("inherent_level"),
        Export("residual_likelihood"),
        Export("residual_impact"),
        Export("residual_score"),
        Export("residual_level"),
        Export("treatment"),
        Export("treatment_plan"),
        Export("treatment_due_date"),
        Export("acceptance_approver_id", names="user"),
        Export("acceptance_justification"),
        Export("acceptance_expires_on"),
        Export("next_review_date"),
        Export("asset_ids", names="asset"),
        Export("control_ids", names="control"),
        Export("created_at"),
        Export("updated_at"),
    ),
    empty="No risks match.",
    actions=(Action("New risk", "/risks/new"),),
    starts=(Action("Record a risk", "/risks/new"),),
)
