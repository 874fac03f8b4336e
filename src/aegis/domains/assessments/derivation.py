"""The rules turning control statuses and evidence into results, and results into a score."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from aegis.models.enums import ControlStatus, ResultStatus

ACHIEVED = (ControlStatus.IMPLEMENTED, ControlStatus.PARTIALLY_IMPLEMENTED)


def derive(control_statuses: Iterable[str], has_current_evidence: bool) -> ResultStatus:
    """The result of a requirement from its mapped controls and whether current evidence exists."""
    statuses = list(control_statuses)
    if not statuses:
        return ResultStatus.NOT_ASSESSED
    applicable = [s for s in statuses if s != ControlStatus.NOT_APPLICABLE]
    if not applicable:
        return ResultStatus.NOT_APPLICABLE
    if all(s == ControlStatus.IMPLEMENTED for s in applicable):
        return ResultStatus.COMPLIANT if has_current_evidence else ResultStatus.PARTIALLY_COMPLIANT
    if any(s in ACHIEVED for s in applicable):
        return ResultStatus.PARTIALLY_COMPLIANT
    return ResultStatus.NON_COMPLIANT


def count(results: Iterable[ResultStatus]) -> dict[ResultStatus, int]:
    """How many requirements have each result (every result present, zero when none)."""
    found = Counter(results)
    return {status: found.get(status, 0) for status in ResultStatus}


def score(counts: dict[ResultStatus, int]) -> float | None:
    """100 × (compliant + ½ partially compliant) / applicable requirements, to one decimal."""
    applicable = sum(n for s, n in counts.items() if s != ResultStatus.NOT_APPLICABLE)
    if applicable == 0:
        return None
    achieved = Decimal(counts[ResultStatus.COMPLIANT]) + Decimal(
        counts[ResultStatus.PARTIALLY_COMPLIANT]
    ) / Decimal(2)
    value = (Decimal(100) * achieved / Decimal(applicable)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(value)
