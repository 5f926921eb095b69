"""A council's compositions over time (``councils.compositions``): pure, no database.

Terms are plain objects with ``full_name``, ``term_start`` and ``term_end`` (and here an
``end_reason``), as the council page passes its member rows.
"""

import datetime
import random
from types import SimpleNamespace

from councils.compositions import current, periods


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def term(full_name: str, start: str, end: str | None = None, end_reason: str = ""):
    return SimpleNamespace(
        full_name=full_name,
        term_start=d(start),
        term_end=d(end) if end else None,
        end_reason=end_reason,
    )


def by_name(member) -> str:
    return member.full_name


def shape(result) -> list[tuple]:
    """``(start, end or None, [names])`` of each period, as returned (newest first)."""
    return [
        (
            period.start.isoformat(),
            period.end.isoformat() if period.end else None,
            [m.full_name for m in period.members],
        )
        for period in result
    ]


def names(members) -> list[str]:
    return [m.full_name for m in members]


def test_an_empty_council_has_no_composition():
    assert periods([]) == []
    assert periods(iter(())) == []
    assert current([], today=d("2024-01-01")) == []


def test_one_open_term_is_one_open_period():
    chair = term("Асанова Айгүл", "2020-01-15")

    assert shape(periods([chair])) == [("2020-01-15", None, ["Асанова Айгүл"])]


def test_overlapping_terms_make_a_period_for_each_change_newest_first():
    first = term("Бакиев Нурлан", "2020-01-01", "2021-12-31")
    second = term("Осмонова Динара", "2021-06-01", "2022-12-31")

    result = periods([first, second], order=by_name)

    assert shape(result) == [
        ("2022-01-01", "2022-12-31", ["Осмонова Динара"]),
        ("2021-06-01", "2021-12-31", ["Бакиев Нурлан", "Осмонова Динара"]),
        ("2020-01-01", "2021-05-31", ["Бакиев Нурлан"]),
    ]
    # Newest first, and nothing after the last term ended: no open period.
    assert [p.start for p in result] == sorted((p.start for p in result), reverse=True)
    assert result[0].end is not None


def test_open_ended_terms_run_on_through_every_later_period():
    chair = term("Асанова Айгүл", "2020-01-01")  # no end: still on the council
    first = term("Бакиев Нурлан", "2020-01-01", "2020-12-31")
    second = term("Осмонова Динара", "2021-01-01")

    result = periods([first, chair, second], order=by_name)

    assert shape(result) == [
        ("2021-01-01", None, ["Асанова Айгүл", "Осмонова Динара"]),
        ("2020-01-01", "2020-12-31", ["Асанова Айгүл", "Бакиев Нурлан"]),
    ]
    # The open term is the very same row in both periods.
    assert result[0].members[0] is chair
    assert result[1].members[0] is chair


def test_a_term_ended_early_closes_its_period_on_the_end_day_with_its_reason():
    chair = term("Асанова Айгүл", "2020-01-01")
    resigned = term("Бакиев Нурлан", "2020-01-01", "2021-04-15", "Өз каалоосу менен кетти.")
    replacement = term("Осмонова Динара", "2021-05-01")

    result = periods([chair, resigned, replacement], order=by_name)

    assert shape(result) == [
        ("2021-05-01", None, ["Асанова Айгүл", "Осмонова Динара"]),
        ("2021-04-16", "2021-04-30", ["Асанова Айгүл"]),
        ("2020-01-01", "2021-04-15", ["Асанова Айгүл", "Бакиев Нурлан"]),
    ]
    ended = result[2].members[1]
    assert ended is resigned
    assert ended.end_reason == "Өз каалоосу менен кетти."


