"""ALB traffic, one virtual minute at a time, published as the per-minute metrics ALB puts in CloudWatch.

Each route (a listener's default action or a rule) has its requests a minute; `split` divides them by
that route's forward weights as they are now (the application moves them with ModifyListener /
ModifyRule, a third party may edit them); each target group spreads its share, over every route,
evenly over its healthy targets, and each target answers with its image's error rate and latency.
Exact arithmetic: a 0.5% error rate at 100 requests a minute gives 0, 1, 0, 1... errors (the fraction
carries over), never a random number.

ALB details kept: metrics exist only when there is a non-zero value (no requests, no datapoint);
per-target-group metrics carry both the TargetGroup and LoadBalancer dimensions, whatever rule sent the
requests; when every target of a group is unhealthy ALB "fails open" and sends to all of them; a group
without targets gets ELB 503s; a fixed response counts in HTTPCode_ELB_4XX/5XX_Count. RequestCount
counts only requests a target answered (ELB's definition), so ELB's own answers are not in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from fargate_ops_cli.local.world.context import WorldContext
from fargate_ops_cli.local.world.moto_access import route_action
from fargate_ops_cli.local.world.provision import NAMESPACE, metric_dimension
from fargate_ops_cli.local.world.split import MinuteSplit, RouteAction, RouteLoad, apportion, split_minute
from fargate_ops_cli.local.world.targets import Target, TargetRegistry
from fargate_ops_cli.local.world.timefmt import naive

__all__ = ["Datum", "MetricLedger", "TrafficModel", "apportion"]

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

    def actions(self) -> dict[str, RouteAction]:
        """What every route does now (route key -> its forward weights or fixed response), read live."""
        elbv2 = self.ctx.backends.elbv2
        return {key: route_action(elbv2, route.arn) for key, route in self.ctx.world.routes.items()}

    def weights(self) -> dict[str, int]:
        """Target group ARN -> weight over the production routes (a group two of them forward to: the
        larger weight); for one listener, its forward's weights as they are."""
        merged: dict[str, int] = {}
        actions = self.actions()
        for key, route in self.ctx.world.routes.items():
            if route.test:
                continue
            for arn, weight in actions[key].weights.items():
                merged[arn] = max(weight, merged.get(arn, 0))
        return merged

    def split(self) -> MinuteSplit:
        """Which requests go where this minute: each route's requests by that route's weights now."""
        actions = self.actions()
        return split_minute(
            RouteLoad(key, route.requests_per_minute, actions[key])
            for key, route in self.ctx.world.routes.items()
        )

    def publish_minute(self, now: float) -> None:
        """Publishes the minute that ends now, stamped with its start as CloudWatch does."""
        minute = now - 60
        split = self.split()
        shares = split.target_groups()
        data: list[dict[str, Any]] = []
        lb_requests, lb_errors, elb_5xx = 0, 0, 0
        lb_latencies: list[tuple[int, float]] = []
        for tg_arn in shares:
            dims = [{"Name": "TargetGroup", "Value": metric_dimension(tg_arn)}, *self.lb_dims]
            targets = self.registry.of_group(tg_arn)
            healthy = [t for t in targets if t.state == "healthy"]
            unhealthy = sum(1 for t in targets if t.state == "unhealthy")
            data += self._gauge("HealthyHostCount", dims, minute, len(healthy))
            data += self._gauge("UnHealthyHostCount", dims, minute, unhealthy)
            requests = shares[tg_arn]
            if requests == 0:
                continue
            serving = healthy or [t for t in targets if t.state in ("initial", "unhealthy")]  # fail open
            if not serving:
                elb_5xx += requests  # 503: no target to send to
                continue
            errors, latencies = self._serve(tg_arn, serving, requests)
            lb_requests += requests
            lb_errors += errors
            lb_latencies += latencies
            data += self._counts(dims, minute, requests, errors)
            data += self._latency(dims, minute, latencies)
        data += self._counts(self.lb_dims, minute, lb_requests, lb_errors)
        data += self._latency(self.lb_dims, minute, lb_latencies)
        by_class = {4: 0, 5: elb_5xx}
        for status, requests in split.answered_by_elb.items():
            if status // 100 in by_class:
                by_class[status // 100] += requests
        for status_class, requests in by_class.items():
            if requests:
                data += self._datum(
                    f"HTTPCode_ELB_{status_class}XX_Count", self.lb_dims, minute, _count(requests)
                )
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
