"""Queries of the risks domain, always scoped to the caller's units."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.core.db import utcnow
from aegis.domains.common.links import LinkKind
from aegis.domains.common.listing import like_pattern
from aegis.domains.common.scope import within_unit
from aegis.domains.risks.schemas import RiskMatrix, RiskQuery
from aegis.models import (
    Asset,
    Control,
    Risk,
    RiskScoreChange,
    StoredSetting,
    risk_assets,
    risk_controls,
)
from aegis.models.enums import RiskStatus

EXACT_FILTERS = (
    "unit_id",
    "category",
    "owner_id",
    "treatment",
    "inherent_level",
    "residual_level",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
)
CURRENT_FILTERS = (
    ("current_likelihood", Risk.residual_likelihood, Risk.inherent_likelihood),
    ("current_impact", Risk.residual_impact, Risk.inherent_impact),
    ("current_level", Risk.residual_level, Risk.inherent_level),
)
SCORE_FILTERS = (
    ("min_inherent_score", Risk.inherent_score, "min"),
    ("max_inherent_score", Risk.inherent_score, "max"),
    ("min_residual_score", Risk.residual_score, "min"),
    ("max_residual_score", Risk.residual_score, "max"),
)


def visible(units: frozenset[int]) -> Select[Any]:
    """Risks of these units."""
    return select(Risk).where(in_units(Risk.unit_id, units))


def current(residual: Any, inherent: Any) -> Any:
    """SQL value of the current rating: the residual one once assessed, else the inherent one."""
    return case((has_residual(), residual), else_=inherent)


def acceptance_ran_out(today: date) -> ColumnElement[bool]:
    """SQL condition: the risk's acceptance has expired, whether or not its status says so yet.

    An accepted risk whose expiry day is before `today` counts as expired until the expiry
    is recorded (by `aegis risks expire-acceptances` or the risk's next change).
    """
    return or_(
        Risk.status == RiskStatus.ACCEPTANCE_EXPIRED.value,
        and_(Risk.status == RiskStatus.ACCEPTED.value, Risk.acceptance_expires_on < today),
    )


def shown_status(today: date) -> Any:
    """SQL value of the status as shown on `today` (see `acceptance_ran_out`)."""
    expired = and_(Risk.status == RiskStatus.ACCEPTED.value, Risk.acceptance_expires_on < today)
    return case((expired, RiskStatus.ACCEPTANCE_EXPIRED.value), else_=Risk.status)


def _status_is(status: RiskStatus, today: date) -> ColumnElement[bool]:
    """SQL condition: the status shown on `today` is this one (served by the status index)."""
    if status == RiskStatus.ACCEPTANCE_EXPIRED:
        return acceptance_ran_out(today)
    if status == RiskStatus.ACCEPTED:
        return and_(
            Risk.status == status.value,
            not_(func.coalesce(Risk.acceptance_expires_on < today, false())),
        )
    return Risk.status == status.value


def _states(query: RiskQuery, today: date, appetite: int | None) -> list[ColumnElement[bool]]:
    """Conditions of the yes/no filters, each negated when asked for false."""
    wanted: list[tuple[bool | None, ColumnElement[bool]]] = [
        (query.open, is_open()),
        (query.review_overdue, Risk.next_review_date < today),
        (query.acceptance_expired, acceptance_ran_out(today)),
    ]
    if query.above_appetite is not None:
        if appetite is None:
            raise ValueError("The above_appetite filter needs the matrix's appetite")
        score = current(Risk.residual_score, Risk.inherent_score)
        wanted.append((query.above_appetite, score > appetite))
    # a missing date is neither overdue nor expired: compare with false, never with null
    return [
        condition if value else not_(func.coalesce(condition, false()))
        for value, condition in wanted
        if value is not None
    ]


def filtered(
    units: frozenset[int],
    query: RiskQuery,
    *,
    today: date | None = None,
    appetite: int | None = None,
) -> Select[Any]:
    """Risks of these units matching the filters (`appetite` is needed by above_appetite).

    Review and acceptance dates are compared with `today`, by default the current UTC day.
    """
    today = today or utcnow().date()
    stmt = visible(units).where(*_states(query, today, appetite))
    if query.status is not None:
        stmt = stmt.where(_status_is(query.status, today))
    if query.q:
        pattern = like_pattern(query.q)
        stmt = stmt.where(
            or_(
                func.lower(Risk.title).like(pattern, escape="\\"),
                func.lower(Risk.ref).like(pattern, escape="\\"),
                func.lower(Risk.description).like(pattern, escape="\\"),
            )
        )
    for name in EXACT_FILTERS:
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Risk, name) == value)
    for name, column, bound in SCORE_FILTERS:
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(column >= value if bound == "min" else column <= value)
    if query.asset_id is not None:
        stmt = stmt.where(
            exists().where(
                risk_assets.c.risk_id == Risk.id, risk_assets.c.asset_id == query.asset_id
            )
        )
    if query.control_id is not None:
        stmt = stmt.where(
            exists().where(
                risk_controls.c.risk_id == Risk.id, risk_controls.c.control_id == query.control_id
            )
        )
    if query.within_unit_id is not None:
        stmt = stmt.where(within_unit(Risk.unit_id, query.within_unit_id))
    if query.review_due_before is not None:
        stmt = stmt.where(Risk.next_review_date < query.review_due_before)
    for name, residual, inherent in CURRENT_FILTERS:
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(current(residual, inherent) == value)
    return stmt


def get(
    session: Session, units: frozenset[int], risk_id: int, *, lock: bool = False
) -> Risk | None:
    """One risk of these units, optionally locked (and re-read) for an update."""
    stmt = visible(units).where(Risk.id == risk_id)
    return session.scalar(
        stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt
    )


def due_for_expiry(session: Session, today: date) -> list[Risk]:
    """Accepted risks of every unit whose acceptance ran out before `today`, locked."""
    stmt = (
        select(Risk)
        .where(Risk.status == RiskStatus.ACCEPTED.value, Risk.acceptance_expires_on < today)
        .order_by(Risk.id)
        .with_for_update()
    )
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def visible_control_ids(session: Session, units: frozenset[int], ids: Iterable[int]) -> set[int]:
    """Which of these control ids belong to these units."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    stmt = select(Control.id).where(Control.id.in_(wanted), in_units(Control.unit_id, units))
    return set(session.scalars(stmt))


ASSET_LINKS = LinkKind(risk_assets, "risk_id", "asset_id", lambda: select(Asset.id, Asset.unit_id))
CONTROL_LINKS = LinkKind(
    risk_controls, "risk_id", "control_id", lambda: select(Control.id, Control.unit_id)
)


def history(risk_id: int) -> Select[Any]:
    """The score history of one risk (the caller has checked the risk is visible)."""
    return select(RiskScoreChange).where(RiskScoreChange.risk_id == risk_id)


def stored_matrix(
    session: Session, key: str, *, lock: bool = False, shared: bool = False
) -> StoredSetting | None:
    """The stored matrix setting, optionally locked against a concurrent change."""
    stmt = select(StoredSetting).where(StoredSetting.key == key)
    if lock or shared:
        stmt = stmt.with_for_update(read=not lock)
    return session.scalar(stmt)


def save_matrix(
    session: Session, key: str, setting: StoredSetting | None, value: dict[str, Any]
) -> None:
    """Store the matrix value, creating the setting on first change."""
    if setting is None:
        session.add(StoredSetting(key=key, value=value))
    else:
        setting.value = value
    session.flush()


def count_beyond(session: Session, likelihood_levels: int, impact_levels: int) -> dict[str, int]:
    """How many risks, in any unit, rate likelihood or impact beyond these sizes."""
    likelihood = or_(
        Risk.inherent_likelihood > likelihood_levels, Risk.residual_likelihood > likelihood_levels
    )
    impact = or_(Risk.inherent_impact > impact_levels, Risk.residual_impact > impact_levels)
    row = session.execute(
        select(
            func.coalesce(func.sum(case((likelihood, 1), else_=0)), 0),
            func.coalesce(func.sum(case((impact, 1), else_=0)), 0),
        ).select_from(Risk)
    ).one()
    return {"likelihood": int(row[0]), "impact": int(row[1])}


def _level_case(likelihood: Any, impact: Any, matrix: RiskMatrix) -> Any:
    """SQL level of a rating: the level set for its cell by hand, else its score's band."""
    by_level: dict[str, list[ColumnElement[bool]]] = {}
    for cell in matrix.cell_levels:
        by_level.setdefault(cell.level, []).append(
            and_(likelihood == cell.likelihood, impact == cell.impact)
        )
    score = likelihood * impact
    whens = [(or_(*cells), level) for level, cells in by_level.items()]
    whens += [(score.between(b.min_score, b.max_score), b.name) for b in matrix.bands]
    return case(*whens, else_=None)


def recompute_all(session: Session, matrix: RiskMatrix) -> int:
    """Recompute every risk's scores and levels in one statement; return the rows touched."""
    inherent = (Risk.inherent_likelihood, Risk.inherent_impact)
    residual = (Risk.residual_likelihood, Risk.residual_impact)
    stmt = (
        update(Risk)
        .values(
            inherent_score=inherent[0] * inherent[1],
            inherent_level=_level_case(*inherent, matrix),
            residual_score=residual[0] * residual[1],
            residual_level=_level_case(*residual, matrix),
            updated_at=Risk.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    result = session.execute(stmt)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Risk):
            session.expire(obj)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def is_open() -> ColumnElement[bool]:
    """SQL condition: the risk is not closed."""
    return Risk.status != RiskStatus.CLOSED.value


def has_residual() -> ColumnElement[bool]:
    """SQL condition: the residual likelihood and impact are rated."""
    return Risk.residual_score.is_not(None)


def open_count_by_cell(
    session: Session, units: frozenset[int], *, current: bool
) -> dict[tuple[int, int], int]:
    """Open risks of these units per (likelihood, impact), grouped in the database.

    With `current`, a risk counts at its residual rating when it has one, else at its
    inherent rating.
    """
    likelihood: Any = Risk.inherent_likelihood
    impact: Any = Risk.inherent_impact
    if current:
        likelihood = case(
            (has_residual(), Risk.residual_likelihood), else_=Risk.inherent_likelihood
        )
        impact = case((has_residual(), Risk.residual_impact), else_=Risk.inherent_impact)
    stmt = (
        select(likelihood, impact, func.count())
        .where(in_units(Risk.unit_id, units), is_open())
        .group_by(likelihood, impact)
    )
    return {(int(l_), int(i_)): int(n) for l_, i_, n in session.execute(stmt)}


def top_open(
    session: Session, units: frozenset[int], limit: int, today: date | None = None
) -> list[Row[Any]]:
    """The open risks of these units with the highest current score, highest first."""
    score = case((has_residual(), Risk.residual_score), else_=Risk.inherent_score)
    level = case((has_residual(), Risk.residual_level), else_=Risk.inherent_level)
    stmt = (
        select(
            Risk.id,
            Risk.unit_id,
            Risk.title,
            shown_status(today or utcnow().date()).label("status"),
            score.label("score"),
            level.label("level"),
            has_residual().label("residual"),
        )
        .where(in_units(Risk.unit_id, units), is_open())
        .order_by(score.desc(), Risk.inherent_score.desc(), Risk.id)
        .limit(limit)
    )
    return list(session.execute(stmt))
