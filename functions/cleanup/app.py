"""CleanupFunction: plans (and with ``{"apply": true}`` carries out) stale task definition cleanup.

Event: ``{"apply"?: bool, "clusters"?: [names], "keep_revisions"?: int}``; a dry run unless ``apply``
is literally true. Returns the plan: per family the revisions kept (with reasons) and to deregister.
"""

from __future__ import annotations

from typing import Any

from fargate_ops.observability import entry_point
from fargate_ops.settings import Settings


@entry_point
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    from fargate_ops import clients
    from fargate_ops.aws.ecs import EcsAdapter
    from fargate_ops.cleanup.task_definitions import cleanup_task_definitions, clusters_in_scope

    settings = Settings.from_env()
    event = event if isinstance(event, dict) else {}  # a schedule may send no payload at all
    ecs = EcsAdapter(clients.client("ecs"))
    keep = event.get("keep_revisions")
    return cleanup_task_definitions(
        ecs,
        clusters_in_scope(ecs, event.get("clusters"), settings.cluster_name_pattern),
        keep=keep if isinstance(keep, int) and keep >= 1 else settings.keep_revisions,
        apply=event.get("apply") is True,
        max_deregistrations=settings.max_deregistrations,
    )
