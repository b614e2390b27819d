"""EventBridge Scheduler on the virtual clock: moto stores schedules but never fires them.

Schedules created, moved or deleted at runtime through the Scheduler API (the scaling reconciler keeps
a one-time ``at()`` schedule at the next window edge) are picked up by ``sync``, which the runtime calls
after every firing: an armed firing whose schedule changed or went away since does nothing.

Supports the three expression kinds Scheduler has: `rate(5 minutes)`, `cron(0 9 ? * MON-FRI *)` (six
fields, evaluated in `ScheduleExpressionTimezone`) and `at(2026-01-05T09:00:00)`. Cron evaluation uses
croniter after mapping AWS's six-field form (with `?` and a year) onto the five-field form it knows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fargate_ops_cli.local.clock import VirtualClock

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleExpressionError(ValueError):
    """A schedule expression this runtime (and Scheduler) does not accept."""


def next_fire(expression: str, after: datetime, timezone: str = "UTC") -> datetime | None:
    """The first fire time strictly after `after` (an aware datetime), or None if there is none."""
    expression = expression.strip()
    if match := _RATE.match(expression):
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]
        return after + timedelta(seconds=seconds)
    if expression.startswith("at(") and expression.endswith(")"):
        moment = datetime.fromisoformat(expression[3:-1]).replace(tzinfo=ZoneInfo(timezone))
        return moment if moment > after else None
    if expression.startswith("cron(") and expression.endswith(")"):
        from croniter import croniter

        fields = expression[5:-1].split()
        if len(fields) != 6:
            raise ScheduleExpressionError(
                f"{expression}: cron() takes six fields (minute hour day month weekday year)"
            )
        minute, hour, day, month, weekday, year = fields
        five = " ".join(f.replace("?", "*") for f in (minute, hour, day, month, _aws_weekdays(weekday)))
        local = after.astimezone(ZoneInfo(timezone))
        iterator = croniter(five, local)
        for _ in range(2000):  # skip years the expression excludes
            candidate: datetime = iterator.get_next(datetime)
            if year in ("*", "?") or str(candidate.year) in _years(year):
                return candidate.astimezone(UTC)
        return None
    raise ScheduleExpressionError(f"{expression!r} is not rate(...), cron(...) or at(...)")


def _aws_weekdays(field_: str) -> str:
    # AWS numbers weekdays 1-7 from Sunday; cron (croniter) numbers them 0-6 from Sunday.
    def shift(token: str) -> str:
        return str(int(token) - 1) if token.isdigit() else token

    return re.sub(r"\d+", lambda m: shift(m.group(0)), field_)


def _years(field_: str) -> set[str]:
    years: set[str] = set()
    for part in field_.split(","):
        if "-" in part:
            low, high = part.split("-")
            years.update(str(y) for y in range(int(low), int(high) + 1))
        else:
            years.add(part)
    return years


@dataclass
class Firing:
    at: float
    schedule: str
    target: str


def _identity(schedule: dict[str, Any]) -> tuple[str, str, str, str]:
    """What makes an armed firing still the schedule's: its expression, zone, state and target."""
    return (
        str(schedule["ScheduleExpression"]),
        str(schedule.get("ScheduleExpressionTimezone", "UTC")),
        str(schedule.get("State", "ENABLED")),
        json.dumps(schedule.get("Target", {}), sort_keys=True, default=str),
    )


@dataclass
class ScheduleRunner:
    clock: VirtualClock
    invoke_lambda: Callable[[str, Any], tuple[bool, str]]
    start_execution: Callable[[str, str], None]
    firings: list[Firing] = field(default_factory=list)
    # every schedule the Scheduler API holds now (the runtime reads them through the API)
    read_schedules: Callable[[], list[dict[str, Any]]] | None = None
    _armed: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)

    def start(self, schedules: list[dict[str, Any]]) -> None:
        for schedule in schedules:
            self._arm(schedule)

    def sync(self) -> None:
        """Arm what was created or changed through the API since; forget what was deleted."""
        if self.read_schedules is None:
            return
        current = {str(s["Name"]): s for s in self.read_schedules()}
        for name in set(self._armed) - set(current):
            del self._armed[name]
        for name, schedule in current.items():
            if self._armed.get(name) != _identity(schedule):
                self._arm(schedule)

    def _arm(self, schedule: dict[str, Any]) -> None:
        identity = _identity(schedule)
        self._armed[str(schedule["Name"])] = identity
        if schedule.get("State", "ENABLED") != "ENABLED":
            return
        now = datetime.fromtimestamp(self.clock.now(), UTC)
        when = next_fire(
            schedule["ScheduleExpression"], now, schedule.get("ScheduleExpressionTimezone", "UTC")
        )
        if when is not None:
            self.clock.call_at(
                when.timestamp(), lambda: self._fire(schedule, identity), f"schedule {schedule['Name']}"
            )

    def _fire(self, schedule: dict[str, Any], identity: tuple[str, str, str, str]) -> None:
        if self._armed.get(str(schedule["Name"])) != identity:
            return  # moved, disabled or deleted since it was armed
        target = schedule["Target"]
        payload = target.get("Input", "{}")
        self.firings.append(Firing(self.clock.now(), schedule["Name"], target["Arn"]))
        if ":lambda:" in target["Arn"]:
            self.invoke_lambda(target["Arn"], json.loads(payload))
        elif ":states:" in target["Arn"]:
            self.start_execution(target["Arn"], payload)
        self._arm(schedule)
        self.sync()
