"""CloudWatch: the states of watched alarms, and the ALB metrics a traffic step's analysis reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.domain.analysis import TargetGroupStats

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

DESCRIBE_ALARMS_BATCH = 100
ALB_NAMESPACE = "AWS/ApplicationELB"
PERIOD = 60


@dataclass(frozen=True, slots=True)
class AlarmState:
    name: str
    state: str  # OK, ALARM, INSUFFICIENT_DATA
    reason: str
    updated_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "state": self.state, "reason": self.reason, "at": self.updated_at}


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class CloudWatchAdapter:
    def __init__(self, client: CloudWatchClient) -> None:
        self._cw = client

    def alarm_states(self, names: Sequence[str]) -> dict[str, AlarmState]:
        """The named metric and composite alarms that exist, by name (a missing name is simply absent)."""
        found: dict[str, AlarmState] = {}
        for batch in _batches(list(names), DESCRIBE_ALARMS_BATCH):
            try:
                pages = self._cw.get_paginator("describe_alarms").paginate(
                    AlarmNames=batch, AlarmTypes=["MetricAlarm", "CompositeAlarm"]
                )
                for page in pages:
                    for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                        updated = alarm.get("StateUpdatedTimestamp")
                        found[alarm["AlarmName"]] = AlarmState(
                            name=alarm["AlarmName"],
                            state=str(alarm.get("StateValue", "")),
                            reason=str(alarm.get("StateReason", "")),
                            updated_at=updated.isoformat() if isinstance(updated, datetime) else None,
                        )
            except ClientError as err:
                raise translate(err, "cloudwatch:DescribeAlarms") from err
        return found

    def target_group_stats(
        self,
        load_balancer: str,
        target_groups: dict[str, str],
        start: float,
        end: float,
    ) -> dict[str, TargetGroupStats]:
        """Requests, 5xx and mean response time per target group (key -> ``targetgroup/...`` dimension).

        One GetMetricData call; one period spanning the whole window, so each query has one value.
        """
        start_minute = int(start // PERIOD * PERIOD)
        end_minute = max(int(-(-end // PERIOD) * PERIOD), start_minute + PERIOD)
        period = end_minute - start_minute
        queries: list[dict[str, Any]] = []
        for i, dimension in enumerate(target_groups.values()):
            dims = [
                {"Name": "TargetGroup", "Value": dimension},
                {"Name": "LoadBalancer", "Value": load_balancer},
            ]
            for metric, stat, short in (
                ("RequestCount", "Sum", "req"),
                ("HTTPCode_Target_5XX_Count", "Sum", "err"),
                ("TargetResponseTime", "Average", "lat"),
            ):
                queries.append(
                    {
                        "Id": f"{short}{i}",
                        "MetricStat": {
                            "Metric": {"Namespace": ALB_NAMESPACE, "MetricName": metric, "Dimensions": dims},
                            "Period": period,
                            "Stat": stat,
                        },
                        "ReturnData": True,
                    }
                )
        values: dict[str, float] = {}
        try:
            pages = self._cw.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries,  # type: ignore[arg-type]
                StartTime=datetime.fromtimestamp(start_minute, UTC),
                EndTime=datetime.fromtimestamp(end_minute, UTC),
            )
            for page in pages:
                for result in page.get("MetricDataResults", []):
                    points = result.get("Values", [])
                    if points:
                        values[result["Id"]] = values.get(result["Id"], 0.0) + float(sum(points))
        except ClientError as err:
            raise translate(err, "cloudwatch:GetMetricData") from err
        stats: dict[str, TargetGroupStats] = {}
        for i, key in enumerate(target_groups):
            requests = round(values.get(f"req{i}", 0.0))
            stats[key] = TargetGroupStats(
                requests=requests,
                errors_5xx=round(values.get(f"err{i}", 0.0)),
                latency_seconds=values.get(f"lat{i}") if requests else None,
            )
        return stats
