"""Holiday dates from iCalendar files, as the operator's CLI will store them in a schedule."""

from __future__ import annotations

from datetime import date

import pytest

from fargate_ops.models.schedule import parse_schedule
from fargate_ops_cli.scaling.ical import CalendarFileError, holidays_from_ical


def calendar(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fargate-ops tests//EN\r\n{body}END:VCALENDAR\r\n"


def event(uid: str, *lines: str) -> str:
    return "\r\n".join([f"UID:{uid}", "DTSTAMP:20260101T000000Z", *lines])


YEAR = (date(2026, 1, 1), date(2027, 1, 1))


def test_an_all_day_event_is_a_holiday_named_by_its_summary() -> None:
    text = calendar(
        event("a", "DTSTART;VALUE=DATE:20261123", "DTEND;VALUE=DATE:20261124", "SUMMARY:勤労感謝の日")
    )

    found = holidays_from_ical(text, *YEAR)

    assert [(h.date, h.name) for h in found.dates] == [(date(2026, 11, 23), "勤労感謝の日")]
    assert found.skipped == []


def test_a_multi_day_event_covers_every_day_up_to_its_exclusive_end() -> None:
    text = calendar(
        event("a", "DTSTART;VALUE=DATE:20261229", "DTEND;VALUE=DATE:20270104", "SUMMARY:Year-end")
    )

    found = holidays_from_ical(text, date(2026, 12, 1), date(2027, 2, 1))

    assert [h.date.isoformat() for h in found.dates] == [
        "2026-12-29",
        "2026-12-30",
        "2026-12-31",
        "2027-01-01",
        "2027-01-02",
        "2027-01-03",
    ]


def test_an_event_with_no_end_lasts_one_day_and_a_duration_is_honoured() -> None:
    text = calendar(
        event("a", "DTSTART;VALUE=DATE:20260501", "SUMMARY:One"),
        event("b", "DTSTART;VALUE=DATE:20260804", "DURATION:P2D", "SUMMARY:Two"),
    )

    found = holidays_from_ical(text, *YEAR)

    assert [h.date.isoformat() for h in found.dates] == ["2026-05-01", "2026-08-04", "2026-08-05"]


def test_a_yearly_recurrence_is_expanded_within_the_window_without_its_exceptions() -> None:
    text = calendar(
        event(
            "a",
            "DTSTART;VALUE=DATE:20240701",
            "RRULE:FREQ=YEARLY",
            "EXDATE;VALUE=DATE:20270701",
            "SUMMARY:Founding day",
        )
    )

    found = holidays_from_ical(text, date(2025, 1, 1), date(2029, 1, 1))

    assert [h.date.isoformat() for h in found.dates] == ["2025-07-01", "2026-07-01", "2028-07-01"]


def test_events_with_a_time_of_day_and_cancelled_events_are_skipped_and_said_so() -> None:
    text = calendar(
        event("a", "DTSTART:20261120T130000Z", "DTEND:20261120T170000Z", "SUMMARY:Offsite afternoon"),
        event("b", "DTSTART;VALUE=DATE:20261121", "STATUS:CANCELLED", "SUMMARY:Cancelled day"),
    )

    found = holidays_from_ical(text, *YEAR)

    assert found.dates == []
    assert [line.split(":")[0] for line in found.skipped] == ["Offsite afternoon", "Cancelled day"]


def test_two_events_on_one_day_make_one_holiday_with_both_names() -> None:
    text = calendar(
        event("a", "DTSTART;VALUE=DATE:20260101", "SUMMARY:New Year"),
        event("b", "DTSTART;VALUE=DATE:20260101", "SUMMARY:Office closed"),
    )

    found = holidays_from_ical(text, *YEAR)

    assert [(h.date, h.name) for h in found.dates] == [(date(2026, 1, 1), "New Year; Office closed")]


def test_the_dates_go_into_a_schedule_as_they_are() -> None:
    text = calendar(event("a", "DTSTART;VALUE=DATE:20261123", "SUMMARY:Holiday"))
    found = holidays_from_ical(text, *YEAR)

    parsed = parse_schedule(
        {
            "name": "n",
            "timezone": "Asia/Tokyo",
            "periods": [{"desired": 1}],
            "holidays": {"dates": [h.model_dump() for h in found.dates]},
        }
    )

    assert parsed.holidays is not None and parsed.holidays.by_date == {date(2026, 11, 23): "Holiday"}


@pytest.mark.parametrize("text", ["not a calendar", b"\xff\xfe\x00"])
def test_a_file_that_is_not_icalendar_is_refused(text: str | bytes) -> None:
    with pytest.raises(CalendarFileError, match="not a readable iCalendar file"):
        holidays_from_ical(text, *YEAR)


def test_a_window_of_more_than_ten_years_is_refused() -> None:
    with pytest.raises(CalendarFileError, match="1 day to 10 years"):
        holidays_from_ical(calendar(), date(2020, 1, 1), date(2031, 1, 2))
