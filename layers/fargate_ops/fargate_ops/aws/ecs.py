"""ECS: services, task definitions, tags."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import error_message, translate
from fargate_ops.domain.services import Deployment, ServiceState, task_definition_family
from fargate_ops.errors import (
    FargateOpsError,
    ServiceNotFoundError,
    TaskDefinitionNotFoundError,
)

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.type_defs import ServiceTypeDef

DESCRIBE_SERVICES_BATCH = 10

NOT_FOUND: dict[str, type[FargateOpsError]] = {
    "ServiceNotFoundException": ServiceNotFoundError,
    "ServiceNotActiveException": ServiceNotFoundError,
    "ClusterNotFoundException": ServiceNotFoundError,
}


def _is_missing_task_definition(err: ClientError) -> bool:
    # ECS answers a missing task definition with a generic ClientException.
    message = error_message(err).lower()
    return "unable to describe task definition" in message or "does not exist" in message


def _to_state(service: ServiceTypeDef) -> ServiceState:
    return ServiceState(
        name=service.get("serviceName", ""),
        arn=service.get("serviceArn", ""),
        cluster=service.get("clusterArn", ""),
        status=service.get("status", ""),
        desired_count=service.get("desiredCount", 0),
        running_count=service.get("runningCount", 0),
        pending_count=service.get("pendingCount", 0),
        task_definition=service.get("taskDefinition", ""),
        deployments=tuple(
            Deployment(
                status=d.get("status", ""),
                task_definition=d.get("taskDefinition", ""),
                desired_count=d.get("desiredCount", 0),
                running_count=d.get("runningCount", 0),
                rollout_state=d.get("rolloutState"),
            )
            for d in service.get("deployments", [])
        ),
        target_groups=tuple(
            lb["targetGroupArn"] for lb in service.get("loadBalancers", []) if "targetGroupArn" in lb
        ),
    )


class EcsAdapter:
    def __init__(self, client: ECSClient) -> None:
        self._ecs = client

    # services ---------------------------------------------------------------------------------

    def describe_services(self, cluster: str, services: Sequence[str]) -> list[ServiceState]:
        """ACTIVE services, in the order asked; a missing or inactive one raises ServiceNotFoundError."""
        found: dict[str, ServiceState] = {}
        for batch in iter_batches(services, DESCRIBE_SERVICES_BATCH):
            try:
                response = self._ecs.describe_services(cluster=cluster, services=batch)
            except ClientError as err:
                raise translate(err, "ecs:DescribeServices", NOT_FOUND) from err
            for service in response.get("services", []):
                state = _to_state(service)
                if state.active:
                    found[state.name] = state
                    found[state.arn] = state
        missing = [name for name in services if name not in found]
        if missing:
            raise ServiceNotFoundError(f"no ACTIVE service {', '.join(missing)} in cluster {cluster}")
        return [found[name] for name in services]

    def describe_service(self, cluster: str, service: str) -> ServiceState:
        return self.describe_services(cluster, [service])[0]

    def describe_service_definition(self, cluster: str, service: str) -> dict[str, Any] | None:
        """The whole DescribeServices entry of an ACTIVE service, tags included (None if there is none)."""
        try:
            response = self._ecs.describe_services(cluster=cluster, services=[service], include=["TAGS"])
        except ClientError as err:
            raise translate(err, "ecs:DescribeServices", NOT_FOUND) from err
        for found in response.get("services", []):
            if found.get("status") == "ACTIVE":
                return dict(found)
        return None

    def create_service(self, request: Mapping[str, Any]) -> ServiceState:
        """CreateService with the arguments as given (see domain/adoption.py)."""
        try:
            response = self._ecs.create_service(**request)
        except ClientError as err:
            raise translate(err, "ecs:CreateService", NOT_FOUND) from err
        return _to_state(response["service"])

    def list_services(self, cluster: str) -> list[str]:
        arns: list[str] = []
        try:
            for page in self._ecs.get_paginator("list_services").paginate(cluster=cluster):
                arns.extend(page.get("serviceArns", []))
        except ClientError as err:
            raise translate(err, "ecs:ListServices", NOT_FOUND) from err
        return arns

    def list_clusters(self) -> list[str]:
        arns: list[str] = []
        try:
            for page in self._ecs.get_paginator("list_clusters").paginate():
                arns.extend(page.get("clusterArns", []))
        except ClientError as err:
            raise translate(err, "ecs:ListClusters") from err
        return arns

    def update_service(
        self,
        cluster: str,
        service: str,
        *,
        desired_count: int | None = None,
        task_definition: str | None = None,
    ) -> None:
        """Send only the fields given."""
        kwargs: dict[str, Any] = {"cluster": cluster, "service": service}
        if desired_count is not None:
            kwargs["desiredCount"] = desired_count
        if task_definition is not None:
            kwargs["taskDefinition"] = task_definition
        if len(kwargs) == 2:
            return
        try:
            self._ecs.update_service(**kwargs)
        except ClientError as err:
            raise translate(err, "ecs:UpdateService", NOT_FOUND) from err

    def scale(
        self, cluster: str, service: str, desired_count: int, task_definition: str | None = None
    ) -> bool:
        """Bring a service to ``desired_count`` (and ``task_definition``), calling ECS only if it differs."""
        current = self.describe_service(cluster, service)
        new_count = desired_count if current.desired_count != desired_count else None
        new_definition = (
            task_definition
            if task_definition is not None and current.task_definition != task_definition
            else None
        )
        if new_count is None and new_definition is None:
            return False
        self.update_service(cluster, service, desired_count=new_count, task_definition=new_definition)
        return True

    def tag(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        if not tags:
            return
        try:
            self._ecs.tag_resource(
                resourceArn=resource_arn,
                tags=[{"key": k, "value": v} for k, v in sorted(tags.items())],
            )
        except ClientError as err:
            raise translate(err, "ecs:TagResource", NOT_FOUND) from err

    # task definitions -------------------------------------------------------------------------

    def describe_task_definition(self, task_definition: str) -> tuple[dict[str, Any], dict[str, str]]:
        """``(definition, tags)`` of a task definition (ARN or family:revision)."""
        try:
            response = self._ecs.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
        except ClientError as err:
            if _is_missing_task_definition(err):
                raise TaskDefinitionNotFoundError(f"no task definition {task_definition}") from err
            raise translate(err, "ecs:DescribeTaskDefinition") from err
        tags = {t["key"]: t["value"] for t in response.get("tags", []) if "key" in t and "value" in t}
        return dict(response["taskDefinition"]), tags

    def register_task_definition(self, registration: Mapping[str, Any]) -> str:
        try:
            response = self._ecs.register_task_definition(**registration)
        except ClientError as err:
            raise translate(err, "ecs:RegisterTaskDefinition") from err
        return response["taskDefinition"]["taskDefinitionArn"]

    def task_definition_revisions(self, family: str) -> list[str]:
        """ACTIVE revisions of exactly ``family`` (``familyPrefix`` also matches longer names)."""
        arns: list[str] = []
        try:
            pages = self._ecs.get_paginator("list_task_definitions").paginate(
                familyPrefix=family, status="ACTIVE"
            )
            for page in pages:
                arns.extend(page.get("taskDefinitionArns", []))
        except ClientError as err:
            raise translate(err, "ecs:ListTaskDefinitions") from err
        return [arn for arn in arns if task_definition_family(arn) == family]

    def deregister_task_definition(self, task_definition: str) -> None:
        try:
            self._ecs.deregister_task_definition(taskDefinition=task_definition)
        except ClientError as err:
            if _is_missing_task_definition(err):
                return  # already gone: deregistering is idempotent for us
            raise translate(err, "ecs:DeregisterTaskDefinition") from err


def iter_batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
