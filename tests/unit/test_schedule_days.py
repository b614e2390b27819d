"""The period day rules (weekdays, nth and last weekdays, month days with L and W, months).

The property compares the compiled rules with ``oracle_matches``, which reads a rule straight off
its definition (tests/unit/schedule_helpers.py), over any rule and any month.
"""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fargate_ops.domain.schedule_days import (
    day_rule,
    parse_month_days,
    parse_months,
    parse_weekdays,
)
from tests.unit.schedule_helpers import month_day_terms, month_terms, oracle_matches, weekday_terms


@settings(max_examples=300, deadline=None)
@given(
    st.none() | st.lists(weekday_terms, min_size=1, max_size=4),
    st.none() | st.lists(month_day_terms, min_size=1, max_size=4),
    st.none() | st.lists(month_terms, min_size=1, max_size=3),
    st.integers(1950, 2100),
    st.integers(1, 12),
)
def test_a_rule_matches_exactly_the_days_of_a_month_its_definition_names(
    weekdays: list[str] | None,
    month_days: list[int | str] | None,
    months: list[str] | None,
    year: int,
    month: int,
) -> None:
    terms = (
        parse_weekdays(weekdays) if weekdays else None,
        parse_month_days(month_days) if month_days else None,
        parse_months(months) if months else None,
    )
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]

    assert [day_rule(*terms).matches(day) for day in days] == [oracle_matches(*terms, day) for day in days]


def _days_of(year: int, month: int, weekdays: str | None = None, month_days: object = None) -> list[int]:
    rule = day_rule(
        parse_weekdays(weekdays) if weekdays else None,
        parse_month_days(month_days) if month_days else None,
        None,
    )
    return [
        d for d in range(1, calendar.monthrange(year, month)[1] + 1) if rule.matches(date(year, month, d))
    ]


def test_mon_2_is_the_second_monday_of_the_month() -> None:
    assert _days_of(2026, 1, "mon#2") == [12]
    assert _days_of(2026, 2, "mon#2") == [9]


def test_fri_l_is_the_last_friday_of_the_month() -> None:
    assert _days_of(2026, 1, "friL") == [30]
    assert _days_of(2026, 2, "friL") == [27]


def test_a_fifth_weekday_matches_only_in_months_that_have_one() -> None:
    assert _days_of(2026, 1, "fri#5") == [30]
    assert _days_of(2026, 2, "fri#5") == []


def test_l_is_the_29th_in_a_leap_february_and_the_28th_otherwise() -> None:
    assert _days_of(2028, 2, month_days="L") == [29]
    assert _days_of(2027, 2, month_days="L") == [28]
    assert _days_of(2027, 2, month_days=29) == []


def test_w_is_the_nearest_weekday_and_never_leaves_the_month() -> None:
    # 2026-08-01 is a Saturday: 1W is Monday the 3rd, not Friday 31 July; 2026-05-31 is a Sunday.
    assert _days_of(2026, 8, month_days="1W") == [3]
    assert _days_of(2026, 5, month_days="LW") == [29]
    assert _days_of(2026, 2, month_days="30W") == []


def test_weekday_and_month_ranges_wrap_and_month_day_ranges_do_not() -> None:
    assert _days_of(2026, 6, "fri-mon")[:4] == [1, 5, 6, 7]
    assert parse_months("nov-feb") == ("nov-feb",)
    with pytest.raises(ValueError, match="runs backwards"):
        parse_month_days("20-10")


def test_every_rule_given_must_match() -> None:
    # the first Monday (weekdays) that is also within the first three days (month days): only in June 2026
    assert _days_of(2026, 6, "mon", "1-3") == [1]
    assert _days_of(2026, 7, "mon", "1-3") == []


@pytest.mark.parametrize(
    ("parse", "raw", "message"),
    [
        (parse_weekdays, "mon#6", "'mon#6' is not a weekday (mon..sun, mon-fri, mon#1..mon#5, friL)"),
        (parse_weekdays, "monday", "'monday' is not a weekday"),
        (parse_weekdays, [], "give at least one of the weekdays"),
        (parse_month_days, 0, "0 is not a month day (1..31"),
        (parse_month_days, "L-3", "'L-3' is not a month day"),
        (parse_month_days, True, "True is not"),
        (parse_months, "13", "'13' is not a month (jan..dec or 1..12"),
    ],
)
def test_a_term_that_is_not_one_is_named_with_what_is_allowed(
    parse: object, raw: object, message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        parse(raw)  # type: ignore[operator]

    assert str(raised.value).startswith(message)


def test_terms_are_normalised_whatever_the_case_and_spacing() -> None:
    assert parse_weekdays(" Mon-FRI, FRIl ,mon#2") == ("mon-fri", "friL", "mon#2")
    assert parse_month_days(["l", "15w", "15-l", "lw", 3]) == ("L", "15W", "15-L", "LW", 3)
    assert parse_months([1, "3-4", "DEC"]) == ("jan", "mar-apr", "dec")
