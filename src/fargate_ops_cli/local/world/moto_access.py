"""Every moto internal the simulator reads or writes, in one place.

The simulator changes moto's backends directly, not through boto3, so that its own work is not counted
as the application's API calls and costs no HTTP round trip. tests/world/test_moto_internals.py fails
loudly when one of these moves in a moto upgrade.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ecr.models import ECRBackend, ecr_backends
from moto.ecs.models import Container, EC2ContainerServiceBackend, Service, Task, TaskDefinition, ecs_backends
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup, elbv2_backends

from fargate_ops_cli.local.world.split import RouteAction

__all__ = [
    "Backends",
    "Container",
    "FakeHealthStatus",
    "FakeTargetGroup",
    "Service",
    "ServiceSettings",
    "Task",
    "TaskDefinition",
    "create_service_keeping_settings",
    "dimension_less_than",
    "ecr_has_image",
    "keep_service_settings",
    "list_tasks_like_ecs",
    "resolve_task_definition",
    "route_action",
    "service_settings",
    "target_group_settings",
]


def _region_backend(backends: Any, account_id: str, region: str) -> Any:
    """moto's backend for one account and region, looked up without moto's per-access cost.

    moto 5's BackendDict.__getitem__ compares itself with every BackendDict ever created before it
    answers (about 20 comparisons per access), and the simulator reads a backend several times per
    tick: a week-long scenario spent a quarter of its time there. A plain dict read finds the account
    once it exists; moto's own path creates it the first time and after a reset clears the dict.
    """
    accounts = dict.get(backends, account_id)
    if accounts is None:
        accounts = backends[account_id]
    return accounts[region]


@dataclass(frozen=True)
class Backends:
    account_id: str
    region: str

    @property
    def ecs(self) -> EC2ContainerServiceBackend:
        return _region_backend(ecs_backends, self.account_id, self.region)  # type: ignore[no-any-return]

    @property
    def elbv2(self) -> ELBv2Backend:
        return _region_backend(elbv2_backends, self.account_id, self.region)  # type: ignore[no-any-return]

    @property
    def cloudwatch(self) -> CloudWatchBackend:
        return _region_backend(cloudwatch_backends, self.account_id, self.region)  # type: ignore[no-any-return]

    @property
    def ec2(self) -> EC2Backend:
        return _region_backend(ec2_backends, self.account_id, self.region)  # type: ignore[no-any-return]

    @property
    def ecr(self) -> ECRBackend:
        return _region_backend(ecr_backends, self.account_id, self.region)  # type: ignore[no-any-return]


def ecr_has_image(ecr: ECRBackend, repository: str, tag: str | None, digest: str | None) -> bool:
    """Whether moto's ECR holds the image (by digest if given, else by tag), as a pull would find it."""
    repo = ecr.repositories.get(repository)
    if repo is None:
        return False
    for image in repo.images:
        if digest is not None and image.get_image_digest() == digest:
            return True
        if digest is None and (tag or "latest") in image.image_tags:
            return True
    return False


def route_action(elbv2: ELBv2Backend, arn: str) -> RouteAction:
    """What a listener's default actions (or a listener rule's actions) do now, read live.

    The application shifts traffic with ModifyListener or ModifyRule, a third party may edit either;
    a plain `TargetGroupArn` forward is weight 1 on one group, as ALB treats it. The first action that
    ends a request decides: a forward, or a fixed response (authenticate-* actions come before them).
    """
    if ":listener-rule/" in arn:
        rules = elbv2.describe_rules(listener_arn=None, rule_arns=[arn])
        actions = rules[0].actions if rules else []
    else:
        listeners = elbv2.describe_listeners(load_balancer_arn=None, listener_arns=[arn])
        actions = listeners[0].default_actions if listeners else []
    for action in actions:
        data: dict[str, Any] = action.data
        if data.get("Type") == "fixed-response":
            return RouteAction(
                fixed_status=int((data.get("FixedResponseConfig") or {}).get("StatusCode", 503))
            )
        if data.get("Type") != "forward":
            continue
        groups = (data.get("ForwardConfig") or {}).get("TargetGroups")
        if groups:
            return RouteAction({g["TargetGroupArn"]: int(g.get("Weight", 1)) for g in groups})
        if data.get("TargetGroupArn"):
            return RouteAction({data["TargetGroupArn"]: 1})
    return RouteAction()


def resolve_task_definition(ecs: EC2ContainerServiceBackend, ref: str | None) -> TaskDefinition | None:
    """A service's taskDefinition as moto stores it: whatever string UpdateService was given."""
    if not ref:
        return None
    try:
        return ecs.describe_task_definition(ref)
    except Exception:  # moto raises a plain Exception subclass per failure; any means "not resolvable"
        return None


