"""CloudWatch: the states of watched alarms, and the ALB metrics a traffic step's analysis reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.domain.analysis import TargetGroupStats, WindowMetrics
from fargate_ops.frozen import frozen

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

DESCRIBE_ALARMS_BATCH = 100
ALB_NAMESPACE = "AWS/ApplicationELB"
MINUTE = 60


@frozen
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

    def window_metrics(
        self,
        load_balancer: str,
        target_groups: dict[str, str],
        start: int,
        end: int,
    ) -> WindowMetrics:
        """Requests, 5xx and mean response time per target group (key -> ``targetgroup/...`` dimension)
        over the whole minutes ``[start, end)``, and which of those minutes CloudWatch already has for
        the load balancer (its RequestCount, per minute).

        One GetMetricData call: the target groups' queries take one period spanning the window (one
        value each); the load balancer's takes 60-second periods, one timestamp per minute it holds.
        """
        period = end - start  # whole minutes: a multiple of 60, as GetMetricData wants
        lb_dims = [{"Name": "LoadBalancer", "Value": load_balancer}]
        queries = [_query("lb", "RequestCount", "Sum", lb_dims, MINUTE)]
        for i, dimension in enumerate(target_groups.values()):
            dims = [{"Name": "TargetGroup", "Value": dimension}, *lb_dims]
            queries += [
                _query(f"req{i}", "RequestCount", "Sum", dims, period),
                _query(f"err{i}", "HTTPCode_Target_5XX_Count", "Sum", dims, period),
                _query(f"lat{i}", "TargetResponseTime", "Average", dims, period),
            ]
        values: dict[str, float] = {}
        minutes: set[int] = set()
        try:
            pages = self._cw.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries,  # type: ignore[arg-type]
                StartTime=datetime.fromtimestamp(start, UTC),
                EndTime=datetime.fromtimestamp(end, UTC),
            )
            for page in pages:
                for result in page.get("MetricDataResults", []):
                    if result["Id"] == "lb":
                        minutes.update(int(t.timestamp()) for t in result.get("Timestamps", []))
                        continue
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
        return WindowMetrics(stats, frozenset(minutes))


def _query(query_id: str, metric: str, stat: str, dims: list[dict[str, str]], period: int) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": ALB_NAMESPACE, "MetricName": metric, "Dimensions": dims},
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }
