"""Recent deploys: the state machine's executions (named by deploy id), newest first, with records."""

from __future__ import annotations

from typing import Any

from fargate_ops_cli.operations.outcome import summarize
from fargate_ops_cli.operations.records import read_deploy
from fargate_ops_cli.operations.resources import Resources


def recent_deploys(
    sfn: Any, dynamodb: Any, resources: Resources, application: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    paginator = sfn.get_paginator("list_executions")
    for page in paginator.paginate(stateMachineArn=resources.state_machine_arn):
        for execution in page["executions"]:  # ListExecutions returns newest first
            record = read_deploy(dynamodb, resources.table_name, execution["name"])
            if application is not None and (record or {}).get("application") != application:
                continue
            summary = summarize(execution["name"], execution, record)
            found.append(
                {k: summary[k] for k in ("deploy_id", "status", "application", "strategy", "started_at")}
            )
            if len(found) >= limit:
                return found
    return found
