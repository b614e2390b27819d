"""Holiday dates from an iCalendar (.ics) file: a company calendar, or a public one a calendar app exports.

The operator's CLI reads the file and stores plain dates in the schedule (``holidays.dates``), so
the Lambda functions never parse iCalendar. ``icalendar`` parses the file and
``recurring-ical-events`` expands its recurrences (RRULE, RDATE, EXDATE, moved occurrences), which
are easy to get subtly wrong by hand.

Only all-day events become holidays (a date, or a run of dates: DTEND is exclusive). An event
with a time of day ("office closed 13:00-17:00") is not a whole day off: it is skipped, and said
so. Cancelled events are skipped too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import icalendar
import recurring_ical_events

from fargate_ops.models.schedule import HolidayDate
from fargate_ops_cli.operations.errors import OperatorError

# A calendar of holidays is read for a window of years; a larger window is a mistake (or a DoS).
MAX_YEARS = 10


class CalendarFileError(OperatorError):
    """The file is not an iCalendar file this can read (the message says why)."""


@dataclass(frozen=True)
class CalendarHolidays:
    """The dates found, and a line for every event that was not taken, with why."""

    dates: list[HolidayDate]
    skipped: list[str] = field(default_factory=list)


def _summary(event: Any) -> str | None:
    text = event.get("SUMMARY")
    return str(text).strip() or None if text is not None else None


def _days(event: Any) -> Iterator[dt.date] | str:
    """The dates an all-day occurrence covers, or why it is not taken."""
    start = event.get("DTSTART")
    if start is None:
        return "it has no DTSTART"
    first = start.dt
    if isinstance(first, dt.datetime):
        return f"it starts at a time of day ({first.isoformat()}), not on a whole day"
    end = event.get("DTEND")
    duration = event.get("DURATION")
    if end is not None:
        last = end.dt
        if isinstance(last, dt.datetime):
            return "it ends at a time of day, not on a whole day"
    elif duration is not None:
        last = first + duration.dt
    else:
        last = first + dt.timedelta(days=1)  # RFC 5545: an all-day event with no end is one day
    count = max((last - first).days, 1)
    return (first + dt.timedelta(days=offset) for offset in range(count))


def holidays_from_ical(text: str | bytes, start: dt.date, end: dt.date) -> CalendarHolidays:
    """The holiday dates in [start, end) of an iCalendar text, named by their events' summaries."""
    if not start < end <= start + dt.timedelta(days=366 * MAX_YEARS):
        raise CalendarFileError(
            f"read holidays for a window of 1 day to {MAX_YEARS} years, not {start}..{end}"
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
        occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).between(start, end)
    except (ValueError, recurring_ical_events.InvalidCalendar) as err:
        raise CalendarFileError(f"not a readable iCalendar file: {err}") from None
    named: dict[dt.date, list[str]] = {}
    skipped: list[str] = []
    for event in occurrences:
        summary = _summary(event)
        label = summary or str(event.get("UID", "an event without a summary"))
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            skipped.append(f"{label}: cancelled")
            continue
        days = _days(event)
        if isinstance(days, str):
            skipped.append(f"{label}: {days}")
            continue
        for day in days:
            if start <= day < end:
                names = named.setdefault(day, [])
                if summary and summary not in names:
                    names.append(summary)
    dates = [
        HolidayDate(date=day, name="; ".join(names)[:200] or None) for day, names in sorted(named.items())
    ]
    return CalendarHolidays(dates, skipped)
