"""Use cases of the risk register and its matrix."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from typing import Any, Literal

from sqlalchemy import Select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.domains.assets import service as assets
from aegis.domains.common import links, versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.ranks import ranked
from aegis.domains.common.refs import require_free_ref
from aegis.domains.risks import repository as repo
from aegis.domains.risks.errors import MatrixInUse, RiskNotFound
from aegis.domains.risks.expiry import expire_due, expire_if_due
from aegis.domains.risks.matrix import DEFAULT_MATRIX, SETTING_KEY, check_matrix, level_of_cell
from aegis.domains.risks.rules import (
    Problems,
    check_acceptance,
    check_new_status,
    check_ratings,
    check_transition,
    check_untouched_acceptance,
    next_statuses,
    shown_status,
)
from aegis.domains.risks.schemas import (
    CurrentRiskRead,
    RiskCreate,
    RiskHistoryQuery,
    RiskMatrix,
    RiskQuery,
    RiskRead,
    RiskScoreChangeRead,
    RiskUpdate,
)
from aegis.domains.risks.search import find_risks as find_risks
from aegis.domains.units import service as units
from aegis.domains.users import service as users
from aegis.models import Risk, RiskScoreChange
from aegis.models.enums import RiskStatus

FIELDS = (
    "unit_id",
    "ref",
    "title",
    "description",
    "category",
    "owner_id",
    "status",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "treatment_plan",
    "treatment_due_date",
    "acceptance_approver_id",
    "acceptance_justification",
    "acceptance_expires_on",
    "next_review_date",
)
SCORES = ("inherent_score", "inherent_level", "residual_score", "residual_level")
RATINGS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
REQUIRED = (
    "unit_id",
    "ref",
    "title",
    "category",
    "status",
    "inherent_likelihood",
    "inherent_impact",
)
TEXTS = ("description", "treatment_plan", "acceptance_justification")
USER_REFERENCES = ("owner_id",)
SORTABLE = {
    "title": Risk.title,
    "status": ranked(Risk.status, RiskStatus),
    "category": Risk.category,
    "inherent_score": Risk.inherent_score,
    "residual_score": Risk.residual_score,
    "created_at": Risk.created_at,
    "updated_at": Risk.updated_at,
    "next_review_date": Risk.next_review_date,
    "id": Risk.id,
}
NULLABLE_SORTS = {"residual_score": Risk.residual_score, "next_review_date": Risk.next_review_date}
HISTORY_SORTABLE = {"changed_at": RiskScoreChange.changed_at}
MATRIX_ENTITY_ID = 0  # the matrix is a single object; audit events still need an id


def _read_many(session: Session, principal: Principal, risks: list[Risk]) -> list[RiskRead]:
    ids = [r.id for r in risks]
    linked_assets = links.load(session, repo.ASSET_LINKS, ids, principal.readable)
    linked_controls = links.load(session, repo.CONTROL_LINKS, ids, principal.readable)
    today = utcnow().date()
    return [
        RiskRead.model_validate(
            {
                **{f: getattr(r, f) for f in (*FIELDS, *SCORES, *versions.META_FIELDS)},
                "status": shown_status(r.status, r.acceptance_expires_on, today),
                "asset_ids": linked_assets.visible.get(r.id, []),
                "control_ids": linked_controls.visible.get(r.id, []),
                "hidden_links": links.hidden_counts(
                    r.id, asset_ids=linked_assets, control_ids=linked_controls
                ),
            }
        )
        for r in risks
    ]


def audit_view(session: Session, risk: Risk) -> dict[str, Any]:
    """Every field and link of the risk, including links its editor cannot see."""
    nobody = frozenset[int]()
    asset_ids = links.load(session, repo.ASSET_LINKS, [risk.id], nobody).everything
    control_ids = links.load(session, repo.CONTROL_LINKS, [risk.id], nobody).everything
    return snapshot(
        risk,
        (*FIELDS, *SCORES),
        asset_ids=asset_ids.get(risk.id, []),
        control_ids=control_ids.get(risk.id, []),
    )


def _sorted(stmt: Select[Any], sort: str | None, today: date) -> Select[Any]:
    nullable = NULLABLE_SORTS.get((sort or "").removeprefix("-"))
    if nullable is not None:
        stmt = stmt.order_by(nullable.is_(None))  # empty values last on every engine
    # statuses in the order of a risk's life, as shown on `today` (an expired acceptance too)
    columns = {**SORTABLE, "status": ranked(repo.shown_status(today), RiskStatus)}
    return apply_sort(stmt, sort, columns, (Risk.id,))


def list_risks(*, session: Session, principal: Principal, query: RiskQuery) -> Page[RiskRead]:
    """List the risks of the caller's units."""
    appetite = None if query.above_appetite is None else _matrix(session).appetite_score
    today = utcnow().date()
    filtered = repo.filtered(principal.readable, query, today=today, appetite=appetite)
    stmt = _sorted(filtered, query.sort, today)
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_read_many(session, principal, rows), total, query)