def test_a_gap_with_nobody_sitting_is_no_period():
    old = term("Бакиев Нурлан", "2018-01-01", "2019-12-31")
    new = term("Осмонова Динара", "2021-01-01")

    result = periods([new, old])

    assert shape(result) == [
        ("2021-01-01", None, ["Осмонова Динара"]),
        ("2018-01-01", "2019-12-31", ["Бакиев Нурлан"]),
    ]
    assert all(period.members for period in result)
    assert current([new, old], today=d("2020-06-01")) == []


def test_nobody_left_after_the_last_term_is_no_period():
    only = term("Бакиев Нурлан", "2018-01-01", "2019-12-31")

    assert shape(periods([only])) == [("2018-01-01", "2019-12-31", ["Бакиев Нурлан"])]


def test_a_member_sits_on_the_day_the_term_ends_and_not_the_day_after():
    leaving = term("Бакиев Нурлан", "2020-01-01", "2020-06-30")
    staying = term("Осмонова Динара", "2020-01-01")
    members = [leaving, staying]

    assert names(current(members, today=d("2020-06-30"), order=by_name)) == [
        "Бакиев Нурлан",
        "Осмонова Динара",
    ]
    assert names(current(members, today=d("2020-07-01"))) == ["Осмонова Динара"]
    assert shape(periods(members, order=by_name)) == [
        ("2020-07-01", None, ["Осмонова Динара"]),
        ("2020-01-01", "2020-06-30", ["Бакиев Нурлан", "Осмонова Динара"]),
    ]


def test_a_term_starting_and_ending_on_the_same_day_is_a_one_day_period():
    one_day = term("Бакиев Нурлан", "2020-03-10", "2020-03-10")
    staying = term("Осмонова Динара", "2020-01-01")

    assert shape(periods([one_day, staying], order=by_name)) == [
        ("2020-03-11", None, ["Осмонова Динара"]),
        ("2020-03-10", "2020-03-10", ["Бакиев Нурлан", "Осмонова Динара"]),
        ("2020-01-01", "2020-03-09", ["Осмонова Динара"]),
    ]


def test_a_re_appointment_without_a_gap_is_no_new_period():
    """A new term is a new row, but the same people sitting on: one composition."""
    first_term = term("Асанова Айгүл", "2020-01-01", "2021-12-31")
    second_term = term("Асанова  айгүл", "2022-01-01")  # same person, typed differently
    member = term("Осмонова Динара", "2020-01-01")

    result = periods([first_term, second_term, member], order=by_name)

    assert shape(result) == [("2020-01-01", None, ["Асанова Айгүл", "Осмонова Динара"])]


def test_a_re_appointment_after_a_gap_is_a_new_period():
    first_term = term("Асанова Айгүл", "2020-01-01", "2021-06-30")
    second_term = term("Асанова Айгүл", "2022-01-01")
    member = term("Осмонова Динара", "2020-01-01")

    result = periods([first_term, second_term, member], order=by_name)

    assert shape(result) == [
        ("2022-01-01", None, ["Асанова Айгүл", "Осмонова Динара"]),
        ("2021-07-01", "2021-12-31", ["Осмонова Динара"]),
        ("2020-01-01", "2021-06-30", ["Асанова Айгүл", "Осмонова Динара"]),
    ]
    assert result[0].members[0] is second_term
    assert result[2].members[0] is first_term


def test_consecutive_identical_compositions_are_one_period():
    """A change day on which nobody's seat changes does not split the composition: here
    a row ending before it starts (the database refuses it; an unsaved correction may
    hold it) brings the change days 2020-05-01 and 2020-03-02, and nobody sits for it."""
    chair = term("Асанова Айгүл", "2020-01-01")
    member = term("Осмонова Динара", "2020-01-01", "2020-12-31")
    impossible = term("Бакиев Нурлан", "2020-05-01", "2020-03-01")

    assert shape(periods([chair, member, impossible], order=by_name)) == [
        ("2021-01-01", None, ["Асанова Айгүл"]),
        ("2020-01-01", "2020-12-31", ["Асанова Айгүл", "Осмонова Динара"]),
    ]


