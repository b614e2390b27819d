"""Parking a task token: every wait of a deploy stores its token where whoever ends the wait looks.

- the deploy record's ``waiting: {kind, token, step_index, since, timeout_at, reason?}``: operators (promote,
  approve, abort, rollback) and the alarm reaction read it;
- green's ``WAIT`` item (kinds ready, approval and bake): the ECS event reactions read it (steady
  state ends a ``ready`` wait; a crash loop or ECS giving up on green fails any of them).

The step after a wait removes ``waiting`` from the record in the same write as its own changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fargate_ops import clock
from fargate_ops.aws.records import WaitRecord
from fargate_ops.errors import DeployInputError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

WaitKind = Literal["ready", "approval", "bake", "rollback_window"]
READY: WaitKind = "ready"
APPROVAL: WaitKind = "approval"
BAKE: WaitKind = "bake"
ROLLBACK_WINDOW: WaitKind = "rollback_window"
WAITING = "waiting"  # the record's attribute

# WAIT items outlive their wait by a day (TTL garbage collection only; nothing relies on it).
WAIT_RETENTION_SECONDS = 86_400


def require_token(ctx: StepContext, step: str) -> str:
    if not ctx.task_token:
        raise DeployInputError("task_token", f"{step} must be invoked with .waitForTaskToken")
    return ctx.task_token


def park(
    doc: DeployDocument,
    ctx: StepContext,
    kind: WaitKind,
    timeout_seconds: int,
    *,
    on_green: bool,
    since: float | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Store the token of the wait that starts now; returns the record's ``waiting``."""
    token = require_token(ctx, kind)
    now = clock.now_epoch()
    if on_green:
        _, green = doc.require_slots()
        if green.task_definition is None:
            raise DeployInputError("green.task_definition", "register_task_definition has not run")
        ctx.store.park_wait(
            WaitRecord(
                cluster=doc.cluster,
                service=green.service,
                task_token=token,
                deploy_id=doc.deploy_id,
                awaiting=kind,
                task_definition=green.task_definition,
                since=since if since is not None else now,
                expires_at=int(now + timeout_seconds + WAIT_RETENTION_SECONDS),
            )
        )
    waiting = {
        "kind": kind,
        "token": token,
        "step_index": doc.step_index,
        "since": clock.iso(now),
        "timeout_at": clock.iso(now + timeout_seconds),
    }
    if reason:
        waiting["reason"] = reason  # why an operator is asked (an approval the plan did not have)
    ctx.store.set_waiting(doc.deploy_id, doc.execution, waiting)
    return waiting


def end_green_wait(doc: DeployDocument, ctx: StepContext) -> None:
    """Retire this deploy's WAIT item on green (the deploy is over)."""
    if doc.green is not None:
        ctx.store.delete_wait(doc.cluster, doc.green.service, deploy_id=doc.deploy_id)
