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


def check_images(
    task_definition: Mapping[str, Any], images: Mapping[str, Any], field: str = "change.images"
) -> None:
    """Every container named in ``images`` (or an environment change) must exist in the task definition."""
    names = container_names(task_definition)
    unknown = sorted(set(images) - set(names))
    if unknown:
        raise DeployInputError(
            f"{field}.{unknown[0]}",
            f"no container named {unknown[0]!r} in {task_definition.get('family')} "
            f"(containers: {', '.join(names)})",
        )


def _with_environment(container: dict[str, Any], changes: Mapping[str, str | None]) -> None:
    """Set (or, for ``None``, remove) variables, keeping the others and their order."""
    current = [dict(v) for v in container.get("environment", [])]
    kept = [v for v in current if v.get("name") not in changes]
    added = [{"name": name, "value": value} for name, value in sorted(changes.items()) if value is not None]
    container["environment"] = kept + added


def derive_registration(
    task_definition: Mapping[str, Any],
    images: Mapping[str, str],
    tags: Mapping[str, str] | None = None,
    environment: Mapping[str, Mapping[str, str | None]] | None = None,
) -> dict[str, Any]:
    """RegisterTaskDefinition arguments: the live definition with new images and environment per container."""
    check_images(task_definition, images)
    check_images(task_definition, environment or {}, "change.environment")
    registration = {k: copy.deepcopy(v) for k, v in task_definition.items() if k not in READ_ONLY_FIELDS}
    for container in registration.get("containerDefinitions", []):
        if container["name"] in images:
            container["image"] = images[container["name"]]
        if environment and container["name"] in environment:
            _with_environment(container, environment[container["name"]])
    if tags:
        registration["tags"] = [{"key": k, "value": v} for k, v in sorted(tags.items())]
    return registration
