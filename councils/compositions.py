"""A council's composition over time, from its members' terms (no database).

A term covers its start and end days; an open term (no end) runs on. The
composition changes on the day a term starts and on the day after one ends;
between two such days it is one period. Consecutive periods with the same
people (by e-mail, else by name: a re-appointment without a gap changes
nothing) are one; days when nobody sat on the council are no period at all.
"""

import datetime
from dataclasses import dataclass, field

ONE_DAY = datetime.timedelta(days=1)


@dataclass
class Period:
    start: datetime.date
    end: datetime.date | None  # None: still the composition
    members: list = field(default_factory=list)


def _person(member) -> str:
    """Who sits, whatever the term row: a re-appointment without a gap is no new period."""
    email = getattr(member, "email", "") or ""
    return email.casefold() or " ".join(member.full_name.casefold().split())


def _covers(member, day: datetime.date) -> bool:
    return member.term_start <= day and (member.term_end is None or day <= member.term_end)


def periods(members, *, order=None, until: datetime.date | None = None) -> list[Period]:
    """The compositions of a council, newest first; ``members`` are term rows with
    ``term_start`` and ``term_end``; ``order`` sorts the people within a period.
    With ``until`` (today), compositions that only start later are left out."""
    members = list(members)
    if not members:
        return []
    changes = sorted(
        {m.term_start for m in members}
        | {m.term_end + ONE_DAY for m in members if m.term_end not in (None, datetime.date.max)}
    )
    result: list[Period] = []
    for index, start in enumerate(changes):
        if until is not None and start > until:
            break
        end = changes[index + 1] - ONE_DAY if index + 1 < len(changes) else None
        sitting = [m for m in members if _covers(m, start)]
        if not sitting:
            continue
        if order is not None:
            sitting.sort(key=order)
        previous = result[-1] if result else None
        if (
            previous is not None
            and previous.end is not None
            and previous.end + ONE_DAY == start
            and {_person(m) for m in previous.members} == {_person(m) for m in sitting}
        ):
            previous.end = end
            continue
        result.append(Period(start, end, sitting))
    return list(reversed(result))


def current(members, *, today: datetime.date, order=None) -> list:
    sitting = [m for m in members if _covers(m, today)]
    if order is not None:
        sitting.sort(key=order)
    return sitting
