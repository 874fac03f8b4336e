"""Every field a caller fills in is bounded: text in length and characters, whole numbers too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

import aegis.domains
from aegis.domains.common.bounds import MAX_INTEGER

# never shown to anyone, and compared exactly as typed
UNCHECKED_TEXT = {"password", "new_password", "current_password"}
BAD_TEXT = {
    "NUL": "a\x00b",
    "escape": "a\x1b[31mb",
    "right-to-left override": "invoice\u202etxt.exe",
    "isolate": "a\u2066b",
    "zero-width only": "\u200b\u200c",
    "unpaired surrogate": "a\ud800b",
}


def input_models() -> Iterator[type[BaseModel]]:
    """The schemas callers fill in: every domain schema that refuses unknown fields."""
    for module in pkgutil.walk_packages(aegis.domains.__path__, "aegis.domains."):
        if "schemas" not in module.name:
            continue
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if (
                issubclass(cls, BaseModel)
                and cls.__module__ == module.name
                and cls.model_config.get("extra") == "forbid"
            ):
                yield cls


def _leaf(annotation: Any) -> tuple[type | None, bool]:
    """The scalar type under Optional, Annotated and lists, and whether it is in a list."""
    in_list = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return None, in_list
            annotation = options[0]
        elif origin in (list, set, frozenset, tuple):
            in_list, annotation = True, get_args(annotation)[0]
        else:
            return annotation, in_list


def fields(kind: type) -> list[tuple[str, str, FieldInfo, bool]]:
    """(model, field, info, in a list) for every field of the scalar type `kind`."""
    found = []
    for model in input_models():
        for name, info in model.model_fields.items():
            leaf, in_list = _leaf(info.annotation)
            if leaf is kind:
                found.append((model.__name__, name, info, in_list))
    return sorted(found, key=lambda row: (row[0], row[1]))


def refuses(info: FieldInfo, value: Any, in_list: bool) -> bool:
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[info.annotation, info])
    try:
        adapter.validate_python([value] if in_list else value)
    except ValidationError:
        return True
    return False


TEXT_FIELDS = fields(str)
NUMBER_FIELDS = fields(int)


def test_the_schemas_are_found() -> None:
    names = {model.__name__ for model in input_models()}
    assert {"AssetCreate", "RiskUpdate", "UserCreate", "AssetQuery", "CommentCreate"} <= names
    assert len(TEXT_FIELDS) > 50 and len(NUMBER_FIELDS) > 50


@pytest.mark.parametrize(
    ("model", "name", "info", "in_list"), TEXT_FIELDS, ids=[f"{m}.{n}" for m, n, *_ in TEXT_FIELDS]
)
def test_text_fields_are_bounded_and_refuse_hidden_characters(
    model: str, name: str, info: FieldInfo, in_list: bool
) -> None:
    assert refuses(info, "x" * 100_001, in_list), f"{model}.{name} has no length limit"
    if name in UNCHECKED_TEXT:
        return
    for what, value in BAD_TEXT.items():
        assert refuses(info, value, in_list), f"{model}.{name} accepts {what}"


@pytest.mark.parametrize(
    ("model", "name", "info", "in_list"),
    NUMBER_FIELDS,
    ids=[f"{m}.{n}" for m, n, *_ in NUMBER_FIELDS],
)
def test_whole_numbers_stay_within_what_the_database_stores(
    model: str, name: str, info: FieldInfo, in_list: bool
) -> None:
    assert refuses(info, MAX_INTEGER + 1, in_list), f"{model}.{name} accepts {MAX_INTEGER + 1}"
    assert refuses(info, -(2**63), in_list), f"{model}.{name} accepts -2**63"
