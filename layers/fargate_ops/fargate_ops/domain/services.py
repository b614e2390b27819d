"""What fargate-ops needs to know about an ECS service, and when a slot counts as ready."""

from __future__ import annotations

from dataclasses import field

from fargate_ops.frozen import frozen

SERVICE_STEADY_STATE = "SERVICE_STEADY_STATE"


@frozen
class Deployment:
    status: str  # PRIMARY, ACTIVE, INACTIVE
    task_definition: str
    desired_count: int = 0
    running_count: int = 0
    rollout_state: str | None = None


@frozen
class ServiceState:
    name: str
    arn: str
    cluster: str
    status: str
    desired_count: int
    running_count: int
    pending_count: int
    task_definition: str
    deployments: tuple[Deployment, ...] = ()
    target_groups: tuple[str, ...] = field(default=())

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"

    @property
    def referenced_task_definitions(self) -> set[str]:
        """Every task definition this service runs or may roll back to."""
        return {self.task_definition, *(d.task_definition for d in self.deployments)} - {""}


def is_steady(service: ServiceState, expected_task_definition: str) -> bool:
    """Green is ready: it runs the expected revision, at its desired count, with no other deployment.

    Mirrors what ECS calls SERVICE_STEADY_STATE, for the one fallback check of a missed event.
    """
    if service.task_definition != expected_task_definition or service.desired_count < 1:
        return False
    if service.running_count != service.desired_count or service.pending_count:
        return False
    if len(service.deployments) > 1:
        return False
    return all(d.task_definition == expected_task_definition for d in service.deployments)


def cluster_name(cluster_arn_or_name: str) -> str:
    """``arn:aws:ecs:r:a:cluster/name`` or ``name`` to ``name``."""
    return cluster_arn_or_name.rsplit("/", 1)[-1] if "/" in cluster_arn_or_name else cluster_arn_or_name


def service_from_group(group: str | None) -> str | None:
    """A task's ``group`` is ``service:<name>`` for service tasks (``family:<f>`` for standalone ones)."""
    if group and group.startswith("service:"):
        return group.removeprefix("service:")
    return None


def parse_service_arn(arn: str) -> tuple[str | None, str]:
    """``(cluster, service)`` from a service ARN; the cluster is ``None`` in the old short ARN format."""
    resource = arn.split(":", 5)[-1]  # service/cluster/name or service/name
    parts = resource.split("/")
    if len(parts) >= 3:
        return parts[1], parts[-1]
    return None, parts[-1]


def task_definition_family(arn: str) -> str:
    """``arn:...:task-definition/web:12`` or ``web:12`` to ``web``."""
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def task_definition_revision(arn: str) -> int:
    tail = arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def deployment_gave_up(event_name: str, reason: str | None) -> bool:
    """ECS gave up on a deployment: it failed, or the circuit breaker is rolling it back (green would
    come back on the old revision)."""
    if event_name == "SERVICE_DEPLOYMENT_FAILED":
        return True
    return event_name == "SERVICE_DEPLOYMENT_IN_PROGRESS" and "rolling back" in (reason or "").lower()
