"""CloudWatch alarm evaluation of the world's alarms, each minute, from the metrics the traffic published.

moto stores alarms but never evaluates them. Here each alarm looks at its last `evaluation_periods`
one-minute datapoints; it goes to ALARM when at least `datapoints_to_alarm` of them breach (missing ones
treated per TreatMissingData), to OK otherwise. A change of state is written to moto (so DescribeAlarms
agrees) and emitted as "CloudWatch Alarm State Change", shaped like the CloudWatch user guide's example.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fargate_ops_cli.local.world.context import WorldContext
from fargate_ops_cli.local.world.provision import NAMESPACE, alarm_dimensions
from fargate_ops_cli.local.world.spec import AlarmSpec
from fargate_ops_cli.local.world.timefmt import cloudwatch, cloudwatch_datapoint, naive
from fargate_ops_cli.local.world.traffic import MetricLedger

SOURCE = "aws.cloudwatch"
DETAIL_TYPE = "CloudWatch Alarm State Change"
PERIOD = 60
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
        minutes = [now - PERIOD * (i + 1) for i in range(spec.evaluation_periods)]  # newest first
        values: list[tuple[float, float | None]] = []
        for minute in minutes:
            datum = self.ledger.get(spec.metric, dims, minute)
            values.append((minute, datum.stat(spec.stat) if datum is not None else None))
        present = [(m, v) for m, v in values if v is not None]
        missing = len(values) - len(present)
        if not present and spec.treat_missing_data in ("missing", "ignore"):
            if spec.treat_missing_data == "ignore":
                return
            new = "INSUFFICIENT_DATA"
            reason = f"Insufficient Data: {missing} datapoint{'s were' if missing > 1 else ' was'} unknown."
        else:
            count = sum(1 for _, v in present if breaches(v, spec.comparison, spec.threshold))
            if spec.treat_missing_data == "breaching":
                count += missing
            considered = (
                len(values) if spec.treat_missing_data in ("breaching", "notBreaching") else len(present)
            )
            new = "ALARM" if count >= spec.datapoints else "OK"
            reason = self._reason(spec, alarm.state_value, new, count, considered, present)
            if not present:
                treated = "Breaching" if spec.treat_missing_data == "breaching" else "NonBreaching"
                periods = f"{missing} period{'s' if missing > 1 else ''}"
                datapoints = f"{missing} missing datapoint{'s were' if missing > 1 else ' was'}"
                reason = (
                    f"Threshold Crossed: no datapoints were received for {periods} and {datapoints} "
                    f"treated as [{treated}]."
                )
        if new == alarm.state_value:
            return
        reason_data = json.dumps(
            {
                "version": "1.0",
                "queryDate": cloudwatch(now),
                "startDate": cloudwatch(minutes[-1]),
                "statistic": spec.stat,
                "period": PERIOD,
                "recentDatapoints": [v for _, v in reversed(present)],
                "threshold": float(spec.threshold),
            },
            separators=(",", ":"),
        )
        self._change(spec, alarm, new, reason, reason_data, now)

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
                    "period": PERIOD,
                    "stat": spec.stat,
                },
                "returnData": True,
            }
        ]
        return configuration
