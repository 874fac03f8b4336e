"""Task pages: list with filters and CSV, board by status, detail with comments, forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import NotFound, ValidationFailed
from aegis.core.messages import choice_label
from aegis.domains.assets import service as assets
from aegis.domains.common.bounds import Id
from aegis.domains.controls import service as controls
from aegis.domains.risks import service as risks
from aegis.domains.tasks import service
from aegis.domains.tasks.schemas import (
    CommentCreate,
    CommentQuery,
    TaskCreate,
    TaskQuery,
    TaskRead,
    TaskUpdate,
)
from aegis.http.deps import SessionDep
from aegis.models.enums import TaskKind, TaskPriority, TaskStatus
from aegis.web import lookups, pickers, placement
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.filters import chips, task_wording
from aegis.web.flash import redirect_with_message
from aegis.web.forms import emptied, form_values
from aegis.web.list_pages import show_list
from aegis.web.list_specs import TASKS
from aegis.web.lists import list_query
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/tasks")
INTS = ("unit_id", "assignee_id", "risk_id", "asset_id", "control_id")
LINKS = ("risk_id", "asset_id", "control_id")
BOARD = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.DONE)
BOARD_FILTERS = ("q", "priority", "mine")
BOARD_LIMIT = 50


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, choice_label(member.value)) for member in enum]


def _label(status: TaskStatus) -> str:
    return choice_label(status.value)


def _moves(task: TaskRead) -> list[tuple[str, str]]:
    """The statuses this task may move to, as select options."""
    return [(status.value, _label(status)) for status in service.allowed_next_statuses(task.status)]


def _safe_next(target: str | None, default: str) -> str:
    """Only pages of this module are followed after a change (no open redirects)."""
    if target and target.startswith("/tasks") and "\\" not in target and "//" not in target:
        return target
    return default


def _form_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    warnings: list[str] | None = None,
    queries: dict[str, str] | None = None,
) -> Response:
    """The form for a new task with the values, errors and unit warnings."""
    return render(
        request,
        "tasks/form.html",
        principal,
        status_code=status_code,
        task=None,
        values=values,
        errors=errors or {},
        warnings=warnings or [],
        **_form_context(session, principal, values, queries),
    )


def _form_context(
    session: SessionDep,
    principal: Principal,
    values: dict[str, Any],
    queries: dict[str, str] | None = None,
) -> dict[str, Any]:
    names = lookups.unit_names(session, principal)
    fields = {
        "assignee_id": ("Assignee", "Unassigned"),
        "risk_id": ("Risk", "No risk"),
        "asset_id": ("Asset", "No asset"),
        "control_id": ("Control", "No control"),
    }
    chosen = {
        name: pickers.single(
            session,
            principal,
            name=name,
            label=label,
            value=values.get(name),
            typed=queries,
            blank=blank,
            names=names,
        )
        for name, (label, blank) in fields.items()
    }
    return {
        "units": lookups.writable_units(session, principal),
        "pickers": chosen,
        "kinds": _choices(TaskKind),
        "priorities": _choices(TaskPriority),
    }


@router.get("")
def task_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The tasks, filtered by the URL; `format=csv` or `format=xlsx` downloads every match."""

    def context(query: TaskQuery, page: object) -> dict[str, Any]:
        units = lookups.unit_names(session, principal)
        people = dict(lookups.people(session, principal))
        return {
            "units": units,
            "people": people,
            "chips": chips(request, query, task_wording(units, people)),
        }

    return show_list(request, session, principal, TASKS, context)


def _board_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    asked: TaskQuery,
    here: str,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    filters = {name: getattr(asked, name) for name in BOARD_FILTERS}
    columns = []
    for status in BOARD:
        query = TaskQuery(
            **filters,
            status=status,
            limit=BOARD_LIMIT,
            sort="-updated_at" if status == TaskStatus.DONE else "-priority",
        )
        page = service.list_tasks(session=session, principal=principal, query=query)
        columns.append((status, _label(status), page))
    tasks = [task for _, _, page in columns for task in page.items]
    return render(
        request,
        "tasks/board.html",
        principal,
        status_code=status_code,
        columns=columns,
        moves={task.id: _moves(task) for task in tasks},
        query=asked,
        people=dict(lookups.people(session, principal)),
        priorities=_choices(TaskPriority),
        here=here,
        refusal=refusal,
    )


