"""Adopting a single service: the second slot is a clone of its configuration, idle, on the other
target group.

Plain data in and out: ``clone_request`` turns a DescribeServices entry (with tags) into CreateService
arguments. What is copied: network, launch type or capacity provider strategy, platform version,
deployment settings, health check grace period, tags, ECS managed tags and tag propagation, execute
command, placement (EC2). What is not: service registries (a Cloud Map service must not get a second,
idle slot's tasks), the desired count (0: the deploy sizes it) and the load balancer's target group
(the listener's other one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fargate_ops.errors import PreflightError

ROLE_TAG = "fargate-ops:role"
APPLICATION_TAG = "fargate-ops:application"
DEFAULT_SUFFIX = "-green"
MAX_SERVICE_NAME = 255

# DescribeServices fields copied unchanged when present.
COPIED = (
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "networkConfiguration",
    "deploymentConfiguration",
    "deploymentController",
    "healthCheckGracePeriodSeconds",
    "enableECSManagedTags",
    "propagateTags",
    "enableExecuteCommand",
    "placementConstraints",
    "placementStrategy",
    "schedulingStrategy",
)


def default_green_name(service: str) -> str:
    return f"{service}{DEFAULT_SUFFIX}"[:MAX_SERVICE_NAME]


def swapped_load_balancers(
    load_balancers: list[Mapping[str, Any]], live_target_group: str, green_target_group: str
) -> list[dict[str, Any]]:
    """The live slot's load balancer entry, pointed at green's target group."""
    matching = [lb for lb in load_balancers if lb.get("targetGroupArn") == live_target_group]
    if len(load_balancers) != 1 or len(matching) != 1:
        raise PreflightError(
            "adoption needs a service with exactly one load balancer entry, on the listener's target group "
            f"{live_target_group} (found {len(load_balancers)})"
        )
    entry = dict(matching[0])
    entry["targetGroupArn"] = green_target_group
    entry.pop("loadBalancerName", None)
    return [entry]


def clone_request(
    service: Mapping[str, Any],
    *,
    name: str,
    cluster: str,
    live_target_group: str,
    green_target_group: str,
    application: str,
) -> dict[str, Any]:
    """CreateService arguments for the idle twin of ``service`` (a DescribeServices entry)."""
    request: dict[str, Any] = {
        "cluster": cluster,
        "serviceName": name,
        "taskDefinition": service["taskDefinition"],
        "desiredCount": 0,
        "loadBalancers": swapped_load_balancers(
            list(service.get("loadBalancers", [])), live_target_group, green_target_group
        ),
    }
    for field in COPIED:
        value = service.get(field)
        if value not in (None, [], {}):
            request[field] = value
    if request.get("capacityProviderStrategy"):
        request.pop("launchType", None)  # ECS refuses both together
    tags = {t["key"]: t["value"] for t in service.get("tags", []) if "key" in t and "value" in t}
    tags.update({ROLE_TAG: "idle", APPLICATION_TAG: application})
    request["tags"] = [{"key": k, "value": v} for k, v in sorted(tags.items())]
    return request
