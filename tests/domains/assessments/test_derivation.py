"""Each rule deriving a requirement's result, and the compliance score formula."""

from __future__ import annotations

import pytest

from aegis.domains.assessments.derivation import count, derive, score
from aegis.models.enums import ResultStatus as R

IMPL, PART, NOT, PLAN, NA = (
    "implemented",
    "partially_implemented",
    "not_implemented",
    "planned",
    "not_applicable",
)


@pytest.mark.parametrize(
    ("statuses", "evidence", "expected"),
    [
        ([], True, R.NOT_ASSESSED),
        ([], False, R.NOT_ASSESSED),
        ([NA], True, R.NOT_APPLICABLE),
        ([NA, NA], False, R.NOT_APPLICABLE),
        ([IMPL], True, R.COMPLIANT),
        ([IMPL, IMPL, NA], True, R.COMPLIANT),
        ([IMPL], False, R.PARTIALLY_COMPLIANT),
        ([IMPL, NA], False, R.PARTIALLY_COMPLIANT),
        ([PART], True, R.PARTIALLY_COMPLIANT),
        ([PART], False, R.PARTIALLY_COMPLIANT),
        ([IMPL, PART], True, R.PARTIALLY_COMPLIANT),
        ([IMPL, NOT], True, R.PARTIALLY_COMPLIANT),
        ([IMPL, PLAN], False, R.PARTIALLY_COMPLIANT),
        ([NOT], True, R.NON_COMPLIANT),
        ([PLAN, NOT, NA], True, R.NON_COMPLIANT),
        ([PLAN], False, R.NON_COMPLIANT),
    ],
)
def test_derivation_rules(statuses, evidence, expected):
    assert derive(statuses, evidence) == expected


def test_counts_list_every_result_status():
    counts = count([R.COMPLIANT, R.COMPLIANT, R.NOT_ASSESSED])
    assert counts == {
        R.COMPLIANT: 2,
        R.PARTIALLY_COMPLIANT: 0,
        R.NON_COMPLIANT: 0,
        R.NOT_APPLICABLE: 0,
        R.NOT_ASSESSED: 1,
    }


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([R.COMPLIANT], 100.0),
        ([R.COMPLIANT, R.NON_COMPLIANT], 50.0),
        ([R.PARTIALLY_COMPLIANT, R.NON_COMPLIANT], 25.0),
        # not assessed counts against the score; not applicable does not count at all
        ([R.COMPLIANT, R.NOT_ASSESSED, R.NOT_APPLICABLE, R.NOT_APPLICABLE], 50.0),
        ([R.COMPLIANT, R.PARTIALLY_COMPLIANT, R.NON_COMPLIANT], 50.0),
        ([R.COMPLIANT, R.NON_COMPLIANT, R.NON_COMPLIANT], 33.3),
        ([R.COMPLIANT, R.COMPLIANT, R.NON_COMPLIANT], 66.7),
        ([R.PARTIALLY_COMPLIANT] + [R.NON_COMPLIANT] * 7, 6.3),  # 6.25 rounds half up
        ([R.NOT_APPLICABLE, R.NOT_APPLICABLE], None),
        ([], None),
        ([R.NOT_ASSESSED], 0.0),
    ],
)
def test_score_formula(results, expected):
    assert score(count(results)) == expected
