"""The deploy engine's promises, checked by the runner while a scenario runs and when it ends.

- at most one deploy of an application runs at a time (records in status RUNNING);
- every deploy whose execution has ended has a final record (SUCCEEDED, ROLLED_BACK, FAILED or
  ROLLBACK_FAILED), written by the execution or by the reconciler after it;
- the lease is free unless a ROLLBACK_FAILED record holds it (traffic may be split: only
  `fargate-ops recover --apply` releases it).

(The world's own invariant, no weight on a target group without healthy targets, is world/invariants.py.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from fargate_ops.aws.store import Store
from fargate_ops.domain.deploy import FINAL_STATUSES, ROLLBACK_FAILED
from fargate_ops_cli.local.clients import as_world

if TYPE_CHECKING:
    from fargate_ops_cli.local.runtime import LocalRuntime


def _store(runtime: LocalRuntime, table: str) -> Store:
    """The application's own reader of its table (its keys, its deserialisation)."""
    return Store(runtime.clients.client("dynamodb"), table)


def _record(runtime: LocalRuntime, table: str, deploy_id: str) -> dict[str, Any] | None:
    with as_world():
        return _store(runtime, table).get_deploy(deploy_id)


def during(runtime: LocalRuntime, outputs: dict[str, str], deploys: dict[str, str]) -> list[str]:
    table = outputs.get("OpsTableName")
    if not table or len(deploys) < 2:
        return []
    running: dict[tuple[str, str], list[str]] = defaultdict(list)
    for deploy_id in deploys:
        record = _record(runtime, table, deploy_id)
        if record and record.get("status") == "RUNNING":
            running[(str(record.get("cluster")), str(record.get("application")))].append(deploy_id)
    return [
        f"two deploys of {application} in {cluster} run at once: {', '.join(sorted(ids))}"
        for (cluster, application), ids in sorted(running.items())
        if len(ids) > 1
    ]


def at_end(runtime: LocalRuntime, outputs: dict[str, str], deploys: dict[str, str]) -> list[str]:
    table = outputs.get("OpsTableName")
    if not table:
        return []
    problems = []
    for deploy_id, arn in deploys.items():
        if runtime.execution(arn).status == "RUNNING":
            continue
        record = _record(runtime, table, deploy_id)
        if record is None:
            continue  # rejected before it had a record: it never held anything
        if record.get("status") not in FINAL_STATUSES:
            problems.append(f"deploy {deploy_id} ended but its record says {record.get('status')}")
        with as_world():
            lease = _store(runtime, table).lease(str(record.get("cluster")), str(record.get("application")))
        if lease is not None and lease.deploy_id == deploy_id and record.get("status") != ROLLBACK_FAILED:
            problems.append(
                f"deploy {deploy_id} ended but still holds the lease of {record.get('application')}"
            )
    return problems
