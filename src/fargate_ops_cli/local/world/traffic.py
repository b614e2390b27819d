"""ALB traffic, one virtual minute at a time, published as the per-minute metrics ALB puts in CloudWatch.

The listener's requests are split by the forward action's current weights (the application moves them
with ModifyListener / ModifyRule); each target group spreads its share evenly over its healthy targets,
and each target answers with its image's error rate and latency. Exact arithmetic: a 0.5% error rate at
100 requests a minute gives 0, 1, 0, 1... errors (the fraction carries over), never a random number.

ALB details kept: metrics exist only when there is a non-zero value (no requests, no datapoint);
per-target-group metrics carry both the TargetGroup and LoadBalancer dimensions; when every target of a
group is unhealthy ALB "fails open" and sends to all of them; a group without targets gets ELB 503s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from fargate_ops_cli.local.world.context import WorldContext
from fargate_ops_cli.local.world.moto_access import forward_weights
from fargate_ops_cli.local.world.provision import NAMESPACE, metric_dimension
from fargate_ops_cli.local.world.targets import Target, TargetRegistry
from fargate_ops_cli.local.world.timefmt import naive

K = TypeVar("K")
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


class MetricLedger:
    """What the simulator published, by (metric, dimensions) and minute start: the alarms read it back."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, Dims], dict[float, Datum]] = {}

    def record(self, metric: str, dims: list[dict[str, str]], minute: float, datum: Datum) -> None:
        self._series.setdefault((metric, _key(dims)), {})[minute] = datum

    def get(self, metric: str, dims: list[dict[str, str]], minute: float) -> Datum | None:
        return self._series.get((metric, _key(dims)), {}).get(minute)


def _count(value: int) -> Datum:
    """A count for one minute: one value, as ALB publishes RequestCount and the HTTPCode_* metrics."""
    return Datum(float(value), 1.0, float(value), float(value))


def _key(dims: list[dict[str, str]]) -> Dims:
    return tuple(sorted((d["Name"], d["Value"]) for d in dims))


def apportion(total: int, weights: dict[K, int]) -> dict[K, int]:
    """Splits `total` in proportion to `weights`, in whole requests (largest remainder, ties in order)."""
    weight_sum = sum(max(w, 0) for w in weights.values())
    if total <= 0 or weight_sum == 0:
        return {k: 0 for k in weights}
    exact = {k: Fraction(total * max(w, 0), weight_sum) for k, w in weights.items()}
    shares = {k: int(v) for k, v in exact.items()}
    order = sorted(weights, key=lambda k: -(exact[k] - shares[k]))  # stable: earlier keys win ties
    for k in order[: total - sum(shares.values())]:
        shares[k] += 1
    return shares


