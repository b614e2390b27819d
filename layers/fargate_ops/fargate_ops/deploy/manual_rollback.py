"""Manual rollback: within the rollback window, traffic back to the old slot (still warm), its live
pointer restored, green to zero; the record ROLLED_BACK with reason "manual rollback".

Like scale_down_old it takes the lease again briefly and acts only if the application is as this
deploy left it (a later deploy may have started), and only if the old slot still has healthy tasks to
take the traffic. Refusing raises, and the execution ends FAILED with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.deploy.after_window import moved_on, short_lease
from fargate_ops.domain import deploy as decisions
from fargate_ops.domain.traffic import weights_for
from fargate_ops.errors import PreflightError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

ROLE_TAG = "fargate-ops:role"


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    old, green = doc.require_slots()
    now = clock.now_epoch()
    with short_lease(doc, ctx, now):
        if moved_on(doc, ctx, green):
            raise PreflightError("cannot roll back: a later deploy changed the application")
        warm = ctx.ecs.describe_service(doc.cluster, old.service)
        if warm.running_count < 1:
            raise PreflightError(f"cannot roll back: the old slot {old.service} has no running task")
        weights = weights_for(0, old.target_group_arn, green.target_group_arn)
        changed = ctx.elbv2.set_weights(doc.listener_arn or "", weights)
        if doc.test_listener_arn is not None:
            ctx.elbv2.set_weights(doc.test_listener_arn, weights)
        ctx.store.set_live_slot(doc.cluster, doc.application, old.service, at=clock.iso(now))
        ctx.ecs.tag(old.service_arn, {ROLE_TAG: "live"})
        ctx.ecs.tag(green.service_arn, {ROLE_TAG: "idle"})
        ctx.ecs.scale(doc.cluster, green.service, 0)
        reason = decisions.rollback_reason(
            decisions.MANUAL_ROLLBACK, None, readiness_timeout_seconds=doc.readiness_timeout_seconds
        )
        reason["summary"] = "manual rollback"
        doc.weights = weights
        doc.status = decisions.ROLLED_BACK
        doc.rollback_reason = reason
        record.save(
            ctx,
            doc,
            "status",
            "rollback_reason",
            "weights",
            end_wait=True,
            append={"weight_history": [{"at": clock.iso(now), "weights": weights}]} if changed else None,
            rolled_back_at=clock.iso(now),
            live_slot=old.service,
        )
        return doc
