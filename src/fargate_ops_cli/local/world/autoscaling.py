"""Application Auto Scaling acting on the simulated services: moto stores scalable targets and policies
but never scales anything.

Every minute, for each ECS service with a scalable target (read through the API, as registered by the
world or by the application), the desired count is brought where Application Auto Scaling would bring
it: into min..max (a RegisterScalableTarget that raises min above the desired count scales out at once),
and, with a target tracking policy on ``ALBRequestCountPerTarget``, to ceil(requests per minute to the
service's target group / target value), clamped into min..max. A simple, deterministic model: no
cooldowns, no alarms in between (AWS scales out within minutes and in more slowly); the point is that
the policy keeps working inside whatever bounds the schedule sets.

The requests per minute are the production routes' (``traffic.requests_per_minute``) shared by the
forward weights, as the traffic model sends them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fargate_ops_cli.local.clients import as_world

DIMENSION = "ecs:service:DesiredCount"
EVERY_SECONDS = 60.0


@dataclass
class AutoScalingWorld:
    clock: Any
    client: Callable[[str], Any]
    cluster: str
    target_groups: dict[str, str]  # service -> target group ARN
    requests_per_minute: float
    weights: Callable[[], dict[str, int]]
    activities: list[dict[str, Any]] = field(default_factory=list)

    def start(self) -> None:
        self.clock.call_later(EVERY_SECONDS, self._tick, "world: application auto scaling")

    def _tick(self) -> None:
        try:
            self.scale()
        finally:
            self.clock.call_later(EVERY_SECONDS, self._tick, "world: application auto scaling")

    def wanted(self, service: str, low: int, high: int, target_value: float | None, desired: int) -> int:
        if target_value is None:
            return max(low, min(high, desired))
        weights = self.weights()
        total = sum(weights.values()) or 1
        share = weights.get(self.target_groups.get(service, ""), 0) / total
        needed = math.ceil(self.requests_per_minute * share / target_value)
        return max(low, min(high, needed))

    def scale(self) -> None:
        with as_world():
            aas, ecs = self.client("application-autoscaling"), self.client("ecs")
            targets = aas.describe_scalable_targets(ServiceNamespace="ecs", ScalableDimension=DIMENSION)
            policies = aas.describe_scaling_policies(ServiceNamespace="ecs").get("ScalingPolicies", [])
            for target in targets.get("ScalableTargets", []):
                _, cluster, service = target["ResourceId"].split("/")
                if cluster != self.cluster:
                    continue
                tracking = next(
                    (
                        p["TargetTrackingScalingPolicyConfiguration"]
                        for p in policies
                        if p["ResourceId"] == target["ResourceId"]
                        and p.get("PolicyType") == "TargetTrackingScaling"
                    ),
                    None,
                )
                value = float(tracking["TargetValue"]) if tracking is not None else None
                current = ecs.describe_services(cluster=cluster, services=[service])["services"][0][
                    "desiredCount"
                ]
                desired = self.wanted(service, target["MinCapacity"], target["MaxCapacity"], value, current)
                if desired != current:
                    ecs.update_service(cluster=cluster, service=service, desiredCount=desired)
                    self.activities.append(
                        {"at": self.clock.now(), "service": service, "from": current, "to": desired}
                    )


def register(client: Callable[[str], Any], cluster: str, service: str, spec: Any) -> None:
    """The scenario's `autoscaling:` of a service: its scalable target and target tracking policy."""
    with as_world():
        aas = client("application-autoscaling")
        resource = f"service/{cluster}/{service}"
        aas.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension=DIMENSION,
            MinCapacity=spec.min,
            MaxCapacity=spec.max,
        )
        if spec.target_requests_per_task is not None:
            aas.put_scaling_policy(
                PolicyName=f"{service}-requests",
                ServiceNamespace="ecs",
                ResourceId=resource,
                ScalableDimension=DIMENSION,
                PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration={
                    "TargetValue": float(spec.target_requests_per_task),
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget"},
                },
            )
