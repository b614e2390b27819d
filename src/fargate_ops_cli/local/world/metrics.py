"""CloudWatch as ALB feeds it: a minute's datapoints become readable an ingestion delay after the minute.

In AWS an ALB's per-minute metrics are readable in CloudWatch one to three minutes after the minute
ends; GetMetricData (and alarm evaluation) until then sees no datapoint for that minute. The traffic
model hands each closed minute to `DelayedPublisher.submit`; the datapoints keep the minute's own
timestamp and are written to moto's CloudWatch (directly, not through boto3: not the application's
calls) and into the `MetricLedger` the alarms read, `ingestion_delay_seconds` after the minute's end.
Nothing of a minute is readable before that, in GetMetricData or to an alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.local.world.timefmt import naive

Dims = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Datum:
    """One minute of one metric, as CloudWatch's statistic set: Sum, SampleCount, Minimum, Maximum."""

    sum: float
    count: float
    minimum: float
    maximum: float

    def stat(self, name: str) -> float:
        if name == "Average":
            return self.sum / self.count if self.count else 0.0
        return {"Sum": self.sum, "SampleCount": self.count, "Minimum": self.minimum, "Maximum": self.maximum}[
            name
        ]


def count(value: int) -> Datum:
    """A count for one minute: one value, as ALB publishes RequestCount and the HTTPCode_* metrics."""
    return Datum(float(value), 1.0, float(value), float(value))


def combine(data: list[Datum]) -> Datum:
    """Several minutes as one period's datapoint (an alarm whose period is longer than a minute)."""
    return Datum(
        sum=sum(d.sum for d in data),
        count=sum(d.count for d in data),
        minimum=min(d.minimum for d in data),
        maximum=max(d.maximum for d in data),
    )


def _key(dims: list[dict[str, str]]) -> Dims:
    return tuple(sorted((d["Name"], d["Value"]) for d in dims))


@dataclass(frozen=True)
class Point:
    metric: str
    dims: list[dict[str, str]]
    datum: Datum
    unit: str = "Count"

    def metric_datum(self, minute: float) -> dict[str, Any]:
        """PutMetricData's shape, stamped with the minute's start as ALB's datapoints are."""
        return {
            "MetricName": self.metric,
            "Dimensions": self.dims,
            "Timestamp": naive(minute),
            "StatisticValues": {
                "Sum": self.datum.sum,
                "SampleCount": self.datum.count,
                "Minimum": self.datum.minimum,
                "Maximum": self.datum.maximum,
            },
            "Unit": self.unit,
        }


class MetricLedger:
    """What CloudWatch can answer now, by (metric, dimensions) and minute start: the alarms read it."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, Dims], dict[float, Datum]] = {}

    def record(self, metric: str, dims: list[dict[str, str]], minute: float, datum: Datum) -> None:
        self._series.setdefault((metric, _key(dims)), {})[minute] = datum

    def get(self, metric: str, dims: list[dict[str, str]], minute: float) -> Datum | None:
        return self._series.get((metric, _key(dims)), {}).get(minute)


@dataclass
class _Pending:
    readable_at: float
    minute: float
    points: list[Point]


class DelayedPublisher:
    """Holds each closed minute until its ingestion delay has passed, then makes it readable."""

    def __init__(
        self,
        put_metric_data: Callable[[str, list[dict[str, Any]]], Any],
        namespace: str,
        ledger: MetricLedger,
        delay_seconds: float,
    ) -> None:
        self._put = put_metric_data
        self._namespace = namespace
        self.ledger = ledger
        self.delay_seconds = delay_seconds
        self._pending: list[_Pending] = []

    def submit(self, minute: float, points: list[Point]) -> float:
        """The minute starting at `minute` (it ended at `minute + 60`); returns when it becomes readable."""
        readable_at = minute + 60 + self.delay_seconds
        if points:
            self._pending.append(_Pending(readable_at, minute, points))
        return readable_at

    def flush(self, now: float) -> int:
        """Makes readable every minute whose delay has passed by `now`, oldest first; how many."""
        due = [p for p in self._pending if p.readable_at <= now]
        self._pending = [p for p in self._pending if p.readable_at > now]
        for pending in due:
            for point in pending.points:
                self.ledger.record(point.metric, point.dims, pending.minute, point.datum)
            self._put(self._namespace, [p.metric_datum(pending.minute) for p in pending.points])
        return len(due)

    @property
    def pending_minutes(self) -> list[float]:
        return [p.minute for p in self._pending]
