"""Scaling schedules as people write them (YAML for the CLI, JSON in the table), validated once.

A schedule says what capacity an ECS service holds at every instant: periods of the week (local
times in the schedule's IANA timezone), holidays, one-off windows on dates, a default outside all of
them, and a warm-up lead for scale-outs. Overrides ("keep prod-api at 4 until 23:00") are stored
apart, per service, and expire by themselves. The evaluation is domain/schedule.py; the format,
precedence and DST rules are docs/scaling.md.

Every error names its field (``periods.1.weekdays: 'mon#6' is not a weekday (...)``):
parse_schedule and parse_override raise ScheduleError with every problem found.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from functools import cached_property
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from fargate_ops.domain import schedule_days, schedule_holidays, schedule_time
from fargate_ops.domain.schedule_days import DayRule
from fargate_ops.domain.strategy import InvalidStrategyError, parse_duration
from fargate_ops.errors import FargateOpsError

# A schedule's name is an ECS tag value and part of EventBridge Scheduler schedule names
# (^[0-9a-zA-Z-_.]+$, at most 64 characters): both accept this.
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
SERVICE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$"  # an ECS service name
# ECS's tasks-per-service quota: UpdateService refuses a desired count above it.
MAX_TASKS = 5_000
MAX_WARM_UP_SECONDS = 86_400  # a day: a longer lead is a period of its own
# A schedule is one DynamoDB item (400 KB at most): these keep it well inside.
MAX_PERIODS = 50
MAX_ONE_OFFS = 100
MAX_HOLIDAY_DATES = 2_000
MAX_COUNTRIES = 10
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_FIELD_PREFIX = re.compile(r"^([a-z_]+(?:\.[a-z0-9_]+)*): (.*)$", re.DOTALL)

Count = Annotated[int, Field(strict=True, ge=0, le=MAX_TASKS)]
Name = Annotated[str, Field(pattern=NAME)]


class ScheduleError(FargateOpsError):
    """An invalid schedule or override; ``problems`` lists (field, message), ``field`` is the first."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems
        self.field = problems[0][0]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CapacitySpec(_Strict):
    """What to hold: ``desired`` tasks, and/or ``min``/``max`` for a service with Application Auto Scaling.

    With min and max, autoscaling keeps working inside them (and clamps desired into them).
    """

    desired: Count | None = None
    min: Count | None = None
    max: Count | None = None

    @model_validator(mode="after")
    def _bounds(self) -> CapacitySpec:
        if self.desired is None and self.min is None and self.max is None:
            raise ValueError(
                "desired: give desired, or min and max (with Application Auto Scaling), or all three"
            )
        if (self.min is None) != (self.max is None):
            missing = "max" if self.max is None else "min"
            raise ValueError(f"{missing}: give min and max together")
        if self.min is not None and self.max is not None:
            if self.min > self.max:
                raise ValueError(f"min: {self.min} is above max {self.max}")
            if self.desired is not None and not self.min <= self.desired <= self.max:
                raise ValueError(f"desired: {self.desired} is outside min..max ({self.min}..{self.max})")
        return self


