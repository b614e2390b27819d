"""CloudWatch alarm evaluation of the world's alarms, each minute, from the datapoints CloudWatch can read.

moto stores alarms but never evaluates them. Here, every minute, each alarm reads its evaluation range
of periods (`period_seconds` each, the newest ending now) from what CloudWatch has ingested by then: the
last minutes of traffic are not readable yet (the ingestion delay, metrics.py), so they are missing, and
alarm_rules.py decides as CloudWatch does with its evaluation periods, datapoints to alarm and
TreatMissingData. A change of state is written to moto (so DescribeAlarms agrees) and emitted as
"CloudWatch Alarm State Change", shaped like the CloudWatch user guide's example.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fargate_ops_cli.local.world.alarm_rules import evaluate, evaluation_range
from fargate_ops_cli.local.world.context import WorldContext
from fargate_ops_cli.local.world.metrics import MetricLedger, combine
from fargate_ops_cli.local.world.provision import NAMESPACE, alarm_dimensions
from fargate_ops_cli.local.world.spec import AlarmSpec
from fargate_ops_cli.local.world.timefmt import cloudwatch, cloudwatch_datapoint, naive

SOURCE = "aws.cloudwatch"
DETAIL_TYPE = "CloudWatch Alarm State Change"
MINUTE = 60
_WORDS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def breaches(value: float, comparison: str, threshold: float) -> bool:
    return {
        "GreaterThanThreshold": value > threshold,
        "GreaterThanOrEqualToThreshold": value >= threshold,
        "LessThanThreshold": value < threshold,
        "LessThanOrEqualToThreshold": value <= threshold,
    }[comparison]


class AlarmEvaluator:
    def __init__(self, ctx: WorldContext, ledger: MetricLedger) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self._since: dict[str, float] = {}

    def initialise(self, now: float) -> None:
        """A new alarm is INSUFFICIENT_DATA until its first evaluation (moto starts it at OK)."""
        for spec in self.ctx.spec.alarms:
            alarm = self.ctx.backends.cloudwatch.alarms.get(spec.name)
            if alarm is not None:
                alarm.state_value, alarm.state_reason, alarm.state_reason_data = (
                    "INSUFFICIENT_DATA",
                    "Unchecked: Initial alarm creation",
                    "{}",
                )
                alarm.state_updated_timestamp = naive(now)
                self._since[spec.name] = now

    def states(self) -> dict[str, str]:
        alarms = self.ctx.backends.cloudwatch.alarms
        return {s.name: alarms[s.name].state_value for s in self.ctx.spec.alarms if s.name in alarms}

    def evaluate(self, now: float) -> None:
        for spec in self.ctx.spec.alarms:
            alarm = self.ctx.backends.cloudwatch.alarms.get(spec.name)
            if alarm is not None:
                self._evaluate(spec, alarm, now)

    def _evaluate(self, spec: AlarmSpec, alarm: Any, now: float) -> None:
        dims = alarm_dimensions(self.ctx.world, spec)
        period = spec.period_seconds
        # The evaluation range, oldest first; each period ends where the next begins, the newest at now.
        starts = [now - period * (i + 1) for i in reversed(range(evaluation_range(spec.evaluation_periods)))]
        values = [self._value(spec, dims, start) for start in starts]
        outcome = evaluate(
            [None if v is None else breaches(v, spec.comparison, spec.threshold) for v in values],
            spec.evaluation_periods,
            spec.datapoints,
            spec.treat_missing_data,
        )
        if outcome.state is None or outcome.state == alarm.state_value:
            return
        shown = [(starts[i], v) for i in outcome.evaluated if (v := values[i]) is not None]
        new = outcome.state
        if new == "INSUFFICIENT_DATA":
            missing = spec.evaluation_periods
            reason = f"Insufficient Data: {missing} datapoint{'s were' if missing > 1 else ' was'} unknown."
        elif not shown:
            treated = "Breaching" if spec.treat_missing_data == "breaching" else "NonBreaching"
            missing = outcome.filled
            periods = f"{missing} period{'s' if missing > 1 else ''}"
            datapoints = f"{missing} missing datapoint{'s were' if missing > 1 else ' was'}"
            reason = (
                f"Threshold Crossed: no datapoints were received for {periods} and {datapoints} "
                f"treated as [{treated}]."
            )
        else:
            reason = self._reason(spec, alarm.state_value, new, outcome.breaching, outcome.considered, shown)
        reason_data = json.dumps(
            {
                "version": "1.0",
                "queryDate": cloudwatch(now),
                "startDate": cloudwatch(shown[0][0] if shown else starts[-spec.evaluation_periods]),
                "statistic": spec.stat,
                "period": period,
                "recentDatapoints": [v for _, v in shown],
                "threshold": float(spec.threshold),
            },
            separators=(",", ":"),
        )
        self._change(spec, alarm, new, reason, reason_data, now)

    def _value(self, spec: AlarmSpec, dims: list[dict[str, str]], start: float) -> float | None:
        """The period's datapoint from what CloudWatch can read now (minutes not yet ingested are absent)."""
        minutes = [
            self.ledger.get(spec.metric, dims, start + MINUTE * i) for i in range(spec.period_seconds // 60)
        ]
        readable = [d for d in minutes if d is not None]
        return combine(readable).stat(spec.stat) if readable else None

    def _reason(
        self,
        spec: AlarmSpec,
        old: str,
        new: str,
        count: int,
        considered: int,
        present: list[tuple[float, float]],
    ) -> str:
        shown = ", ".join(f"{v!r} ({cloudwatch_datapoint(m)})" for m, v in present)
        verb = "was" if new == "ALARM" else "was not"
        plural = "s" if spec.datapoints > 1 else ""
        counted = count if new == "ALARM" else considered - count
        threshold = float(spec.threshold)
        return (
            f"Threshold Crossed: {counted} out of the last {considered} "
            f"datapoints [{shown}] {verb} {_WORDS[spec.comparison]} the threshold ({threshold!r}) "
            f"(minimum {spec.datapoints} datapoint{plural} for {old} -> {new} transition)."
        )

    def _change(
        self, spec: AlarmSpec, alarm: Any, new: str, reason: str, reason_data: str, now: float
    ) -> None:
        previous: dict[str, Any] = {"reason": alarm.state_reason}
        if alarm.state_reason_data and alarm.state_reason_data != "{}":
            previous["reasonData"] = alarm.state_reason_data
        previous["timestamp"] = cloudwatch(self._since.get(spec.name, now))
        previous["value"] = alarm.state_value
        alarm.update_state(reason, reason_data, new)
        alarm.state_updated_timestamp = naive(now)  # moto stamps real time; the world runs on virtual time
        self._since[spec.name] = now
        detail = {
            "alarmName": spec.name,
            "configuration": self._configuration(spec),
            "previousState": previous,
            "state": {
                "reason": reason,
                "reasonData": reason_data,
                "timestamp": cloudwatch(now),
                "value": new,
            },
        }
        self.ctx.emit(SOURCE, DETAIL_TYPE, detail, [self.ctx.world.alarms.get(spec.name, alarm.alarm_arn)])

    def _configuration(self, spec: AlarmSpec) -> dict[str, Any]:
        dims = {d["Name"]: d["Value"] for d in alarm_dimensions(self.ctx.world, spec)}
        configuration: dict[str, Any] = {}
        if spec.description:
            configuration["description"] = spec.description
        configuration["metrics"] = [
            {
                "id": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"{self.ctx.world.alarms.get(spec.name, spec.name)}#m1")
                ),
                "metricStat": {
                    "metric": {"dimensions": dims, "name": spec.metric, "namespace": NAMESPACE},
                    "period": spec.period_seconds,
                    "stat": spec.stat,
                },
                "returnData": True,
            }
        ]
        return configuration
