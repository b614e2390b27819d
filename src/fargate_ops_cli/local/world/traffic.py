"""ALB traffic, counted as it flows, published as the per-minute metrics ALB puts in CloudWatch.

Each route (a listener's default action or a rule) has its requests a minute, split by that route's
forward weights as they are now (the application moves them with ModifyListener / ModifyRule, a third
party may edit them); each target group spreads its share, over every route, evenly over its healthy
targets, and each target answers with its image's error rate and latency. `flow()` reads all of that as
it is now; the model counts each flow for as long as it held (tally.py): the simulator calls `advance`
before and `refresh` after anything that changes it (a reconcile every 5 virtual seconds, a listener or
rule written, an image's behaviour changed), so a minute's counts follow the weights and behaviours over
the minute, not as they were at its end. At each minute's end `close_minute` turns the minute into ALB's
datapoints and hands them to CloudWatch, which makes them readable after its ingestion delay
(metrics.py). Exact arithmetic: a 0.5% error rate at 100 requests a minute gives 0, 1, 0, 1... errors
(the fraction carries over), never a random number.

ALB details kept: metrics exist only when there is a non-zero value (no requests, no datapoint);
per-target-group metrics carry both the TargetGroup and LoadBalancer dimensions, whatever rule sent the
requests; when every target of a group is unhealthy ALB "fails open" and sends to all of them; a group
without targets gets ELB 503s; a fixed response counts in HTTPCode_ELB_4XX/5XX_Count. RequestCount
counts only requests a target was chosen for (ELB's own answers are not in it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from fargate_ops_cli.local.world.context import WorldContext
from fargate_ops_cli.local.world.metrics import Datum, DelayedPublisher, MetricLedger, Point, count
from fargate_ops_cli.local.world.moto_access import route_action
from fargate_ops_cli.local.world.provision import NAMESPACE, metric_dimension
from fargate_ops_cli.local.world.split import RouteAction, apportion
from fargate_ops_cli.local.world.tally import (
    ELB_503,
    Carry,
    Flow,
    GroupCounts,
    GroupFlow,
    MinuteCounts,
    MinuteTally,
    Server,
)
from fargate_ops_cli.local.world.targets import Target, TargetRegistry

__all__ = ["Datum", "MetricLedger", "TrafficModel", "apportion"]

MINUTE = 60.0


class TrafficModel:
    def __init__(
        self, ctx: WorldContext, registry: TargetRegistry, image_of: Callable[[str], str | None]
    ) -> None:
        self.ctx = ctx
        self.registry = registry
        self.image_of = image_of  # task ARN -> image
        self.ledger = MetricLedger()
        self.publisher = DelayedPublisher(
            lambda namespace, data: ctx.backends.cloudwatch.put_metric_data(namespace, data),
            NAMESPACE,
            self.ledger,
            ctx.spec.cloudwatch.ingestion_delay_seconds,
        )
        self.lb_dims = [{"Name": "LoadBalancer", "Value": metric_dimension(ctx.world.load_balancer_arn)}]
        self._flow = Flow()
        self._since: float | None = None
        self._tallies: dict[float, MinuteTally] = {}  # by minute start: the minutes still open
        self._carry = Carry()

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

    # -- counting as it flows -------------------------------------------------------------------------
    def flow(self) -> Flow:
        """Where every route's requests go now, and who answers them (ALB publishes per target group,
        so a group two routes forward to gets both routes' shares)."""
        actions = self.actions()
        to_group: dict[str, Fraction] = {}
        elb_answered: dict[int, Fraction] = {}
        for key, route in self.ctx.world.routes.items():
            action, per_minute = actions[key], Fraction(route.requests_per_minute)
            if action.fixed_status is not None:
                if per_minute:
                    elb_answered[action.fixed_status] = elb_answered.get(action.fixed_status, 0) + per_minute
                continue
            weight_sum = sum(max(w, 0) for w in action.weights.values())
            if weight_sum == 0 and per_minute:
                # No forward weight (someone emptied the action): ELB has nowhere to send, it answers 503.
                elb_answered[ELB_503] = elb_answered.get(ELB_503, 0) + per_minute
            for tg_arn, weight in action.weights.items():
                share = per_minute * max(weight, 0) / weight_sum if weight_sum else Fraction(0)
                to_group[tg_arn] = to_group.get(tg_arn, Fraction(0)) + share
        return Flow(tuple(self._group(arn, rpm) for arn, rpm in to_group.items()), elb_answered)

    def _group(self, tg_arn: str, requests_per_minute: Fraction) -> GroupFlow:
        targets = self.registry.of_group(tg_arn)
        healthy = [t for t in targets if t.state == "healthy"]
        unhealthy = sum(1 for t in targets if t.state == "unhealthy")
        serving = healthy or [t for t in targets if t.state in ("initial", "unhealthy")]  # fail open
        return GroupFlow(tg_arn, requests_per_minute, self._servers(serving), len(healthy), unhealthy)

    def _servers(self, serving: list[Target]) -> tuple[Server, ...]:
        by_image: dict[str, int] = {}
        for target in serving:
            image = self.image_of(target.task_arn) or ""
            by_image[image] = by_image.get(image, 0) + 1
        servers = []
        for image, targets in by_image.items():
            behaviour = self.ctx.behaviour(image)
            # A target failing its health checks fails real requests too.
            rate = Fraction(1) if behaviour.never_healthy else Fraction(repr(behaviour.error_rate))
            latency = Fraction(repr(self.ctx.spec.traffic.base_latency_ms + behaviour.latency_ms)) / 1000
            servers.append(Server(image, Fraction(targets, len(serving)), rate, latency))
        return tuple(servers)

    def advance(self, now: float) -> None:
        """Counts the flow read last for the time it has held, up to `now`."""
        since = self._since
        while since is not None and since < now:
            minute = math.floor(since / MINUTE) * MINUTE
            until = min(now, minute + MINUTE)
            self._tallies.setdefault(minute, MinuteTally()).add(self._flow, until - since)
            since = until
        self._since = now

    def refresh(self, now: float) -> None:
        """Reads the flow as it is now (after `advance`): it counts from here on."""
        self._flow = self.flow()
        self._since = now

    def observe(self, now: float) -> None:
        """Something changed the flow just now: count the old one up to now, then read the new one."""
        self.advance(now)
        self.refresh(now)

    # -- publishing ---------------------------------------------------------------------------------
    def close_minute(self, now: float) -> float:
        """Closes the minute that ends now and hands its datapoints (stamped with the minute's start, as
        CloudWatch does) to CloudWatch; returns when they become readable."""
        self.advance(now)
        minute = now - MINUTE
        for older in [m for m in self._tallies if m < minute]:  # a minute nobody closed: close it now
            self.publisher.submit(older, self._points(self._tallies.pop(older).close(self._carry)))
        tally = self._tallies.pop(minute, MinuteTally())
        return self.publisher.submit(minute, self._points(tally.close(self._carry)))

    def _points(self, counts: MinuteCounts) -> list[Point]:
        points: list[Point] = []
        served: list[GroupCounts] = []
        for tg_arn, group in counts.groups.items():
            dims = [{"Name": "TargetGroup", "Value": metric_dimension(tg_arn)}, *self.lb_dims]
            for metric, gauge in (
                ("HealthyHostCount", group.healthy),
                ("UnHealthyHostCount", group.unhealthy),
            ):
                if gauge is not None:
                    points.append(
                        Point(metric, dims, Datum(gauge.total, gauge.samples, gauge.minimum, gauge.maximum))
                    )
            if group.requests == 0:
                continue
            served.append(group)
            points += _counts(dims, group.requests, group.errors_5xx)
            if group.latency is not None:
                latency = group.latency
                datum = Datum(latency.total_seconds, latency.count, latency.minimum, latency.maximum)
                points.append(Point("TargetResponseTime", dims, datum, unit="Seconds"))
        requests = sum(g.requests for g in served)
        points += _counts(self.lb_dims, requests, sum(g.errors_5xx for g in served))
        latencies = [g.latency for g in served if g.latency is not None]
        if latencies:
            datum = Datum(
                sum=sum(lat.total_seconds for lat in latencies),
                count=sum(lat.count for lat in latencies),
                minimum=min(lat.minimum for lat in latencies),
                maximum=max(lat.maximum for lat in latencies),
            )
            points.append(Point("TargetResponseTime", self.lb_dims, datum, unit="Seconds"))
        by_class: dict[int, int] = {}
        for status, answered in counts.elb_answered.items():
            by_class[status // 100] = by_class.get(status // 100, 0) + answered
        for status_class in (4, 5):
            if by_class.get(status_class):
                points.append(
                    Point(f"HTTPCode_ELB_{status_class}XX_Count", self.lb_dims, count(by_class[status_class]))
                )
        return points


def _counts(dims: list[dict[str, str]], requests: int, errors: int) -> list[Point]:
    return [
        Point(metric, dims, count(value))
        for metric, value in (
            ("RequestCount", requests),
            ("HTTPCode_Target_5XX_Count", errors),
            ("HTTPCode_Target_2XX_Count", requests - errors),
        )
        if value > 0
    ]
