"""A scenario's scheduled scaling: the schedules stored before the run, the operator's overrides, runs of
the reconciler that are missed on purpose, and the capacities expected at given instants.

    scaling:
      interval_minutes: 60              # the template's ScalingIntervalMinutes for this run (default 5)
      schedules: [{name: office, timezone: Asia/Tokyo, periods: [...]}]   # docs/scaling.md's format
      overrides:                        # `fargate-ops scaling override`, at an offset from the start
        - {at: 1h, service: api, desired: 4, until: "2026-11-24T23:00:00+09:00"}
      missed_runs:                      # the reconciler's runs in these windows do not happen
        - {from: 1d, until: 1d2h}
    expect:
      capacities:                       # at an offset, or an instant with its offset
        - {at: "2026-11-24T09:05:00+09:00", service: api, desired: 2}

Importable without moto or boto3.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fargate_ops.domain.strategy import InvalidStrategyError
from fargate_ops.domain.strategy import parse_duration as parse_seconds
from fargate_ops.models.schedule import ScheduleError, parse_override, parse_schedule


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _offset_or_instant(value: Any) -> float | datetime:
    """An offset from the scenario's start (90, 5m, 1d2h) or an aware instant."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no offset: give one (Z, +09:00)")
        return value
    if isinstance(value, str) and "T" in value:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if instant.tzinfo is None:
            raise ValueError(f"{value} has no offset: give one (Z, +09:00)")
        return instant
    return _offset(value)


def _offset(value: Any) -> float:
    text = str(value).strip()
    days = 0
    if "d" in text:  # scenario weeks: 1d2h is a day and two hours
        head, _, text = text.partition("d")
        days = int(head)
        if not text:
            return float(days * 86_400)
    try:
        return float(days * 86_400 + parse_seconds(text if days else value, "at"))
    except InvalidStrategyError as err:
        raise ValueError(err.message) from None


class ScheduledOverride(_Strict):
    """`fargate-ops scaling override SERVICE --desired N --until TIME`, done at ``at``."""

    at: float
    service: str
    desired: int | None = None
    min: int | None = None
    max: int | None = None
    until: datetime
    note: str | None = None

    _at = field_validator("at", mode="before")(classmethod(lambda cls, v: _offset(v)))

    @model_validator(mode="after")
    def _valid(self) -> ScheduledOverride:
        try:
            parse_override(self.override())
        except ScheduleError as err:
            raise ValueError(str(err)) from None
        return self

    def override(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"at"}, exclude_none=True)


class Window(_Strict):
    begin: float = Field(alias="from")
    until: float

    _offsets = field_validator("begin", "until", mode="before")(classmethod(lambda cls, v: _offset(v)))


class ScalingSpec(_Strict):
    interval_minutes: int = Field(default=5, ge=2, le=60)
    schedules: list[dict[str, Any]] = Field(default_factory=list)
    overrides: list[ScheduledOverride] = Field(default_factory=list)
    missed_runs: list[Window] = Field(default_factory=list)

    @field_validator("schedules")
    @classmethod
    def _schedules(cls, schedules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for index, raw in enumerate(schedules):
            try:
                parse_schedule(raw)
            except ScheduleError as err:
                raise ValueError(f"schedules.{index}.{err}") from None
        return schedules


class ExpectedCapacity(_Strict):
    """What a service holds at an instant: its desired count, running tasks, scalable target bounds."""

    at: float | datetime
    service: str
    desired: int | None = None
    running: int | None = None
    healthy: int | None = None  # running tasks whose every target passes its health checks
    min: int | None = None
    max: int | None = None

    _at = field_validator("at", mode="before")(classmethod(lambda cls, v: _offset_or_instant(v)))

    def offset(self, start: float) -> float:
        return self.at.timestamp() - start if isinstance(self.at, datetime) else self.at
