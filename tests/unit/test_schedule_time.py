"""Local times as instants across DST changes: gaps start after the gap, repeated times take the first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fargate_ops.domain.schedule import capacity_at, edges
from fargate_ops.domain.schedule_days import WEEKDAYS
from fargate_ops.domain.schedule_time import check_instant, day_start, local_day, to_instant, zone
from tests.unit.schedule_helpers import DST_DAYS, DST_ZONES, clock_times, grid, schedule, utc

NEW_YORK = ZoneInfo("America/New_York")
SECOND = timedelta(seconds=1)


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


local_times_near_changes = st.builds(
    lambda day, shift, minute: (
        datetime.combine(day + timedelta(days=shift), time(0)) + timedelta(minutes=minute)
    ),
    st.sampled_from(DST_DAYS),
    st.integers(-1, 1),
    st.integers(0, 24 * 60 - 1),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DST_ZONES), local_times_near_changes)
def test_a_local_time_is_itself_the_first_time_it_occurs_or_the_end_of_its_gap(
    name: str, local: datetime
) -> None:
    tz = ZoneInfo(name)

    instant = to_instant(local, tz)

    first = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == local:  # the time exists: its first occurrence
        assert instant == first
        assert instant <= local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    else:  # a gap: the instant the clock jumps, the first one whose wall time is past the gap
        assert _wall(instant - SECOND, tz) < local < _wall(instant, tz)
        assert (instant - SECOND).astimezone(tz).utcoffset() != instant.astimezone(tz).utcoffset()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DST_ZONES), local_times_near_changes, st.integers(1, 180))
def test_a_later_local_time_is_never_an_earlier_instant(name: str, local: datetime, minutes: int) -> None:
    tz = ZoneInfo(name)

    assert to_instant(local, tz) <= to_instant(local + timedelta(minutes=minutes), tz)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(DST_ZONES), st.sampled_from(DST_DAYS), clock_times, clock_times)
def test_a_period_across_midnight_on_a_dst_night_is_one_continuous_window(
    name: str, day: date, begin: str, end: str
) -> None:
    begin, end = max(begin, end), min(begin, end)
    if begin == end:
        return
    tz = ZoneInfo(name)
    eve = WEEKDAYS[(day - timedelta(days=1)).weekday()]
    night = schedule(
        timezone=name,
        periods=[{"begin": begin, "end": end, "weekdays": eve, "desired": 1}],
        default={"desired": 0},
    )
    opens = to_instant(datetime.combine(day - timedelta(days=1), time.fromisoformat(begin)), tz)
    closes = to_instant(datetime.combine(day, time.fromisoformat(end)), tz)

    inside = [capacity_at(night, at).desired for at in grid(opens, closes)]
    found = edges(night, opens - timedelta(hours=1), closes + timedelta(hours=1))

    assert set(inside) == {1}
    assert [(e.at, e.after.desired) for e in found] == [(opens, 1), (closes, 0)]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(DST_ZONES), st.sampled_from(DST_DAYS), st.integers(-1, 1))
def test_a_local_day_runs_from_one_first_instant_of_the_day_to_the_next(
    name: str, day: date, shift: int
) -> None:
    tz = ZoneInfo(name)
    day += timedelta(days=shift)
    start, next_start = day_start(day, tz), day_start(day + timedelta(days=1), tz)

    assert all(local_day(at, tz) == day for at in grid(start, next_start))
    assert local_day(start - timedelta(microseconds=1), tz) == day - timedelta(days=1)
    assert timedelta(hours=22) <= next_start - start <= timedelta(hours=26)


def test_0230_on_the_spring_forward_night_in_new_york_is_0300_edt() -> None:
    assert to_instant(datetime(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 7)  # 03:00 EDT


def test_0130_on_the_fall_back_night_in_new_york_is_its_first_occurrence_edt() -> None:
    assert to_instant(datetime(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT


def test_havana_has_no_midnight_on_its_spring_forward_day() -> None:
    havana = ZoneInfo("America/Havana")  # 2026-03-08 00:00 CST -> 01:00 CDT

    assert day_start(date(2026, 3, 8), havana) == utc(2026, 3, 8, 5)
    assert _wall(day_start(date(2026, 3, 8), havana), havana) == datetime(2026, 3, 8, 1, 0)


def test_a_holiday_on_a_dst_day_lasts_the_whole_local_day() -> None:
    fall_back = schedule(
        timezone="America/New_York",
        periods=[{"desired": 4}],
        holidays={"dates": ["2026-11-01"]},
        holiday={"desired": 0},
    )

    found = edges(fall_back, utc(2026, 10, 31), utc(2026, 11, 3))

    assert [(e.at, e.after.desired) for e in found] == [(utc(2026, 11, 1, 4), 0), (utc(2026, 11, 2, 5), 4)]
    assert found[1].at - found[0].at == timedelta(hours=25)


def test_zones_are_iana_names_with_their_exact_case() -> None:
    assert zone("Asia/Tokyo").key == "Asia/Tokyo"
    for name in ("asia/tokyo", "Tokyo", "/etc/localtime", "../../etc/passwd", ""):
        with pytest.raises(ValueError, match="is not an IANA time zone"):
            zone(name)


def test_an_instant_without_a_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="has no timezone"):
        check_instant(datetime(2026, 1, 1))
    assert check_instant(datetime(2026, 1, 1, 9, tzinfo=ZoneInfo("Asia/Tokyo"))) == utc(2026, 1, 1, 0)
