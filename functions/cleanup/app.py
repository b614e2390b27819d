"""CleanupFunction: plans (and with ``{"apply": true}`` applies) the cleanup of orphaned resources.

Event: ``{"apply"?: bool, "clusters"?: [names], "keep_revisions"?: int, "kinds"?: [kinds],
"continue"?: token}``; a dry run unless ``apply`` is literally true. Returns the plan (every action with
its reason, what is kept and why) and what was done; a run whose time ran out returns
``continue_token`` and ``complete: false``. A run with actions, a refusal or failures is reported
through SNS too (docs/cleanup.md).
"""

from __future__ import annotations

import os
from typing import Any

from fargate_ops.observability import entry_point
from fargate_ops.settings import Settings

SAFETY_SECONDS = 20.0  # stop writing this long before the Lambda's time is up


@entry_point
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    from fargate_ops import clients
    from fargate_ops.aws.cleanup_inventory import InventoryCollector
    from fargate_ops.aws.inventory_table import CleanupTable
    from fargate_ops.aws.sns import SnsAdapter
    from fargate_ops.cleanup.config import cleanup_config
    from fargate_ops.cleanup.run import planning_time, run_cleanup
    from fargate_ops.domain.cleanup_policy import IMAGE, LOG_GROUP, NETWORK_INTERFACE

    settings = Settings.from_env()
    event = event if isinstance(event, dict) else {}  # a schedule may send no payload at all
    config = cleanup_config(os.environ, event)
    arn = str(getattr(context, "invoked_function_arn", "") or "")
    parts = arn.split(":")
    account = parts[4] if len(parts) > 5 else clients.client("sts").get_caller_identity()["Account"]
    region = parts[3] if len(parts) > 5 else clients.client("ecs").meta.region_name
    collector = InventoryCollector(
        clients.client,
        CleanupTable(clients.client("dynamodb"), settings.table_name),
        account,
        region,
        with_images=IMAGE in config.policy.kinds,
        with_network_interfaces=NETWORK_INTERFACE in config.policy.kinds,
        log_group_prefixes=config.policy.log_group_prefixes if LOG_GROUP in config.policy.kinds else (),
        log_group_idle_seconds=config.policy.log_group_idle_seconds,
    )
    remaining = (
        (lambda: context.get_remaining_time_in_millis() / 1000 - SAFETY_SECONDS)
        if hasattr(context, "get_remaining_time_in_millis")
        else (lambda: float("inf"))
    )
    apply = event.get("apply") is True
    now = planning_time(event)
    result = run_cleanup(
        collector, config, apply=apply, now=now, remaining=remaining, resume=event.get("continue")
    )
    plan, applied = result["plan"], result["applied"] or {}
    if plan["actions"] or plan["refused"] or applied.get("failures"):
        mode = "applied" if apply else "dry run"
        actions = (result.get("truncated") or {}).get("totals", {}).get("actions", len(plan["actions"]))
        SnsAdapter(clients.client("sns"), settings.topic_arn).publish(
            f"fargate-ops cleanup ({mode}): {actions} actions" + (", REFUSED" if plan["refused"] else ""),
            {"lines": result["lines"][:200], "applied": result["applied"], "complete": result["complete"]},
        )
    return result
