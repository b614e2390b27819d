"""The `world:` section of a scenario file: what exists before the application runs, and how images behave.

Defaults follow AWS where AWS has one (ALB health checks 30 s x 5, deregistration delay 300 s), so a
small scenario names only its services and the images that misbehave:

    world:
      services:
        - {name: web-blue, image: "web:v1", desired_count: 2}
        - {name: web-green, image: "web:v1", desired_count: 0}
      images:
        "web:v2": {crash_after_seconds: 20, exit_code: 137, reason: "OutOfMemoryError: Container killed"}
        "web:v3": image_missing        # or secret_missing, or {fails_to_start: {reason: "..."}}
        "web:v4": {crash_after_seconds: 30, tasks: 1}   # only the first task of web:v4 crashes

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


# What Fargate puts in stoppedReason when a task cannot start; {image}, {container}, {region} and
# {account_id} are filled in per task.
IMAGE_MISSING = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
    "failed to resolve ref {image}: {image}: not found"
)
SECRET_MISSING = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
    "failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch "
    "secret arn:aws:secretsmanager:{region}:{account_id}:secret:{container}-secret from secrets manager: "
    "ResourceNotFoundException: Secrets Manager can't find the specified secret."
)
_START_FAILURES = {"image_missing": IMAGE_MISSING, "secret_missing": SECRET_MISSING}


class FailsToStart(_Model):
    """The task stops from PENDING with stopCode TaskFailedToStart; no container ever runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=1, description="the stoppedReason, e.g. CannotPullContainerError: ...")
    after_seconds: float = Field(
        20.0, ge=0, description="in PENDING (pull or secret retries) before it stops"
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str) and value in _START_FAILURES:
            return {"reason": _START_FAILURES[value]}
        return value


