"""ECS as the cleanup inventory sees it: every revision, service and live task of the account and region.

Call counts matter (an account holds thousands of revisions): ListTaskDefinitions pages of 100 per
status; the revisions' tags (the orphan mark, the protected tag) come from the Resource Groups Tagging
API in pages of 100, not one DescribeTaskDefinition each; DescribeTaskDefinition is called only for
the images of the revisions asked for (when ECR images are cleaned), and a revision's images never
change, so a caller may cache them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.aws.ecs import NOT_FOUND, iter_batches
from fargate_ops.domain import inventory as inv

PAGE = 100  # ListTaskDefinitions, ListServices, ListTasks, GetResources: at most 100 per page
DESCRIBE_SERVICES_BATCH = 10
DESCRIBE_TASKS_BATCH = 100
# ListTaskDefinitions takes one status at a time; DELETE_IN_PROGRESS ones are listed so the plan knows
# ECS is already removing them (nothing more is asked of them).
STATUSES = (inv.ACTIVE, inv.INACTIVE, inv.DELETE_IN_PROGRESS)


def _pages(client: Any, operation: str, iam_action: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    try:
        yield from client.get_paginator(operation).paginate(**kwargs)
    except ClientError as err:
        raise translate(err, iam_action, NOT_FOUND) from err


def _epoch(value: Any) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value or 0)


def _tags(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in raw or ():
        key = tag.get("key", tag.get("Key"))
        if key is not None:
            found[str(key)] = str(tag.get("value", tag.get("Value", "")))
    return found


def tagged(
    tagging: Any, resource_types: Sequence[str], with_key: str | None = None
) -> dict[str, dict[str, str]]:
    """ARN -> tags of every tagged resource of these types (GetResources, pages of 100), or only of
    those that carry the tag ``with_key`` (any value)."""
    found: dict[str, dict[str, str]] = {}
    filters = {"TagFilters": [{"Key": with_key}]} if with_key is not None else {}
    pages = _pages(
        tagging,
        "get_resources",
        "tag:GetResources",
        ResourceTypeFilters=list(resource_types),
        ResourcesPerPage=PAGE,
        **filters,
    )
    for page in pages:
        for mapping in page.get("ResourceTagMappingList", []):
            found[mapping["ResourceARN"]] = _tags(mapping.get("Tags"))
    return found


def revisions(ecs: Any, tags: Mapping[str, Mapping[str, str]]) -> list[inv.Revision]:
    """Every revision of every family, each status, images unknown (``None``) until described."""
    found: list[inv.Revision] = []
    for status in STATUSES:
        pages = _pages(
            ecs,
            "list_task_definitions",
            "ecs:ListTaskDefinitions",
            status=status,
            PaginationConfig={"PageSize": PAGE},
        )
        for page in pages:
            for arn in page.get("taskDefinitionArns", []):
                ref = inv.task_definition_ref(arn)
                if ref.revision is None:
                    continue
                found.append(
                    inv.Revision(
                        arn=arn,
                        family=ref.family,
                        revision=ref.revision,
                        status=status,
                        images=None,
                        tags=dict(tags.get(arn, {})),
                        log_groups=None,
                    )
                )
    return found


def revision_images(ecs: Any, arn: str) -> tuple[str, ...]:
    """The container images of one revision (DescribeTaskDefinition)."""
    return revision_details(ecs, arn)[0]


def revision_details(ecs: Any, arn: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The container images and awslogs log groups of one revision (one DescribeTaskDefinition)."""
    try:
        described = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    except ClientError as err:
        raise translate(err, "ecs:DescribeTaskDefinition", NOT_FOUND) from err
    containers = described.get("containerDefinitions", [])
    images = tuple(str(c["image"]) for c in containers if c.get("image"))
    groups = []
    for container in containers:
        logging = container.get("logConfiguration") or {}
        group = (logging.get("options") or {}).get("awslogs-group")
        if logging.get("logDriver") == "awslogs" and group:
            groups.append(str(group))
    return images, tuple(dict.fromkeys(groups))


