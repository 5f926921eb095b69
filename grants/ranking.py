"""Scores, ranking and allocation: plain arithmetic, no database.

The rules (also in grants/README.md):

- A review's weighted score is the sum of points times weights, divided by the
  sum of maximum points times weights, times 100 (so it is out of 100).
- An application's score is the mean of its submitted reviews.
- Applications at or above the pass mark are ranked by score. Ties are broken
  by the points on the criteria in order of weight (heaviest first, then the
  competition's order of criteria, each as a share of its maximum), then by
  the earlier submission of the version that counts, then by reference.
- Awards go in rank order, each the requested amount (or the amount the
  officer reduced it to), while the budget lasts. The first application that
  does not fit stops the allocation: it and every one ranked after it form the
  reserve list. The officer may reduce an amount to make it fit.
- Two reviews of one application that differ by more than the divergence
  threshold flag the application; the chair can add a reviewer.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

AWARDED = "awarded"
RESERVE = "reserve"
BELOW_PASS_MARK = "below_pass_mark"


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(scores: list[tuple[int, int, Decimal]]) -> Decimal:
    """Out of 100, from ``(points, max_points, weight)`` per criterion."""
    possible = sum(Decimal(maximum) * weight for _, maximum, weight in scores)
    if not possible:
        return Decimal(0)
    earned = sum(Decimal(points) * weight for points, _, weight in scores)
    return _round(earned * 100 / possible)


def mean(values: list[Decimal]) -> Decimal | None:
    return _round(sum(values, Decimal(0)) / len(values)) if values else None


def is_divergent(totals: list[Decimal], threshold: Decimal) -> bool:
    return len(totals) > 1 and max(totals) - min(totals) > threshold


@dataclass
class Candidate:
    """An admitted application as the ranking sees it."""

    application_id: int
    reference: str
    requested: Decimal
    review_totals: list[Decimal]
    # Mean share of the maximum per criterion, heaviest criterion first (the tie rule).
    criterion_shares: list[Decimal] = field(default_factory=list)
    submitted_at: datetime.datetime | None = None
    reduced_to: Decimal | None = None

    @property
    def score(self) -> Decimal | None:
        return mean(self.review_totals)

    @property
    def amount(self) -> Decimal:
        return self.reduced_to if self.reduced_to is not None else self.requested


@dataclass
class Placement:
    candidate: Candidate
    score: Decimal | None
    result: str
    rank: int | None = None
    amount: Decimal = Decimal(0)


def _order(candidate: Candidate):
    submitted = candidate.submitted_at or datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return (
        -candidate.score,
        [-share for share in candidate.criterion_shares],
        submitted,
        candidate.reference,
    )


def rank_and_allocate(
    candidates: list[Candidate], *, budget: Decimal, pass_mark: Decimal
) -> list[Placement]:
    """Every candidate placed: ranked ones first in rank order, then those below the mark."""
    passing = [c for c in candidates if c.score is not None and c.score >= pass_mark]
    failing = [c for c in candidates if c not in passing]
    placements = []
    remaining = budget
    budget_exhausted = False
    for rank, candidate in enumerate(sorted(passing, key=_order), start=1):
        amount = candidate.amount
        if not budget_exhausted and amount <= remaining:
            remaining -= amount
            placements.append(Placement(candidate, candidate.score, AWARDED, rank, amount))
        else:
            budget_exhausted = True
            placements.append(Placement(candidate, candidate.score, RESERVE, rank))
    failing.sort(key=lambda c: (-(c.score or 0), c.reference))
    placements += [Placement(c, c.score, BELOW_PASS_MARK) for c in failing]
    return placements
