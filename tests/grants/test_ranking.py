"""The arithmetic of the evaluation (grants/ranking.py): no database."""

import datetime
from decimal import Decimal as D

import pytest

from grants.ranking import (
    AWARDED,
    BELOW_PASS_MARK,
    RESERVE,
    Candidate,
    is_divergent,
    mean,
    rank_and_allocate,
    weighted_total,
)

MONDAY = datetime.datetime(2026, 2, 2, 9, 0, tzinfo=datetime.UTC)


def at(minutes: int) -> datetime.datetime:
    return MONDAY + datetime.timedelta(minutes=minutes)


def candidate(reference, totals, requested="100", *, shares=(), submitted=None, reduced=None):
    return Candidate(
        application_id=int(reference.rsplit("-", 1)[-1]),
        reference=reference,
        requested=D(requested),
        review_totals=[D(str(t)) for t in totals],
        criterion_shares=[D(str(s)) for s in shares],
        submitted_at=submitted,
        reduced_to=D(reduced) if reduced is not None else None,
    )


def summary(placements):
    """``(reference, result, rank, amount)`` in the order placed."""
    return [(p.candidate.reference, p.result, p.rank, p.amount) for p in placements]


# weighted_total


def test_full_marks_are_100_whatever_the_scale():
    assert weighted_total([(10, 10, D("1.5")), (5, 5, D("0.5"))]) == D("100.00")


def test_the_total_is_normalised_to_100():
    # 7 of 10 with equal weights of one criterion: 70 of 100.
    assert weighted_total([(7, 10, D(1))]) == D("70.00")
    # (5 + 5) / (10 + 5) of 100.
    assert weighted_total([(5, 10, D(1)), (5, 5, D(1))]) == D("66.67")


def test_weights_count_the_points_of_heavier_criteria_more():
    # Full marks on the heavier criterion only: 2·10 / (2·10 + 1·5).
    assert weighted_total([(10, 10, D(2)), (0, 5, D(1))]) == D("80.00")
    # Full marks on the lighter one: 1·5 / 25.
    assert weighted_total([(0, 10, D(2)), (5, 5, D(1))]) == D("20.00")


def test_zero_points_and_no_criteria_are_zero():
    assert weighted_total([(0, 10, D(1)), (0, 5, D(3))]) == D("0.00")
    assert weighted_total([]) == D(0)


def test_the_total_is_rounded_half_up_to_the_cent():
    assert weighted_total([(1, 3, D(1))]) == D("33.33")
    assert weighted_total([(2, 3, D(1))]) == D("66.67")
    # 1/800 of 100 is 0.125 exactly: half up gives 0.13 (banker's rounding would give 0.12).
    assert weighted_total([(1, 800, D(1))]) == D("0.13")


# mean


def test_mean_of_reviews_is_rounded_half_up():
    assert mean([D("80"), D("81")]) == D("80.50")
    assert mean([D("80.01"), D("80.02")]) == D("80.02")  # 80.015
    assert mean([D("100"), D("0"), D("0")]) == D("33.33")
    assert mean([D("100"), D("100"), D("0")]) == D("66.67")


def test_no_reviews_have_no_mean():
    assert mean([]) is None
    assert candidate("SSO-1", []).score is None


def test_a_candidates_score_is_the_mean_of_its_reviews():
    assert candidate("SSO-1", ["70", "75.55"]).score == D("72.78")  # 72.775


# is_divergent


@pytest.mark.parametrize(
    ("totals", "divergent"),
    [
        (["50", "80"], False),  # exactly the threshold
        (["50", "80.01"], True),
        (["80.01", "50"], True),
        (["50.00", "79.99"], False),
        (["20", "45", "50.01"], True),  # the widest pair counts
        (["100"], False),
        ([], False),
    ],
)
def test_reviews_diverge_only_by_more_than_the_threshold(totals, divergent):
    assert is_divergent([D(t) for t in totals], D(30)) is divergent


# rank_and_allocate