def _clock(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        hours, minutes = divmod(value, 60)
        raise ValueError(
            f"{value} is not a time of day: quote it ('{hours:02d}:{minutes:02d}'); unquoted, "
            f"YAML reads {hours}:{minutes:02d} as a number of minutes"
        )
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a time of day (HH:MM, 00:00..23:59; leave end out for midnight)")
    return f"{int(match[1]):02d}:{match[2]}"


class Period(CapacitySpec):
    """A recurring window: local ``begin``..``end`` on the days its rules match.

    An end before the begin runs across midnight (into the next day); no begin is from midnight, no
    end is to midnight. The day rules are those of the day the window begins.
    """

    name: Name | None = None
    begin: str | None = None
    end: str | None = None
    weekdays: tuple[str, ...] | None = None
    month_days: tuple[int | str, ...] | None = None
    months: tuple[str, ...] | None = None

    @field_validator("begin", "end", mode="before")
    @classmethod
    def _time_of_day(cls, raw: Any) -> str | None:
        return _clock(raw)

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekdays(cls, raw: Any) -> tuple[str, ...] | None:
        return None if raw is None else schedule_days.parse_weekdays(raw)

    @field_validator("month_days", mode="before")
    @classmethod
    def _month_days(cls, raw: Any) -> tuple[int | str, ...] | None:
        return None if raw is None else schedule_days.parse_month_days(raw)

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, raw: Any) -> tuple[str, ...] | None:
        return None if raw is None else schedule_days.parse_months(raw)

    @model_validator(mode="after")
    def _distinct_times(self) -> Period:
        if (self.begin or "00:00") == self.end:
            raise ValueError(
                "end: the same time as begin: an end before the begin runs across midnight; "
                "leave begin and end out for the whole day"
            )
        return self

    @cached_property
    def rule(self) -> DayRule:
        return schedule_days.day_rule(self.weekdays, self.month_days, self.months)

    @cached_property
    def begin_clock(self) -> dt.time:
        return dt.time.fromisoformat(self.begin) if self.begin else schedule_time.MIDNIGHT

    @cached_property
    def end_clock(self) -> dt.time | None:
        """The end's local time, or None for the midnight that ends the day."""
        return dt.time.fromisoformat(self.end) if self.end else None

    @property
    def crosses_midnight(self) -> bool:
        return self.end_clock is not None and self.end_clock < self.begin_clock


def _local_datetime(value: Any) -> Any:
    """A one-off's begin/end: a local date-time (or a date: its midnight), with no offset."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a local date-time (such as 2026-12-24 18:00)") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(
                f"{value.isoformat()} has an offset: give the local time in the schedule's timezone"
            )
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, schedule_time.MIDNIGHT)
    raise ValueError(f"{value!r} is not a local date-time (such as 2026-12-24 18:00)")


class OneOff(CapacitySpec):
    """A window on dates, in the schedule's timezone (a pre-peak scale-out on 2026-12-24 18:00-23:00)."""

    name: Name | None = None
    begin: dt.datetime
    end: dt.datetime

    @field_validator("begin", "end", mode="before")
    @classmethod
    def _local(cls, raw: Any) -> Any:
        return _local_datetime(raw)

    @model_validator(mode="after")
    def _ordered(self) -> OneOff:
        if self.end <= self.begin:
            raise ValueError(f"end: {self.end.isoformat(' ')} is not after begin {self.begin.isoformat(' ')}")
        return self


class CountryCalendar(_Strict):
    """A country's (or subdivision's) public holidays, from the ``holidays`` package: ``JP``, ``US-NY``."""

    country: str
    subdivision: str | None = None
    language: str | None = None
    categories: tuple[str, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, raw: Any) -> Any:
        if isinstance(raw, str):
            country, _, subdivision = raw.strip().partition("-")
            return {"country": country, "subdivision": subdivision or None}
        return raw

    @field_validator("country")
    @classmethod
    def _upper(cls, country: str) -> str:
        return country.strip().upper()

    @model_validator(mode="after")
    def _known(self) -> CountryCalendar:
        subdivisions = schedule_holidays.supported_subdivisions(self.country)
        if subdivisions is None:
            raise ValueError(
                f"country: {self.country!r} has no holiday calendar (an ISO 3166-1 code such as JP, US, DE)"
            )
        if self.subdivision is not None and self.subdivision not in subdivisions:
            near = difflib.get_close_matches(self.subdivision, subdivisions, n=3)
            hint = (
                f"; did you mean {', '.join(near)}?" if near else f" (it has {', '.join(subdivisions[:20])})"
            )
            raise ValueError(f"subdivision: {self.country} has no subdivision {self.subdivision!r}{hint}")
        languages, categories, _ = schedule_holidays.calendar_facts(self.country, self.subdivision)
        if self.language is not None and self.language not in languages:
            raise ValueError(
                f"language: {self.country}'s calendar has {', '.join(languages)}, not {self.language!r}"
            )
        for category in self.categories or ():
            if category not in categories:
                raise ValueError(
                    f"categories: {self.country}'s calendar has {', '.join(categories)}, not {category!r}"
                )
        return self


class HolidayDate(_Strict):
    """One of the schedule's own holidays (typed in, or read from an iCalendar file by the CLI)."""

    date: dt.date
    name: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, raw: Any) -> Any:
        return {"date": raw} if isinstance(raw, dt.date | str) else raw