@router.get("/board")
def task_board(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The tasks by status: open, in progress, blocked and done, each card movable."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _board_page(request, session, principal, list_query(request, TaskQuery), here)


def _board_of(target: str) -> TaskQuery:
    """The board filters in the address a move came from (none when they are not valid)."""
    params = dict(parse_qsl(urlsplit(target).query))
    try:
        return TaskQuery(**{name: params[name] for name in BOARD_FILTERS if params.get(name)})
    except ValidationError:
        return TaskQuery()


@router.get("/new")
def new_task(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new task; ?risk_id=, ?asset_id= or ?control_id= link it, in that unit."""
    principal.require_any_write()
    values: dict[str, Any] = {"kind": "remediation", "priority": "medium"}
    for name in LINKS:
        value = request.query_params.get(name, "")
        if value.isdigit():
            values[name] = int(value)
    if any(name in values for name in LINKS):
        values["unit_id"] = placement.default_unit(session, principal, values)
    warnings = placement.warnings(session, principal, noun="task", values=values)
    return _form_page(request, session, principal, values, warnings=warnings)


@router.post("/new", dependencies=[CsrfChecked])
async def create_task(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Create a task from the form, or show the form again with the errors."""
    principal.require_any_write()
    form = await request.form()
    values = form_values(form, ints=INTS)
    if pickers.searching(form):
        return _form_page(request, session, principal, values, queries=pickers.queries(form))
    unseen = placement.unconfirmed(session, principal, form, noun="task", values=values)
    if unseen:
        return _form_page(request, session, principal, values, placement.ASK, 409, unseen)
    try:
        task = save(
            session,
            lambda: service.create_task(
                session=session, principal=principal, data=TaskCreate(**values)
            ),
        )
    except Refused as refused:
        return _form_page(request, session, principal, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/tasks/{task.id}", "The task was created.")


def _linked(session: SessionDep, principal: Principal, task: TaskRead) -> dict[str, str]:
    """Names of the objects the task is linked to (by id when the caller cannot see them)."""

    def risk(risk_id: int) -> str:
        return risks.get_risk(session=session, principal=principal, risk_id=risk_id).title

    def asset(asset_id: int) -> str:
        return assets.get_asset(session=session, principal=principal, asset_id=asset_id).name

    def control(control_id: int) -> str:
        found = controls.get_control(session=session, principal=principal, control_id=control_id)
        return f"{found.ref} {found.title}"

    names: dict[str, str] = {}
    fetchers: dict[str, Callable[[int], str]] = {
        "risk_id": risk,
        "asset_id": asset,
        "control_id": control,
    }
    for name, fetch in fetchers.items():
        value = getattr(task, name)
        if value is not None:
            try:
                names[name] = fetch(value)
            except NotFound:
                names[name] = f"#{value}"
    return names


def _detail_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    task_id: int,
    comment: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    move_error: str | None = None,
) -> Response:
    task = service.get_task(session=session, principal=principal, task_id=task_id)
    comments = service.list_comments(
        session=session,
        principal=principal,
        task_id=task_id,
        query=list_query(request, CommentQuery),
    )
    return render(
        request,
        "tasks/detail.html",
        principal,
        status_code=status_code,
        task=task,
        comments=comments,
        linked=_linked(session, principal, task),
        moves=_moves(task),
        people=dict(lookups.people(session, principal)),
        units=lookups.unit_names(session, principal),
        comment=comment,
        errors=errors or {},
        move_error=move_error,
        can_edit=task.unit_id in principal.writable,
    )


@router.get("/{task_id}")
def task_detail(
    task_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """A task with its links, status and comments."""
    return _detail_page(request, session, principal, task_id)


@router.post("/{task_id}/comments", dependencies=[CsrfChecked])
async def add_comment(
    task_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Comment on the task, or show the page again with the error."""
    body = (await request.form()).get("body")
    text = body if isinstance(body, str) else ""
    task = service.get_task(session=session, principal=principal, task_id=task_id)
    principal.require_write(task.unit_id)
    try:
        save(
            session,
            lambda: service.add_comment(
                session=session, principal=principal, task_id=task_id, data=CommentCreate(body=text)
            ),
        )
    except Refused as refused:
        return _detail_page(
            request, session, principal, task_id, text, refused.errors, refused.status
        )
    return RedirectResponse(f"/tasks/{task_id}#comments", status_code=303)


@router.post("/{task_id}/status", dependencies=[CsrfChecked])
async def change_status(
    task_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Move the task to another status, then go back to the page it was moved from."""
    form = await request.form()
    status, sent = form.get("status"), form.get("next")
    target = _safe_next(sent if isinstance(sent, str) else None, f"/tasks/{task_id}")
    task = service.get_task(session=session, principal=principal, task_id=task_id)
    principal.require_write(task.unit_id)

    def move() -> TaskRead:
        if not isinstance(status, str) or status not in set(TaskStatus):
            raise ValidationFailed("Choose a status", field="status")
        data = TaskUpdate(status=TaskStatus(status))
        return service.update_task(session=session, principal=principal, task_id=task_id, data=data)

    try:
        save(session, move)
    except Refused as refused:
        message = " ".join(dict.fromkeys(refused.errors.values()))
        if target.startswith("/tasks/board"):
            refusal = f"“{task.title}” was not moved: {message}"
            return _board_page(
                request, session, principal, _board_of(target), target, refusal, refused.status
            )
        return _detail_page(
            request, session, principal, task_id, status_code=refused.status, move_error=message
        )
    return RedirectResponse(target, status_code=303)


def _edit_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    task: TaskRead,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    warnings: list[str] | None = None,
    queries: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "tasks/form.html",
        principal,
        status_code=status_code,
        task=task,
        values=values,
        errors=errors,
        statuses=_statuses(task, values.get("status")),
        warnings=warnings or [],
        **_form_context(session, principal, values, queries),
    )


def _statuses(task: TaskRead, chosen: Any) -> list[tuple[str, str]]:
    """The task's status and those allowed next; a refused choice stays next to its message."""
    offered = [(task.status.value, _label(task.status)), *_moves(task)]
    if chosen in set(TaskStatus) and all(chosen != value for value, _ in offered):
        offered.append((str(chosen), _label(TaskStatus(chosen))))
    return offered


@router.get("/{task_id}/edit")
def edit_task(
    task_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change a task."""
    task = service.get_task(session=session, principal=principal, task_id=task_id)
    principal.require_write(task.unit_id)
    return _edit_page(request, session, principal, task, task.model_dump(mode="json"), {})


@router.post("/{task_id}/edit", dependencies=[CsrfChecked])
async def update_task(
    task_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed task, or show the form again with the errors."""
    task = service.get_task(session=session, principal=principal, task_id=task_id)
    principal.require_write(task.unit_id)
    sent = await request.form()
    form = form_values(sent, ints=INTS)
    optional = ("title", "description", "assignee_id", "due_date", *LINKS)
    values = {**{name: None for name in optional if name not in form}, **form}
    values.update(emptied(sent, form, ("ref",)))
    if pickers.searching(sent):
        queries = pickers.queries(sent)
        return _edit_page(request, session, principal, task, values, {}, queries=queries)
    unseen = placement.unconfirmed(
        session, principal, sent, noun="task", values=values, before=task.model_dump()
    )
    if unseen:
        return _edit_page(request, session, principal, task, values, placement.ASK, 409, unseen)
    try:
        save(
            session,
            lambda: service.update_task(
                session=session, principal=principal, task_id=task_id, data=TaskUpdate(**values)
            ),
            values=values,
        )
    except Refused as refused:
        return _edit_page(request, session, principal, task, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/tasks/{task_id}", "The task was saved.")


@router.post("/{task_id}/delete", dependencies=[CsrfChecked])
def delete_task(task_id: Id, session: SessionDep, principal: WebPrincipal) -> Response:
    """Delete a task with its comments (the page asks for confirmation first)."""
    service.delete_task(session=session, principal=principal, task_id=task_id)
    return RedirectResponse("/tasks", status_code=303)
