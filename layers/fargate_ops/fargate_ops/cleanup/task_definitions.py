"""Stale task definition revisions of the families the services of some clusters use."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fargate_ops.domain.cleanup import families_of, plan_cleanup
from fargate_ops.domain.services import cluster_name
from fargate_ops.observability import count, logger

if TYPE_CHECKING:
    from fargate_ops.aws.ecs import EcsAdapter


def clusters_in_scope(ecs: EcsAdapter, requested: Sequence[str] | None, pattern: str) -> list[str]:
    """The clusters named in the event, or every cluster whose name matches ``pattern``."""
    if requested:
        return [cluster_name(c) for c in requested]
    names = [cluster_name(arn) for arn in ecs.list_clusters()]
    return sorted(name for name in names if fnmatch.fnmatchcase(name, pattern))


def cleanup_task_definitions(
    ecs: EcsAdapter, clusters: Sequence[str], *, keep: int, apply: bool, max_deregistrations: int
) -> dict[str, Any]:
    """Plan (and with ``apply``, carry out) deregistrations; returns the plan and what was done.

    References are collected from every service of the clusters in scope, so a family shared by
    services in two clusters is only cleaned with both in view. At most ``max_deregistrations`` per
    run: register and deregister share one ECS token bucket (20 burst, 1/s), and deploys need it.
    """
    referenced: set[str] = set()
    for cluster in clusters:
        arns = ecs.list_services(cluster)
        if arns:
            for service in ecs.describe_services(cluster, arns):
                referenced |= service.referenced_task_definitions
    families = families_of(referenced)
    plans = plan_cleanup(
        {family: ecs.task_definition_revisions(family) for family in families}, referenced, keep
    )

    deregistered: list[str] = []
    if apply:
        budget = max_deregistrations
        for plan in plans.values():
            batch = plan.deregister[: max(budget, 0)]
            for arn in batch:
                ecs.deregister_task_definition(arn)
                deregistered.append(arn)
            budget -= len(batch)
    planned = sum(len(plan.deregister) for plan in plans.values())
    count("TaskDefinitionsPlannedForDeregistration", planned)
    count("TaskDefinitionsDeregistered", len(deregistered))
    logger.info("task definition cleanup", extra={"planned": planned, "deregistered": len(deregistered)})
    return {
        "dry_run": not apply,
        "keep_revisions": keep,
        "clusters": list(clusters),
        "families": {family: plan.as_dict() for family, plan in plans.items()},
        "deregistered": deregistered,
        "left_for_next_run": planned - len(deregistered) if apply else 0,
    }
