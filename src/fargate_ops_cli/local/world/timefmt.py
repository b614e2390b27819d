"""Virtual epoch seconds in the formats AWS puts in events and APIs (each service has its own)."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(t: float) -> datetime:
    """For moto's ECS/ELB objects: moto serialises a datetime's wall clock as UTC, so give it UTC."""
    return datetime.fromtimestamp(round(t, 3), UTC)


def naive(t: float) -> datetime:
    """For moto's CloudWatch data: it parses request timestamps to naive UTC and compares with them."""
    return aware(t).replace(tzinfo=None)


def ecs_millis(t: float) -> str:
    """ECS task and service-action events: `2020-03-16T15:37:04.979Z`."""
    return aware(t).strftime("%Y-%m-%dT%H:%M:%S.") + f"{aware(t).microsecond // 1000:03d}Z"


def ecs_seconds(t: float) -> str:
    """ECS deployment events: `2020-05-23T11:11:11Z`."""
    return aware(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def cloudwatch(t: float) -> str:
    """CloudWatch alarm state timestamps: `2019-10-02T17:04:40.989+0000`."""
    return aware(t).strftime("%Y-%m-%dT%H:%M:%S.") + f"{aware(t).microsecond // 1000:03d}+0000"


def cloudwatch_datapoint(t: float) -> str:
    """How alarm reasons print a datapoint's time: `02/10/19 16:59:00` (dd/mm/yy)."""
    return aware(t).strftime("%d/%m/%y %H:%M:%S")