@dataclass(frozen=True)
class TargetGroupSettings:
    interval: float
    healthy_threshold: int
    unhealthy_threshold: int
    deregistration_delay: float


def target_group_settings(tg: FakeTargetGroup) -> TargetGroupSettings:
    """Read at each registration, so ModifyTargetGroup(Attributes) by the application takes effect."""
    return TargetGroupSettings(
        interval=float(tg.health_check_interval_seconds),
        healthy_threshold=int(tg.healthy_threshold_count),
        unhealthy_threshold=int(tg.unhealthy_threshold_count),
        deregistration_delay=float(str(tg.attributes.get("deregistration_delay.timeout_seconds", 300))),
    )


def list_tasks_like_ecs(original: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    """Wraps moto's EC2ContainerServiceBackend.list_tasks with two ECS rules moto 5.2.5 skips.

    moto ignores `serviceName` (it returns every task of the cluster) and returns stopped tasks unless
    asked not to; ECS filters a service's tasks by their `group` ("service:<name>") and lists only
    desiredStatus RUNNING unless told otherwise. For the runtime's moto hooks:
    `EC2ContainerServiceBackend.list_tasks = list_tasks_like_ecs(EC2ContainerServiceBackend.list_tasks)`.
    """

    def list_tasks(
        self: Any,
        cluster_str: str | None = None,
        container_instance: str | None = None,
        family: str | None = None,
        started_by: str | None = None,
        service_name: str | None = None,
        desiredStatus: str | None = None,
    ) -> list[Any]:
        tasks = original(
            self,
            cluster_str,
            container_instance,
            family,
            started_by,
            service_name,
            desiredStatus or "RUNNING",
        )
        if service_name:
            group = f"service:{service_name.split('/')[-1]}"
            tasks = [t for t in tasks if t.group == group]
        return tasks

    return list_tasks


def dimension_less_than(a: Any, b: Any) -> bool:
    """A correct ordering for moto.cloudwatch.models.Dimension, for the runtime's moto hooks.

    moto 5.2.5 compares `self.value < other.name`, so GetMetricData finds a metric only when the query
    lists its dimensions in the order they were published; CloudWatch ignores the order. Install with
    `Dimension.__lt__ = dimension_less_than`.
    """
    return (a.name or "", a.value or "") < (b.name or "", b.value or "")


# CreateService fields moto 5.2.5 drops (its response handler never reads them), as moto's Service
# attribute names: DescribeServices serialises whatever attribute of that name the Service has.
KEPT_SERVICE_FIELDS = {
    "deploymentConfiguration": "deployment_configuration",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "capacityProviderStrategy": "capacity_provider_strategy",
}


def keep_service_settings(service: Service, request: dict[str, Any]) -> None:
    """Puts back on moto's Service what CreateService was given and moto dropped."""
    for field, attribute in KEPT_SERVICE_FIELDS.items():
        if request.get(field) is not None:
            setattr(service, attribute, request[field])
    if request.get("capacityProviderStrategy"):
        service.launch_type = None  # moto defaults it to EC2; ECS has no launch type with a strategy


def create_service_keeping_settings(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps moto's EC2ContainerServiceResponse.create_service so the service keeps those fields."""

    def create_service(self: Any) -> Any:
        result = original(self)
        service = self.ecs_backend._get_service(
            self._get_param("cluster", "default"), self._get_param("serviceName")
        )
        keep_service_settings(service, {field: self._get_param(field) for field in KEPT_SERVICE_FIELDS})
        return result

    return create_service


@dataclass(frozen=True)
class ServiceSettings:
    """What the scheduler reads from a service besides its counts and task definition."""

    circuit_breaker: bool = False
    rollback: bool = False
    grace_period: float = 0.0
    capacity_provider: str = "FARGATE"


def service_settings(service: Service) -> ServiceSettings:
    """Read at every reconcile, so UpdateService by the application takes effect."""
    config = getattr(service, "deployment_configuration", None) or {}
    breaker = config.get("deploymentCircuitBreaker") or {}
    strategy = getattr(service, "capacity_provider_strategy", None) or []
    return ServiceSettings(
        circuit_breaker=bool(breaker.get("enable")),
        rollback=bool(breaker.get("rollback")),
        grace_period=float(getattr(service, "health_check_grace_period_seconds", None) or 0),
        # One provider per service here; with a mixed strategy, ECS would spread tasks by base and weight.
        capacity_provider=str(strategy[0]["capacityProvider"]) if strategy else "FARGATE",
    )
