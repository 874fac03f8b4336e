"""What every route of the JSON API checks before it reads its input.

- A body is read only in the media type its route takes: JSON (application/json or a
  +json type) for a JSON body, multipart/form-data for an upload; any other Content-Type, or
  none with a body, is answered 415 `unsupported_media_type`.
- An `Accept` header that excludes JSON is answered 406 `not_acceptable` on routes answering
  JSON (file downloads answer the file's own type).
- A query parameter that takes one value but is sent several times (`?limit=5&limit=500`) is
  refused with 422 naming it: which of the values was meant cannot be known, and a value read
  past a check is what parameter pollution relies on.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi import Depends, Request
from fastapi import params as fastapi_params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException

BodyKind = Literal["json", "multipart"]
SEQUENCES = (list, tuple, set, frozenset, Sequence)
JSON_RANGES = frozenset({"*/*", "application/*", "application/json"})
REPEATED = "repeated_parameter"


def media_type(value: str) -> str:
    """The media type of a Content-Type or Accept entry, without its parameters."""
    return value.split(";", 1)[0].strip().lower()


def is_json(value: str) -> bool:
    """Whether a media type is JSON: application/json or application/<something>+json."""
    kind = media_type(value)
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def accepts_json(accept: str) -> bool:
    """Whether an Accept header lets the answer be JSON (any range with a quality above 0)."""
    for entry in accept.split(","):
        kind, *parameters = (part.strip() for part in entry.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (kind.lower() in JSON_RANGES or is_json(kind)):
            return True
    return False


def body_kind(route: APIRoute) -> BodyKind | None:
    """What body a route reads: form fields and files (multipart), JSON, or none."""
    if route.body_field is None:
        return None
    return "multipart" if isinstance(route.body_field.field_info, fastapi_params.Form) else "json"


def answers_json(route: APIRoute) -> bool:
    """Whether a route answers JSON (and not a file of its own type)."""
    answer = getattr(route.response_class, "value", route.response_class)
    return isinstance(answer, type) and issubclass(answer, JSONResponse)


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_sequence(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_sequence(arg) for arg in get_args(annotation) if arg is not type(None))
    return origin in SEQUENCES or annotation in SEQUENCES


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) in (Union, types.UnionType):
        models = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = models[0] if len(models) == 1 else None
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _dependants(dependant: Dependant) -> list[Dependant]:
    found, waiting = [], [dependant]
    while waiting:
        current = waiting.pop()
        found.append(current)
        waiting.extend(current.dependencies)
    return found


_SINGLE: dict[int, tuple[APIRoute, frozenset[str]]] = {}


def single_valued_query(route: APIRoute) -> frozenset[str]:
    """The names of the query parameters of a route that take one value each (kept per route)."""
    kept = _SINGLE.get(id(route))
    if kept is None or kept[0] is not route:
        kept = _SINGLE[id(route)] = (route, _single_valued(route))
    return kept[1]


def _single_valued(route: APIRoute) -> frozenset[str]:
    names: set[str] = set()
    for dependant in _dependants(route.dependant):
        for field in dependant.query_params:
            annotation = field.field_info.annotation
            model = _model_of(annotation)
            if model is None:
                if not _is_sequence(annotation):
                    names.add(field.alias)
                continue
            for name, inner in model.model_fields.items():
                if not _is_sequence(inner.annotation):
                    names.add(inner.alias or name)
    return frozenset(names)


def repeated_parameters(request: Request, single: frozenset[str]) -> list[dict[str, Any]]:
    """An error for each single-valued query parameter sent more than once."""
    errors: list[dict[str, Any]] = []
    for name in dict.fromkeys(request.query_params.keys()):
        values = request.query_params.getlist(name)
        if name in single and len(values) > 1:
            errors.append(
                {
                    "type": REPEATED,
                    "loc": ("query", name),
                    "msg": f"Give {name} once: it takes a single value",
                    "input": None,  # the values are not repeated back
                }
            )
    return errors


def has_body(request: Request) -> bool:
    """Whether the request says it sends a body."""
    length = request.headers.get("content-length")
    return bool(request.headers.get("transfer-encoding")) or (
        length is not None and length.strip() not in ("", "0")
    )


def check_media_types(request: Request, route: APIRoute) -> None:
    """Refuse a body of another media type than the route reads, or an Accept without JSON."""
    kind = body_kind(route)
    sent = request.headers.get("content-type")
    if kind is not None and (sent is not None or has_body(request)):
        expected = "application/json" if kind == "json" else "multipart/form-data"
        fits = is_json(sent or "") if kind == "json" else media_type(sent or "") == expected
        if not fits:
            raise HTTPException(
                415,
                f"Send the body as {expected}"
                + (" (the Content-Type header is missing)" if sent is None else ""),
            )
    accept = request.headers.get("accept")
    if accept and answers_json(route) and not accepts_json(accept):
        raise HTTPException(406, "This route answers application/json only; accept it")


def check_api_request(request: Request) -> None:
    """The checks of every API route: media types, then single-valued query parameters."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    check_media_types(request, route)
    errors = repeated_parameters(request, single_valued_query(route))
    if errors:
        raise RequestValidationError(errors)


API_CHECKS = Depends(check_api_request)
