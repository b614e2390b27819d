"""The `world:` section of a scenario file: what exists before the application runs, and how images behave.

Defaults follow AWS where AWS has one (ALB health checks 30 s x 5, deregistration delay 300 s), so a
small scenario names only its services and the images that misbehave:

    world:
      services:
        - {name: web-blue, image: "web:v1", desired_count: 2}
        - {name: web-green, image: "web:v1", desired_count: 0}
      images:
        "web:v2": {crash_after_seconds: 20, exit_code: 137, reason: "OutOfMemoryError: Container killed"}

Importable without moto or boto3.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fargate_ops_cli.local.world.hooks import HookSpec
from fargate_ops_cli.local.world.listener_spec import (
    ListenerSpec,
    Route,
    check_listeners,
    requests_per_route,
    routes_of,
    shorthand_listeners,
)

AlbMetric = Literal[
    "HTTPCode_Target_5XX_Count", "TargetResponseTime", "HTTPCode_ELB_5XX_Count", "HTTPCode_ELB_4XX_Count"
]
Comparison = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
MissingData = Literal["notBreaching", "breaching", "ignore", "missing"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImageBehaviour(_Model):
    """How tasks running an image behave. Also accepts the shorthands "healthy" and "never_healthy"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_seconds: float = Field(30.0, ge=0, description="PROVISIONING to RUNNING")
    never_healthy: bool = Field(False, description="fails every ALB health check")
    crash_after_seconds: float | None = Field(
        None, ge=0, description="after RUNNING, the essential container exits"
    )
    exit_code: int = 1
    reason: str | None = Field(None, description="the container's reason, e.g. OutOfMemoryError: ...")
    error_rate: float = Field(0.0, ge=0, le=1, description="share of requests answered 5xx")
    latency_ms: float = Field(0.0, ge=0, description="added to the listener's base latency")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if value == "healthy":
            return {}
        if value == "never_healthy":
            return {"never_healthy": True}
        return value


HEALTHY = ImageBehaviour()


_SHORTHAND = ("listener_port", "listener_rule", "rule_priority", "rule_path")


class LoadBalancerSpec(_Model):
    """One ALB. `listeners:` (see listener_spec.py) or the shorthand for one listener whose forward
    holds every target group: `listener_port`, and `listener_rule: true` to go through one rule."""

    name: str = "fargate-ops-alb"
    listener_port: int = 80
    listener_rule: bool = Field(
        False, description="route through a listener rule instead of the default action"
    )
    rule_priority: int = 10
    rule_path: str = "/*"
    listeners: list[ListenerSpec] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one_form(self) -> LoadBalancerSpec:
        shorthand = sorted(set(_SHORTHAND) & self.model_fields_set)
        if self.listeners is not None and shorthand:
            raise ValueError(
                f"give listeners or the one-listener shorthand ({', '.join(shorthand)}), not both"
            )
        return self

    def resolved_listeners(self, target_groups: list[str]) -> list[ListenerSpec]:
        if self.listeners is not None:
            return self.listeners
        return shorthand_listeners(
            self.listener_port, self.listener_rule, self.rule_priority, self.rule_path, target_groups
        )


class TargetGroupSpec(_Model):
    name: str = Field(max_length=32)
    health_check_path: str = "/"
    health_check_interval_seconds: int = Field(30, ge=5, le=300)
    healthy_threshold: int = Field(5, ge=2, le=10)
    unhealthy_threshold: int = Field(2, ge=2, le=10)
    deregistration_delay_seconds: int = Field(300, ge=0, le=3600)


class ServiceSpec(_Model):
    name: str
    image: str
    target_group: str | None = Field(None, description="defaults to '<name>-tg'")
    container_name: str = "app"
    container_port: int = 80
    cpu: int = 256
    memory: int = 512
    desired_count: int = Field(1, ge=0)
    tags: dict[str, str] = Field(default_factory=dict)
    environment: dict[str, str] = Field(default_factory=dict, description="the container's variables")

    @property
    def target_group_name(self) -> str:
        return self.target_group or f"{self.name}-tg"[:32]


class TrafficSpec(_Model):
    requests_per_minute: int = Field(600, ge=0)
    base_latency_ms: float = Field(20.0, ge=0)


class AlarmSpec(_Model):
    name: str
    metric: AlbMetric
    target_group: str | None = Field(
        None, description="a target group name; none means the whole load balancer"
    )
    threshold: float
    comparison: Comparison = "GreaterThanThreshold"
    evaluation_periods: int = Field(1, ge=1)
    datapoints_to_alarm: int | None = Field(None, ge=1)
    statistic: Literal["Sum", "Average", "Maximum", "Minimum", "SampleCount"] | None = None
    treat_missing_data: MissingData = "notBreaching"
    description: str = ""

    @property
    def stat(self) -> str:
        return self.statistic or ("Average" if self.metric == "TargetResponseTime" else "Sum")

    @property
    def datapoints(self) -> int:
        return self.datapoints_to_alarm or self.evaluation_periods


class WorldSpec(_Model):
    region: str = "us-east-1"
    account_id: str = "123456789012"
    cluster: str = "fargate-ops-demo"
    load_balancer: LoadBalancerSpec = Field(default_factory=LoadBalancerSpec)
    target_groups: list[TargetGroupSpec] = Field(default_factory=list)
    services: list[ServiceSpec] = Field(min_length=1)
    images: dict[str, ImageBehaviour] = Field(default_factory=dict)
    traffic: TrafficSpec = Field(default_factory=TrafficSpec)
    alarms: list[AlarmSpec] = Field(default_factory=list)
    start: Literal["warm", "cold"] = Field(
        "warm", description="warm: the initial tasks are already RUNNING and healthy when the run begins"
    )
    seed: int = 0
    reconcile_seconds: float = Field(5.0, gt=0)
    hooks: list[HookSpec] = Field(
        default_factory=list, description="Lambda functions from Python files next to the scenario"
    )

    @model_validator(mode="after")
    def _references(self) -> WorldSpec:
        _unique("service", [s.name for s in self.services])
        _unique("alarm", [a.name for a in self.alarms])
        _unique("target group", [t.name for t in self.target_groups])
        declared = {t.name for t in self.target_groups}
        for service in self.services:
            if service.target_group_name not in declared:
                # A target group a service names but nobody declared gets the AWS defaults.
                self.target_groups.append(TargetGroupSpec(name=service.target_group_name))
                declared.add(service.target_group_name)
        for alarm in self.alarms:
            if alarm.target_group is not None and alarm.target_group not in declared:
                raise ValueError(f"alarm {alarm.name!r} names unknown target group {alarm.target_group!r}")
        if self.load_balancer.listeners is not None:
            check_listeners(self.load_balancer.listeners, declared, ("load_balancer", "listeners"))
        _unique("hook", [h.name for h in self.hooks])
        return self

    def listeners(self) -> list[ListenerSpec]:
        return self.load_balancer.resolved_listeners([t.name for t in self.target_groups])

    def routes(self) -> list[Route]:
        """Every listener's default action and every rule, in declaration order."""
        return routes_of(self.listeners())

    def requests_per_route(self) -> dict[str, int]:
        return requests_per_route(self.routes(), self.traffic.requests_per_minute)

    def behaviour(self, image: str) -> ImageBehaviour:
        return self.images.get(image, HEALTHY)

    def target_group(self, name: str) -> TargetGroupSpec:
        return next(t for t in self.target_groups if t.name == name)


def _unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate {kind} name {name!r}")
        seen.add(name)