class TrafficModel:
    def __init__(
        self, ctx: WorldContext, registry: TargetRegistry, image_of: Callable[[str], str | None]
    ) -> None:
        self.ctx = ctx
        self.registry = registry
        self.image_of = image_of  # task ARN -> image
        self.ledger = MetricLedger()
        self._carry: dict[tuple[str, str], Fraction] = {}
        self.lb_dims = [{"Name": "LoadBalancer", "Value": metric_dimension(ctx.world.load_balancer_arn)}]

    def weights(self) -> dict[str, int]:
        return forward_weights(
            self.ctx.backends.elbv2, self.ctx.world.listener_arn, self.ctx.world.listener_rule_arn
        )

    def publish_minute(self, now: float) -> None:
        """Publishes the minute that ends now, stamped with its start as CloudWatch does."""
        minute = now - 60
        weights = self.weights()
        shares = apportion(self.ctx.spec.traffic.requests_per_minute, weights)
        data: list[dict[str, Any]] = []
        lb_requests, lb_errors, elb_errors = 0, 0, 0
        lb_latencies: list[tuple[int, float]] = []
        for tg_arn in weights:
            dims = [{"Name": "TargetGroup", "Value": metric_dimension(tg_arn)}, *self.lb_dims]
            targets = self.registry.of_group(tg_arn)
            healthy = [t for t in targets if t.state == "healthy"]
            unhealthy = sum(1 for t in targets if t.state == "unhealthy")
            data += self._gauge("HealthyHostCount", dims, minute, len(healthy))
            data += self._gauge("UnHealthyHostCount", dims, minute, unhealthy)
            requests = shares.get(tg_arn, 0)
            if requests == 0:
                continue
            serving = healthy or [t for t in targets if t.state in ("initial", "unhealthy")]  # fail open
            lb_requests += requests
            if not serving:
                elb_errors += requests  # 503: no target to send to
                continue
            errors, latencies = self._serve(tg_arn, serving, requests)
            lb_errors += errors
            lb_latencies += latencies
            data += self._counts(dims, minute, requests, errors)
            data += self._latency(dims, minute, latencies)
        data += self._counts(self.lb_dims, minute, lb_requests, lb_errors)
        data += self._latency(self.lb_dims, minute, lb_latencies)
        if elb_errors:
            data += self._datum("HTTPCode_ELB_5XX_Count", self.lb_dims, minute, _count(elb_errors))
        if data:
            self.ctx.backends.cloudwatch.put_metric_data(NAMESPACE, data)

    def _serve(
        self, tg_arn: str, serving: list[Target], requests: int
    ) -> tuple[int, list[tuple[int, float]]]:
        errors = 0
        latencies: list[tuple[int, float]] = []
        split = apportion(requests, {t.target_id: 1 for t in serving})
        for target in serving:
            count = split[target.target_id]
            if count == 0:
                continue
            image = self.image_of(target.task_arn) or ""
            behaviour = self.ctx.behaviour(image)
            # A target failing its health checks fails real requests too.
            rate = Fraction(1) if behaviour.never_healthy else Fraction(repr(behaviour.error_rate))
            carry = self._carry.get((tg_arn, image), Fraction(0)) + count * rate
            failed = int(carry)
            self._carry[(tg_arn, image)] = carry - failed
            errors += failed
            seconds = (self.ctx.spec.traffic.base_latency_ms + behaviour.latency_ms) / 1000
            latencies.append((count, seconds))
        return errors, latencies

    def _counts(
        self, dims: list[dict[str, str]], minute: float, requests: int, errors: int
    ) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = []
        for metric, value in (
            ("RequestCount", requests),
            ("HTTPCode_Target_5XX_Count", errors),
            ("HTTPCode_Target_2XX_Count", requests - errors),
        ):
            if value > 0:
                data += self._datum(metric, dims, minute, _count(value))
        return data

    def _latency(
        self, dims: list[dict[str, str]], minute: float, latencies: list[tuple[int, float]]
    ) -> list[dict[str, Any]]:
        count = sum(n for n, _ in latencies)
        if count == 0:
            return []
        datum = Datum(
            sum=sum(n * s for n, s in latencies),
            count=count,
            minimum=min(s for _, s in latencies),
            maximum=max(s for _, s in latencies),
        )
        return self._datum("TargetResponseTime", dims, minute, datum, unit="Seconds")

    def _gauge(
        self, metric: str, dims: list[dict[str, str]], minute: float, value: int
    ) -> list[dict[str, Any]]:
        return self._datum(metric, dims, minute, _count(value))

    def _datum(
        self, metric: str, dims: list[dict[str, str]], minute: float, datum: Datum, unit: str = "Count"
    ) -> list[dict[str, Any]]:
        self.ledger.record(metric, dims, minute, datum)
        stats = {
            "Sum": datum.sum,
            "SampleCount": datum.count,
            "Minimum": datum.minimum,
            "Maximum": datum.maximum,
        }
        return [
            {
                "MetricName": metric,
                "Dimensions": dims,
                "Timestamp": naive(minute),
                "StatisticValues": stats,
                "Unit": unit,
            }
        ]
