"""Finalize: green becomes live (application record and service tags); the deploy record SUCCEEDED.

Green gets the live slot's scaling opt-in tag too (when it had one): the schedule follows the live slot.

The deploy stops watching its alarms and retires its WAIT item on green (now the live slot).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.deploy.waiting import end_green_wait
from fargate_ops.domain import deploy as decisions

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

ROLE_TAG = "fargate-ops:role"
DEPLOY_TAG = "fargate-ops:deploy-id"


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    now = clock.iso()
    ctx.store.set_live_slot(doc.cluster, doc.application, green.service, at=now)
    handed = {ctx.settings.scaling_tag_key: doc.schedule} if doc.schedule else {}  # deploy/schedule.py
    ctx.ecs.tag(green.service_arn, {ROLE_TAG: "live", DEPLOY_TAG: doc.deploy_id, **handed})
    ctx.ecs.tag(live.service_arn, {ROLE_TAG: "idle"})
    end_green_wait(doc, ctx)
    if doc.alarms:
        ctx.store.unwatch_alarms(doc.alarms, doc.deploy_id)
    doc.status = decisions.SUCCEEDED
    record.save(
        ctx, doc, "status", "green_task_definition", end_wait=True, finished_at=now, live_slot=green.service
    )
    return doc
