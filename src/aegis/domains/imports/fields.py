"""The fields each kind of object takes from a file, and how columns are matched to them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Literal

from aegis.core.messages import field_label
from aegis.domains.imports.schemas import ImportKind
from aegis.models.enums import (
    AssetType,
    ControlStatus,
    Criticality,
    DataClassification,
    Environment,
    RiskCategory,
    RiskStatus,
    TaskKind,
    TaskPriority,
    TaskStatus,
    Treatment,
)

Value = Literal[
    "ref",
    "text",
    "optional_text",
    "choice",
    "person",
    "unit",
    "int",
    "date",
    "tags",
    "links",
    "link",
]
Target = Literal["assets", "risks", "controls"]


@dataclass(frozen=True)
class FieldSpec:
    """A field a column can fill: how its cells are read, and whether it may be left empty."""

    name: str
    value: Value
    choices: type[StrEnum] | None = None
    target: Target | None = None
    required: bool = False  # an update cannot empty it
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The field as people read it, as list exports name their columns."""
        return _label(self.name)


_label = cache(field_label)  # asked for every cell of a file


def _ref() -> FieldSpec:
    return FieldSpec("ref", "ref", required=True, aliases=("reference", "ref id"))


def _unit() -> FieldSpec:
    return FieldSpec("unit_id", "unit", required=True, aliases=("unit name", "business unit"))


def _person(name: str) -> FieldSpec:
    return FieldSpec(name, "person", aliases=(f"{name.removesuffix('_id')} email",))


def _choice(name: str, choices: type[StrEnum], *, required: bool = True) -> FieldSpec:
    return FieldSpec(name, "choice", choices=choices, required=required)


def _text(name: str, *, required: bool = False, aliases: tuple[str, ...] = ()) -> FieldSpec:
    return FieldSpec(name, "text", required=required, aliases=aliases)


FIELDS: dict[ImportKind, tuple[FieldSpec, ...]] = {
    ImportKind.ASSETS: (
        _ref(),
        _unit(),
        _text("name", required=True, aliases=("asset", "asset name")),
        _choice("type", AssetType),
        _choice("criticality", Criticality),
        _person("owner_id"),
        _choice("environment", Environment),
        _choice("data_classification", DataClassification),
        FieldSpec("hostname", "optional_text", aliases=("host", "host name")),
        FieldSpec("ip_address", "optional_text", aliases=("ip",)),
        _text("description"),
        FieldSpec("tags", "tags", aliases=("tag",)),
        FieldSpec("depends_on_ids", "links", target="assets", aliases=("depends on",)),
    ),
    ImportKind.RISKS: (
        _ref(),
        _unit(),
        _text("title", required=True, aliases=("risk", "risk title", "name")),
        _text("description"),
        _choice("category", RiskCategory),
        _person("owner_id"),
        _choice("status", RiskStatus),
        FieldSpec("inherent_likelihood", "int", required=True),
        FieldSpec("inherent_impact", "int", required=True),
        FieldSpec("residual_likelihood", "int"),
        FieldSpec("residual_impact", "int"),
        _choice("treatment", Treatment, required=False),
        _text("treatment_plan"),
        FieldSpec("treatment_due_date", "date"),
        _person("acceptance_approver_id"),
        _text("acceptance_justification"),
        FieldSpec("acceptance_expires_on", "date"),
        FieldSpec("next_review_date", "date"),
        FieldSpec("asset_ids", "links", target="assets"),
        FieldSpec("control_ids", "links", target="controls"),
    ),
    ImportKind.CONTROLS: (
        _ref(),
        _unit(),
        _text("title", required=True, aliases=("control", "control title", "name")),
        _text("description"),
        _person("owner_id"),
        _choice("status", ControlStatus),
    ),
    ImportKind.TASKS: (
        _ref(),
        _unit(),
        _text("title", required=True, aliases=("task", "task title", "name")),
        _text("description"),
        _choice("kind", TaskKind),
        _choice("status", TaskStatus),
        _choice("priority", TaskPriority),
        _person("assignee_id"),
        FieldSpec("due_date", "date"),
        FieldSpec("risk_id", "link", target="risks"),
        FieldSpec("asset_id", "link", target="assets"),
        FieldSpec("control_id", "link", target="controls"),
    ),
}


def fields_of(kind: ImportKind) -> dict[str, FieldSpec]:
    """The importable fields of a kind, by name."""
    return {spec.name: spec for spec in FIELDS[kind]}


def normal_header(text: str) -> str:
    """A header compared loosely: case, '_', '-', '*' and extra spaces ignored."""
    return " ".join(re.sub(r"[_\-*:]+", " ", text.casefold()).split())


def _names(spec: FieldSpec) -> set[str]:
    short = re.sub(r"_ids?$", "", spec.name)
    return {normal_header(n) for n in (spec.label, spec.name, short, *spec.aliases)}


def guess_mapping(kind: ImportKind, headers: list[str]) -> dict[str, str | None]:
    """The field each header is guessed to fill (None when none fits), each field used once."""
    wanted = {name: _names(spec) for name, spec in fields_of(kind).items()}
    mapping: dict[str, str | None] = {}
    used: set[str] = set()
    for header in headers:
        if not header:
            continue
        found = next(
            (n for n, names in wanted.items() if n not in used and normal_header(header) in names),
            None,
        )
        mapping[header] = found
        if found:
            used.add(found)
    return mapping
