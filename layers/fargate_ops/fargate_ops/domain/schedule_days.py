"""Which days a scaling period runs on: weekdays, month days and months, as people write them.

    weekdays:    mon, mon-fri, fri-mon (wraps), mon#2 (the 2nd Monday of the month), friL (its last Friday)
    month_days:  1, 1-7, L (the last day), 15-L (the 15th to the last), 15W (the weekday nearest the 15th),
                 LW (the month's last weekday)
    months:      jan, nov-feb (wraps), 1-12

The grammar is Instance Scheduler on AWS's (and cron's, for W); unlike cron, a day must match every
rule given (weekdays AND month days AND months), and a rule left out matches every day. A month day
the month does not have (31 in April, 30W in February) matches nothing that month.

Parsing normalises the terms (lower-case names, ``L``/``W`` upper-case) and raises ValueError with a
message that says what is allowed; the models put the field in front of it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

WEEKDAY_HELP = "mon..sun, mon-fri, mon#1..mon#5, friL"
MONTH_DAY_HELP = "1..31, ranges such as 1-7 or 15-L, L for the last day, 15W or LW for the nearest weekday"
MONTH_HELP = "jan..dec or 1..12, ranges such as nov-feb"

_DAY = "|".join(WEEKDAYS)
_WEEKDAY_TERM = re.compile(
    rf"^(?:(?P<one>{_DAY})(?:-(?P<to>{_DAY}))?|(?P<nth>{_DAY})#(?P<n>[1-5])|(?P<last>{_DAY})l)$"
)
_MONTH_DAY_TERM = re.compile(
    r"^(?:(?P<day>\d{1,2})(?:-(?P<to>\d{1,2}|l))?|(?P<last>l)|(?P<near>\d{1,2})w|(?P<lastw>lw))$"
)
_MONTH = "|".join(MONTHS)
_MONTH_TERM = re.compile(rf"^(?P<one>{_MONTH}|\d{{1,2}})(?:-(?P<to>{_MONTH}|\d{{1,2}}))?$")


def _terms(raw: object, what: str) -> list[object]:
    """A rule is one term, a comma-separated text ("mon-fri,sat") or a list of terms."""
    if isinstance(raw, str) or (isinstance(raw, int) and not isinstance(raw, bool)):
        items: list[object] = [raw]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise ValueError(f"{raw!r} is not a list of {what}")
    terms: list[object] = []
    for item in items:
        if isinstance(item, str):
            terms += [part.strip() for part in item.split(",")]
        else:
            terms.append(item)
    if not terms:
        raise ValueError(f"give at least one of the {what}, or leave the rule out to match every day")
    return terms


def _wrapping(first: int, last: int, size: int) -> list[int]:
    """first..last inclusive on a cycle (fri-mon is fri, sat, sun, mon)."""
    return [(first + i) % size for i in range((last - first) % size + 1)]


def parse_weekdays(raw: object) -> tuple[str, ...]:
    """Normalised weekday terms; ValueError names the first term that is not one."""
    out: list[str] = []
    for term in _terms(raw, "weekdays"):
        text = term.strip().lower() if isinstance(term, str) else None
        match = _WEEKDAY_TERM.match(text) if text else None
        if match is None or text is None:
            raise ValueError(f"{term!r} is not a weekday ({WEEKDAY_HELP})")
        out.append(f"{match['last']}L" if match["last"] else text)
    return tuple(dict.fromkeys(out))


def _month_day_number(text: str, term: object) -> int:
    day = int(text)
    if not 1 <= day <= 31:
        raise ValueError(f"{term!r} is not a month day ({MONTH_DAY_HELP})")
    return day


def parse_month_days(raw: object) -> tuple[int | str, ...]:
    """Normalised month-day terms (a single day stays a number)."""
    out: list[int | str] = []
    for term in _terms(raw, "month days"):
        if isinstance(term, int) and not isinstance(term, bool):
            out.append(_month_day_number(str(term), term))
            continue
        text = term.strip().lower() if isinstance(term, str) else ""
        match = _MONTH_DAY_TERM.match(text)
        if match is None:
            raise ValueError(f"{term!r} is not a month day ({MONTH_DAY_HELP})")
        if match["day"] and match["to"] is None:
            out.append(_month_day_number(match["day"], term))
        elif match["day"]:
            first = _month_day_number(match["day"], term)
            if match["to"] != "l" and _month_day_number(match["to"], term) < first:
                raise ValueError(f"{term!r} runs backwards (month-day ranges do not wrap: {MONTH_DAY_HELP})")
            out.append(f"{first}-{match['to'].upper()}")
        elif match["near"]:
            out.append(f"{_month_day_number(match['near'], term)}W")
        else:
            out.append(text.upper())
    return tuple(dict.fromkeys(out))


def _month_number(text: str, term: object) -> int:
    number = MONTHS.index(text) + 1 if text in MONTHS else int(text)
    if not 1 <= number <= 12:
        raise ValueError(f"{term!r} is not a month ({MONTH_HELP})")
    return number


def parse_months(raw: object) -> tuple[str, ...]:
    """Normalised month terms, as names (``1-3`` becomes ``jan-mar``)."""
    out: list[str] = []
    for term in _terms(raw, "months"):
        text = str(term).strip().lower() if isinstance(term, str | int) and not isinstance(term, bool) else ""
        match = _MONTH_TERM.match(text)
        if match is None:
            raise ValueError(f"{term!r} is not a month ({MONTH_HELP})")
        first = MONTHS[_month_number(match["one"], term) - 1]
        out.append(f"{first}-{MONTHS[_month_number(match['to'], term) - 1]}" if match["to"] else first)
    return tuple(dict.fromkeys(out))


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def nearest_weekday(year: int, month: int, target: int) -> date | None:
    """cron's ``nW``: the weekday nearest the target day, never outside the month (None if no such day)."""
    length = calendar.monthrange(year, month)[1]
    if target > length:
        return None
    day = date(year, month, target)
    if day.weekday() == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - timedelta(days=1) if target > 1 else day + timedelta(days=2)
    if day.weekday() == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return day + timedelta(days=1) if target < length else day - timedelta(days=2)
    return day


