"""Properties of the schedule evaluator over every schedule a person can write (hypothesis).

- exactly one capacity for any instant, and the edges are exactly where it changes (a scan agrees);
- in zones without DST, capacity_at is what the schedule says read naively off the wall clock;
- holidays override weekdays, overrides win until they expire, warm-up moves scale-outs only.
DST gaps and folds: test_schedule_time.py; day rules against their definitions: test_schedule_days.py.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fargate_ops.domain.schedule import Capacity, capacity_at, edges
from fargate_ops.domain.schedule_time import local_day
from fargate_ops.models.schedule import Schedule
from tests.unit.schedule_helpers import (
    DST_ZONES,
    GRID,
    PLAIN_ZONES,
    TICK,
    around_days,
    grid,
    oracle_matches,
    override,
    schedule,
    schedules,
    starts,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPAN = timedelta(days=2)
KINDS = {"override", "one_off", "holiday", "period", "default", "saved"}


@st.composite
def cases(draw: st.DrawFn, zones: list[str], warm_up: bool = True) -> tuple[Schedule, datetime]:
    around = draw(around_days())
    return draw(schedules(zones, around, warm_up=warm_up)), draw(starts(around))


@FAST
@given(cases(PLAIN_ZONES + DST_ZONES))
def test_the_edges_are_exactly_where_a_scan_of_capacity_at_sees_a_change(
    case: tuple[Schedule, datetime],
) -> None:
    sched, start = case
    end = start + SPAN
    points = grid(start, end)

    found = edges(sched, start, end)
    scanned = [capacity_at(sched, at) for at in points]
    before_start = capacity_at(sched, start - TICK)

    expected = [
        at
        for at, now, previous in zip(points, scanned, [before_start, *scanned], strict=False)
        if now.size != previous.size
    ]
    assert [edge.at for edge in found] == expected
    for edge in found:
        assert edge.before.size != edge.after.size
        assert capacity_at(sched, edge.at).size == edge.after.size
        assert capacity_at(sched, edge.at - TICK).size == edge.before.size
    for earlier, later in itertools.pairwise(found):
        assert earlier.after.size == later.before.size


@FAST
@given(cases(PLAIN_ZONES + DST_ZONES), st.integers(0, 10**9))
def test_every_instant_has_exactly_one_capacity_with_its_reason(
    case: tuple[Schedule, datetime], microseconds: int
) -> None:
    sched, start = case
    at = start + timedelta(microseconds=microseconds % (SPAN // TICK))

    answer = capacity_at(sched, at)

    assert isinstance(answer, Capacity)
    assert answer.reason.kind in KINDS
    assert answer == capacity_at(sched, at)
    if answer.level is None:  # only the saved capacity, never passed here, is unknown
        assert sched.default is None


# --- a naive reading of the schedule off the wall clock, in zones where that is exact -------------


def _level(sizes: Any) -> tuple[int, int, int]:
    floor = sizes.min if sizes.min is not None else sizes.desired
    desired = sizes.desired if sizes.desired is not None else floor
    return (floor, desired, sizes.max if sizes.max is not None else desired)


def _first_highest(candidates: list[Any]) -> Any:
    best = None
    for candidate in candidates:
        if best is None or _level(candidate) > _level(best):
            best = candidate
    return best


def _period_holds(period: Any, wall: datetime) -> bool:
    begin = time.fromisoformat(period.begin) if period.begin else time(0)
    end = time.fromisoformat(period.end) if period.end else None
    today, clock = wall.date(), wall.time()
    if end is None or end > begin:
        return _day_matches(period, today) and begin <= clock and (end is None or clock < end)
    return (_day_matches(period, today) and clock >= begin) or (
        _day_matches(period, today - timedelta(days=1)) and clock < end
    )


def _day_matches(period: Any, day: date) -> bool:
    return oracle_matches(period.weekdays, period.month_days, period.months, day)


def _naive(sched: Schedule, at: datetime) -> tuple[str, tuple[int | None, ...]]:
    wall = at.astimezone(ZoneInfo(sched.timezone)).replace(tzinfo=None)
    one_off = _first_highest([o for o in sched.one_off if o.begin <= wall < o.end])
    if one_off is not None:
        return "one_off", (one_off.desired, one_off.min, one_off.max)
    fallback = sched.default
    if sched.holidays is not None and wall.date() in {h.date for h in sched.holidays.dates}:
        spec = sched.holiday or fallback
        return "holiday", (spec.desired, spec.min, spec.max) if spec else (None, None, None)
    period = _first_highest([p for p in sched.periods if _period_holds(p, wall)])
    if period is not None:
        return "period", (period.desired, period.min, period.max)
    return ("default", (fallback.desired, fallback.min, fallback.max)) if fallback else ("saved", (None,) * 3)


@settings(max_examples=150, deadline=None)
@given(cases(PLAIN_ZONES, warm_up=False), st.integers(0, 2 * 96 - 1))
def test_without_dst_capacity_at_is_the_schedule_read_off_the_wall_clock(
    case: tuple[Schedule, datetime], quarter: int
) -> None:
    sched, start = case
    at = start + quarter * GRID

    answer = capacity_at(sched, at)

    assert (answer.reason.kind, answer.size) == _naive(sched, at)


# --- precedence ----------------------------------------------------------------------------------


@FAST
@given(cases(PLAIN_ZONES + DST_ZONES, warm_up=False), st.integers(0, 2 * 96 - 1), st.booleans())
def test_a_holiday_overrides_the_periods_all_day(
    case: tuple[Schedule, datetime], quarter: int, own_capacity: bool
) -> None:
    sched, start = case
    at = start + quarter * GRID
    day = local_day(at, sched.tz)
    fields = sched.model_dump(exclude={"one_off", "holidays", "holiday"}, exclude_none=True)
    fields["periods"] = [{"desired": 5}, *fields["periods"]]  # something every day, all day
    fields["holidays"] = {"dates": [day]}
    if own_capacity:
        fields["holiday"] = {"desired": 1}
    on_holiday = schedule(**fields)

    answer = capacity_at(on_holiday, at)

    assert answer.reason.kind == "holiday"
    expected = on_holiday.holiday or on_holiday.default
    assert answer.size == ((expected.desired, expected.min, expected.max) if expected else (None,) * 3)


@FAST
@given(cases(PLAIN_ZONES + DST_ZONES), st.integers(1, 3 * 96), st.integers(0, 4 * 96), st.integers(0, 6))
def test_an_override_wins_until_it_expires_then_the_schedule_is_back(
    case: tuple[Schedule, datetime], lasts: int, offset: int, desired: int
) -> None:
    sched, start = case
    held = override(start + lasts * GRID, desired=desired)
    at = start + offset * GRID

    answer = capacity_at(sched, at, [held])

    if at < held.until:
        assert (answer.reason.kind, answer.size) == ("override", (desired, None, None))
    else:
        assert answer == capacity_at(sched, at)


@FAST
@given(cases(PLAIN_ZONES + DST_ZONES), st.integers(1, 3 * 96), st.integers(0, 6))
def test_an_override_expiring_inside_the_range_is_an_edge_when_the_schedule_differs(
    case: tuple[Schedule, datetime], lasts: int, desired: int
) -> None:
    sched, start = case
    held = override(start + lasts * GRID, desired=desired)

    found = {edge.at: edge for edge in edges(sched, start, start + SPAN, [held])}

    schedule_then = capacity_at(sched, held.until)
    if held.until < start + SPAN and schedule_then.size != (desired, None, None):
        assert found[held.until].after == schedule_then
    assert all(edge.at >= held.until for edge in found.values())


# --- warm-up ---------------------------------------------------------------------------------------


@FAST
@given(cases(PLAIN_ZONES + DST_ZONES, warm_up=False), st.sampled_from([900, 3600]))
def test_warm_up_moves_scale_outs_earlier_and_leaves_scale_ins_where_they_are(
    case: tuple[Schedule, datetime], lead_seconds: int
) -> None:
    sched, start = case
    lead = timedelta(seconds=lead_seconds)
    plain = edges(sched, start - lead, start + SPAN + lead)
    # Warm-up leads interact where changes come closer than the lead: this property is about the rest.
    assume(all(b.at - a.at > lead for a, b in itertools.pairwise(plain)))
    warmed = sched.model_copy(update={"warm_up": lead_seconds})

    moved = edges(warmed, start, start + SPAN)

    expected = [
        (edge.at - lead if edge.scale_out else edge.at, edge.after.size)
        for edge in plain
        if start <= (edge.at - lead if edge.scale_out else edge.at) < start + SPAN
    ]
    assert [(edge.at, edge.after.size) for edge in moved] == expected
    assert all(edge.window_start == edge.at + lead for edge in moved if edge.scale_out)


@FAST
@given(cases(PLAIN_ZONES + DST_ZONES), st.integers(0, 2 * 96 - 1))
def test_warm_up_never_holds_less_than_the_plain_schedule(
    case: tuple[Schedule, datetime], quarter: int
) -> None:
    sched, start = case
    at = start + quarter * GRID
    plain = capacity_at(sched.model_copy(update={"warm_up": 0}), at)

    warmed = capacity_at(sched, at)

    if plain.level is not None:
        assert warmed.level is not None and warmed.level >= plain.level
    assert warmed.reason.ahead_of is None or at < warmed.reason.ahead_of <= at + timedelta(
        seconds=sched.warm_up
    )
