"""Names in a file turned into ids: units, people, linked objects and the objects to update.

Everything a file names is looked up once per file (a few queries, in chunks of 5,000 names),
within the units the importing user can see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.imports import repository as repo
from aegis.domains.imports.fields import FieldSpec, Target
from aegis.domains.units import service as units
from aegis.models import Asset, Control, Risk

TARGETS: dict[Target, tuple[Any, Any, str, str]] = {
    "assets": (Asset, Asset.name, "asset", "assets"),
    "risks": (Risk, Risk.title, "risk", "risks"),
    "controls": (Control, Control.title, "control", "controls"),
}


class NotFoundInFile(ValueError):
    """A name in a cell that matches nothing, or more than one thing, the user can see."""


def key(text: str) -> str:
    """A name compared without regard to case or surrounding spaces."""
    return text.strip().casefold()


def split_list(text: str) -> list[str]:
    """The items of a list cell: separated by ';' as list exports join them."""
    return [item.strip() for item in text.split(";") if item.strip()]


@dataclass
class Lookups:
    """What the names of one file resolve to, for one importing user."""

    unit_names: dict[int, str] = field(default_factory=dict)
    units: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    person_names: dict[int, str] = field(default_factory=dict)
    people: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    titles: dict[Target, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    by_ref: dict[Target, dict[str, set[int]]] = field(default_factory=dict)
    by_title: dict[Target, dict[str, set[int]]] = field(default_factory=dict)
    existing: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))

    def unit(self, text: str) -> int:
        """The id of the unit with this name (or id) among the user's units."""
        found = self.units.get(key(text), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise NotFoundInFile(f"Several of your units are named “{text}”")
        if text.strip().isdigit() and int(text) in self.unit_names:
            return int(text)
        raise NotFoundInFile(f"There is no unit “{text}” among the units you can see")

    def person(self, text: str) -> int:
        """The id of the user with this e-mail address or display name."""
        found = self.people.get(key(text), set())
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            raise NotFoundInFile(f"Several people are named “{text}”; use their e-mail address")
        raise NotFoundInFile(
            f"There is no user “{text}” in the units you can see; use their name or e-mail address"
        )

    def candidates(self, target: Target, text: str) -> set[int]:
        """Every linked object of the user's units whose reference or title this text is."""
        wanted = key(text)
        by_ref, by_title = self.by_ref.get(target, {}), self.by_title.get(target, {})
        return by_ref.get(wanted, set()) | by_title.get(wanted, set())

    def target(self, target: Target, text: str) -> int:
        """The id of the linked object with this reference or, failing that, this title."""
        _, _, one, many = TARGETS[target]
        for index in (self.by_ref, self.by_title):
            found = index.get(target, {}).get(key(text), set())
            if len(found) == 1:
                return next(iter(found))
            if len(found) > 1:
                raise NotFoundInFile(f"Several {many} are named “{text}”; use the reference")
        raise NotFoundInFile(f"There is no {one} “{text}” in the units you can see")


def _wanted(
    specs: list[FieldSpec], rows: list[list[str]], indexes: list[int]
) -> dict[str, set[str]]:
    """The texts of the cells to look up, per kind of look-up."""
    texts: dict[str, set[str]] = defaultdict(set)
    for spec, index in zip(specs, indexes, strict=True):
        for cells in rows:
            text = cells[index].strip().lstrip("'")
            if not text:
                continue
            if spec.value in ("person", "link"):
                texts[spec.value if spec.value == "person" else str(spec.target)].add(text)
            elif spec.value == "links":
                texts[str(spec.target)].update(split_list(text))
            elif spec.value == "ref":
                texts["ref"].add(text)
    return texts


def gather(
    session: Session,
    principal: Principal,
    model: Any,
    columns: list[tuple[int, FieldSpec]],
    rows: list[list[str]],
) -> Lookups:
    """Look up everything the mapped columns of these rows name, a few queries in all."""
    found = Lookups()
    found.unit_names = units.unit_names(
        session=session, principal=principal, unit_ids=set(principal.readable)
    )
    for unit_id, name in found.unit_names.items():
        found.units[key(name)].append(unit_id)
    texts = _wanted([spec for _, spec in columns], rows, [index for index, _ in columns])
    for person_id, name, email in repo.people(session, principal.readable, texts["person"]):
        found.people[key(email)].add(person_id)
        found.people[key(name)].add(person_id)
        found.person_names[person_id] = name
    for target, (target_model, title, _, _) in TARGETS.items():
        rows_found = repo.named_objects(
            session, target_model, title, principal.readable, texts.get(target, set())
        )
        found.by_ref[target], found.by_title[target] = defaultdict(set), defaultdict(set)
        for object_id, _unit, ref, name in rows_found:
            found.by_ref[target][key(ref)].add(object_id)
            found.by_title[target][key(name)].add(object_id)
            found.titles[target][object_id] = name
    for obj in repo.objects_by_ref(session, model, principal.readable, texts["ref"]):
        found.existing[key(obj.ref)].append(obj)
    return found


def name_current(
    session: Session,
    principal: Principal,
    found: Lookups,
    person_ids: Iterable[int],
    links: dict[Target, set[int]],
) -> dict[int, tuple[str, str]]:
    """Name the people and the visible linked objects the objects to update have now.

    Returns (name, e-mail) of those people: a cell naming the current one keeps them even
    when they hold no role in the units the importing user can see.
    """
    current = repo.users_by_id(session, person_ids)
    for person_id, (name, _) in current.items():
        found.person_names.setdefault(person_id, name)
    for target, ids in links.items():
        target_model, title, _, _ = TARGETS[target]
        unknown = ids - found.titles[target].keys()
        found.titles[target].update(
            repo.titles_by_id(session, target_model, title, unknown, principal.readable)
        )
    return current
