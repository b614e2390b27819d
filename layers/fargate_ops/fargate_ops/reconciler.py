"""The reconciler: an execution of the deploy state machine ended (aborted, timed out, failed) and its
deploy record may not be final (StopExecution, an execution timeout, States.Runtime, a step that failed
on the way out). It trusts the event for nothing but the execution's name: it reads the record, asks
Step Functions whether the execution has really ended, and recovers (recovery.py). Idempotent: a
delivery that finds the record final does nothing (unless a lease was left behind with whole traffic).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fargate_ops.domain.deploy import ROLLBACK_FAILED, RUNNING
from fargate_ops.models.events import ExecutionStatusChange, parse_event
from fargate_ops.observability import bind, count, logger
from fargate_ops.recovery import inspect, recover

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext

ENDED = frozenset({"ABORTED", "TIMED_OUT", "FAILED", "SUCCEEDED"})
BY = "the reconciler"


def _deploy_id(event: ExecutionStatusChange) -> str:
    """The input's deploy id (the CLI names the execution by it, but an execution may be unnamed)."""
    try:
        given = json.loads(event.detail.input or "{}").get("deploy_id")
    except (ValueError, AttributeError):
        given = None
    return str(given) if isinstance(given, str) and given else event.detail.name


def _left_its_lease(ctx: StepContext, record: dict[str, Any], deploy_id: str) -> bool:
    """A final record whose deploy still holds the lease (its ReleaseLease failed), ROLLBACK_FAILED aside."""
    if record.get("status") == ROLLBACK_FAILED:
        return False
    lease = ctx.store.lease(str(record.get("cluster")), str(record.get("application")))
    return lease is not None and lease.deploy_id == deploy_id


def reconcile(raw: dict[str, Any], ctx: StepContext) -> dict[str, Any]:
    event = parse_event(raw)
    if not isinstance(event, ExecutionStatusChange):
        return {"outcome": f"ignored: not an execution status change ({raw.get('detail-type')})"}
    detail = event.detail
    deploy_id = _deploy_id(event)
    bind(deploy_id=deploy_id, execution=detail.execution_arn)
    if detail.status not in ENDED:
        return {"outcome": f"ignored: the execution is {detail.status}"}
    record = ctx.store.get_deploy(deploy_id)
    if record is None:
        return {"outcome": "ignored: no deploy record (rejected before it had one)"}
    if record.get("execution") != detail.execution_arn:
        return {"outcome": "ignored: the record belongs to another execution"}
    if record.get("status") != RUNNING and not _left_its_lease(ctx, record, deploy_id):
        # Most failed executions: a deploy that rolled back finished its own record. No further call.
        return {"outcome": f"ignored: the record is final ({record.get('status')})"}
    execution = ctx.sfn.execution_summary(detail.execution_arn)  # the truth, not the event's word
    if execution.get("status", RUNNING) == RUNNING:
        return {"outcome": "ignored: the execution is still running"}
    situation = inspect(ctx, deploy_id)
    topic = (record.get("input") or {}).get("notification_topic")
    result = recover(
        ctx,
        situation,
        by=BY,
        from_statuses=(RUNNING,),
        execution=execution,
        publish=ctx.sns_for(topic if isinstance(topic, str) else None).publish,
    )
    if result.acted:
        count(f"DeployReconciled_{result.status}")
        logger.warning("deploy reconciled", extra={"status": result.status, "text": result.text})
    return {
        "outcome": ("acted: " if result.acted else "ignored: ") + result.text,
        "status": result.status,
        "traffic": result.traffic,
        "lease_released": result.lease_released,
    }
