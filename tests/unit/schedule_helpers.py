"""Building scaling schedules in tests, hypothesis strategies over every schedule a person can write,
and an oracle for period day rules.

The strategies keep every local time on a 15-minute grid. Every zone's offset and DST change is a
multiple of 15 minutes, so every instant a schedule's answer can change is on the same grid in UTC,
and a scan of the grid sees every change: the properties check edges against such a scan.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from fargate_ops.domain.schedule_days import MONTHS, WEEKDAYS
from fargate_ops.models.schedule import Override, Schedule, parse_override, parse_schedule

GRID = timedelta(minutes=15)
TICK = timedelta(microseconds=1)
# Zones without DST, where the wall clock maps one to one onto instants.
PLAIN_ZONES = ["UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu"]
# Zones with DST: an hour each way (New York, London), negative DST (Dublin), 30 minutes (Lord Howe),
# changes at midnight (Havana, Santiago), and a 12:45 offset (Chatham).
DST_ZONES = [
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "America/Havana",
    "America/Santiago",
    "Pacific/Chatham",
]
# 2026's DST changes, where most of the trouble is.
DST_DAYS = [date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 9, 6), date(2026, 10, 4)]
DST_DAYS += [date(2026, 10, 25), date(2026, 11, 1), date(2026, 3, 15)]


def schedule(**fields: Any) -> Schedule:
    """A schedule from keyword fields, named ``test`` in UTC unless told otherwise."""
    return parse_schedule({"name": "test", "timezone": "UTC", **fields})


def override(until: datetime, service: str = "prod-api", **sizes: int) -> Override:
    return parse_override({"service": service, "until": until, **(sizes or {"desired": 9})})


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def grid(start: datetime, end: datetime) -> list[datetime]:
    points, at = [], start
    while at < end:
        points.append(at)
        at += GRID
    return points


clock_times = st.integers(0, 95).map(lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}")

weekday_terms = st.one_of(
    st.sampled_from(WEEKDAYS),
    st.tuples(st.sampled_from(WEEKDAYS), st.sampled_from(WEEKDAYS)).map("-".join),
    st.tuples(st.sampled_from(WEEKDAYS), st.integers(1, 5)).map(lambda p: f"{p[0]}#{p[1]}"),
    st.sampled_from(WEEKDAYS).map(lambda d: f"{d}L"),
)
month_day_terms = st.one_of(
    st.integers(1, 31),
    st.tuples(st.integers(1, 31), st.integers(1, 31)).map(lambda p: f"{min(p)}-{max(p)}"),
    st.integers(1, 31).map(lambda d: f"{d}-L"),
    st.integers(1, 31).map(lambda d: f"{d}W"),
    st.sampled_from(["L", "LW"]),
)
month_terms = st.one_of(
    st.sampled_from(MONTHS), st.tuples(st.sampled_from(MONTHS), st.sampled_from(MONTHS)).map("-".join)
)


@st.composite
def sizes(draw: st.DrawFn) -> dict[str, int]:
    """desired; or min and max (autoscaling); or all three, consistent."""
    kind = draw(st.sampled_from(["desired", "desired", "bounds", "all"]))
    if kind == "desired":
        return {"desired": draw(st.integers(0, 6))}
    low = draw(st.integers(0, 4))
    high = draw(st.integers(low, low + 4))
    if kind == "bounds":
        return {"min": low, "max": high}
    return {"min": low, "max": high, "desired": draw(st.integers(low, high))}


@st.composite
def periods(draw: st.DrawFn, crossing: bool | None = None) -> dict[str, Any]:
    period: dict[str, Any] = dict(draw(sizes()))
    begin = draw(st.none() | clock_times) if crossing is None else draw(clock_times)
    end = draw(st.none() | clock_times) if crossing is None else draw(clock_times)
    if crossing is not None and begin is not None and end is not None and (end < begin) != crossing:
        begin, end = end, begin
    if (begin or "00:00") == end:
        end = None
    if begin is not None:
        period["begin"] = begin
    if end is not None:
        period["end"] = end
    if draw(st.booleans()):
        period["weekdays"] = draw(st.lists(weekday_terms, min_size=1, max_size=3))
    if draw(st.integers(0, 3)) == 0:
        period["month_days"] = draw(st.lists(month_day_terms, min_size=1, max_size=3))
    if draw(st.integers(0, 5)) == 0:
        period["months"] = draw(st.lists(month_terms, min_size=1, max_size=2))
    return period


def _local_grid(day: date, quarter: int) -> datetime:
    return datetime.combine(day, datetime.min.time()) + quarter * GRID


@st.composite
def one_offs(draw: st.DrawFn, around: date) -> dict[str, Any]:
    first = draw(st.integers(-96, 4 * 96))
    length = draw(st.integers(1, 3 * 96))
    begin = _local_grid(around, first)
    return {"begin": begin, "end": begin + length * GRID, **draw(sizes())}


@st.composite
def schedules(
    draw: st.DrawFn, zones: list[str], around: date, warm_up: bool = True, most: int = 3
) -> Schedule:
    """Any schedule of a zone in ``zones`` that does something around the day ``around``."""
    fields: dict[str, Any] = {
        "timezone": draw(st.sampled_from(zones)),
        "periods": draw(st.lists(periods(), min_size=1, max_size=most)),
    }
    if draw(st.booleans()):
        fields["default"] = draw(sizes())
    if draw(st.booleans()):
        days = st.integers(-2, 5).map(lambda n: around + timedelta(days=n))
        fields["holidays"] = {"dates": draw(st.lists(days, min_size=1, max_size=3, unique=True))}
        if draw(st.booleans()):
            fields["holiday"] = draw(sizes())
    if draw(st.integers(0, 2)) == 0:
        fields["one_off"] = draw(st.lists(one_offs(around), min_size=1, max_size=2))
    if warm_up:
        fields["warm_up"] = draw(st.sampled_from([0, 0, 900, 3600, 3 * 3600]))
    return schedule(**fields)


def starts(around: date) -> st.SearchStrategy[datetime]:
    """A grid instant within a day of ``around`` (UTC)."""
    base = datetime.combine(around, datetime.min.time(), tzinfo=UTC)
    return st.integers(-96, 96).map(lambda q: base + q * GRID)


def around_days() -> st.SearchStrategy[date]:
    """Mostly DST change days, sometimes any day of 2024-2030 (leap Februaries included)."""
    return st.one_of(
        st.sampled_from(DST_DAYS), st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.just(date(2028, 2, 28))
    )


# --- the day rules read straight off their definitions (count the Mondays so far, look a week ahead
# for the last one, list the month's weekdays for W), independently of domain/schedule_days.py -----


def _cycle(names: tuple[str, ...], first: str, last: str) -> list[str]:
    out = [first]
    while out[-1] != last:
        out.append(names[(names.index(out[-1]) + 1) % len(names)])
    return out


def _weekday_term(term: str, day: date) -> bool:
    name = WEEKDAYS[day.weekday()]
    if term.endswith("L"):
        return name == term[:-1] and (day + timedelta(days=7)).month != day.month
    if "#" in term:
        wanted, n = term.split("#")
        same_so_far = [
            d for d in range(1, day.day + 1) if date(day.year, day.month, d).weekday() == day.weekday()
        ]
        return name == wanted and len(same_so_far) == int(n)
    if "-" in term:
        return name in _cycle(WEEKDAYS, *term.split("-"))
    return name == term


def _month_day_term(term: int | str, day: date) -> bool:
    length = calendar.monthrange(day.year, day.month)[1]
    weekdays = [d for d in range(1, length + 1) if date(day.year, day.month, d).weekday() < 5]
    if isinstance(term, int):
        return day.day == term
    if term == "L":
        return day.day == length
    if term == "LW":
        return day.day == max(weekdays)
    if term.endswith("W"):
        target = int(term[:-1])
        # the month's weekday nearest the target (within the month, ties cannot happen)
        return target <= length and day.day == min(weekdays, key=lambda d: abs(d - target))
    first, last = term.split("-")
    return int(first) <= day.day and (last == "L" or day.day <= int(last))


def oracle_matches(
    weekdays: tuple[str, ...] | None,
    month_days: tuple[int | str, ...] | None,
    months: tuple[str, ...] | None,
    day: date,
) -> bool:
    if months is not None and not any(
        MONTHS[day.month - 1] in _cycle(MONTHS, *(t.split("-") * 2)[:2]) for t in months
    ):
        return False
    if weekdays is not None and not any(_weekday_term(t, day) for t in weekdays):
        return False
    return month_days is None or any(_month_day_term(t, day) for t in month_days)
