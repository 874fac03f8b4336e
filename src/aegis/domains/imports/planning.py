"""The plan of an import: for each row, the object it creates or updates, or why it cannot.

A row is matched to an object of the user's units by its reference (and its unit when several
units use the reference). An update changes only the fields whose columns the file has, and
only where the value differs; a cell naming a link or a person the user cannot see but the
object already has keeps it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import field_label, plain_message
from aegis.domains.imports import repository as repo
from aegis.domains.imports.fields import FieldSpec, Target
from aegis.domains.imports.kinds import Kind
from aegis.domains.imports.lookups import Lookups, gather, key, name_current, split_list
from aegis.domains.imports.reading import Sheet
from aegis.domains.imports.schemas import Action, FieldChange, ImportProblem
from aegis.domains.imports.values import CellError, cell_value, is_outside, shown

MISSING = object()  # no value could be read


@dataclass(frozen=True)
class Column:
    """A column of the file that fills a field."""

    index: int
    header: str
    spec: FieldSpec


@dataclass
class Planned:
    """What one row does: the values it creates with, or the changes of its update."""

    row: int
    ref: str | None
    title: str = ""
    action: Action = "unchanged"
    object_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    changes: list[FieldChange] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def refuse(self, column: Column | None, message: str, name: str | None = None) -> None:
        """Note a problem of this row, in the given column when there is one."""
        self.action = "error"
        self.problems.append(
            ImportProblem(
                row=self.row,
                column=column.header if column else None,
                field=column.spec.name if column else name,
                message=message,
            )
        )


@dataclass
class _Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


class Planner:
    """Plans the rows of one file for one user."""

    def __init__(
        self,
        session: Session,
        principal: Principal,
        kind: Kind,
        columns: list[Column],
        default_unit_id: int | None,
    ) -> None:
        self.session, self.principal, self.kind = session, principal, kind
        self.columns = {column.spec.name: column for column in columns}
        self.default_unit_id = default_unit_id
        self.found = Lookups()
        self.seen: dict[tuple[Any, ...], int] = {}
        self.people: dict[int, tuple[str, str]] = {}
        self.current_links: dict[str, dict[int, set[int]]] = {}
        self.tags: dict[int, list[str]] = {}

    def plan(self, sheet: Sheet) -> list[Planned]:
        """The plan of every row, with the look-ups done once for the whole file."""
        columns = list(self.columns.values())
        cells = [row for _, row in sheet.rows]
        self.found = gather(
            self.session,
            self.principal,
            self.kind.model,
            [(c.index, c.spec) for c in columns],
            cells,
        )
        rows = [self._read(number, row, sheet) for number, row in sheet.rows]
        self._load_current(rows)
        return [self._plan_row(row) for row in rows]

    def _read(self, number: int, cells: list[str], sheet: Sheet) -> _Row:
        row = _Row(number)
        for name, column in self.columns.items():
            row.texts[name] = cells[column.index].strip()
            try:
                row.values[name] = cell_value(
                    column.spec, cells[column.index], sheet.format, self.found
                )
            except CellError as exc:
                row.errors[name] = str(exc)
        return row

    def _match(self, row: _Row, plan: Planned) -> Any:
        """The object of the user's units the row's reference names, if any."""
        if not plan.ref:
            return None
        candidates = self.found.existing.get(key(plan.ref), [])
        unit = row.values.get("unit_id")
        in_unit = [obj for obj in candidates if obj.unit_id == unit]
        if in_unit or len(candidates) == 1:
            return (in_unit or candidates)[0]
        if candidates:
            names = sorted(self.found.unit_names.get(obj.unit_id, "?") for obj in candidates)
            plan.refuse(
                self.columns.get("ref"),
                f"Several {self.kind.name.value} of your units have the reference “{plan.ref}” "
                f"({', '.join(names)}); add a Unit column to say which one this row is",
            )
        return None

    def _load_current(self, rows: list[_Row]) -> None:
        """Load what the matched objects hold now, for the mapped fields, in a few queries."""
        matched = [obj for objs in self.found.existing.values() for obj in objs]
        ids = [obj.id for obj in matched]
        if "tags" in self.columns:
            self.tags = repo.asset_tags_of(self.session, ids)
        targets: dict[Target, set[int]] = defaultdict(set)
        person_ids: set[int] = set()
        for name, column in self.columns.items():
            spec = column.spec
            if spec.value == "links":
                found = repo.visible_links(self.session, name, ids, self.principal.readable)
                self.current_links[name] = found
                for linked in found.values():
                    targets[spec.target or "assets"] |= linked
            elif spec.value == "link":
                targets[spec.target or "assets"] |= {getattr(o, name) for o in matched} - {None}
            elif spec.value == "person":
                person_ids |= {getattr(o, name) for o in matched} - {None}
        self.people = name_current(self.session, self.principal, self.found, person_ids, targets)

    def _current(self, obj: Any, name: str) -> Any:
        if name == "tags":
            return sorted(self.tags.get(obj.id, []))
        if name in self.current_links:
            return sorted(self.current_links[name].get(obj.id, set()))
        return self.kind.shown(obj, name)

    def _plan_row(self, row: _Row) -> Planned:
        plan = Planned(row=row.number, ref=row.values.get("ref") or None)
        obj = self._match(row, plan)
        if obj is not None:
            plan.ref, plan.object_id = obj.ref, obj.id
        self._check_duplicate(row, plan, obj)
        if obj is None:
            self._plan_create(row, plan)
        else:
            self._plan_update(row, plan, obj)
        return plan

    def _check_duplicate(self, row: _Row, plan: Planned, obj: Any) -> None:
        if not plan.ref:
            return
        unit = row.values.get("unit_id") or self.default_unit_id
        seen = ("object", obj.id) if obj is not None else ("new", unit, key(plan.ref))
        if seen in self.seen:
            plan.refuse(
                self.columns.get("ref"),
                f"The reference “{plan.ref}” is also on row {self.seen[seen]}; "
                "each object can be on one row only",
                "ref",
            )
        else:
            self.seen[seen] = row.number

    def _cell_problems(self, row: _Row, plan: Planned, names: set[str]) -> None:
        for name in sorted(names & row.errors.keys(), key=list(self.columns).index):
            plan.refuse(self.columns[name], row.errors[name])

    def _unit_problem(self, plan: Planned, unit_id: int | None) -> None:
        if unit_id is not None and unit_id not in self.principal.writable:
            unit = self.found.unit_names.get(unit_id, "this unit")
            plan.refuse(
                self.columns.get("unit_id") or self.columns.get("ref"),
                f"You may not change objects of {unit}",
                "unit_id",
            )

    def _schema_problems(self, plan: Planned, exc: ValidationError) -> None:
        reported = {problem.field for problem in plan.problems}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else None
            if name in reported:
                continue
            column = self.columns.get(name) if name else None
            message = plain_message(error)
            if column is None and name and error["type"] == "missing":
                message = f"{field_label(name)} is required: add a “{field_label(name)}” column"
            plan.refuse(column, message, name)

    def _plan_create(self, row: _Row, plan: Planned) -> None:
        self._cell_problems(row, plan, set(self.columns))
        unit_id = row.values.get("unit_id") or self.default_unit_id
        if unit_id is None and self.kind.one != "task" and "unit_id" not in row.errors:
            plan.refuse(
                self.columns.get("unit_id"),
                "Unit is required: fill in the Unit column, or choose a unit for rows without one",
                "unit_id",
            )
        self._unit_problem(plan, unit_id)
        values = {
            name: value
            for name, value in row.values.items()
            if value is not None and name not in row.errors
        }
        if unit_id is not None:
            values["unit_id"] = unit_id
        plan.title = str(values.get(self.kind.title) or "")
        later = {name: values.pop(name) for name in self.kind.create_only_after if name in values}
        try:
            checked = self.kind.create_schema(**values)
        except ValidationError as exc:
            self._schema_problems(plan, exc)
        else:
            if plan.action != "error":
                plan.action = "create"
                plan.values = {**checked.model_dump(exclude_unset=True), **later}

    def _plan_update(self, row: _Row, plan: Planned, obj: Any) -> None:
        plan.title = str(getattr(obj, self.kind.title))
        self._unit_problem(plan, obj.unit_id)
        for name in list(row.errors):
            kept = self._named_current(obj, name, row.texts[name])
            if kept is not MISSING:
                del row.errors[name]
                row.values[name] = kept
        self._cell_problems(row, plan, set(self.columns))
        wanted: dict[str, Any] = {}
        for name, column in self.columns.items():
            if name == "ref" or name in row.errors:
                continue
            value = row.values.get(name)
            if self._keeps_hidden_link(obj, column.spec, value):
                continue
            if value is None and column.spec.required:
                plan.refuse(
                    column,
                    f"{column.spec.label} cannot be empty; leave the column out of the file to "
                    "keep the current value",
                )
            elif value != self._current(obj, name):
                wanted[name] = value
        try:
            checked = self.kind.update_schema(**wanted).model_dump(exclude_unset=True)
        except ValidationError as exc:
            self._schema_problems(plan, exc)
            return
        changes = {n: v for n, v in checked.items() if _normal(v) != _normal(self._current(obj, n))}
        if "unit_id" in changes:
            self._unit_problem(plan, changes["unit_id"])
        self._self_links(plan, obj, changes)
        if plan.action == "error" or not changes:
            return
        plan.action = "update"
        plan.values = {**changes, "version": obj.version}
        plan.changes = [
            FieldChange(
                field=name,
                label=self.columns[name].spec.label,
                before=shown(self.columns[name].spec, self._current(obj, name), self.found),
                after=shown(self.columns[name].spec, value, self.found),
            )
            for name, value in changes.items()
        ]

    def _named_current(self, obj: Any, name: str, text: str) -> Any:
        """What the object has now, if a cell the plan could not read names just that.

        Such a cell names someone or something out of the user's sight ("(outside your
        units)", a person holding no role in the user's units), or a name several of the
        user's units, people or objects share, as exports write them. Else MISSING.
        """
        spec = self.columns[name].spec
        current = self._current(obj, name)
        if spec.value in ("person", "link") and current is not None and is_outside(text):
            return current
        if spec.value == "person" and current in self.people:
            names = {key(part) for part in self.people[current]}
            return current if key(text) in names else MISSING
        if spec.value == "unit":
            return current if key(text) == key(self.found.unit_names.get(current, "")) else MISSING
        if spec.value == "link" and spec.target is not None:
            return current if current in self.found.candidates(spec.target, text) else MISSING
        if spec.value == "links" and spec.target is not None:
            return self._named_links(spec.target, text, set(current))
        return MISSING

    def _named_links(self, target: Target, text: str, current: set[int]) -> Any:
        """The objects a list cell names, a name several objects share read as the linked ones."""
        ids: set[int] = set()
        for item in split_list(text):
            if is_outside(item):
                continue
            found = self.found.candidates(target, item)
            if len(found) > 1:
                found &= current
            if not found:
                return MISSING
            ids |= found
        return sorted(ids)

    def _self_links(self, plan: Planned, obj: Any, changes: dict[str, Any]) -> None:
        """Refuse an object linked to itself (an asset depending on itself)."""
        for name, value in changes.items():
            spec = self.columns[name].spec
            if spec.value == "links" and spec.target == self.kind.name.value and obj.id in value:
                plan.refuse(
                    self.columns[name], f"{spec.label} cannot include the {self.kind.one} itself"
                )

    def _keeps_hidden_link(self, obj: Any, spec: FieldSpec, value: Any) -> bool:
        """Whether an empty cell stands for a link to an object the user cannot see."""
        if spec.value != "link" or value is not None or spec.target is None:
            return False
        current = getattr(obj, spec.name)
        return current is not None and current not in self.found.titles[spec.target]


def _normal(value: Any) -> Any:
    """Values compared as stored: enums as their value, lists in order."""
    if isinstance(value, list):
        return sorted(_normal(v) for v in value)
    return getattr(value, "value", value)
