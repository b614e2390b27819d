"""Deriving the green task definition from the live one."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fargate_ops.errors import DeployInputError

# Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept.
READ_ONLY_FIELDS = frozenset(
    {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "deleteRequestedAt",
    }
)


def container_names(task_definition: Mapping[str, Any]) -> list[str]:
    return [c["name"] for c in task_definition.get("containerDefinitions", [])]


def check_images(task_definition: Mapping[str, Any], images: Mapping[str, str]) -> None:
    """Every container named in ``images`` must exist in the task definition."""
    names = container_names(task_definition)
    unknown = sorted(set(images) - set(names))
    if unknown:
        raise DeployInputError(
            f"change.images.{unknown[0]}",
            f"no container named {unknown[0]!r} in {task_definition.get('family')} "
            f"(containers: {', '.join(names)})",
        )


def derive_registration(
    task_definition: Mapping[str, Any],
    images: Mapping[str, str],
    tags: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """RegisterTaskDefinition arguments: the live definition with new images for the named containers."""
    check_images(task_definition, images)
    registration = {k: copy.deepcopy(v) for k, v in task_definition.items() if k not in READ_ONLY_FIELDS}
    for container in registration.get("containerDefinitions", []):
        if container["name"] in images:
            container["image"] = images[container["name"]]
    if tags:
        registration["tags"] = [{"key": k, "value": v} for k, v in sorted(tags.items())]
    return registration
