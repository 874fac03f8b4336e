"""The status workflow, the acceptance rules and the matrix consistency rules."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aegis.core.errors import ValidationFailed
from aegis.core.messages import choice_label
from aegis.domains.risks.errors import InvalidTransition
from aegis.domains.risks.matrix import DEFAULT_MATRIX, check_matrix, level_of_cell
from aegis.domains.risks.rules import (
    SET_BY_AEGIS,
    TRANSITIONS,
    Problems,
    check_acceptable,
    check_acceptance,
    check_new_status,
    check_ratings,
    check_transition,
    check_untouched_acceptance,
    shown_status,
)
from aegis.domains.risks.schemas import RiskBand, RiskMatrix
from aegis.models.enums import RiskStatus

S = RiskStatus
# the moves an edit may make; accepted and acceptance expired are set by Aegis only
ALLOWED = {
    (S.IDENTIFIED, S.ASSESSED),
    (S.IDENTIFIED, S.CLOSED),
    (S.ASSESSED, S.TREATMENT_PLANNED),
    (S.ASSESSED, S.CLOSED),
    (S.TREATMENT_PLANNED, S.IN_TREATMENT),
    (S.TREATMENT_PLANNED, S.CLOSED),
    (S.IN_TREATMENT, S.MONITORING),
    (S.IN_TREATMENT, S.CLOSED),
    (S.MONITORING, S.ASSESSED),
    (S.MONITORING, S.CLOSED),
    (S.ACCEPTED, S.ASSESSED),
    (S.ACCEPTED, S.CLOSED),
    (S.ACCEPTANCE_EXPIRED, S.ASSESSED),
    (S.ACCEPTANCE_EXPIRED, S.TREATMENT_PLANNED),
    (S.ACCEPTANCE_EXPIRED, S.IN_TREATMENT),
    (S.ACCEPTANCE_EXPIRED, S.CLOSED),
    (S.CLOSED, S.IDENTIFIED),
}
ACCEPTABLE = {S.ASSESSED, S.TREATMENT_PLANNED, S.IN_TREATMENT, S.ACCEPTED, S.ACCEPTANCE_EXPIRED}
TODAY = date(2030, 1, 15)


def test_every_status_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(RiskStatus)


@pytest.mark.parametrize(("current", "new"), list(itertools.product(RiskStatus, RiskStatus)))
def test_transition_is_allowed_exactly_when_the_table_says_so(current, new) -> None:
    if current == new or (current, new) in ALLOWED:
        check_transition(current, new)
        return
    with pytest.raises(InvalidTransition) as raised:
        check_transition(current, new)
    if new in SET_BY_AEGIS:
        assert raised.value.message == SET_BY_AEGIS[new]
        assert raised.value.details[0]["field"] == "status"
        return
    assert f"from {choice_label(current)} to {choice_label(new)};" in raised.value.message
    assert raised.value.details == [{"field": "status", "from": current.value, "to": new.value}]


@pytest.mark.parametrize("status", list(RiskStatus))
def test_a_new_risk_cannot_start_accepted_or_expired(status) -> None:
    if status not in SET_BY_AEGIS:
        check_new_status(status)
        return
    with pytest.raises(InvalidTransition) as raised:
        check_new_status(status)
    assert raised.value.details == [{"field": "status", "message": SET_BY_AEGIS[status]}]


@pytest.mark.parametrize("status", list(RiskStatus))
def test_acceptance_is_asked_for_assessed_planned_treated_or_renewed_risks(status) -> None:
    if status in ACCEPTABLE:
        check_acceptable(status)
        return
    with pytest.raises(InvalidTransition, match="cannot be accepted"):
        check_acceptable(status)


@pytest.mark.parametrize(
    ("status", "expires_on", "shown"),
    [
        (S.ACCEPTED, TODAY, S.ACCEPTED),  # the last accepted day
        (S.ACCEPTED, TODAY - timedelta(days=1), S.ACCEPTANCE_EXPIRED),
        (S.ACCEPTED, None, S.ACCEPTED),
        (S.ASSESSED, TODAY - timedelta(days=1), S.ASSESSED),
        (S.ACCEPTANCE_EXPIRED, TODAY - timedelta(days=9), S.ACCEPTANCE_EXPIRED),
    ],
)
def test_an_acceptance_shows_as_expired_from_the_day_after_its_end(
    status, expires_on, shown
) -> None:
    assert shown_status(status, expires_on, TODAY) == shown


def test_only_acceptance_fields_sent_with_another_value_are_named() -> None:
    stored = {
        "acceptance_approver_id": 7,
        "acceptance_justification": "Agreed",
        "acceptance_expires_on": TODAY,
    }
    problems = Problems()
    check_untouched_acceptance(
        {
            "acceptance_approver_id": 7,
            "acceptance_justification": "Agreed by me",
            "acceptance_expires_on": TODAY + timedelta(days=3650),
        },
        stored,
        problems,
    )
    assert [d["field"] for d in problems.details] == [
        "acceptance_justification",
        "acceptance_expires_on",
    ]
    untouched = Problems()
    check_untouched_acceptance({"acceptance_justification": ""}, {}, untouched)
    assert untouched.details == []


def _accepted(**fields):
    values = {
        "status": S.ACCEPTED,
        "treatment": "accept",
        "acceptance_approver_id": 7,
        "acceptance_justification": "Cost of mitigation exceeds the exposure",
        "acceptance_expires_on": TODAY + timedelta(days=90),
    }
    return {**values, **fields}


def _fields(values, *, check_expiry=True) -> list[str]:
    problems = Problems()
    check_acceptance(values, check_expiry=check_expiry, today=TODAY, problems=problems)
    return [d["field"] for d in problems.details]


def test_a_complete_acceptance_passes() -> None:
    assert _fields(_accepted()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"treatment": "mitigate"}, "treatment"),
        ({"treatment": None}, "treatment"),
        ({"acceptance_approver_id": None}, "acceptance_approver_id"),
        ({"acceptance_justification": "   "}, "acceptance_justification"),
        ({"acceptance_expires_on": None}, "acceptance_expires_on"),
        ({"acceptance_expires_on": TODAY}, "acceptance_expires_on"),
        ({"acceptance_expires_on": TODAY - timedelta(days=1)}, "acceptance_expires_on"),
    ],
)
def test_each_missing_acceptance_condition_is_named(change, field) -> None:
    assert _fields(_accepted(**change)) == [field]


def test_a_lapsed_expiry_is_tolerated_when_it_is_not_being_set() -> None:
    assert _fields(_accepted(acceptance_expires_on=TODAY), check_expiry=False) == []


def test_acceptance_rules_only_apply_to_accepted_risks() -> None:
    assert _fields({"status": S.ASSESSED}) == []


def _rating_fields(**values) -> list[str]:
    problems = Problems()
    check_ratings(values, DEFAULT_MATRIX, problems)
    return [d["field"] for d in problems.details]


def test_ratings_must_fit_the_matrix_and_residuals_come_in_pairs() -> None:
    assert _rating_fields(inherent_likelihood=5, inherent_impact=1) == []
    assert _rating_fields(inherent_likelihood=6, inherent_impact=0) == [
        "inherent_likelihood",
        "inherent_impact",
    ]
    assert _rating_fields(inherent_impact=2) == ["inherent_likelihood"]
    assert _rating_fields(inherent_likelihood=1, inherent_impact=1, residual_impact=2) == [
        "residual_likelihood"
    ]
    assert _rating_fields(inherent_likelihood=1, inherent_impact=1, residual_likelihood=2) == [
        "residual_impact"
    ]


def test_problems_are_raised_together() -> None:
    problems = Problems()
    problems.raise_if_any()
    problems.add("title", "bad")
    problems.add("owner_id", "unknown")
    with pytest.raises(ValidationFailed) as raised:
        problems.raise_if_any()
    assert [d["field"] for d in raised.value.details] == ["title", "owner_id"]


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1, "Low"),
        (5, "Low"),
        (6, "Medium"),
        (10, "Medium"),
        (11, "High"),
        (15, "High"),
        (16, "Critical"),
        (20, "Critical"),
        (25, "Critical"),
    ],
)
def test_default_bands(score, level) -> None:
    assert DEFAULT_MATRIX.band_of_score(score).name == level


def test_likelihood_4_impact_5_is_critical() -> None:
    assert level_of_cell(DEFAULT_MATRIX, 4, 5) == "Critical"


@given(st.integers(1, 5), st.integers(1, 5))
def test_every_cell_of_the_default_matrix_has_exactly_one_level(likelihood, impact) -> None:
    score = likelihood * impact
    matching = [b for b in DEFAULT_MATRIX.bands if b.min_score <= score <= b.max_score]
    assert len(matching) == 1
    assert level_of_cell(DEFAULT_MATRIX, likelihood, impact) == matching[0].name


def _band(name: str, low: int, high: int) -> RiskBand:
    return RiskBand(name=name, min_score=low, max_score=high, color="#123456")


def _matrix(*bands: RiskBand, size: int = 5) -> RiskMatrix:
    return RiskMatrix(likelihood_levels=size, impact_levels=size, bands=list(bands))


def _matrix_errors(matrix: RiskMatrix) -> list[str]:
    with pytest.raises(ValidationFailed) as raised:
        check_matrix(matrix)
    return [d["field"] for d in raised.value.details]


def test_default_matrix_is_consistent_and_bands_are_sorted() -> None:
    assert check_matrix(DEFAULT_MATRIX) == DEFAULT_MATRIX
    shuffled = _matrix(_band("High", 13, 25), _band("Low", 1, 12))
    assert [b.name for b in check_matrix(shuffled).bands] == ["Low", "High"]


def test_bands_with_a_gap_an_overlap_or_short_coverage_are_refused() -> None:
    assert _matrix_errors(_matrix(_band("Low", 1, 10), _band("High", 12, 25))) == [
        "bands.1.min_score"
    ]
    assert _matrix_errors(_matrix(_band("Low", 1, 10), _band("High", 10, 25))) == [
        "bands.1.min_score"
    ]
    assert _matrix_errors(_matrix(_band("Low", 2, 25))) == ["bands.0.min_score"]
    assert _matrix_errors(_matrix(_band("Low", 1, 20))) == ["bands.0.max_score"]
    assert _matrix_errors(_matrix(_band("Low", 1, 30))) == ["bands.0.max_score"]


def test_backwards_bands_and_duplicate_names_are_refused() -> None:
    assert "bands.1.max_score" in _matrix_errors(
        _matrix(_band("Low", 1, 10), _band("Mid", 11, 9), _band("High", 10, 25))
    )
    assert _matrix_errors(_matrix(_band("Low", 1, 10), _band("low", 11, 25))) == ["bands"]


def test_larger_matrices_must_cover_their_own_top_score() -> None:
    assert check_matrix(_matrix(_band("Low", 1, 50), _band("High", 51, 100), size=10))
    assert _matrix_errors(_matrix(_band("Low", 1, 25), size=10)) == ["bands.0.max_score"]
