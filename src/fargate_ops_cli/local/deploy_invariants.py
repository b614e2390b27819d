"""The deploy engine's promises, checked by the runner while a scenario runs and when it ends.

- at most one deploy of an application runs at a time (records in status RUNNING);
- every deploy whose execution has ended has a final record (SUCCEEDED, ROLLED_BACK or FAILED) and
  does not hold its application's lease any more.

(The world's own invariant, no weight on a target group without healthy targets, is world/invariants.py.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.clients import as_world

if TYPE_CHECKING:
    from fargate_ops_cli.local.runtime import LocalRuntime

FINAL = frozenset({"SUCCEEDED", "ROLLED_BACK", "FAILED"})


def _item(rt: LocalRuntime, table: str, pk: str, sk: str) -> dict[str, Any] | None:
    from boto3.dynamodb.types import TypeDeserializer

    with as_world():
        item = (
            rt.clients.client("dynamodb")
            .get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True)
            .get("Item")
        )
    if not item:
        return None
    deserializer = TypeDeserializer()
    return {k: deserializer.deserialize(v) for k, v in item.items()}


def during(rt: LocalRuntime, outputs: dict[str, str], deploys: dict[str, str]) -> list[str]:
    table = outputs.get("OpsTableName")
    if not table or len(deploys) < 2:
        return []
    running: dict[tuple[str, str], list[str]] = defaultdict(list)
    for deploy_id in deploys:
        record = _item(rt, table, f"DEPLOY#{deploy_id}", "META")
        if record and record.get("status") == "RUNNING":
            running[(str(record.get("cluster")), str(record.get("application")))].append(deploy_id)
    return [
        f"two deploys of {application} in {cluster} run at once: {', '.join(sorted(ids))}"
        for (cluster, application), ids in sorted(running.items())
        if len(ids) > 1
    ]


def at_end(rt: LocalRuntime, outputs: dict[str, str], deploys: dict[str, str]) -> list[str]:
    table = outputs.get("OpsTableName")
    if not table:
        return []
    problems = []
    for deploy_id, arn in deploys.items():
        if rt.execution(arn).status == "RUNNING":
            continue
        record = _item(rt, table, f"DEPLOY#{deploy_id}", "META")
        if record is None:
            continue  # rejected before it had a record: it never held anything
        if record.get("status") not in FINAL:
            problems.append(f"deploy {deploy_id} ended but its record says {record.get('status')}")
        lock = _item(rt, table, f"APP#{record.get('cluster')}#{record.get('application')}", "LOCK")
        if lock is not None and lock.get("deploy_id") == deploy_id:
            problems.append(
                f"deploy {deploy_id} ended but still holds the lease of {record.get('application')}"
            )
    return problems