def test_until_today_leaves_out_the_compositions_that_start_later():
    chair = term("Асанова Айгүл", "2020-01-01")
    leaving = term("Бакиев Нурлан", "2020-01-01", "2024-06-30")
    joining = term("Осмонова Динара", "2024-07-01")
    members = [chair, leaving, joining]

    assert shape(periods(members, order=by_name, until=d("2024-06-30"))) == [
        ("2020-01-01", "2024-06-30", ["Асанова Айгүл", "Бакиев Нурлан"]),
    ]
    # A composition starting today is shown.
    assert shape(periods(members, order=by_name, until=d("2024-07-01"))) == [
        ("2024-07-01", None, ["Асанова Айгүл", "Осмонова Динара"]),
        ("2020-01-01", "2024-06-30", ["Асанова Айгүл", "Бакиев Нурлан"]),
    ]
    assert periods([joining], until=d("2024-06-30")) == []


def test_current_is_who_sits_on_the_given_day_in_the_given_order():
    order = {"chair": 0, "deputy": 1, "secretary": 2, "member": 3}
    chair = term("Жумабаев Эрлан", "2021-01-01")
    chair.position = "chair"
    member = term("Абдыкадырова Чолпон", "2021-01-01")
    member.position = "member"
    deputy = term("Токтосунов Бакыт", "2021-01-01", "2022-12-31")
    deputy.position = "deputy"
    future = term("Иманалиева Жылдыз", "2030-01-01")
    future.position = "member"
    members = [member, future, deputy, chair]

    def by_position(m):
        return (order[m.position], m.full_name)

    assert current(members, today=d("2022-12-31"), order=by_position) == [chair, deputy, member]
    assert current(members, today=d("2023-01-01"), order=by_position) == [chair, member]
    assert current(members, today=d("2020-12-31")) == []
    # Without an order, the order given.
    assert current(members, today=d("2022-06-01")) == [member, deputy, chair]
    assert [m.position for m in periods(members, order=by_position)[0].members] == [
        "chair",
        "member",
        "member",
    ]


def _brute_force(members, first: datetime.date, last: datetime.date) -> list[tuple]:
    """Day by day: consecutive days with the same people are one period; empty days none;
    a period still going on ``last`` with someone on an open term is open."""
    found = []
    day = first
    while day <= last:
        sitting = frozenset(
            id(m)
            for m in members
            if m.term_start <= day and (m.term_end is None or day <= m.term_end)
        )
        if sitting and found and found[-1][2] == sitting and found[-1][1] == day:
            found[-1][1] = day + datetime.timedelta(days=1)
        elif sitting:
            found.append([day, day + datetime.timedelta(days=1), sitting])
        day += datetime.timedelta(days=1)
    result = []
    for start, after, sitting in found:
        end = after - datetime.timedelta(days=1)
        open_now = end == last and any(id(m) in sitting and m.term_end is None for m in members)
        result.append((start, None if open_now else end, sitting))
    return list(reversed(result))


def test_random_terms_match_a_day_by_day_count():
    """Many random councils (overlaps, gaps, open and one-day terms, re-appointments):
    the periods are exactly what counting day by day gives."""
    rng = random.Random(20240601)
    origin = d("2020-01-01")
    for _ in range(300):
        members = []
        for index in range(rng.randint(0, 7)):
            start = origin + datetime.timedelta(days=rng.randint(0, 60))
            end = (
                None if rng.random() < 0.3 else start + datetime.timedelta(days=rng.randint(0, 30))
            )
            members.append(SimpleNamespace(full_name=f"М{index}", term_start=start, term_end=end))
        last = origin + datetime.timedelta(days=100)  # after every change day
        expected = _brute_force(members, origin, last)

        got = [(p.start, p.end, frozenset(id(m) for m in p.members)) for p in periods(members)]

        assert got == expected, members
