"""Use cases of bulk imports: read a file, map its columns, plan each row, then import it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.auth import service as auth
from aegis.domains.imports.applying import Progress, apply
from aegis.domains.imports.errors import FileRefused
from aegis.domains.imports.fields import fields_of, guess_mapping, normal_header
from aegis.domains.imports.kinds import KINDS
from aegis.domains.imports.planning import Column, Planned, Planner
from aegis.domains.imports.reading import Sheet, read_sheet
from aegis.domains.imports.schemas import (
    ColumnRead,
    FieldOption,
    ImportKind,
    ImportReport,
    RowPlan,
    SheetPreview,
)
from aegis.domains.users import service as users
from aegis.domains.users.errors import UserNotFound
from aegis.models import User

Mapping = dict[str, str | None]


def importable_fields(kind: ImportKind) -> list[FieldOption]:
    """The fields a column of a file of this kind can fill, in the order of the list exports."""
    return [FieldOption(field=name, label=spec.label) for name, spec in fields_of(kind).items()]


def _read(content: bytes, filename: str, max_bytes: int, max_rows: int) -> Sheet:
    sheet = read_sheet(content, filename, max_bytes=max_bytes, max_rows=max_rows)
    if not sheet.rows:
        raise FileRefused("The file has a header but no rows to import", field="file")
    return sheet


def _mapping_problem(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="mapping")


def _checked_mapping(kind: ImportKind, headers: list[str], chosen: Mapping | None) -> Mapping:
    """The field of each header: as chosen, else as guessed from the header."""
    fields = fields_of(kind)
    by_header = {normal_header(h): h for h in headers if h}
    mapping: Mapping = {}
    for header, name in (chosen or {}).items():
        found = by_header.get(normal_header(header))
        if found is None:
            raise _mapping_problem(f"The file has no column “{header}”")
        if name and name not in fields:
            allowed = ", ".join(fields)
            raise _mapping_problem(
                f"“{name}” is not a field of {kind.value}; use one of: {allowed}"
            )
        mapping[found] = name or None
    used = [name for name in mapping.values() if name]
    twice = {name for name in used if used.count(name) > 1}
    if twice:
        labels = ", ".join(sorted(fields[name].label for name in twice))
        raise _mapping_problem(f"Several columns fill the same field: {labels}")
    rest = [h for h in headers if h and h not in mapping]
    for header, name in guess_mapping(kind, rest).items():
        mapping[header] = name if name not in used else None
        if name:
            used.append(name)
    return mapping


def _column_reads(kind: ImportKind, headers: list[str], mapping: Mapping) -> list[ColumnRead]:
    fields = fields_of(kind)
    return [
        ColumnRead(
            header=header,
            field=mapping.get(header),
            label=fields[name].label if (name := mapping.get(header)) else None,
        )
        for header in headers
        if header
    ]


def preview_file(
    *,
    kind: ImportKind,
    content: bytes,
    filename: str,
    mapping: Mapping | None = None,
    max_bytes: int,
    max_rows: int,
) -> SheetPreview:
    """The columns of a file and the field each one is guessed (or chosen) to fill."""
    sheet = _read(content, filename, max_bytes, max_rows)
    chosen = _checked_mapping(kind, sheet.headers, mapping)
    return SheetPreview(
        kind=kind,
        total=len(sheet.rows),
        columns=_column_reads(kind, sheet.headers, chosen),
        fields=importable_fields(kind),
    )


def _report(
    kind: ImportKind, sheet: Sheet, columns: list[ColumnRead], plans: list[Planned], **flags: bool
) -> ImportReport:
    problems = sorted(
        (problem for plan in plans for problem in plan.problems),
        key=lambda problem: problem.row or 0,
    )
    actions = [plan.action for plan in plans]
    return ImportReport(
        kind=kind,
        dry_run=flags["dry_run"],
        applied=flags["applied"],
        total=len(sheet.rows),
        created=actions.count("create"),
        updated=actions.count("update"),
        unchanged=actions.count("unchanged"),
        failed=actions.count("error"),
        columns=columns,
        rows=[
            RowPlan(
                row=plan.row,
                ref=plan.ref,
                title=plan.title,
                action=plan.action,
                changes=plan.changes,
            )
            for plan in plans
        ],
        errors=problems,
    )


def import_file(
    *,
    session: Session,
    principal: Principal,
    kind: ImportKind,
    content: bytes,
    filename: str,
    mapping: Mapping | None = None,
    default_unit_id: int | None = None,
    dry_run: bool = True,
    max_bytes: int,
    max_rows: int,
    progress: Progress | None = None,
) -> ImportReport:
    """Plan every row of the file, run it through the services, and keep it all or nothing.

    A dry run (or an import with any problem) writes nothing; the report says per row what
    is, or would be, created, updated or left unchanged, and every problem with its row and
    column.
    """
    principal.require_any_write()
    if default_unit_id is not None and default_unit_id not in principal.readable:
        raise ValidationFailed("There is no such unit among the units you can see", field="unit_id")
    sheet = _read(content, filename, max_bytes, max_rows)
    chosen = _checked_mapping(kind, sheet.headers, mapping)
    specs = fields_of(kind)
    columns = [
        Column(index, header, specs[name])
        for index, header in enumerate(sheet.headers)
        if header and (name := chosen.get(header))
    ]
    planner = Planner(session, principal, KINDS[kind], columns, default_unit_id)
    plans = planner.plan(sheet)
    applied = apply(
        session,
        principal,
        KINDS[kind],
        plans,
        planner.columns,
        save=not dry_run,
        progress=progress,
    )
    return _report(
        kind,
        sheet,
        _column_reads(kind, sheet.headers, chosen),
        plans,
        dry_run=dry_run,
        applied=applied,
    )


def acting_user(*, session: Session, email: str) -> Principal:
    """The principal of the active user with this e-mail address, for imports from the console."""
    user = session.get(User, users.user_id_by_email(session=session, email=email))
    if user is None or not user.is_active:
        raise UserNotFound(f"No active user <{email}>")
    return auth.principal_for_user(session=session, user=user)
