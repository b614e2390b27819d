"""What a scaling schedule wants at any instant, and every instant that changes: pure, time a parameter.

``capacity_at(schedule, at)`` gives exactly one answer for any instant, with its reason. Precedence,
highest first:

1. an **override** still in force (``until`` not reached) for the service;
2. a **one-off** window containing the instant;
3. a **holiday**: the local day is one, so the schedule holds ``holiday`` (or its default) all day;
4. a **period** window containing the instant;
5. the **default**, or, with no default, the **saved** capacity: what the service had before the
   schedule first changed it (the reconciler saves and restores it; pass it as ``saved`` when known).

Where several windows of one kind contain the instant, the one with the **higher capacity** wins: the
higher floor (min, else desired), then the higher desired, then the higher max; on a tie the one
listed first. A period belongs to the day it begins on: 22:00-06:00 on Friday runs into Saturday.

**Warm-up.** A scale-out (the answer's floor/desired/max rises, both sides known) is due
``warm_up`` earlier, so the new tasks are healthy when the window starts; a scale-in is not moved.
Precisely: the answer at t is the higher of the plain answer at t and the targets of the scale-outs
due in (t, t + warm_up]. A warm-up never cuts into an override. capacity_at and edges apply it alike,
so a reconciler that runs every few minutes and one-time schedules at the edges agree.

``edges(schedule, start, end)`` lists every instant in [start, end) where the answer's capacity
changes (a change of reason alone, such as two back-to-back periods of the same size, is not an
edge). Local times resolve by the DST rules of domain/schedule_time.py.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from fargate_ops.domain import schedule_holidays
from fargate_ops.domain.schedule_time import at_local, check_instant, day_start, local_day, to_instant

if TYPE_CHECKING:
    from fargate_ops.models.schedule import Override, Schedule

Kind = Literal["override", "one_off", "holiday", "period", "default", "saved"]
MAX_SPAN = timedelta(days=400)
_TICK = timedelta(microseconds=1)
_DAY = timedelta(days=1)


class SizeLike(Protocol):
    @property
    def desired(self) -> int | None: ...
    @property
    def min(self) -> int | None: ...
    @property
    def max(self) -> int | None: ...


@dataclass(frozen=True)
class Reason:
    """Why the schedule holds what it holds: which override, one-off, holiday, period or fallback."""

    kind: Kind
    name: str
    until: datetime | None = None  # when an override expires
    ahead_of: datetime | None = None  # set during a warm-up lead: the window starts then

    def describe(self) -> str:
        text = {
            "override": f"override of {self.name}",
            "one_off": f"one-off {self.name}",
            "holiday": f"holiday {self.name}",
            "period": f"period {self.name}",
            "default": "default",
            "saved": "saved capacity",
        }[self.kind]
        if self.until is not None:
            text += f" until {self.until.isoformat()}"
        if self.ahead_of is not None:
            text += f", warming up for {self.ahead_of.isoformat()}"
        return text


@dataclass(frozen=True)
class Capacity:
    """The answer: what to hold and why. All three sizes None: the saved capacity, not known here."""

    desired: int | None
    min: int | None
    max: int | None
    reason: Reason

    @property
    def size(self) -> tuple[int | None, int | None, int | None]:
        return (self.desired, self.min, self.max)

    @property
    def level(self) -> tuple[int, int, int] | None:
        """The order "higher capacity" means: (floor, desired, ceiling); None if not known."""
        floor = self.min if self.min is not None else self.desired
        if floor is None:
            return None
        desired = self.desired if self.desired is not None else floor
        ceiling = self.max if self.max is not None else desired
        return (floor, desired, ceiling)

    def describe(self) -> str:
        parts = [f"desired {self.desired}"] if self.desired is not None else []
        if self.min is not None:
            parts.append(f"min {self.min} max {self.max}")
        sizes = ", ".join(parts) or "what the service had before"
        return f"{sizes} ({self.reason.describe()})"


@dataclass(frozen=True)
class Edge:
    """An instant where the answer changes, with the answers on either side."""

    at: datetime
    before: Capacity
    after: Capacity

    @property
    def scale_out(self) -> bool:
        return _higher(self.after, self.before)

    @property
    def window_start(self) -> datetime:
        """When the window behind this edge starts (later than ``at`` for a warm-up lead)."""
        return self.after.reason.ahead_of or self.at


def _higher(a: Capacity, b: Capacity) -> bool:
    level_a, level_b = a.level, b.level
    return level_a is not None and level_b is not None and level_a > level_b


def _capacity(spec: SizeLike, reason: Reason) -> Capacity:
    return Capacity(spec.desired, spec.min, spec.max, reason)


def _best(candidates: Iterable[Capacity]) -> Capacity | None:
    best: Capacity | None = None
    for candidate in candidates:
        if best is None or _higher(candidate, best):
            best = candidate
    return best


@dataclass
class _Evaluator:
    """One schedule's plain answer (no overrides, no warm-up), with what it resolves cached."""

    schedule: Schedule
    saved: SizeLike | None
    _windows: dict[tuple[int, date], tuple[datetime, datetime] | None] = field(default_factory=dict)
    _holidays: dict[date, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tz = self.schedule.tz
        self.one_offs = []
        for index, one_off in enumerate(self.schedule.one_off):
            reason = Reason("one_off", self.schedule.one_off_label(index))
            begin, end = to_instant(one_off.begin, self.tz), to_instant(one_off.end, self.tz)
            self.one_offs.append((begin, end, _capacity(one_off, reason)))
        default = self.schedule.default
        if default is not None:
            self.fallback = _capacity(default, Reason("default", "default"))
        elif self.saved is not None:
            self.fallback = _capacity(self.saved, Reason("saved", "saved"))
        else:
            self.fallback = Capacity(None, None, None, Reason("saved", "saved"))

    def window(self, index: int, day: date) -> tuple[datetime, datetime] | None:
        """Period ``index``'s window that begins on local ``day``, or None (no such day, or empty)."""
        key = (index, day)
        if key not in self._windows:
            period = self.schedule.periods[index]
            found = None
            if period.rule.matches(day):
                begin = at_local(day, period.begin_clock, self.tz)
                if period.end_clock is None:
                    end = day_start(day + _DAY, self.tz)
                else:
                    end = at_local(day + _DAY if period.crosses_midnight else day, period.end_clock, self.tz)
                found = (begin, end) if end > begin else None
            self._windows[key] = found
        return self._windows[key]

    def holiday(self, day: date) -> str | None:
        if day not in self._holidays:
            holidays = self.schedule.holidays
            name = None
            if holidays is not None:
                name = holidays.by_date.get(day) or (
                    schedule_holidays.country_holiday(holidays.countries, day) if holidays.countries else None
                )
            self._holidays[day] = name
        return self._holidays[day]

    def at(self, instant: datetime) -> Capacity:
        one_off = _best(c for begin, end, c in self.one_offs if begin <= instant < end)
        if one_off is not None:
            return one_off
        day = local_day(instant, self.tz)
        holiday = self.holiday(day)
        if holiday is not None:
            spec = self.schedule.holiday
            source = self.fallback if spec is None else _capacity(spec, self.fallback.reason)
            return replace(source, reason=Reason("holiday", holiday))
        periods = self.schedule.periods
        candidates = []
        for index in range(len(periods)):
            for start_day in (day - _DAY, day):
                found = self.window(index, start_day)
                if found is not None and found[0] <= instant < found[1]:
                    candidates.append(
                        _capacity(periods[index], Reason("period", self.schedule.period_label(index)))
                    )
        return _best(candidates) or self.fallback

    def changes(self, low: datetime, high: datetime) -> list[datetime]:
        """Every instant in (low, high] where the plain answer may change (a superset, sorted)."""
        found = {instant for begin, end, _ in self.one_offs for instant in (begin, end)}
        day, last = local_day(low, self.tz) - _DAY, local_day(high, self.tz)
        while day <= last:
            if self.holiday(day) is not None:
                found.update((day_start(day, self.tz), day_start(day + _DAY, self.tz)))
            for index in range(len(self.schedule.periods)):
                window = self.window(index, day)
                if window is not None:
                    found.update(window)
            day += _DAY
        return sorted(instant for instant in found if low < instant <= high)


@dataclass(frozen=True)
class _Timeline:
    """The plain answer over [points[0], high]: raws[i] holds from points[i] to points[i + 1]."""

    points: list[datetime]
    raws: list[Capacity]
    rise_times: list[datetime]
    rises: list[Capacity]  # the plain answer right after each scale-out


def _timeline(evaluator: _Evaluator, low: datetime, high: datetime) -> _Timeline:
    points = [low, *evaluator.changes(low, high)]
    raws = [evaluator.at(point) for point in points]
    rising = [i for i in range(1, len(points)) if _higher(raws[i], raws[i - 1])]
    return _Timeline(points, raws, [points[i] for i in rising], [raws[i] for i in rising])


def _warm(timeline: _Timeline, instant: datetime, lead: timedelta) -> Capacity:
    """The answer at ``instant`` with the warm-up lead: the plain one, or a scale-out due within the lead."""
    current = timeline.raws[bisect_right(timeline.points, instant) - 1]
    if lead:
        first = bisect_right(timeline.rise_times, instant)
        last = bisect_right(timeline.rise_times, instant + lead)
        for at, target in zip(timeline.rise_times[first:last], timeline.rises[first:last], strict=True):
            if current.level is None or _higher(target, current):
                current = replace(target, reason=replace(target.reason, ahead_of=at))
    return current


def _override(overrides: Sequence[Override], instant: datetime) -> Capacity | None:
    return _best(
        _capacity(o, Reason("override", o.service, until=o.until.astimezone(instant.tzinfo)))
        for o in overrides
        if instant < o.until
    )


def _checked_overrides(overrides: Iterable[Override]) -> list[Override]:
    listed = list(overrides)
    services = {o.service for o in listed}
    if len(services) > 1:
        raise ValueError(f"overrides of one service at a time, not of {', '.join(sorted(services))}")
    return listed


def capacity_at(
    schedule: Schedule,
    at: datetime,
    overrides: Iterable[Override] = (),
    saved: SizeLike | None = None,
) -> Capacity:
    """The one capacity ``schedule`` wants at instant ``at`` (aware), for the service ``overrides`` are of."""
    instant = check_instant(at)
    override = _override(_checked_overrides(overrides), instant)
    if override is not None:
        return override
    evaluator = _Evaluator(schedule, saved)
    lead = timedelta(seconds=schedule.warm_up)
    if not lead:
        return evaluator.at(instant)
    return _warm(_timeline(evaluator, instant, instant + lead), instant, lead)


def edges(
    schedule: Schedule,
    start: datetime,
    end: datetime,
    overrides: Iterable[Override] = (),
    saved: SizeLike | None = None,
) -> list[Edge]:
    """Every instant in [start, end) where capacity_at's capacity changes, in order."""
    low, high = check_instant(start, "start"), check_instant(end, "end")
    if not low < high <= low + MAX_SPAN:
        raise ValueError(f"end must be after start, and at most {MAX_SPAN.days} days after it")
    listed = _checked_overrides(overrides)
    lead = timedelta(seconds=schedule.warm_up)
    timeline = _timeline(_Evaluator(schedule, saved), low - _TICK, high + lead)
    points = {low - _TICK}
    points.update(p for p in timeline.points if low <= p < high)
    points.update(at - lead for at in timeline.rise_times if low <= at - lead < high)
    points.update(o.until.astimezone(low.tzinfo) for o in listed if low <= o.until < high)

    def answer(instant: datetime) -> Capacity:
        return _override(listed, instant) or _warm(timeline, instant, lead)

    ordered = sorted(points)
    found: list[Edge] = []
    before = answer(ordered[0])
    for instant in ordered[1:]:
        after = answer(instant)
        if after.size != before.size:
            found.append(Edge(instant, before, after))
        before = after
    return found


def next_edge(
    schedule: Schedule,
    at: datetime,
    overrides: Iterable[Override] = (),
    saved: SizeLike | None = None,
    within: timedelta = MAX_SPAN,
) -> Edge | None:
    """The first edge strictly after ``at`` and no later than ``within`` after it, or None."""
    listed = list(overrides)
    low = check_instant(at) + _TICK
    horizon = low + within
    while low < horizon:
        high = min(low + timedelta(days=7), horizon)
        found = edges(schedule, low, high, listed, saved)
        if found:
            return found[0]
        low = high
    return None
