"""Asset inventory pages: list with filters and CSV, detail, create, edit, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.assets import service
from aegis.domains.assets.schemas import AssetCreate, AssetRead, AssetUpdate
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskQuery
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskQuery
from aegis.http.deps import SessionDep
from aegis.models.enums import AssetType, Criticality, DataClassification, Environment
from aegis.web import lookups, pickers, placement
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import emptied, form_values
from aegis.web.list_pages import show_list
from aegis.web.list_specs import ASSETS
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/assets")
LISTS = ("depends_on_ids",)
INTS = ("unit_id", "owner_id")
OPTIONAL = ("owner_id", "hostname", "ip_address", "description")


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, choice_label(member.value)) for member in enum]


def _form_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    asset: AssetRead | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    warnings: list[str] | None = None,
    queries: dict[str, str] | None = None,
) -> Response:
    """The form for a new asset (`asset` None) or a saved one, with the values and errors."""
    names = lookups.unit_names(session, principal)
    typed = queries or {}
    dependencies = pickers.picker(
        session,
        principal,
        name="depends_on_ids",
        label="Depends on",
        chosen_ids=values.get("depends_on_ids") or [],
        typed=typed,
        hint="The assets this one needs to work.",
        hidden=asset.hidden_links.get("depends_on_ids", 0) if asset else 0,
        exclude=asset.id if asset else None,
        names=names,
    )
    owner = pickers.single(
        session,
        principal,
        name="owner_id",
        label="Owner",
        value=values.get("owner_id"),
        typed=typed,
        blank="No owner",
        names=names,
    )
    return render(
        request,
        "assets/form.html",
        principal,
        status_code=status_code,
        asset=asset,
        values=_shown(values),
        errors=errors or {},
        dependencies=dependencies,
        owner=owner,
        warnings=warnings or [],
        **_form_context(session, principal),
    )


def _form_context(session: SessionDep, principal: Principal) -> dict[str, Any]:
    return {
        "units": lookups.writable_units(session, principal),
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
    values: dict[str, Any] = {
        "criticality": Criticality.MEDIUM.value,
        "environment": Environment.PRODUCTION.value,
        "data_classification": DataClassification.INTERNAL.value,
        "unit_id": placement.own_unit(session, principal),
    }
    return _form_page(request, session, principal, None, values)


@router.post("/new", dependencies=[CsrfChecked])
async def create_asset(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create an asset from the form, or show the form again with the errors."""
    principal.require_any_write()
    form = await request.form()
    values = _values(form)
    if pickers.searching(form):
        return _form_page(request, session, principal, None, values, queries=pickers.queries(form))
    unseen = placement.unconfirmed(session, principal, form, noun="asset", values=values)
    if unseen:
        ask = placement.ASK
        return _form_page(request, session, principal, None, values, ask, 409, unseen)
    try:
        asset = save(
            session,
            lambda: service.create_asset(
                session=session, principal=principal, data=AssetCreate(**values)
            ),
        )
    except Refused as refused:
        return _form_page(request, session, principal, None, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/assets/{asset.id}", "The asset was created.")


@router.get("/{asset_id}")
def asset_detail(
    asset_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
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
    asset_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change an asset."""
    asset = service.get_asset(session=session, principal=principal, asset_id=asset_id)
    principal.require_write(asset.unit_id)
    return _form_page(request, session, principal, asset, asset.model_dump(mode="json"))


@router.post("/{asset_id}/edit", dependencies=[CsrfChecked])
async def update_asset(
    asset_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed asset, or show the form again with the errors."""
    asset = service.get_asset(session=session, principal=principal, asset_id=asset_id)
    principal.require_write(asset.unit_id)
    sent = await request.form()
    form = _values(sent)
    values = {**{name: None for name in OPTIONAL if name not in form}, **form}
    values.update(emptied(sent, form, ("ref",)))
    if pickers.searching(sent):
        return _form_page(request, session, principal, asset, values, queries=pickers.queries(sent))
    before = asset.model_dump()
    unseen = placement.unconfirmed(
        session, principal, sent, noun="asset", values=values, before=before
    )
    if unseen:
        return _form_page(request, session, principal, asset, values, placement.ASK, 409, unseen)
    try:
        save(
            session,
            lambda: service.update_asset(
                session=session, principal=principal, asset_id=asset_id, data=AssetUpdate(**values)
            ),
            values=values,
        )
    except Refused as refused:
        return _form_page(
            request, session, principal, asset, values, refused.errors, refused.status
        )
    return redirect_with_message(request, f"/assets/{asset_id}", "The asset was saved.")


@router.post("/{asset_id}/delete", dependencies=[CsrfChecked])
def delete_asset(asset_id: Id, session: SessionDep, principal: WebPrincipal) -> Response:
    """Delete an asset (the page asks for confirmation first)."""
    service.delete_asset(session=session, principal=principal, asset_id=asset_id)
    return RedirectResponse("/assets", status_code=303)