def _get(session: Session, principal: Principal, risk_id: int, *, lock: bool = False) -> Risk:
    risk = repo.get(session, principal.readable, risk_id, lock=lock)
    if risk is None:
        raise RiskNotFound("Risk not found")
    return risk


def get_risk(*, session: Session, principal: Principal, risk_id: int) -> RiskRead:
    """Return one risk of the caller's units."""
    return _read_many(session, principal, [_get(session, principal, risk_id)])[0]


def get_risk_history(
    *, session: Session, principal: Principal, risk_id: int, query: RiskHistoryQuery
) -> Page[RiskScoreChangeRead]:
    """The score history of one risk, oldest first."""
    risk = _get(session, principal, risk_id)
    stmt = apply_sort(repo.history(risk.id), query.sort, HISTORY_SORTABLE, (RiskScoreChange.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of([RiskScoreChangeRead.model_validate(r) for r in rows], total, query)


def _matrix(session: Session, *, shared: bool = False) -> RiskMatrix:
    setting = repo.stored_matrix(session, SETTING_KEY, shared=shared)
    return DEFAULT_MATRIX if setting is None else RiskMatrix.model_validate(setting.value)


def _scores(values: Mapping[str, Any], matrix: RiskMatrix) -> dict[str, Any]:
    scores: dict[str, Any] = {}
    for kind in ("inherent", "residual"):
        likelihood, impact = values[f"{kind}_likelihood"], values[f"{kind}_impact"]
        rated = likelihood is not None and impact is not None
        scores[f"{kind}_score"] = likelihood * impact if rated else None
        scores[f"{kind}_level"] = level_of_cell(matrix, likelihood, impact) if rated else None
    return scores


def _check_references(
    session: Session, principal: Principal, values: Mapping[str, Any], problems: Problems
) -> None:
    checks: list[Callable[[], None]] = [
        partial(
            users.require_visible_user,
            session=session,
            principal=principal,
            user_id=values[name],
            field=name,
        )
        for name in USER_REFERENCES
        if values.get(name) is not None
    ]
    if values.get("asset_ids"):
        checks.append(
            partial(
                assets.require_visible_assets,
                session=session,
                principal=principal,
                asset_ids=values["asset_ids"],
                field="asset_ids",
            )
        )
    for check in checks:
        try:
            check()
        except ValidationFailed as exc:
            problems.details.extend(exc.details)
    if values.get("control_ids"):
        missing = set(values["control_ids"]) - repo.visible_control_ids(
            session, principal.readable, values["control_ids"]
        )
        if missing:
            problems.add("control_ids", f"Unknown control ids: {sorted(missing)}")


def _validate(
    session: Session,
    principal: Principal,
    final: Mapping[str, Any],
    changes: Mapping[str, Any],
    matrix: RiskMatrix,
    *,
    status_changed: bool,
    references: Mapping[str, Any],
    stored: Mapping[str, Any],
) -> None:
    problems = Problems()
    check_ratings(final, matrix, problems)
    check_untouched_acceptance(changes, stored, problems)
    if status_changed or "treatment" in changes:
        check_acceptance(
            final,
            check_expiry=status_changed or "acceptance_expires_on" in changes,
            today=utcnow().date(),
            problems=problems,
        )
    _check_references(session, principal, references, problems)
    problems.raise_if_any()


def _record_scores(session: Session, principal: Principal, risk: Risk) -> None:
    session.add(
        RiskScoreChange(
            risk_id=risk.id,
            changed_at=utcnow(),
            changed_by_id=principal.user_id,
            **{
                name: getattr(risk, name) for name in (*RATINGS, "inherent_score", "residual_score")
            },
        )
    )


def _replace_links(
    session: Session, principal: Principal, risk: Risk, values: Mapping[str, Any]
) -> None:
    """Set the assets and controls the caller sent; links they cannot see are kept."""
    for name, kind in (("asset_ids", repo.ASSET_LINKS), ("control_ids", repo.CONTROL_LINKS)):
        if values.get(name) is not None:
            links.replace_visible(session, kind, risk.id, values[name], principal.readable)


def create_risk(*, session: Session, principal: Principal, data: RiskCreate) -> RiskRead:
    """Add a risk to a unit the caller may change, with its first score history row."""
    principal.require_write(data.unit_id)
    check_new_status(data.status)
    matrix = _matrix(session, shared=True)
    values = data.model_dump()
    _validate(
        session,
        principal,
        values,
        values,
        matrix,
        status_changed=True,
        references=values,
        stored={},
    )
    require_free_ref(session, Risk, unit_id=data.unit_id, ref=data.ref, except_id=None, what="risk")
    risk = Risk(**{name: values[name] for name in FIELDS}, **_scores(values, matrix))
    session.add(risk)
    session.flush()
    _replace_links(session, principal, risk, values)
    _record_scores(session, principal, risk)
    session.flush()
    after = audit_view(session, risk)
    record(session, principal, "create", "risk", risk.id, risk.unit_id, after=after)
    return get_risk(session=session, principal=principal, risk_id=risk.id)


def _changes(data: RiskUpdate) -> dict[str, Any]:
    changes = data.model_dump(exclude_unset=True)
    problems = Problems()
    for name in REQUIRED:
        if name in changes and changes[name] is None:
            problems.add(name, "This field cannot be empty")
    problems.raise_if_any()
    return {
        name: "" if name in TEXTS and value is None else value for name, value in changes.items()
    }


def update_risk(
    *, session: Session, principal: Principal, risk_id: int, data: RiskUpdate
) -> RiskRead:
    """Change a risk; moving it needs write access to both units."""
    risk = _get(session, principal, risk_id, lock=True)
    principal.require_write(risk.unit_id)
    changes = _changes(data)
    expected = versions.expected_version(changes)
    versions.require_current(session, risk, expected, entity_type="risk", what="risk")
    if changes.get("unit_id", risk.unit_id) != risk.unit_id:
        principal.require_write(changes["unit_id"])
    expire_if_due(session, risk, utcnow().date())
    current = RiskStatus(risk.status)
    new_status = changes.get("status", current)
    check_transition(current, new_status)
    matrix = _matrix(session, shared=True)
    stored = {name: getattr(risk, name) for name in FIELDS}
    final = {**stored, **changes}
    kept = set(USER_REFERENCES) - links.changed_values(changes, risk, USER_REFERENCES).keys()
    references = {name: value for name, value in changes.items() if name not in kept}
    _validate(
        session,
        principal,
        final,
        changes,
        matrix,
        status_changed=new_status != current,
        references=references,
        stored=stored,
    )
    if "unit_id" in changes or "ref" in changes:
        unit_id, ref = changes.get("unit_id", risk.unit_id), changes.get("ref", risk.ref)
        require_free_ref(session, Risk, unit_id=unit_id, ref=ref, except_id=risk.id, what="risk")
    before = audit_view(session, risk)
    ratings_changed = any(final[name] != getattr(risk, name) for name in RATINGS)
    for name in FIELDS:
        if name in changes:
            setattr(risk, name, changes[name])
    for name, value in _scores(final, matrix).items():
        setattr(risk, name, value)
    _replace_links(session, principal, risk, changes)
    session.flush()
    if ratings_changed:
        _record_scores(session, principal, risk)
        session.flush()
    after = versions.saved(session, risk, before, audit_view(session, risk))
    record(session, principal, "update", "risk", risk.id, risk.unit_id, before, after)
    return get_risk(session=session, principal=principal, risk_id=risk.id)


def delete_risk(*, session: Session, principal: Principal, risk_id: int) -> None:
    """Delete a risk with its links and score history."""
    risk = _get(session, principal, risk_id, lock=True)
    principal.require_write(risk.unit_id)
    before = audit_view(session, risk)
    unit_id = risk.unit_id
    session.delete(risk)
    session.flush()
    record(session, principal, "delete", "risk", risk_id, unit_id, before=before)


def allowed_next_statuses(current: RiskStatus | str) -> list[RiskStatus]:
    """The statuses an edit may move a risk to from `current`, in life-cycle order."""
    return next_statuses(current)


def status_shown(
    *, status: RiskStatus | str, acceptance_expires_on: date | None, today: date | None = None
) -> RiskStatus:
    """The status a stored risk shows: acceptance expired as soon as its acceptance ran out."""
    return shown_status(status, acceptance_expires_on, today or utcnow().date())


def expire_acceptances(*, session: Session, today: date | None = None) -> int:
    """Record every acceptance that ran out (in any unit); return how many risks changed."""
    return expire_due(session=session, today=today or utcnow().date())


def get_risk_matrix(*, session: Session) -> RiskMatrix:
    """The matrix in force (the default 5×5 until an administrator changes it)."""
    return _matrix(session)


def update_risk_matrix(*, session: Session, principal: Principal, data: RiskMatrix) -> RiskMatrix:
    """Replace the matrix (root administrators only) and recompute every risk's levels."""
    root = units.resolve_unit_ref(session=session, ref=None)
    principal.require_admin(root.id)
    matrix = check_matrix(data)
    setting = repo.stored_matrix(session, SETTING_KEY, lock=True)
    before = DEFAULT_MATRIX if setting is None else RiskMatrix.model_validate(setting.value)
    beyond = repo.count_beyond(session, matrix.likelihood_levels, matrix.impact_levels)
    details = [
        {
            "field": f"{axis}_levels",
            "risks": count,
            "message": f"{count} risk(s) rate {axis} higher",
        }
        for axis, count in beyond.items()
        if count
    ]
    if details:
        raise MatrixInUse(
            "Stored risks use ratings the new matrix would not have; re-rate them first",
            details=details,
        )
    value = matrix.model_dump(mode="json")
    repo.save_matrix(session, SETTING_KEY, setting, value)
    repo.recompute_all(session, matrix)
    record(
        session,
        principal,
        "update",
        "risk_matrix",
        MATRIX_ENTITY_ID,
        root.id,
        before.model_dump(mode="json"),
        value,
    )
    return matrix


def count_open_risks_by_cell(
    *, session: Session, principal: Principal, rating: Literal["inherent", "current"]
) -> dict[tuple[int, int], int]:
    """Open risks of the caller's units per (likelihood, impact) cell, counted in the database.

    The current rating is the residual one once assessed, else the inherent one.
    """
    return repo.open_count_by_cell(session, principal.readable, current=rating == "current")


def top_open_risks(
    *, session: Session, principal: Principal, limit: int = 5
) -> list[CurrentRiskRead]:
    """The open risks of the caller's units with the highest current score, highest first."""
    return [
        CurrentRiskRead(
            id=row.id,
            unit_id=row.unit_id,
            title=row.title,
            status=row.status,
            score=row.score,
            level=row.level,
            residual=bool(row.residual),
        )
        for row in repo.top_open(session, principal.readable, limit)
    ]