@dataclass(frozen=True)
class DayRule:
    """A compiled period day rule; a rule left out (None) matches every day."""

    weekdays: frozenset[int] | None = None
    nth_weekdays: frozenset[tuple[int, int]] = frozenset()  # (weekday, n): the nth such day of the month
    last_weekdays: frozenset[int] = frozenset()
    month_days: frozenset[int] | None = None
    from_day_to_last: frozenset[int] = frozenset()  # "15-L"
    near_weekday: frozenset[int] = frozenset()  # "15W"
    last_day: bool = False  # "L"
    last_weekday: bool = False  # "LW"
    months: frozenset[int] | None = None

    def matches(self, day: date) -> bool:
        if self.months is not None and day.month not in self.months:
            return False
        if self.weekdays is not None and not self._weekday_matches(day):
            return False
        return self.month_days is None or self._month_day_matches(day)

    def _weekday_matches(self, day: date) -> bool:
        weekday = day.weekday()
        return (
            weekday in (self.weekdays or ())
            or (weekday, (day.day - 1) // 7 + 1) in self.nth_weekdays
            or (weekday in self.last_weekdays and day.day + 7 > days_in_month(day))
        )

    def _month_day_matches(self, day: date) -> bool:
        length = days_in_month(day)
        if day.day in (self.month_days or ()) or (self.last_day and day.day == length):
            return True
        if any(day.day >= first for first in self.from_day_to_last):
            return True
        if any(nearest_weekday(day.year, day.month, target) == day for target in self.near_weekday):
            return True
        return self.last_weekday and day == nearest_weekday(day.year, day.month, length)


def _with_weekdays(rule: DayRule, terms: Iterable[str]) -> DayRule:
    plain: set[int] = set()
    nth: set[tuple[int, int]] = set()
    last: set[int] = set()
    for term in terms:
        if term.endswith("L"):
            last.add(WEEKDAYS.index(term[:-1]))
        elif "#" in term:
            name, n = term.split("#")
            nth.add((WEEKDAYS.index(name), int(n)))
        elif "-" in term:
            first, to = term.split("-")
            plain.update(_wrapping(WEEKDAYS.index(first), WEEKDAYS.index(to), 7))
        else:
            plain.add(WEEKDAYS.index(term))
    return replace(
        rule, weekdays=frozenset(plain), nth_weekdays=frozenset(nth), last_weekdays=frozenset(last)
    )


def _with_month_days(rule: DayRule, terms: Iterable[int | str]) -> DayRule:
    days: set[int] = set()
    to_last: set[int] = set()
    near: set[int] = set()
    for term in terms:
        if isinstance(term, int):
            days.add(term)
        elif term in ("L", "LW"):
            rule = replace(
                rule, last_day=rule.last_day or term == "L", last_weekday=rule.last_weekday or term == "LW"
            )
        elif term.endswith("W"):
            near.add(int(term[:-1]))
        elif term.endswith("-L"):
            to_last.add(int(term[:-2]))
        else:
            first, to = term.split("-")
            days.update(range(int(first), int(to) + 1))
    return replace(
        rule, month_days=frozenset(days), from_day_to_last=frozenset(to_last), near_weekday=frozenset(near)
    )


def _months(terms: Iterable[str]) -> frozenset[int]:
    months: set[int] = set()
    for term in terms:
        first, _, to = term.partition("-")
        start = MONTHS.index(first)
        months.update(m + 1 for m in _wrapping(start, MONTHS.index(to) if to else start, 12))
    return frozenset(months)


@lru_cache(maxsize=1024)
def day_rule(
    weekdays: tuple[str, ...] | None, month_days: tuple[int | str, ...] | None, months: tuple[str, ...] | None
) -> DayRule:
    """The rule for normalised terms (as the parse_* functions return them)."""
    rule = DayRule(months=_months(months) if months is not None else None)
    if weekdays is not None:
        rule = _with_weekdays(rule, weekdays)
    if month_days is not None:
        rule = _with_month_days(rule, month_days)
    return rule
