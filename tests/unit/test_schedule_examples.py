"""The schedule evaluator on real calendars: Tokyo office hours with a public holiday, New York's DST
changes, nth and last weekdays, overnight periods, overrides, one-offs and warm-up leads."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fargate_ops.domain.schedule import Edge, capacity_at, edges, next_edge
from fargate_ops.models.schedule import CapacitySpec, Schedule
from tests.unit.schedule_helpers import TICK, override, schedule, utc

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def office_hours(**extra: object) -> Schedule:
    return schedule(
        timezone="Asia/Tokyo",
        periods=[
            {"name": "office-hours", "begin": "09:00", "end": "18:00", "weekdays": "mon-fri", "desired": 4}
        ],
        holidays={"countries": ["JP"]},
        default={"desired": 0},
        **extra,
    )


def local_changes(found: list[Edge], tz: ZoneInfo) -> list[tuple[str, int | None]]:
    return [(e.at.astimezone(tz).strftime("%a %m-%d %H:%M"), e.after.desired) for e in found]


def test_a_tokyo_office_week_skips_labor_thanksgiving_day() -> None:
    week = edges(office_hours(), datetime(2026, 11, 22, tzinfo=TOKYO), datetime(2026, 11, 29, tzinfo=TOKYO))

    assert local_changes(week, TOKYO) == [
        ("Tue 11-24 09:00", 4),
        ("Tue 11-24 18:00", 0),
        ("Wed 11-25 09:00", 4),
        ("Wed 11-25 18:00", 0),
        ("Thu 11-26 09:00", 4),
        ("Thu 11-26 18:00", 0),
        ("Fri 11-27 09:00", 4),
        ("Fri 11-27 18:00", 0),
    ]
    assert week[0].at == utc(2026, 11, 24, 0)  # 09:00 JST is midnight UTC


def test_the_holiday_is_the_reason_with_its_name_in_the_language_asked_for() -> None:
    monday_10 = datetime(2026, 11, 23, 10, tzinfo=TOKYO)
    no_calendar = office_hours().model_copy(update={"holidays": None})
    assert capacity_at(no_calendar, monday_10).reason.kind == "period"  # without the calendar, a workday

    answer = capacity_at(office_hours(), monday_10)
    in_japanese = capacity_at(
        schedule(
            timezone="Asia/Tokyo",
            periods=[{"desired": 4}],
            holidays={"countries": [{"country": "JP", "language": "ja"}]},
            holiday={"desired": 1},
        ),
        monday_10,
    )

    assert (answer.reason.kind, answer.reason.name, answer.desired) == (
        "holiday",
        "Labor Thanksgiving Day (JP)",
        0,
    )
    assert (in_japanese.reason.name, in_japanese.desired) == ("勤労感謝の日 (JP)", 1)


def test_a_subdivision_calendar_adds_its_own_holidays() -> None:
    # 2026-02-16 is Washington's Birthday (federal); Lincoln's Birthday, 2026-02-12, is a New York holiday.
    new_york = schedule(
        timezone="America/New_York", periods=[{"desired": 2}], holidays={"countries": ["US-NY"]}
    )
    federal = schedule(timezone="America/New_York", periods=[{"desired": 2}], holidays={"countries": ["US"]})
    noon = datetime(2026, 2, 12, 12, tzinfo=NEW_YORK)

    assert capacity_at(new_york, noon).reason.kind == "holiday"
    assert capacity_at(federal, noon).reason.kind == "period"
    assert capacity_at(federal, datetime(2026, 2, 16, 12, tzinfo=NEW_YORK)).reason.kind == "holiday"


def night_shift(**extra: object) -> Schedule:
    return schedule(
        timezone="America/New_York",
        periods=[{"name": "night", "begin": "22:00", "end": "06:00", "desired": 2}],
        default={"desired": 0},
        **extra,
    )


def test_the_night_window_across_the_spring_forward_lasts_seven_hours() -> None:
    found = edges(
        night_shift(), datetime(2026, 3, 7, 12, tzinfo=NEW_YORK), datetime(2026, 3, 8, 12, tzinfo=NEW_YORK)
    )

    assert local_changes(found, NEW_YORK) == [("Sat 03-07 22:00", 2), ("Sun 03-08 06:00", 0)]
    assert found[1].at - found[0].at == timedelta(hours=7)


def test_the_night_window_across_the_fall_back_lasts_nine_hours() -> None:
    found = edges(
        night_shift(), datetime(2026, 10, 31, 12, tzinfo=NEW_YORK), datetime(2026, 11, 1, 12, tzinfo=NEW_YORK)
    )

    assert [e.at for e in found] == [utc(2026, 11, 1, 2), utc(2026, 11, 1, 11)]  # 22:00 EDT, 06:00 EST


def test_a_window_beginning_in_the_spring_forward_gap_begins_at_0300() -> None:
    gap = schedule(
        timezone="America/New_York",
        periods=[{"begin": "02:30", "end": "04:00", "weekdays": "sun", "desired": 3}],
        default={"desired": 0},
    )

    found = edges(gap, utc(2026, 3, 8), utc(2026, 3, 9))

    assert [(e.at, e.after.desired) for e in found] == [(utc(2026, 3, 8, 7), 3), (utc(2026, 3, 8, 8), 0)]


def test_a_window_in_the_repeated_hour_takes_the_first_occurrence_of_both_ends() -> None:
    fold = schedule(
        timezone="America/New_York",
        periods=[{"begin": "01:00", "end": "01:45", "weekdays": "sun", "desired": 3}],
        default={"desired": 0},
    )

    found = edges(fold, utc(2026, 11, 1), utc(2026, 11, 2))

    # 01:00-01:45 EDT only; the second 01:00-01:45 (EST) is outside the window
    assert [(e.at, e.after.desired) for e in found] == [
        (utc(2026, 11, 1, 5), 3),
        (utc(2026, 11, 1, 5, 45), 0),
    ]


def test_an_overnight_period_belongs_to_the_day_it_begins_on() -> None:
    friday_nights = schedule(
        timezone="Asia/Tokyo", periods=[{"begin": "22:00", "end": "06:00", "weekdays": "fri", "desired": 2}]
    )

    assert capacity_at(friday_nights, datetime(2026, 11, 28, 5, 59, tzinfo=TOKYO)).desired == 2  # Saturday
    assert capacity_at(friday_nights, datetime(2026, 11, 28, 6, 0, tzinfo=TOKYO)).reason.kind == "saved"
    assert capacity_at(friday_nights, datetime(2026, 11, 28, 22, 30, tzinfo=TOKYO)).reason.kind == "saved"


def test_month_day_l_in_february_of_a_leap_year_is_the_29th() -> None:
    month_end = schedule(periods=[{"month_days": "L", "months": "feb", "desired": 5}], default={"desired": 1})

    found = edges(month_end, utc(2028, 2, 1), utc(2028, 3, 2))

    assert [(e.at, e.after.desired) for e in found] == [(utc(2028, 2, 29), 5), (utc(2028, 3, 1), 1)]


def test_the_second_monday_and_the_last_friday_of_each_month() -> None:
    monthly = schedule(
        periods=[
            {"name": "review", "weekdays": "mon#2", "begin": "10:00", "end": "12:00", "desired": 3},
            {"name": "close", "weekdays": "friL", "begin": "16:00", "end": "20:00", "desired": 6},
        ],
        default={"desired": 1},
    )

    found = edges(monthly, utc(2026, 1, 1), utc(2026, 3, 1))

    assert [(e.at, e.after.reason.name) for e in found if e.scale_out] == [
        (utc(2026, 1, 12, 10), "review"),
        (utc(2026, 1, 30, 16), "close"),
        (utc(2026, 2, 9, 10), "review"),
        (utc(2026, 2, 27, 16), "close"),
    ]


def test_overlapping_periods_hold_the_higher_capacity_and_the_first_listed_on_a_tie() -> None:
    overlapping = schedule(
        periods=[
            {"name": "base", "begin": "08:00", "end": "20:00", "desired": 2},
            {"name": "peak", "begin": "12:00", "end": "14:00", "desired": 6},
            {"name": "same", "begin": "08:00", "end": "20:00", "desired": 2},
            {"name": "bounded", "begin": "12:00", "end": "14:00", "min": 6, "max": 12},
        ]
    )

    assert capacity_at(overlapping, utc(2026, 5, 1, 9)).reason.name == "base"
    noon = capacity_at(overlapping, utc(2026, 5, 1, 12))
    assert (noon.reason.name, noon.size) == ("bounded", (None, 6, 12))  # same floor, higher ceiling


def test_an_override_holds_until_it_expires_then_the_schedule_resumes() -> None:
    until = datetime(2026, 11, 24, 23, 0, tzinfo=TOKYO)
    keep = override(until, desired=6)

    assert capacity_at(office_hours(), until - TICK, [keep]).reason.kind == "override"
    assert capacity_at(office_hours(), until, [keep]).reason.kind == "default"
    found = edges(
        office_hours(), datetime(2026, 11, 24, 12, tzinfo=TOKYO), datetime(2026, 11, 25, tzinfo=TOKYO), [keep]
    )
    assert [(e.at, e.before.desired, e.after.desired) for e in found] == [(until.astimezone(TOKYO), 6, 0)]
    assert found[0].before.reason.until == until


def test_overrides_of_two_services_at_once_are_refused() -> None:
    both = [override(utc(2026, 1, 2), service="a"), override(utc(2026, 1, 2), service="b")]

    with pytest.raises(ValueError, match="one service at a time"):
        capacity_at(office_hours(), utc(2026, 1, 1), both)


def pre_peak(**extra: object) -> Schedule:
    return office_hours(
        one_off=[{"name": "pre-peak", "begin": "2026-12-24 18:00", "end": "2026-12-24 23:00", "desired": 8}],
        **extra,
    )


def test_a_one_off_window_wins_over_the_periods_and_the_holidays() -> None:
    on_holiday = office_hours(
        one_off=[{"begin": "2026-11-23 10:00", "end": "2026-11-23 12:00", "desired": 3}]
    )

    assert capacity_at(pre_peak(), datetime(2026, 12, 24, 20, tzinfo=TOKYO)).reason.name == "pre-peak"
    assert capacity_at(on_holiday, datetime(2026, 11, 23, 11, tzinfo=TOKYO)).size == (3, None, None)
    assert capacity_at(on_holiday, datetime(2026, 11, 23, 12, tzinfo=TOKYO)).reason.kind == "holiday"


def test_warm_up_brings_scale_outs_forward_and_leaves_scale_ins_alone() -> None:
    day = edges(
        pre_peak(warm_up="10m"), datetime(2026, 12, 24, tzinfo=TOKYO), datetime(2026, 12, 25, tzinfo=TOKYO)
    )

    assert local_changes(day, TOKYO) == [
        ("Thu 12-24 08:50", 4),
        ("Thu 12-24 17:50", 8),
        ("Thu 12-24 23:00", 0),
    ]
    assert day[1].window_start == datetime(2026, 12, 24, 18, tzinfo=TOKYO)
    assert capacity_at(pre_peak(warm_up="10m"), datetime(2026, 12, 24, 8, 55, tzinfo=TOKYO)).reason.ahead_of


def test_a_dip_shorter_than_the_warm_up_is_not_scaled_in() -> None:
    split = schedule(
        periods=[
            {"begin": "09:00", "end": "12:00", "desired": 4},
            {"begin": "12:05", "end": "18:00", "desired": 4},
        ],
        default={"desired": 0},
        warm_up=600,
    )

    found = edges(split, utc(2026, 5, 1), utc(2026, 5, 2))

    assert [(e.at, e.after.desired) for e in found] == [(utc(2026, 5, 1, 8, 50), 4), (utc(2026, 5, 1, 18), 0)]


def test_a_warm_up_ahead_of_a_smaller_window_does_not_scale_in_early() -> None:
    # the pre-peak 8 ends at 23:00; a night window of 4 begins at 23:05 with a 10-minute lead
    late = pre_peak(warm_up="10m").model_copy(
        update={
            "periods": (*pre_peak().periods, *schedule(periods=[{"begin": "23:05", "desired": 4}]).periods)
        }
    )

    day = edges(late, datetime(2026, 12, 24, 20, tzinfo=TOKYO), datetime(2026, 12, 25, tzinfo=TOKYO))

    assert local_changes(day, TOKYO) == [("Thu 12-24 23:00", 4)]  # 8 to the end, then straight to 4


def test_an_override_is_not_cut_short_by_a_warm_up() -> None:
    keep = override(datetime(2026, 12, 24, 18, tzinfo=TOKYO), desired=2)

    at_1755 = capacity_at(pre_peak(warm_up="10m"), datetime(2026, 12, 24, 17, 55, tzinfo=TOKYO), [keep])

    assert (at_1755.reason.kind, at_1755.desired) == ("override", 2)


def test_without_a_default_the_saved_capacity_comes_back_and_warm_up_needs_to_know_it() -> None:
    only_peak = schedule(
        timezone="Asia/Tokyo",
        one_off=[{"name": "pre-peak", "begin": "2026-12-24 18:00", "end": "2026-12-24 23:00", "desired": 8}],
        warm_up="10m",
    )
    start, end = datetime(2026, 12, 24, tzinfo=TOKYO), datetime(2026, 12, 25, tzinfo=TOKYO)

    unknown = edges(only_peak, start, end)
    known = edges(only_peak, start, end, saved=CapacitySpec(desired=2))

    assert local_changes(unknown, TOKYO) == [("Thu 12-24 18:00", 8), ("Thu 12-24 23:00", None)]
    assert local_changes(known, TOKYO) == [("Thu 12-24 17:50", 8), ("Thu 12-24 23:00", 2)]
    assert known[1].after.reason.kind == "saved"


def test_next_edge_looks_past_quiet_weeks() -> None:
    monthly = schedule(periods=[{"weekdays": "mon#2", "desired": 3}], default={"desired": 0})

    found = next_edge(monthly, utc(2026, 1, 13))

    assert found is not None and found.at == utc(2026, 2, 9)
    assert next_edge(monthly, utc(2026, 2, 9)) == edges(monthly, utc(2026, 2, 10), utc(2026, 2, 11))[0]
    assert next_edge(schedule(default={"desired": 1}), utc(2026, 1, 1)) is None


def test_edges_refuse_a_backwards_or_huge_range() -> None:
    with pytest.raises(ValueError, match="after start"):
        edges(office_hours(), utc(2026, 1, 2), utc(2026, 1, 1))
    with pytest.raises(ValueError, match="at most 400 days"):
        edges(office_hours(), utc(2026, 1, 1), utc(2027, 6, 1))