class ImageBehaviour(_Model):
    """How tasks running an image behave. Also accepts the shorthands "healthy", "never_healthy",
    "image_missing" and "secret_missing"."""

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
    fails_to_start: FailsToStart | None = Field(None, description="image_missing, secret_missing or a reason")
    tasks: int | None = Field(
        None,
        ge=1,
        description="only the first N tasks started with the image fail so; the others are healthy",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if value == "healthy":
            return {}
        if value == "never_healthy":
            return {"never_healthy": True}
        if isinstance(value, str) and value in _START_FAILURES:
            return {"fails_to_start": value}
        return value

    @model_validator(mode="after")
    def _one_failure(self) -> ImageBehaviour:
        if self.fails_to_start is not None and (self.never_healthy or self.crash_after_seconds is not None):
            raise ValueError("a task that fails to start can neither crash nor fail health checks")
        return self

    def without_failures(self) -> ImageBehaviour:
        """The behaviour of the tasks past the first `tasks`: same start time and traffic, no failure."""
        return self.model_copy(
            update={
                "never_healthy": False,
                "crash_after_seconds": None,
                "fails_to_start": None,
                "tasks": None,
            }
        )


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


class CircuitBreakerSpec(_Model):
    """deploymentConfiguration.deploymentCircuitBreaker, as CreateService takes it."""

    enable: bool
    rollback: bool


class StopTimingSpec(_Model):
    """How long a stopping task takes. Defaults from the real STOPPED sample (events/aws/): the essential
    container exited, STOPPING 41 s later, STOPPED 125 s after that."""

    after_exit_seconds: float = Field(
        40.0, ge=0, description="containers exited (crash, failed start) to STOPPING"
    )
    stopping_seconds: float = Field(30.0, ge=0, description="STOPPING to DEPROVISIONING")
    deprovisioning_seconds: float = Field(
        90.0, ge=0, description="DEPROVISIONING to STOPPED (the ENI deleted)"
    )
    leave_enis: int = Field(
        0,
        ge=0,
        description="the first N tasks to stop leave their ENI detached (available) instead of deleted, "
        "as ECS now and then does; the ENI keeps its address",
    )


class AutoScalingSpec(_Model):
    """An Application Auto Scaling scalable target on the service (world/autoscaling.py acts on it)."""

    min: int = Field(ge=0, le=5000)
    max: int = Field(ge=0, le=5000)
    target_requests_per_task: float | None = Field(
        None, gt=0, description="a target tracking policy on ALBRequestCountPerTarget (per minute)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> AutoScalingSpec:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


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
    # IAM role names the task definition names (taskRoleArn, executionRoleArn): a deploy that derives
    # green's revision from it passes them again (iam:PassRole, checked by the local IAM check).
    task_role: str | None = None
    execution_role: str | None = None
    circuit_breaker: CircuitBreakerSpec | None = None
    health_check_grace_period_seconds: int | None = Field(None, ge=0, le=2_147_483_647)
    capacity_provider: Literal["FARGATE", "FARGATE_SPOT"] | None = Field(
        None, description="none: launchType FARGATE; else a capacity provider strategy of this one provider"
    )
    environment: dict[str, str] = Field(default_factory=dict, description="the container's variables")
    autoscaling: AutoScalingSpec | None = None
    log_group: str | None = Field(
        None, description="the container logs to this CloudWatch log group (awslogs), created with the world"
    )

    @property
    def target_group_name(self) -> str:
        return self.target_group or f"{self.name}-tg"[:32]


class TrafficSpec(_Model):
    requests_per_minute: int = Field(600, ge=0)
    base_latency_ms: float = Field(20.0, ge=0)


class CloudWatchSpec(_Model):
    """How CloudWatch receives the load balancer's metrics."""

    ingestion_delay_seconds: float = Field(
        120.0,
        ge=0,
        le=3600,
        description="after a minute ends, its ALB datapoints become readable so much later (AWS: 1-3 min)",
    )


class AlarmSpec(_Model):
    name: str
    metric: AlbMetric
    target_group: str | None = Field(
        None, description="a target group name; none means the whole load balancer"
    )
    threshold: float
    comparison: Comparison = "GreaterThanThreshold"
    period_seconds: int = Field(60, ge=60, le=86_400, multiple_of=60)
    evaluation_periods: int = Field(1, ge=1)
    datapoints_to_alarm: int | None = Field(None, ge=1)
    statistic: Literal["Sum", "Average", "Maximum", "Minimum", "SampleCount"] | None = None
    treat_missing_data: MissingData = "notBreaching"
    description: str = ""

    @model_validator(mode="after")
    def _as_put_metric_alarm_allows(self) -> AlarmSpec:
        # PutMetricAlarm refuses these (ValidationError), so a scenario may not declare them.
        if self.datapoints > self.evaluation_periods:
            raise ValueError("datapoints_to_alarm must not exceed evaluation_periods")
        if self.evaluation_periods * self.period_seconds > 86_400:
            raise ValueError("evaluation_periods x period_seconds must not exceed one day")
        return self

    @property
    def stat(self) -> str:
        return self.statistic or ("Average" if self.metric == "TargetResponseTime" else "Sum")

    @property
    def datapoints(self) -> int:
        return self.datapoints_to_alarm or self.evaluation_periods


HANDOVER_TAG_KEY = "fargate-ops:handover"  # template.yaml's condition key (a key cannot be a parameter)
DEFAULT_HANDOVER_TAG_VALUE = "fargate-ops"  # the HandoverTagValue parameter's default


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
    cloudwatch: CloudWatchSpec = Field(default_factory=CloudWatchSpec)
    start: Literal["warm", "cold"] = Field(
        "warm", description="warm: the initial tasks are already RUNNING and healthy when the run begins"
    )
    seed: int = 0
    reconcile_seconds: float = Field(5.0, gt=0)
    stop_timing: StopTimingSpec = Field(default_factory=StopTimingSpec)
    hooks: list[HookSpec] = Field(
        default_factory=list, description="Lambda functions from Python files next to the scenario"
    )
    handover_tag: str | None = Field(
        DEFAULT_HANDOVER_TAG_VALUE,
        description="the fargate-ops:handover value on every service, listener, rule, role (null: none)",
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