def test_awards_go_in_order_of_score_while_the_budget_lasts():
    placements = rank_and_allocate(
        [
            candidate("SSO-3", ["70"], "50"),
            candidate("SSO-1", ["90"], "100"),
            candidate("SSO-2", ["80"], "100"),
        ],
        budget=D("250"),
        pass_mark=D("60"),
    )
    assert summary(placements) == [
        ("SSO-1", AWARDED, 1, D("100")),
        ("SSO-2", AWARDED, 2, D("100")),
        ("SSO-3", AWARDED, 3, D("50")),
    ]
    assert [p.score for p in placements] == [D("90.00"), D("80.00"), D("70.00")]


def test_an_amount_equal_to_what_is_left_fits():
    placements = rank_and_allocate(
        [candidate("SSO-1", ["90"], "120"), candidate("SSO-2", ["80"], "80")],
        budget=D("200"),
        pass_mark=D("60"),
    )
    assert [p.result for p in placements] == [AWARDED, AWARDED]


def test_the_first_that_does_not_fit_stops_the_allocation_even_if_a_later_one_would_fit():
    placements = rank_and_allocate(
        [
            candidate("SSO-1", ["95"], "100"),
            candidate("SSO-2", ["90"], "150"),  # 100 left: does not fit
            candidate("SSO-3", ["85"], "50"),  # would fit, but the documented rule stops at SSO-2
            candidate("SSO-4", ["80"], "10"),
        ],
        budget=D("200"),
        pass_mark=D("60"),
    )
    assert summary(placements) == [
        ("SSO-1", AWARDED, 1, D("100")),
        ("SSO-2", RESERVE, 2, D("0")),
        ("SSO-3", RESERVE, 3, D("0")),
        ("SSO-4", RESERVE, 4, D("0")),
    ]


def test_a_budget_smaller_than_the_first_request_makes_everyone_reserve():
    placements = rank_and_allocate(
        [candidate("SSO-1", ["95"], "300"), candidate("SSO-2", ["90"], "50")],
        budget=D("200"),
        pass_mark=D("60"),
    )
    assert [(p.result, p.rank) for p in placements] == [(RESERVE, 1), (RESERVE, 2)]


def test_a_reduced_amount_makes_an_application_fit():
    ranked = [
        candidate("SSO-1", ["95"], "100"),
        candidate("SSO-2", ["90"], "150"),
        candidate("SSO-3", ["85"], "50"),
    ]
    before = rank_and_allocate(ranked, budget=D("200"), pass_mark=D("60"))
    assert [p.result for p in before] == [AWARDED, RESERVE, RESERVE]

    ranked[1].reduced_to = D("100")
    after = rank_and_allocate(ranked, budget=D("200"), pass_mark=D("60"))
    assert summary(after) == [
        ("SSO-1", AWARDED, 1, D("100")),
        ("SSO-2", AWARDED, 2, D("100")),  # the reduced amount, not the 150 requested
        ("SSO-3", RESERVE, 3, D("0")),
    ]


def test_a_score_exactly_at_the_pass_mark_passes():
    placements = rank_and_allocate(
        [candidate("SSO-1", ["60", "60"]), candidate("SSO-2", ["59.99"])],
        budget=D("1000"),
        pass_mark=D("60"),
    )
    assert summary(placements) == [
        ("SSO-1", AWARDED, 1, D("100")),
        ("SSO-2", BELOW_PASS_MARK, None, D("0")),
    ]


def test_a_mean_that_rounds_up_to_the_pass_mark_passes():
    # 59.995 is 60.00 to the cent.
    placements = rank_and_allocate(
        [candidate("SSO-1", ["59.99", "60.00"])], budget=D("1000"), pass_mark=D("60")
    )
    assert placements[0].result == AWARDED


def test_below_the_pass_mark_come_last_by_score_then_reference_and_get_nothing():
    placements = rank_and_allocate(
        [
            candidate("SSO-4", ["40"]),
            candidate("SSO-2", ["50"]),
            candidate("SSO-3", ["40"]),
            candidate("SSO-1", ["90"]),
        ],
        budget=D("1000"),
        pass_mark=D("60"),
    )
    assert summary(placements) == [
        ("SSO-1", AWARDED, 1, D("100")),
        ("SSO-2", BELOW_PASS_MARK, None, D("0")),
        ("SSO-3", BELOW_PASS_MARK, None, D("0")),
        ("SSO-4", BELOW_PASS_MARK, None, D("0")),
    ]


