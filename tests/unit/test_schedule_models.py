"""Scaling schedules as people write them: what parses, and an error naming the field for what does not."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from fargate_ops.domain.schedule import capacity_at
from fargate_ops.models.schedule import ScheduleError, parse_override, parse_schedule

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"

OFFICE_YAML = """
name: office-hours
timezone: Asia/Tokyo
warm_up: 10m
periods:
  - name: weekdays
    begin: "09:00"
    end: "18:00"
    weekdays: mon-fri
    min: 2
    max: 10
  - name: month-end-batch
    begin: "22:00"
    end: "06:00"
    month_days: [L]
    desired: 3
holidays:
  countries: [JP]
  dates:
    - 2026-12-29
    - {date: 2026-12-30, name: Year-end closing}
holiday: {desired: 0}
one_off:
  - {name: pre-peak, begin: 2026-12-24 18:00, end: 2026-12-24 23:00, desired: 8}
default: {desired: 0}
"""


def office() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(OFFICE_YAML)
    return loaded


def test_a_schedule_written_in_yaml_parses_and_survives_a_round_trip_through_json() -> None:
    parsed = parse_schedule(office())

    assert parsed.warm_up == 600
    assert parsed.periods[0].weekdays == ("mon-fri",)
    assert parsed.one_off[0].begin.isoformat() == "2026-12-24T18:00:00"
    assert parse_schedule(parsed.model_dump(mode="json", exclude_none=True)) == parsed


def test_the_schedule_in_the_documentation_is_a_valid_one_that_does_what_it_says() -> None:
    text = re.search(r"```yaml\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert text is not None

    documented = parse_schedule(yaml.safe_load(text[1]))

    assert (
        capacity_at(documented, datetime.fromisoformat("2026-11-23T10:00:00+09:00")).reason.kind == "holiday"
    )
    assert capacity_at(documented, datetime.fromisoformat("2026-12-24T20:00:00+09:00")).desired == 8


def test_a_one_off_given_as_dates_covers_whole_days() -> None:
    days = parse_schedule(
        {
            "name": "n",
            "timezone": "UTC",
            "one_off": [{"begin": "2026-12-24", "end": "2026-12-27", "desired": 1}],
        }
    )

    assert (days.one_off[0].begin.isoformat(), days.one_off[0].end.isoformat()) == (
        "2026-12-24T00:00:00",
        "2026-12-27T00:00:00",
    )


def test_a_schedule_cannot_be_changed_once_parsed() -> None:
    with pytest.raises(pydantic.ValidationError):
        parse_schedule(office()).warm_up = 0  # type: ignore[misc]


def _with(path: str, value: Any) -> dict[str, Any]:
    raw = office()
    *parents, last = path.split(".")
    target: Any = raw
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (
            "periods.1.weekdays",
            ["mon#6"],
            "periods.1.weekdays",
            "'mon#6' is not a weekday (mon..sun, mon-fri, mon#1..mon#5, friL)",
        ),
        ("periods.0.begin", 1080, "periods.0.begin", "1080 is not a time of day: quote it ('18:00')"),
        ("periods.0.begin", "25:00", "periods.0.begin", "'25:00' is not a time of day (HH:MM"),
        ("periods.0.end", "09:00", "periods.0.end", "the same time as begin"),
        ("periods.0.min", 11, "periods.0.min", "11 is above max 10"),
        ("periods.0.desired", 12, "periods.0.desired", "12 is outside min..max (2..10)"),
        ("periods.0.max", None, "periods.0.max", "give min and max together"),
        ("periods.1.desired", None, "periods.1.desired", "give desired, or min and max"),
        ("periods.1.desired", 5001, "periods.1.desired", "less than or equal to 5000"),
        ("periods.1.desired", "3", "periods.1.desired", "Input should be a valid integer"),
        ("periods.1.desired", True, "periods.1.desired", "Input should be a valid integer"),
        ("periods.1.month_days", [32], "periods.1.month_days", "32 is not a month day"),
        ("periods.1.months", ["foo"], "periods.1.months", "'foo' is not a month"),
        ("periods.1.name", "weekdays", "periods.1.name", "'weekdays' is already the name of another one"),
        ("periods.1.weekday", "mon", "periods.1.weekday", "Extra inputs are not permitted"),
        (
            "timezone",
            "Asia/Tokio",
            "timezone",
            "'Asia/Tokio' is not an IANA time zone; did you mean Asia/Tokyo?",
        ),
        ("warm_up", "10x", "warm_up", "'10x' is not a duration"),
        ("warm_up", "25h", "warm_up", "90000s is longer than a day"),
        ("one_off.0.end", "2026-12-24 17:00", "one_off.0.end", "2026-12-24 17:00:00 is not after begin"),
        ("one_off.0.begin", "2026-12-24T18:00:00+09:00", "one_off.0.begin", "has an offset"),
        ("holidays.countries.0", "XX", "holidays.countries.0.country", "'XX' has no holiday calendar"),
        ("holidays.countries.0", "JP-99", "holidays.countries.0.subdivision", "JP has no subdivision '99'"),
        (
            "holidays.countries.0",
            {"country": "JP", "language": "de"},
            "holidays.countries.0.language",
            "not 'de'",
        ),
        ("holidays.dates.0", "someday", "holidays.dates.0.date", "Input should be a valid date"),
        ("name", "has spaces", "name", "String should match pattern"),
    ],
)
def test_an_invalid_schedule_is_refused_naming_the_field(
    path: str, value: Any, field: str, message: str
) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(_with(path, value))

    assert raised.value.field == field
    assert message in raised.value.problems[0][1]


def test_the_error_reads_as_the_field_then_what_is_wrong_with_it() -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(_with("periods.1.weekdays", "mon#6"))

    assert (
        str(raised.value)
        == "periods.1.weekdays: 'mon#6' is not a weekday (mon..sun, mon-fri, mon#1..mon#5, friL)"
    )


def test_unquoted_times_in_yaml_are_caught_with_how_to_fix_them() -> None:
    raw = yaml.safe_load("name: n\ntimezone: UTC\nperiods: [{begin: 18:00, desired: 1}]\n")

    with pytest.raises(
        ScheduleError, match=r"periods\.0\.begin: 1080 is not a time of day: quote it \('18:00'\)"
    ):
        parse_schedule(raw)


def test_every_problem_is_reported_at_once() -> None:
    raw = _with("periods.1.weekdays", "mon#6")
    raw["timezone"] = "Mars/Olympus"

    with pytest.raises(ScheduleError) as raised:
        parse_schedule(raw)

    assert {field for field, _ in raised.value.problems} == {"timezone", "periods.1.weekdays"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"name": "n", "timezone": "UTC"}, "periods"),
        ({"name": "n", "timezone": "UTC", "default": {"desired": 1}, "holiday": {"desired": 0}}, "holiday"),
        ({"name": "n", "timezone": "UTC", "default": {"desired": 1}, "holidays": {}}, "holidays.countries"),
    ],
)
def test_a_schedule_that_says_nothing_or_contradicts_itself_is_refused(
    raw: dict[str, Any], field: str
) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(raw)

    assert raised.value.field == field


def test_an_override_needs_an_expiry_with_a_timezone() -> None:
    good = parse_override({"service": "prod-api", "desired": 4, "until": "2026-11-23T23:00:00+09:00"})

    assert good.until.utcoffset() is not None
    with pytest.raises(ScheduleError, match="until: Input should have timezone info"):
        parse_override({"service": "prod-api", "desired": 4, "until": "2026-11-23T23:00:00"})
    with pytest.raises(ScheduleError, match="service: String should match pattern"):
        parse_override({"service": "prod api", "desired": 4, "until": "2026-11-23T23:00:00Z"})


HOLIDAYS_IMPORTED = """
import sys
from datetime import datetime, timezone
from fargate_ops.domain.schedule import capacity_at
from fargate_ops.models.schedule import parse_schedule
holidays = {holidays!r}
schedule = parse_schedule({{"name": "n", "timezone": "Asia/Tokyo", "periods": [{{"desired": 1}}],
                            **({{"holidays": holidays}} if holidays else {{}})}})
capacity_at(schedule, datetime(2026, 11, 23, tzinfo=timezone.utc))
print("holidays" in sys.modules)
"""


@pytest.mark.parametrize(
    ("holidays", "imported"),
    [(None, "False"), ({"dates": ["2026-11-23"]}, "False"), ({"countries": ["JP"]}, "True")],
)
def test_the_holidays_package_is_imported_only_for_a_schedule_with_country_calendars(
    holidays: dict[str, Any] | None, imported: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HOLIDAYS_IMPORTED.format(holidays=holidays)],
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout.strip() == imported
