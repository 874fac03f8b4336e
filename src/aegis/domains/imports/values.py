"""Cells read as field values: choices by label or code, people and units by name, dates."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from aegis.core.messages import choice_label
from aegis.domains.imports.fields import FieldSpec
from aegis.domains.imports.lookups import Lookups, NotFoundInFile, split_list
from aegis.domains.imports.reading import Format

FORMULA_STARTS = ("=", "+", "-", "@")
ESCAPED = (*FORMULA_STARTS, "\t", "\r")  # what an apostrophe may stand before, as exports write
OUTSIDE = "(outside your units)"  # how list exports name what their reader cannot see
DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?")


class CellError(ValueError):
    """A cell whose text cannot be read as its field's value; the message names the field."""


def plain(text: str, fmt: Format, label: str) -> str:
    """The cell's text, refused when a spreadsheet would run it as a formula.

    An apostrophe before such a character (as CSV exports write it) keeps the text as it is.
    A workbook's cells are read as the values saved with them, never as formulas, so their
    text is taken as it is, as the workbook exports write it.
    """
    if text[:1] == "'" and text[1:2] in ESCAPED:
        return text[1:]
    if fmt == "csv" and text[:1] in FORMULA_STARTS:
        raise CellError(
            f"{label} starts with “{text[0]}”, so a spreadsheet would run it as a formula, and "
            "formulas are not imported. Type the value itself, or put an apostrophe (') before it"
        )
    return text


@cache
def _choices(choices: type[StrEnum]) -> dict[str, str]:
    """The value of each choice by its code and by its label, compared without case."""
    found = {choice_label(member).casefold(): member.value for member in choices}
    return {**found, **{member.value: member.value for member in choices}}


def _choice(spec: FieldSpec, text: str) -> str:
    known = _choices(spec.choices) if spec.choices else {}
    typed = text.strip().casefold()
    found = known.get(re.sub(r"[\s\-]+", "_", typed)) or known.get(typed)
    if found is not None:
        return found
    allowed = ", ".join(choice_label(member) for member in spec.choices or ())
    raise CellError(f"{spec.label} must be one of: {allowed}")


def _whole(spec: FieldSpec, text: str) -> int:
    try:
        number = float(text)
    except ValueError:
        number = 0.5
    if not number.is_integer():
        raise CellError(f"{spec.label} must be a whole number")
    return int(number)


def _date(spec: FieldSpec, text: str) -> date:
    match = DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date.fromisoformat(match.group(1))
    except ValueError as exc:
        raise CellError(f"{spec.label} must be a date like 2026-12-31") from exc


def is_outside(text: str) -> bool:
    """Whether a cell stands for something out of the reader's sight, as exports write it."""
    return text.strip().casefold() == OUTSIDE


def _resolve(spec: FieldSpec, text: str, found: Lookups) -> int:
    if is_outside(text):
        raise CellError(
            f"{spec.label}: “{OUTSIDE}” stands for what you cannot see; it can only keep "
            "what is there already. Name one of your units' people or objects, or leave it empty"
        )
    try:
        if spec.value == "unit":
            return found.unit(text)
        if spec.value == "person" or spec.target is None:
            return found.person(text)
        return found.target(spec.target, text)
    except NotFoundInFile as exc:
        raise CellError(f"{spec.label}: {exc}") from exc


def _links(spec: FieldSpec, text: str, found: Lookups) -> list[int]:
    ids: list[int] = []
    problems: list[str] = []
    for item in split_list(text):
        if is_outside(item):
            continue  # links out of the importer's sight are kept by the update
        try:
            ids.append(_resolve(spec, item, found))
        except CellError as exc:
            problems.append(str(exc).removeprefix(f"{spec.label}: "))
    if problems:
        raise CellError(f"{spec.label}: " + "; ".join(problems))
    return sorted(set(ids))


def cell_value(spec: FieldSpec, raw: str, fmt: Format, found: Lookups) -> Any:
    """The value a cell gives its field; an empty cell gives None, '' or [] as the field takes."""
    text = plain(raw.strip(), fmt, spec.label).strip()
    if spec.value == "text":
        return text
    if spec.value == "tags":
        return [tag.strip() for tag in re.split(r"[;,]", text) if tag.strip()]
    if spec.value == "links":
        return _links(spec, text, found) if text else []
    if not text:
        return None
    match spec.value:
        case "ref" | "optional_text":
            return text
        case "choice":
            return _choice(spec, text)
        case "int":
            return _whole(spec, text)
        case "date":
            return _date(spec, text)
        case _:
            return _resolve(spec, text, found)


def shown(spec: FieldSpec, value: Any, found: Lookups) -> str:
    """A field's value as the plan shows it: labels, names and ISO dates."""
    if value is None or value == "" or value == []:
        return ""
    match spec.value:
        case "choice":
            return choice_label(str(value))
        case "unit":
            return found.unit_names.get(value, f"unit {value}")
        case "person":
            return found.person_names.get(value, f"user {value}")
        case "link" | "links" if spec.target is not None:
            titles = found.titles[spec.target]
            ids = value if isinstance(value, list) else [value]
            return "; ".join(sorted(titles.get(i, f"#{i}") for i in ids))
        case "tags":
            return "; ".join(sorted(value))
        case "date":
            return value.isoformat() if isinstance(value, date) else str(value)
        case _:
            return str(value)