def clusters(ecs: Any) -> list[str]:
    arns: list[str] = []
    for page in _pages(ecs, "list_clusters", "ecs:ListClusters", PaginationConfig={"PageSize": PAGE}):
        arns.extend(page.get("clusterArns", []))
    return arns


def _service(cluster: str, raw: Mapping[str, Any]) -> inv.Service:
    return inv.Service(
        cluster=cluster,
        name=raw.get("serviceName", ""),
        arn=raw.get("serviceArn", ""),
        status=raw.get("status", "ACTIVE"),
        desired_count=raw.get("desiredCount", 0),
        running_count=raw.get("runningCount", 0),
        pending_count=raw.get("pendingCount", 0),
        deployments=tuple(
            inv.Deployment(
                task_definition=d.get("taskDefinition", ""),
                status=d.get("status", "PRIMARY"),
                updated_at=_epoch(d.get("updatedAt") or d.get("createdAt")),
            )
            for d in raw.get("deployments", [])
        ),
        task_sets=tuple(
            inv.TaskSet(
                id=t.get("id", ""),
                task_definition=t.get("taskDefinition", ""),
                status=t.get("status", "PRIMARY"),
                target_groups=tuple(
                    lb["targetGroupArn"] for lb in t.get("loadBalancers", []) if "targetGroupArn" in lb
                ),
            )
            for t in raw.get("taskSets", [])
        ),
        target_groups=tuple(
            lb["targetGroupArn"] for lb in raw.get("loadBalancers", []) if "targetGroupArn" in lb
        ),
        tags=_tags(raw.get("tags")),
        created_at=_epoch(raw.get("createdAt")),
    )


def services(ecs: Any, cluster_arn: str) -> list[inv.Service]:
    """Every service of a cluster (ListServices, then DescribeServices 10 at a time, tags included)."""
    name = cluster_arn.rsplit("/", 1)[-1]
    arns: list[str] = []
    pages = _pages(
        ecs, "list_services", "ecs:ListServices", cluster=cluster_arn, PaginationConfig={"PageSize": PAGE}
    )
    for page in pages:
        arns.extend(page.get("serviceArns", []))
    found = []
    for batch in iter_batches(arns, DESCRIBE_SERVICES_BATCH):
        try:
            described = ecs.describe_services(cluster=cluster_arn, services=batch, include=["TAGS"])
        except ClientError as err:
            raise translate(err, "ecs:DescribeServices", NOT_FOUND) from err
        found += [_service(name, raw) for raw in described.get("services", [])]
    return found


def live_tasks(ecs: Any, cluster_arn: str) -> list[inv.Task]:
    """Tasks not STOPPED yet: desired RUNNING (pending ones too) and those stopping (desired STOPPED)."""
    arns: list[str] = []
    for desired in ("RUNNING", "STOPPED"):
        pages = _pages(
            ecs,
            "list_tasks",
            "ecs:ListTasks",
            cluster=cluster_arn,
            desiredStatus=desired,
            PaginationConfig={"PageSize": PAGE},
        )
        for page in pages:
            arns.extend(page.get("taskArns", []))
    found = []
    for batch in iter_batches(list(dict.fromkeys(arns)), DESCRIBE_TASKS_BATCH):
        try:
            described = ecs.describe_tasks(cluster=cluster_arn, tasks=batch)
        except ClientError as err:
            raise translate(err, "ecs:DescribeTasks", NOT_FOUND) from err
        for raw in described.get("tasks", []):
            if raw.get("lastStatus") == "STOPPED":
                continue
            enis = tuple(
                str(d["value"])
                for attachment in raw.get("attachments", [])
                for d in attachment.get("details", [])
                if d.get("name") == "networkInterfaceId" and d.get("value")
            )
            found.append(
                inv.Task(
                    arn=raw.get("taskArn", ""),
                    cluster=cluster_arn,
                    task_definition=raw.get("taskDefinitionArn", ""),
                    last_status=raw.get("lastStatus", "PROVISIONING"),
                    network_interfaces=enis,
                )
            )
    return found