def test_an_application_without_reviews_is_never_ranked():
    placements = rank_and_allocate(
        [candidate("SSO-1", []), candidate("SSO-2", ["10"])],
        budget=D("1000"),
        pass_mark=D("0"),  # even a pass mark of 0 needs a score
    )
    assert summary(placements) == [
        ("SSO-2", AWARDED, 1, D("100")),
        ("SSO-1", BELOW_PASS_MARK, None, D("0")),
    ]
    assert placements[1].score is None


def test_nothing_to_rank():
    assert rank_and_allocate([], budget=D("1000"), pass_mark=D("60")) == []


# Ties


def test_a_tie_goes_to_the_higher_share_of_the_heaviest_criterion():
    placements = rank_and_allocate(
        [
            # Listed first, earlier reference and earlier submission: still second.
            candidate("SSO-1", ["80"], shares=["0.7", "0.95"], submitted=at(0)),
            candidate("SSO-2", ["80"], shares=["0.9", "0.6"], submitted=at(5)),
        ],
        budget=D("100"),
        pass_mark=D("60"),
    )
    assert summary(placements) == [
        ("SSO-2", AWARDED, 1, D("100")),
        ("SSO-1", RESERVE, 2, D("0")),
    ]


def test_equal_on_the_heaviest_criterion_the_next_one_decides():
    placements = rank_and_allocate(
        [
            candidate("SSO-1", ["80"], shares=["0.8", "0.5", "1"], submitted=at(0)),
            candidate("SSO-2", ["80"], shares=["0.8", "0.7", "0"], submitted=at(5)),
        ],
        budget=D("1000"),
        pass_mark=D("60"),
    )
    assert [p.candidate.reference for p in placements] == ["SSO-2", "SSO-1"]
    assert [p.rank for p in placements] == [1, 2]


def test_equal_on_every_criterion_the_earlier_submission_wins():
    placements = rank_and_allocate(
        [
            candidate("SSO-1", ["80"], shares=["0.8", "0.8"], submitted=at(10)),
            candidate("SSO-2", ["80"], shares=["0.8", "0.8"], submitted=at(3)),
        ],
        budget=D("100"),
        pass_mark=D("60"),
    )
    assert summary(placements) == [
        ("SSO-2", AWARDED, 1, D("100")),
        ("SSO-1", RESERVE, 2, D("0")),
    ]


def test_equal_in_everything_the_reference_decides():
    placements = rank_and_allocate(
        [
            candidate("SSO-2", ["80"], shares=["0.8"], submitted=at(0)),
            candidate("SSO-1", ["80"], shares=["0.8"], submitted=at(0)),
        ],
        budget=D("100"),
        pass_mark=D("60"),
    )
    assert [p.candidate.reference for p in placements] == ["SSO-1", "SSO-2"]


def test_an_unknown_submission_time_counts_as_the_latest():
    placements = rank_and_allocate(
        [
            candidate("SSO-1", ["80"], shares=["0.8"], submitted=None),
            candidate("SSO-2", ["80"], shares=["0.8"], submitted=at(60)),
        ],
        budget=D("1000"),
        pass_mark=D("60"),
    )
    assert [p.candidate.reference for p in placements] == ["SSO-2", "SSO-1"]


def test_the_score_decides_before_any_tie_rule():
    placements = rank_and_allocate(
        [
            candidate("SSO-1", ["80"], shares=["1", "1"], submitted=at(0)),
            candidate("SSO-2", ["80.01"], shares=["0", "0"], submitted=at(9)),
        ],
        budget=D("1000"),
        pass_mark=D("60"),
    )
    assert [p.candidate.reference for p in placements] == ["SSO-2", "SSO-1"]