class Holidays(_Strict):
    countries: Annotated[tuple[CountryCalendar, ...], Field(max_length=MAX_COUNTRIES)] = ()
    dates: Annotated[tuple[HolidayDate, ...], Field(max_length=MAX_HOLIDAY_DATES)] = ()

    @model_validator(mode="after")
    def _some(self) -> Holidays:
        if not self.countries and not self.dates:
            raise ValueError("countries: give countries and/or dates (or leave holidays out)")
        return self

    @cached_property
    def by_date(self) -> dict[dt.date, str]:
        named: dict[dt.date, list[str]] = {}
        for holiday in self.dates:
            named.setdefault(holiday.date, []).append(holiday.name or "holiday")
        return {day: "; ".join(dict.fromkeys(names)) for day, names in named.items()}


def _unique_names(items: Sequence[Period | OneOff], field: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.name is not None and item.name in seen:
            raise ValueError(f"{field}.{index}.name: {item.name!r} is already the name of another one")
        if item.name is not None:
            seen.add(item.name)


class Schedule(_Strict):
    """What a service holds, when. Precedence: one-off > holiday > period > default (overrides above all)."""

    name: Name
    description: Annotated[str, Field(max_length=1000)] | None = None
    timezone: str
    periods: Annotated[tuple[Period, ...], Field(max_length=MAX_PERIODS)] = ()
    holidays: Holidays | None = None
    holiday: CapacitySpec | None = None
    one_off: Annotated[tuple[OneOff, ...], Field(max_length=MAX_ONE_OFFS)] = ()
    default: CapacitySpec | None = None
    warm_up: int = 0

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, name: str) -> str:
        try:
            schedule_time.zone(name)
        except ValueError:
            near = difflib.get_close_matches(name, sorted(schedule_time.zone_names()), n=1)
            hint = f"; did you mean {near[0]}?" if near else " (such as Asia/Tokyo, America/New_York, UTC)"
            raise ValueError(f"{name!r} is not an IANA time zone{hint}") from None
        return name

    @field_validator("warm_up", mode="before")
    @classmethod
    def _warm_up(cls, raw: Any) -> int:
        try:
            seconds = parse_duration(raw, "warm_up")
        except InvalidStrategyError as err:
            raise ValueError(err.message) from None
        if seconds > MAX_WARM_UP_SECONDS:
            raise ValueError(f"{seconds}s is longer than a day ({MAX_WARM_UP_SECONDS}s)")
        return seconds

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        if not self.periods and not self.one_off and self.default is None:
            raise ValueError("periods: give at least one period or one-off window (or a default)")
        if self.holiday is not None and self.holidays is None:
            raise ValueError("holiday: a holiday capacity needs holidays (countries or dates)")
        _unique_names(self.periods, "periods")
        _unique_names(self.one_off, "one_off")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return schedule_time.zone(self.timezone)

    def period_label(self, index: int) -> str:
        return self.periods[index].name or f"periods.{index}"

    def one_off_label(self, index: int) -> str:
        return self.one_off[index].name or f"one_off.{index}"


class Override(CapacitySpec):
    """An operator's "keep SERVICE at N until TIME": wins over the schedule until ``until``, then expires."""

    service: Annotated[str, Field(pattern=SERVICE)]
    until: AwareDatetime
    note: Annotated[str, Field(max_length=500)] | None = None


def _problems(err: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in err.errors():
        location = ".".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        # A check over several fields names the one it is about at the start of its message.
        if match := _FIELD_PREFIX.match(message):
            location = f"{location}.{match[1]}" if location else match[1]
            message = match[2]
        problems.append((location or "schedule", message))
    return problems


def parse_schedule(raw: Any) -> Schedule:
    """The validated schedule; ScheduleError lists every problem, each with its field."""
    try:
        return Schedule.model_validate(raw)
    except ValidationError as err:
        raise ScheduleError(_problems(err)) from None


def parse_override(raw: Any) -> Override:
    try:
        return Override.model_validate(raw)
    except ValidationError as err:
        raise ScheduleError(_problems(err)) from None
