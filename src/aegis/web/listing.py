"""What a list is made of, declared once for its page, its exports and the links to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from types import UnionType
from typing import Any, Union, get_args, get_origin
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import choice_label, field_label
from aegis.domains.common.listing import ListQuery, Page
from aegis.domains.names.schemas import RefKind

PAGING = frozenset({"limit", "offset", "sort"})
Options = list[tuple[str, str]]
Fetch = Callable[..., Page[Any]]


@dataclass(frozen=True)
class Labelled:
    """A field shown under a heading of its own, or else under its label."""

    field: str

    @property
    def label(self) -> str:
        """The heading, by default the field's label."""
        return getattr(self, "heading", "") or field_label(self.field)


@dataclass(frozen=True)
class Column(Labelled):
    """A column of the page: the field it shows, its heading, its sort and how its cell reads."""

    heading: str = ""
    sort: str | None = None
    cell: str = "text"


@dataclass(frozen=True)
class Filter(Labelled):
    """A filter of the form: the query field it sets and how it is asked for."""

    kind: str = "select"  # search, select, check, text or number
    heading: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    blank: str = "Any"


@dataclass(frozen=True)
class Export:
    """An exported field, headed by its label; `names` turns the ids it holds into names."""

    field: str
    names: RefKind | None = None
    value: Callable[[Any], Any] | None = None

    @property
    def header(self) -> str:
        """The column header of the export: the field's label."""
        return field_label(self.field)

    def read(self, row: Any) -> Any:
        """The raw value of this field in a row."""
        return self.value(row) if self.value else getattr(row, self.field)


@dataclass(frozen=True)
class Action:
    """A link offered to people who may create objects."""

    label: str
    href: str


@dataclass(frozen=True)
class FilterForm:
    """The filter form as the page shows it: options, chosen values and carried filters."""

    options: dict[str, Options]
    chosen: dict[str, str]
    hidden: list[tuple[str, str]]
    bounds: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class ListSpec:
    """One list: where it lives, how it reads, and what it shows, filters, sorts and exports."""

    path: str
    title: str
    query: type[ListQuery]
    fetch: Fetch
    default_sort: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    exports: tuple[Export, ...]
    empty: str
    crumb: str = ""
    actions: tuple[Action, ...] = ()
    starts: tuple[Action, ...] = ()
    note: str = ""
    sorts: tuple[str, ...] = ()

    def read(self, session: Session, principal: Principal, query: ListQuery) -> Page[Any]:
        """One page of the list as the caller may see it."""
        return self.fetch(session=session, principal=principal, query=query)

    @property
    def name(self) -> str:
        """The list's name: its path without the slash, also its template folder and file name."""
        return self.path.strip("/")

    @property
    def template(self) -> str:
        """The page template."""
        return f"{self.name}/list.html"

    @property
    def sortable(self) -> tuple[str, ...]:
        """The sorts the page offers: its columns' and any others declared."""
        return tuple(c.sort for c in self.columns if c.sort) + self.sorts

    def href(self, **filters: Any) -> str:
        """A link to the list filtered (and sorted) so; an unknown filter or sort is an error."""
        fields = self.query.model_fields
        unknown = [name for name in filters if name not in fields or name in ("limit", "offset")]
        sort = str(filters.get("sort") or "").removeprefix("-")
        if unknown or (sort and sort not in self.sortable):
            raise ValueError(f"{self.path} has no filter or sort {unknown or sort}")
        shown = {name: _text(value) for name, value in filters.items() if value is not None}
        return f"{self.path}?{urlencode(shown)}" if shown else self.path

    def form(
        self, query: ListQuery, options: Mapping[str, Iterable[tuple[Any, str]]]
    ) -> FilterForm:
        """The filter form of a query: every filter's options, its value, the other filters."""
        asked = {f.field for f in self.filters}
        return FilterForm(
            options={
                f.field: self._options(f, options) for f in self.filters if f.kind == "select"
            },
            chosen={
                name: _text(getattr(query, name))
                for name in asked
                if getattr(query, name) is not None
            },
            hidden=[
                (name, _text(getattr(query, name)))
                for name, info in type(query).model_fields.items()
                if name not in asked
                and name not in PAGING
                and getattr(query, name) not in (None, info.default)
            ],
            bounds={
                f.field: _bounds(self.query, f.field) for f in self.filters if f.kind == "number"
            },
        )

    def _options(self, asked: Filter, given: Mapping[str, Iterable[tuple[Any, str]]]) -> Options:
        if asked.choices:
            return list(asked.choices)
        if asked.field in given:
            return [(_text(value), label) for value, label in given[asked.field]]
        return [(m.value, choice_label(m.value)) for m in _enum(self.query, asked.field)]


def _enum(query: type[ListQuery], name: str) -> list[Any]:
    """The members of the choice a query field takes (nothing when it is not a choice)."""
    annotation = query.model_fields[name].annotation
    kinds = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    for kind in kinds:
        if isinstance(kind, type) and issubclass(kind, Enum):
            return list(kind)
    return []


def _bounds(query: type[ListQuery], name: str) -> tuple[Any, Any]:
    """The lowest and highest value a number filter accepts (None where unbounded)."""
    low = high = None
    for rule in query.model_fields[name].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high


def _text(value: Any) -> str:
    """A filter value as the URL writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
