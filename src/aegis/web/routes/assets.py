"""Asset inventory pages: list with filters and CSV, detail, create, edit, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.domains.assets import service
from aegis.domains.assets.schemas import AssetCreate, AssetRead, AssetUpdate
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskQuery
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskQuery
from aegis.http.deps import SessionDep
from aegis.models.enums import AssetType, Criticality, DataClassification, Environment
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.list_pages import show_list
from aegis.web.list_specs import ASSETS
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/assets")
LISTS = ("depends_on_ids",)
INTS = ("unit_id", "owner_id")
OPTIONAL = ("owner_id", "hostname", "ip_address", "description")


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


def _form_context(
    session: SessionDep, principal: Principal, asset: AssetRead | None
) -> dict[str, Any]:
    options = dict(lookups.asset_options(session, principal))
    if asset is not None:
        links = service.get_dependencies(session=session, principal=principal, asset_id=asset.id)
        options.update((other.id, other.name) for other in links.depends_on)
        options.pop(asset.id, None)
    others = sorted(options.items(), key=lambda option: option[1].lower())
    return {
        "units": lookups.writable_units(session, principal),
        "people": lookups.people(session, principal),
        "dependency_choices": others,
        "types": _choices(AssetType),
        "criticalities": _choices(Criticality),
        "environments": _choices(Environment),
        "classifications": _choices(DataClassification),
    }


def _values(form: Any) -> dict[str, Any]:
    """The submitted form as schema fields: tags split on commas."""
    values = form_values(form, lists=LISTS, ints=INTS)
    text = values.pop("tags", "")
    values["tags"] = [tag.strip() for tag in str(text).split(",") if tag.strip()]
    return values


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """Form values as the inputs show them (tags as one comma-separated text)."""
    return {**values, "tags": ", ".join(values.get("tags", []))}


@router.get("")
def asset_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The inventory, filtered by the URL; `format=csv` or `format=xlsx` downloads every match."""
    return show_list(request, session, principal, ASSETS)


@router.get("/new")
def new_asset(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new asset."""
    principal.require_any_write()
    values = {
        "criticality": Criticality.MEDIUM.value,
        "environment": Environment.PRODUCTION.value,
        "data_classification": DataClassification.INTERNAL.value,
    }
    return render(
        request,
        "assets/form.html",
        principal,
        asset=None,
        values=values,
        errors={},
        **_form_context(session, principal, None),
    )


@router.post("/new", dependencies=[CsrfChecked])
async def create_asset(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create an asset from the form, or show the form again with the errors."""
    principal.require_any_write()
    values = _values(await request.form())
    try:
        asset = save(
            session,
            lambda: service.create_asset(
                session=session, principal=principal, data=AssetCreate(**values)
            ),
        )
    except Refused as refused:
        return render(
            request,
            "assets/form.html",
            principal,
            status_code=refused.status,
            asset=None,
            values=_shown(values),
            errors=refused.errors,
            **_form_context(session, principal, None),
        )
    return redirect_with_message(request, f"/assets/{asset.id}", "The asset was created.")


@router.get("/{asset_id}")
def asset_detail(
    asset_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """An asset with its dependencies in both directions, its risks and its tasks."""
    asset = service.get_asset(session=session, principal=principal, asset_id=asset_id)
    links = service.get_dependencies(session=session, principal=principal, asset_id=asset_id)
    linked_risks = risks.list_risks(
        session=session,
        principal=principal,
        query=RiskQuery(asset_id=asset_id, limit=MAX_LIMIT, sort="-inherent_score"),
    )
    related = tasks.list_tasks(
        session=session, principal=principal, query=TaskQuery(asset_id=asset_id, limit=MAX_LIMIT)
    )
    return render(
        request,
        "assets/detail.html",
        principal,
        asset=asset,
        depends_on=links.depends_on,
        dependents=links.dependents,
        risks=linked_risks,
        tasks=related.items,
        people=dict(lookups.people(session, principal)),
        units=lookups.unit_names(session, principal),
        can_edit=asset.unit_id in principal.writable,
    )


@router.get("/{asset_id}/edit")
def edit_asset(
    asset_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change an asset."""
    asset = service.get_asset(session=session, principal=principal, asset_id=asset_id)
    principal.require_write(asset.unit_id)
    return render(
        request,
        "assets/form.html",
        principal,
        asset=asset,
        values=_shown(asset.model_dump(mode="json")),
        errors={},
        **_form_context(session, principal, asset),
    )


@router.post("/{asset_id}/edit", dependencies=[CsrfChecked])
async def update_asset(
    asset_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed asset, or show the form again with the errors."""
    asset = service.get_asset(session=session, principal=principal, asset_id=asset_id)
    principal.require_write(asset.unit_id)
    form = _values(await request.form())
    values = {**{name: None for name in OPTIONAL if name not in form}, **form}
    try:
        save(
            session,
            lambda: service.update_asset(
                session=session, principal=principal, asset_id=asset_id, data=AssetUpdate(**values)
            ),
            values=values,
        )
    except Refused as refused:
        return render(
            request,
            "assets/form.html",
            principal,
            status_code=refused.status,
            asset=asset,
            values=_shown(values),
            errors=refused.errors,
            **_form_context(session, principal, asset),
        )
    return redirect_with_message(request, f"/assets/{asset_id}", "The asset was saved.")


@router.post("/{asset_id}/delete", dependencies=[CsrfChecked])
def delete_asset(asset_id: int, session: SessionDep, principal: WebPrincipal) -> Response:
    """Delete an asset (the page asks for confirmation first)."""
    service.delete_asset(session=session, principal=principal, asset_id=asset_id)
    return RedirectResponse("/assets", status_code=303)
