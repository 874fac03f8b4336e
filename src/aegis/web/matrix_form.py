"""The risk matrix form: what the administrator typed, and each refusal placed by its field.

Band rows, level names and cells are numbered as on the form: `bands.<row>.<field>`,
`likelihood_scale.<level - 1>.<field>` (likewise impact) and `cell.<likelihood>.<impact>`,
whose value is the form row of the band chosen for the cell, or empty for the band of its
score. Choosing a band by its row lets a band be renamed and chosen in the same save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from aegis.core.errors import AegisError
from aegis.domains.risks.scale_names import Axis, default_scale
from aegis.domains.risks.schemas import MAX_LEVELS, MIN_LEVELS, RiskMatrix
from aegis.web.forms import field_errors

BAND_FIELDS = ("name", "min_score", "max_score", "color")
SCALE_FIELDS = ("name", "criteria")
BLANK_BAND = {"name": "", "min_score": "", "max_score": "", "color": "#607d8b"}
SPARE_BANDS = 2
AXES: tuple[Axis, ...] = ("likelihood", "impact")


@dataclass
class MatrixForm:
    """A submitted matrix form: the matrix values and where each of its parts came from."""

    values: dict[str, Any]
    band_rows: list[dict[str, Any]] = field(default_factory=list)
    band_origin: list[int] = field(default_factory=list)
    cell_origin: list[tuple[int, int]] = field(default_factory=list)
    cell_choices: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def _number(text: Any) -> Any:
    value = str(text or "").strip()
    return int(value) if value.lstrip("-").isdigit() else value


def _rows(form: Any, prefix: str, names: tuple[str, ...]) -> dict[int, dict[str, str]]:
    """Fields named `<prefix>.<row>.<name>`, by row."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        parts = str(key).split(".")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and parts[2] in names:
            rows.setdefault(int(parts[1]), {})[parts[2]] = str(form.get(key) or "").strip()
    return rows


def _in_range(size: Any) -> bool:
    return isinstance(size, int) and MIN_LEVELS <= size <= MAX_LEVELS


def _scale(form: Any, axis: Axis, size: Any) -> list[dict[str, str]]:
    """The names typed for an axis; levels added by a larger size get the default names."""
    rows = _rows(form, f"{axis}_scale", SCALE_FIELDS)
    typed = [{"name": "", "criteria": "", **rows[index]} for index in sorted(rows)]
    if not _in_range(size):
        return typed
    defaults = default_scale(axis, size)
    return [typed[index] if index < len(typed) else defaults[index] for index in range(size)]


def read_form(form: Any) -> MatrixForm:
    """The matrix as submitted, with the form rows and cells each part came from."""
    values: dict[str, Any] = {
        name: _number(form.get(name))
        for name in ("likelihood_levels", "impact_levels", "appetite_score")
    }
    if values["appetite_score"] == "":
        del values["appetite_score"]
    read = MatrixForm(values=values)
    rows = _rows(form, "bands", BAND_FIELDS)
    bands = []
    for index in sorted(rows):
        row = {**BLANK_BAND, **rows[index]}
        if any(row[name] for name in ("name", "min_score", "max_score")):
            bands.append({**row, **{n: _number(row[n]) for n in ("min_score", "max_score")}})
            read.band_origin.append(index)
    values["bands"] = bands
    read.band_rows = _rows_as_on_form(bands, read.band_origin)
    for axis in AXES:
        values[f"{axis}_scale"] = _scale(form, axis, values[f"{axis}_levels"])
    values["cell_levels"] = _cells(form, read, rows)
    return read


def _cells(form: Any, read: MatrixForm, rows: dict[int, dict[str, str]]) -> list[dict[str, Any]]:
    """Cells given a band; cells beyond a smaller grid are dropped with the grid."""
    sizes = read.values["likelihood_levels"], read.values["impact_levels"]
    cells = []
    for key in form:
        parts = str(key).split(".")
        if len(parts) != 3 or parts[0] != "cell" or not (parts[1] + parts[2]).isdigit():
            continue
        likelihood, impact = int(parts[1]), int(parts[2])
        chosen = str(form.get(key) or "").strip()
        read.cell_choices[str(key)] = chosen
        if not chosen or (_in_range(sizes[0]) and likelihood > sizes[0]):
            continue
        if _in_range(sizes[1]) and impact > sizes[1]:
            continue
        name = rows.get(int(chosen), {}).get("name", "") if chosen.isdigit() else ""
        if not name:
            read.problems[str(key)] = "The level chosen for this cell was removed: choose another"
            continue
        cells.append({"likelihood": likelihood, "impact": impact, "level": name})
        read.cell_origin.append((likelihood, impact))
    return cells


def _rows_as_on_form(bands: list[dict[str, Any]], origin: list[int]) -> list[dict[str, Any]]:
    """The kept bands placed back at their form row numbers (blank rows in between)."""
    if not origin:
        return []
    rows: list[dict[str, Any]] = [dict(BLANK_BAND) for _ in range(max(origin) + 1)]
    for band, index in zip(bands, origin, strict=True):
        rows[index] = band
    return rows


def shown_values(matrix: RiskMatrix) -> dict[str, Any]:
    """The form's values for the matrix in force."""
    rows = {band.name: str(index) for index, band in enumerate(matrix.bands)}
    return {
        "likelihood_levels": matrix.likelihood_levels,
        "impact_levels": matrix.impact_levels,
        "appetite_score": matrix.appetite_score,
        "bands": [band.model_dump() for band in matrix.bands],
        "likelihood_scale": [level.model_dump() for level in matrix.likelihood_scale],
        "impact_scale": [level.model_dump() for level in matrix.impact_scale],
        "cells": {
            f"cell.{cell.likelihood}.{cell.impact}": rows.get(cell.level, "")
            for cell in matrix.cell_levels
        },
    }


def refused_values(read: MatrixForm) -> dict[str, Any]:
    """The form's values after a refusal: everything as it was typed."""
    return {
        **read.values,
        "appetite_score": read.values.get("appetite_score", ""),
        "bands": read.band_rows,
        "cells": read.cell_choices,
    }


def form_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The band rows to show: the bands and a few blank ones to add more."""
    return list(values["bands"]) + [dict(BLANK_BAND) for _ in range(SPARE_BANDS)]


def form_errors(exc: AegisError | ValidationError, read: MatrixForm) -> dict[str, str]:
    """Errors keyed by the form's own field names."""
    raw: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "__all__"
            raw.setdefault(where, error["msg"].removeprefix("Value error, "))
    else:
        raw = field_errors(exc)
    errors: dict[str, str] = {}
    for where, message in raw.items():
        errors.setdefault(_form_field(where, read), message)
    if isinstance(exc, AegisError):
        errors.setdefault("__all__", exc.message)
    return errors


def _form_field(where: str, read: MatrixForm) -> str:
    parts = where.split(".")
    if len(parts) < 2 or not parts[1].isdigit():
        return where
    index = int(parts[1])
    if parts[0] == "bands":
        row = read.band_origin[index] if index < len(read.band_origin) else index
        return ".".join(["bands", str(row), *(parts[2:] or ["name"])])
    if parts[0] == "cell_levels" and index < len(read.cell_origin):
        likelihood, impact = read.cell_origin[index]
        return f"cell.{likelihood}.{impact}"
    return where
