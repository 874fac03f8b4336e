"""What every generator of rows shares: the seeded random source, the units, the people."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bench.scale import plan
from bench.scale.organisation import Person

HISTORY_DAYS = 365  # objects and events spread over the year before the anchor day


@dataclass(frozen=True)
class Made:
    """A generated object the audit trail can tell about."""

    entity_type: str
    id: int
    unit_id: int
    title: str


@dataclass
class Context:
    """The seeded random source, the organisation, the anchor time and what was made."""

    rng: random.Random
    units: list[plan.PlannedUnit]
    people: list[Person]
    now: datetime
    made: list[Made] = field(default_factory=list)
    by_unit: dict[str, dict[int, list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._unit_ids = [unit.id for unit in self.units]
        self._weights = plan.unit_weights(self.units)

    @property
    def today(self) -> date:
        """The anchor day."""
        return self.now.date()

    def unit(self) -> int:
        """A unit for a new object, half of them in the analyst's division."""
        return self.rng.choices(self._unit_ids, self._weights)[0]

    def person(self) -> int:
        """Any user's id."""
        return self.rng.choice(self.people).id

    def past(self) -> datetime:
        """A moment of the year before the anchor, to the second."""
        return self.now - timedelta(seconds=self.rng.randrange(1, HISTORY_DAYS * 86_400))

    def day_around(self, before: int, after: int) -> date:
        """A day between `before` days before the anchor and `after` days after it."""
        return self.today + timedelta(days=self.rng.randint(-before, after))

    def remember(self, kind: str, object_id: int, unit_id: int, title: str) -> None:
        """Keep an object for the links and the audit trail."""
        self.made.append(Made(kind, object_id, unit_id, title))
        self.by_unit.setdefault(kind, {}).setdefault(unit_id, []).append(object_id)

    def near(self, kind: str, unit_id: int, count: int) -> list[int]:
        """Up to `count` distinct objects of a kind in the same unit (none if it has none)."""
        pool = self.by_unit.get(kind, {}).get(unit_id, [])
        return self.rng.sample(pool, min(count, len(pool)))
