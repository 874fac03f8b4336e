"""The asset inventory."""

from __future__ import annotations

from aegis.domains.assets import service
from aegis.domains.assets.schemas import AssetQuery
from aegis.web.listing import Action, Column, Export, Filter, ListSpec

ASSETS = ListSpec(
    path="/assets",
    title="Asset inventory",
    crumb="Assets",
    query=AssetQuery,
    fetch=service.list_assets,
    default_sort="name",
    columns=(
        Column("name", sort="name", cell="link"),
        Column("unit_id", cell="unit"),
        Column("type", sort="type", cell="choice"),
        Column("criticality", sort="criticality", cell="rank"),
        Column("environment", sort="environment", cell="choice"),
        Column("hostname", "Host", cell="host"),
        Column("tags", cell="tags"),
    ),
    sorts=("created_at", "updated_at"),
    filters=(
        Filter("q", "search", hint="Name, hostname, IP or description"),
        Filter("type"),
        Filter("criticality"),
        Filter("environment"),
        Filter("tag", "text", hint="e.g. pci"),
    ),
    exports=(
        Export("ref"),
        Export("name"),
        Export("unit_id", names="unit"),
        Export("type"),
        Export("criticality"),
        Export("environment"),
        Export("data_classification"),
        Export("owner_id", names="user"),
        Export("hostname"),
        Export("ip_address"),
        Export("description"),
        Export("tags"),
        Export("depends_on_ids", names="asset"),
        Export("created_at"),
        Export("updated_at"),
    ),
    empty="No assets match.",
    actions=(Action("New asset", "/assets/new"),),
    starts=(Action("Add an asset", "/assets/new"),),
)
