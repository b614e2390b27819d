"""Rollback: all traffic back on the live slot, green to zero, and the reason recorded.

Acts only while this deploy holds the application's lease: if it never got it (or lost it to another
deploy), touching the slots would break someone else's deploy, so it records and touches nothing. After
ListenerDriftError (someone else edited the listener) it records and touches nothing either.
The reason names what failed and shows the evidence: stopped tasks' reasons and exit codes, ECS service
warnings, the alarm and why it fired, the analysis numbers, the operator's abort reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.domain import deploy as decisions
from fargate_ops.domain.traffic import weights_for
from fargate_ops.errors import FargateOpsError, ListenerDriftError
from fargate_ops.models.deploy import Failure
from fargate_ops.observability import count, logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

DRIFT_ERROR = ListenerDriftError.__name__


def _restore(doc: DeployDocument, ctx: StepContext) -> None:
    live, green = doc.require_slots()
    weights = weights_for(0, live.target_group_arn, green.target_group_arn)
    if ctx.elbv2.set_weights(doc.listener_arn or "", weights):
        ctx.store.append_weights(doc.deploy_id, doc.execution, {"at": clock.iso(), "weights": weights})
    doc.weights = weights
    if doc.test_listener_arn is not None and doc.test_weights:
        ctx.elbv2.set_weights(doc.test_listener_arn, doc.test_weights)
    if green.service_arn or not doc.adopt_create:
        ctx.ecs.scale(doc.cluster, green.service, 0)
    app = ctx.store.get_application(doc.cluster, doc.application)
    if app is not None and app.live_slot != live.service:
        ctx.store.set_live_slot(doc.cluster, doc.application, live.service, at=clock.iso())


def _stop_watching(doc: DeployDocument, ctx: StepContext, ours: bool) -> None:
    """Retire this deploy's WAIT item on green and its alarm watches: nothing waits on them any more."""
    if ours and doc.green is not None:
        ctx.store.delete_wait(doc.cluster, doc.green.service, deploy_id=doc.deploy_id)
    if doc.alarms:
        ctx.store.unwatch_alarms(doc.alarms, doc.deploy_id)


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    failure = doc.failure or Failure()
    wait = ctx.store.get_wait(doc.cluster, green.service, consistent=True)
    ours = wait is not None and wait.deploy_id == doc.deploy_id
    reason: dict[str, Any] = decisions.rollback_reason(
        failure.error,
        failure.cause,
        readiness_timeout_seconds=doc.readiness_timeout_seconds,
        approval_timeout_seconds=doc.approval_timeout_seconds,
        state=failure.state,
        stops=wait.stops if wait is not None and ours else (),
        service_events=wait.service_events if wait is not None and ours else (),
    )
    reason["step_index"] = doc.step_index
    lease = ctx.store.lease(doc.cluster, doc.application)
    finished_at = clock.iso()
    if lease is None or lease.deploy_id != doc.deploy_id:
        reason["untouched"] = "this deploy does not hold the application's lease; nothing was changed"
        doc.status = decisions.FAILED
    elif failure.error == DRIFT_ERROR:
        # Someone else took the listener over mid-deploy: writing weights now would undo their edit, and
        # scaling green to zero could cut traffic they sent it. The deploy stops (FAILED, not rolled
        # back); the person who edited the listener decides what comes next.
        _stop_watching(doc, ctx, ours)
        reason["untouched"] = (
            "the listener was edited by someone else: its weights and both slots were left as they are"
        )
        doc.status = decisions.FAILED
    else:
        _stop_watching(doc, ctx, ours)
        try:
            _restore(doc, ctx)
        except FargateOpsError as err:
            # Not final yet: the state machine retries Rollback, then records ROLLBACK_FAILED
            # (rollback_failed.py). A record left RUNNING is what the reconciler looks for.
            reason["rollback_error"] = f"{type(err).__name__}: {err}"
            doc.rollback_reason = reason
            record.save(ctx, doc, "rollback_reason")
            count("DeployRollbackAttemptFailed")
            raise
        doc.status = decisions.ROLLED_BACK
    doc.rollback_reason = reason
    record.save(ctx, doc, "status", "rollback_reason", end_wait=True, finished_at=finished_at)
    logger.warning("deploy rolled back", extra={"reason": reason, "status": doc.status, "live": live.service})
    return doc
